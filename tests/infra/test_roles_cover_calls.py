"""Every AWS call a function makes in the API tests is one its role allows.

moto enforces no IAM, so a role that lacks an action passes every test and fails in
production (sign-in's transaction deletes the login's guard item: the identity role had
no dynamodb:DeleteItem). Here the API tests run once more, in a process of their own, with
the recorder (tests/api/recorder.py) writing each call: which function made it, its IAM
action(s), resource and condition keys. Each is then checked against that function's role
in the synthesized template — a call made with our own identity against China's stack, one
made with Cognito against the global stack (and, beyond Cognito's own calls, China's too).

Why a process of its own: the API tests run on two xdist workers, in no order relative to
this module; a recording of their own makes this test independent of both (and of a
partial run). It costs one more pass over tests/api. XUEFA_ROLE_CALLS=<file> checks an
existing recording instead (`XUEFA_RECORD_CALLS=<file> pytest -p tests.api.recorder
tests/api` writes one).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from tests.iam import Policy, Request, Resolver, World, function_roles

pytestmark = [pytest.mark.xdist_group("infra")]

ROOT = Path(__file__).resolve().parents[2]
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
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


def _violations(
    calls: list[dict[str, Any]], templates: dict[str, dict[str, Any]]
) -> tuple[list[str], dict[str, int]]:
    roles = {name: function_roles(t) for name, t in templates.items()}
    policies: dict[tuple[str, str, World], Policy] = {}
    # One line per distinct refusal, with every test that made it.
    refused: dict[tuple[str, ...], set[str]] = defaultdict(set)
    notes: dict[tuple[str, str, str], str] = {}  # what the role has for that action
    checked: dict[str, int] = defaultdict(int)
    for call in calls:
        function = (call["app"], call["handler"])
        world = World.of(call["env"])
        for where in _templates_for(call):
            role = roles[where].get(function)
            label = f"{call['app']} ({'API' if call['handler'] == 'app' else call['handler']})"
            if role is None:
                refused[(where, label, "-", "no such function in the stack", "")].add(call["test"])
                continue
            key = (where, role, world)
            if key not in policies:
                policies[key] = Policy(templates[where], role, Resolver(templates[where], world))
            policy = policies[key]
            for raw in call["requests"]:
                request = Request(raw["action"], raw["resource"], raw["context"])
                checked[label] += 1
                if not policy.allows(request):
                    refused[(where, label, role, request.describe(), call["operation"])].add(
                        call["test"]
                    )
                    notes[(where, role, request.action)] = policy.nearest(request)
    lines = []
    for (where, label, role, what, operation), tests in sorted(refused.items()):
        first = sorted(tests)[0]
        more = f" (and {len(tests) - 1} more tests)" if len(tests) > 1 else ""
        action = what.split(" ", 1)[0]
        note = notes.get((where, role, action), "")
        lines.append(
            f"[{where}] {label}: its role {role} does not allow {what}"
            f" — in {operation}, made by {first}{more}"
            + (f"\n      the role has: {note}" if note else "")
        )
    return lines, dict(checked)


def test_every_call_the_api_tests_make_is_allowed_by_its_functions_role(
    recorded, synthesized, global_template
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
