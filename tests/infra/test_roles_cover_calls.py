"""Every AWS call a function makes in the API tests is one its role allows.

moto enforces no IAM, so a role that lacks an action passes every test and fails in
production (sign-in's transaction deletes the login's guard item: the identity role had
no dynamodb:DeleteItem). So the recorder (tests/api/recorder.py) writes each call the API
tests make a function do: which function, its IAM action(s), resource and condition keys.
Each is checked against that function's role in the synthesized template — a call made
with our own identity against China's stack, one made with Cognito against the global
stack (and, beyond Cognito's own calls, China's too).

Where the calls come from: the API tests run on two xdist workers in `make test`, in no
order relative to this module, so `make test` records them during its run (`-p
tests.api.recorder`, one file per worker under .xuefa-calls/) with this module deselected,
then runs this module alone over those files (XUEFA_ROLE_CALLS=<file or directory>).
Run alone without XUEFA_ROLE_CALLS, it records a run of the API tests of its own in a
subprocess (slow: the whole of tests/api once more).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.iam import Policy, Request, Resolver, World, function_roles

pytestmark = [pytest.mark.xdist_group("infra")]

ROOT = Path(__file__).resolve().parents[2]
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
APPS = {"credits", "exams", "reports", "roster", "identity"}
# The functions the API tests must reach for the check to mean something.
EXPECTED = {
    ("credits", "app"),
    ("exams", "app"),
    ("reports", "app"),
    ("reports", "nightly"),
    ("roster", "app"),
    ("identity", "app"),
    ("identity", "authorizer"),
}


@pytest.fixture(scope="session")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The calls of a run of the API tests: the one `make test` recorded (XUEFA_ROLE_CALLS,
    a file or a directory of them: one per xdist worker), or, run alone, a run of its own."""
    given = os.environ.get("XUEFA_ROLE_CALLS")
    if given:
        paths = sorted(Path(given).glob("*.jsonl")) if Path(given).is_dir() else [Path(given)]
    else:
        paths = [tmp_path_factory.mktemp("calls") / "calls.jsonl"]
        env = {
            **os.environ,
            "XUEFA_RECORD_CALLS": str(paths[0]),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "functions"), str(ROOT)]),
        }
        for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_TESTRUNUID", "PYTEST_CURRENT_TEST"):
            env.pop(name, None)
        run = subprocess.run(
            [*PYTEST, "-p", "no:xdist", "-p", "tests.api.recorder", "tests/api"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if not paths[0].exists():
            pytest.fail(
                f"the API tests recorded nothing:\n{run.stdout[-3000:]}{run.stderr[-3000:]}"
            )
    return [
        json.loads(line) for path in paths for line in path.read_text().splitlines() if line.strip()
    ]


def _provider(call: dict[str, Any]) -> str:
    return "own" if call["env"].get("XUEFA_IDENTITY") == "own" else "cognito"


def _templates_for(call: dict[str, Any]) -> list[str]:
    """Where the call happens: with our own identity, China's stack; with Cognito, the
    global one — and China's too for everything but Cognito's own API (the same code
    runs there against the same table, bucket and queue)."""
    if _provider(call) == "own":
        return ["china"]
    return ["global"] if call["service"] == "cognito-idp" else ["global", "china"]


@dataclass
class Refusal:
    """One action a role refuses a function, with what it was asked on and by whom."""

    example: str  # the first request refused: action, resource, condition keys
    note: str  # what the role has for that action
    tests: set[str] = field(default_factory=set)
    requests: int = 0


def _violations(
    calls: list[dict[str, Any]], templates: dict[str, dict[str, Any]]
) -> tuple[list[str], dict[str, int]]:
    roles = {name: function_roles(t) for name, t in templates.items()}
    policies: dict[tuple[str, str, World], Policy] = {}
    # One entry per function, action and operation refused, with every test that asked.
    refused: dict[tuple[str, str, str, str, str], Refusal] = {}
    checked: dict[str, int] = defaultdict(int)
    for call in calls:
        function = (call["app"], call["handler"])
        world = World.of(call["env"], [r["resource"] for r in call["requests"]])
        label = f"{call['app']} ({'API' if call['handler'] == 'app' else call['handler']})"
        if call["app"] not in APPS:  # an app a test built for itself, not one we deploy
            continue
        for where in _templates_for(call):
            role = roles[where].get(function)
            if role is None:
                missing = (where, label, "-", "-", call["operation"])
                refusal = refused.setdefault(missing, Refusal("no such function", ""))
                refusal.tests.add(call["test"])
                continue
            if (where, role, world) not in policies:
                resolve = Resolver(templates[where], world)
                policies[(where, role, world)] = Policy(templates[where], role, resolve)
            policy = policies[(where, role, world)]
            for raw in call["requests"]:
                request = Request(raw["action"], raw["resource"], raw["context"])
                checked[label] += 1
                if policy.allows(request):
                    continue
                key = (where, label, role, request.action, call["operation"])
                if key not in refused:
                    refused[key] = Refusal(request.describe(), policy.nearest(request))
                refused[key].tests.add(call["test"])
                refused[key].requests += 1
    lines = []
    for (where, label, role, _, operation), refusal in sorted(refused.items()):
        tests = sorted(refusal.tests)
        more = f" (and {len(tests) - 1} more tests)" if len(tests) > 1 else ""
        times = f", {refusal.requests} requests like it" if refusal.requests > 1 else ""
        lines.append(
            f"[{where}] {label}, role {role}: refused {refusal.example}"
            f" — in {operation}{times}, made by {tests[0]}{more}"
            + (f"\n      the role has: {refusal.note}" if refusal.note else "")
        )
    return lines, dict(checked)


def test_every_call_the_api_tests_make_is_allowed_by_its_functions_role(
    synthesized, global_template, recorded
) -> None:
    templates = {"china": synthesized[1], "global": global_template[1]}
    seen = {(c["app"], c["handler"]) for c in recorded}
    assert seen >= EXPECTED, f"the API tests no longer reach {sorted(EXPECTED - seen)}"
    lines, checked = _violations(recorded, templates)
    assert not lines, (
        f"{len(lines)} call(s) the function's role would refuse in AWS"
        " (moto enforces no IAM; fix the role in infra/parts/apps.py):\n  " + "\n  ".join(lines)
    )
    assert sum(checked.values()) > 1000, checked


def test_the_public_identity_function_reaches_only_its_own_items(synthesized) -> None:
    """Sign-in answers anyone: its role reads and writes the logins', refresh tokens' and
    audit partitions of the table, nothing else there, and never scans or queries."""
    from tests.iam import requests_of

    template = synthesized[1]
    world = World(region="cn-north-1", table="xuefa-prod", bucket="reports")
    role = function_roles(template)[("identity", "app")]
    policy = Policy(template, role, Resolver(template, world))

    def allowed(operation: str, params: dict[str, Any]) -> bool:
        asked = requests_of(
            "dynamodb", operation, {"TableName": "xuefa-prod", **params}, "cn-north-1"
        )
        return all(policy.allows(r) for r in asked)

    def key(pk: str) -> dict[str, Any]:
        return {"Key": {"pk": {"S": pk}, "sk": {"S": "x"}}}

    for pk in ("ACCOUNT#530402000001", "REFRESH#abc"):
        assert allowed("GetItem", key(pk)) and allowed("DeleteItem", key(pk)), pk
    # Its audit entries: added, never read, changed or deleted (#29.5, 等保's audit).
    audit = "AUDIT#2026#2026-11-20"
    assert allowed("PutItem", {"Item": {"pk": {"S": audit}, "sk": {"S": "x"}}})
    for operation in ("GetItem", "UpdateItem", "DeleteItem"):
        assert not allowed(operation, key(audit)), operation
    for pk in ("LEARNER#530402000001", "ADMIN#city_admin", "YEAR#2026", "UNIT#530400"):
        assert not allowed("GetItem", key(pk)) and not allowed("UpdateItem", key(pk)), pk
    assert not allowed("Scan", {})
    assert not allowed(
        "Query",
        {
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": "pk"},
            "ExpressionAttributeValues": {":pk": {"S": "ACCOUNT#a"}},
        },
    )
