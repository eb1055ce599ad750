"""A department's roster import: large files become a job (202), followed to its end
through GET /roster/imports/{id}; through chalice.test.Client on moto (table, Cognito)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from chalice.test import Client

from infra.local.apps import load_module
from tests.api.conftest import call as send
from tests.api.conftest import code, get, json_of
from tests.api.test_roster_api import sign_in
from tests.helpers import CITY_ADMIN, COUNTY_ADMIN, LEARNER, OTHER_COUNTY_ADMIN
from xuefa.store.keys import Keys
from xuefa.store.table import GSI_NAME

HEADER = "name,unit_id,phone\n"
COUNTER = Keys.counter("STUDENT_NO#530402")
SEEDED = 30  # the demo county's learners: its counter before any import


def rows(count: int, start: int = 0, unit: str = "530402-001") -> str:
    return "".join(f"学员{i:04d},{unit},139{i:08d}\n" for i in range(start, start + count))


@pytest.fixture
def roster(accounts: Any) -> Any:
    """The roster app's module (its service and worker) and a test client for it. The
    chunks' messages are held (`messages`) instead of sent: the test delivers them to the
    worker function as SQS and Lambda would (moto in this process is not thread-safe, so
    the thread that runs them on the local stack is tested there)."""
    module = load_module("roster")
    module.client = Client(module.app)
    module.messages = []
    module.roster().jobs.dispatch = module.messages.extend
    return module


def post_file(roster: Any, text: str, who: Any = COUNTY_ADMIN, query: str = "") -> Any:
    return send(
        roster.client.http,
        "post",
        f"/learners/import{query}",
        who,
        text.encode(),
        content_type="text/csv",
    )


def job(roster: Any, location: str, who: Any = COUNTY_ADMIN) -> Any:
    return get(roster.client.http, location.removeprefix("/roster"), who)


def until_ended(roster: Any, location: str) -> dict[str, Any]:
    """Every held chunk delivered, the job followed as the console does: its progress
    grows chunk by chunk until it has ended."""
    progress = []
    while roster.messages:
        body = json_of(job(roster, location))
        assert body["state"] == "running"
        progress.append(body["done"])
        assert deliver(roster, roster.messages.pop(0))
    assert progress == sorted(progress)
    body = json_of(job(roster, location))
    assert body["state"] != "running"
    return dict(body)


def deliver(roster: Any, message: dict[str, Any], receive_count: int = 1) -> bool:
    """One SQS delivery of a chunk's message to the worker function, as Lambda makes it;
    False when the function failed (SQS would deliver it again)."""
    event = roster.client.events.generate_sqs_event([json.dumps(message)])
    event["Records"][0]["attributes"]["ApproximateReceiveCount"] = str(receive_count)
    try:
        roster.client.lambda_.invoke("roster-import", event)
    except Exception:
        return False
    return True


def learners_in(city: Any, unit_id: str) -> list[dict[str, Any]]:
    return list(city.query_all(Keys.unit_learners(unit_id), index=GSI_NAME))


def test_300_rows_answer_at_once_and_the_job_registers_everyone(roster, city, capsys) -> None:
    started = time.perf_counter()
    response = post_file(roster, HEADER + rows(300))
    answered = time.perf_counter() - started
    assert response.status_code == 202, response.body
    accepted = json_of(response)
    assert accepted["state"] == "running" and accepted["total"] == 300
    assert accepted["location"] == f"/roster/imports/{accepted['import_id']}"
    assert answered < 10  # API Gateway gives up at 29 s
    result = until_ended(roster, accepted["location"])
    finished = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n300 rows: 202 in {answered:.2f} s, done in {finished:.1f} s")
    assert (result["state"], result["total"], result["done"]) == ("done", 300, 300)
    assert result["errors"] == [] and result["duplicates"] == []
    created = result["created"]
    assert [c["line"] for c in created] == list(range(2, 302))
    numbers = [c["student_no"] for c in created]
    assert numbers == [f"530402{n:06d}" for n in range(SEEDED + 1, SEEDED + 301)]
    assert city.get(COUNTER)["value"] == SEEDED + 300
    assert len(learners_in(city, "530402-001")) == 10 + 300
    first = created[0]
    assert first["name"] == "学员0000" and len(first["temporary_password"]) == 12
    challenge = sign_in(roster_accounts(), first["student_no"], first["temporary_password"])
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def roster_accounts() -> Any:
    import boto3

    return boto3.client("cognito-idp")


def test_2000_rows_with_errors_and_duplicates_end_with_every_line_told(
    roster, city, capsys
) -> None:
    """Accounts in memory here: moto's user pool slows with every user it holds (2,000
    took 13 min, 0.39 s a row); the 300-row test above and the local stack's e2e test
    create real ones."""
    from tests.fakes.roster import FakeAccounts

    accounts = FakeAccounts()
    service = roster.roster()
    service.roll.accounts = service.jobs.chunks.accounts = accounts
    assert post_file(roster, HEADER + rows(3)).status_code == 200  # small: answered at once
    text = (
        HEADER
        + rows(1000, unit="530402-001")
        + "没有单位,no-such-unit,\n"  # line 1002
        + rows(996, start=1000, unit="530402-002")
        + ",530402-001,\n"  # line 1999: no name
        + "坏号码,530402-001,12345\n"  # line 2000
        + "张三,530402-001,\n"  # line 2001
    )
    refused = post_file(roster, text)
    assert refused.status_code == 400
    assert [e["line"] for e in json_of(refused)["error"]["details"]["errors"]] == [1002, 1999, 2000]
    assert city.get(COUNTER)["value"] == SEEDED + 3
    started = time.perf_counter()
    response = post_file(roster, text, query="?partial=true")
    answered = time.perf_counter() - started
    assert response.status_code == 202, response.body
    result = until_ended(roster, json_of(response)["location"])
    finished = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n2000 rows: 202 in {answered:.2f} s, done in {finished:.1f} s")
    assert (result["state"], result["total"], result["done"]) == ("done", 2000, 2000)
    assert [e["line"] for e in result["errors"]] == [1002, 1999, 2000]
    assert [d["line"] for d in result["duplicates"]] == [2, 3, 4]  # the three imported first
    assert len(result["created"]) == 2000 - 3 - 3
    told = {c["line"] for c in result["created"]} | {p["line"] for p in result["errors"]}
    assert told | {d["line"] for d in result["duplicates"]} == set(range(2, 2002))
    assert len({c["student_no"] for c in result["created"]}) == 1994
    assert city.get(COUNTER)["value"] == SEEDED + 3 + 1994
    assert len(learners_in(city, "530402-002")) + len(learners_in(city, "530402-001")) == (
        20 + 3 + 1994
    )
    assert len(accounts.enabled) == 3 + 1994


def test_a_retried_chunk_registers_no_one_twice(roster, city, monkeypatch) -> None:
    messages = roster.messages
    response = post_file(roster, HEADER + rows(120))
    location = json_of(response)["location"]
    assert [m["chunk"] for m in messages] == [0, 1, 2]
    service = roster.roster()
    register = service.jobs.chunks.people.register
    calls = {"n": 0}

    def dies_after_ten(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] > 10:
            raise RuntimeError("the function timed out")
        register(*args, **kwargs)

    monkeypatch.setattr(service.jobs.chunks.people, "register", dies_after_ten)
    assert not deliver(roster, messages[0])  # dies on its 11th row
    running = json_of(job(roster, location))
    assert (running["state"], running["done"], running["created"]) == ("running", 0, [])
    assert len(learners_in(city, "530402-001")) == 10 + 10
    monkeypatch.setattr(service.jobs.chunks.people, "register", register)
    for message in (messages[0], messages[0], *messages[1:], messages[2]):  # and twice more
        assert deliver(roster, message, receive_count=2)
    result = json_of(job(roster, location))
    assert (result["state"], result["done"]) == ("done", 120)
    assert len(result["created"]) == 120 and result["errors"] == []
    assert len(learners_in(city, "530402-001")) == 10 + 120
    assert len({c["student_no"] for c in result["created"]}) == 120
    assert city.get(COUNTER)["value"] == SEEDED + 120
    # a learner registered by the first try signs in with the password the job shows
    early = result["created"][3]
    challenge = sign_in(roster_accounts(), early["student_no"], early["temporary_password"])
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_a_chunk_that_keeps_failing_is_reported_line_by_line(roster, city, monkeypatch) -> None:
    messages = roster.messages
    location = json_of(post_file(roster, HEADER + rows(60)))["location"]
    service = roster.roster()
    create = service.jobs.chunks.accounts.create_learner

    def cognito_refuses_the_sixth(student_no: str, *args: Any) -> str:
        if student_no.endswith("036"):
            raise RuntimeError("Cognito is down")
        return str(create(student_no, *args))

    monkeypatch.setattr(service.jobs.chunks.accounts, "create_learner", cognito_refuses_the_sixth)
    for receive_count in (1, 2, 3):
        assert not deliver(roster, messages[0], receive_count)
    assert deliver(roster, messages[1])
    result = json_of(job(roster, location))
    assert (result["state"], result["done"]) == ("failed", 60)
    assert [c["line"] for c in result["created"]] == [*range(2, 7), *range(52, 62)]
    assert [e["line"] for e in result["errors"]] == list(range(7, 52))
    assert "import this line again" in result["errors"][0]["message"]
    assert len(learners_in(city, "530402-001")) == 10 + 15


def test_chunks_the_queue_refused_end_at_once_as_errors_by_line(roster, city) -> None:
    sent: list[dict[str, Any]] = []

    def queue_fails_on_the_second(messages: list[dict[str, Any]]) -> None:
        if sent:
            raise RuntimeError("SQS refused the message")
        sent.extend(messages)

    roster.roster().jobs.dispatch = queue_fails_on_the_second
    location = json_of(post_file(roster, HEADER + rows(120)))["location"]
    assert [m["chunk"] for m in sent] == [0]
    assert deliver(roster, sent[0])
    result = json_of(job(roster, location))
    assert (result["state"], result["done"]) == ("failed", 120)
    assert [c["line"] for c in result["created"]] == list(range(2, 52))
    assert [e["line"] for e in result["errors"]] == list(range(52, 122))
    assert "could not be queued" in result["errors"][0]["message"]
    assert len(learners_in(city, "530402-001")) == 10 + 50


def test_only_the_importing_admin_reads_the_job(roster, city) -> None:
    location = json_of(post_file(roster, HEADER + rows(60)))["location"]
    assert job(roster, location).status_code == 200
    for who in (CITY_ADMIN, OTHER_COUNTY_ADMIN, LEARNER):
        response = job(roster, location, who)
        assert (response.status_code, code(response)) == (403, "FORBIDDEN"), who
        assert "temporary_password" not in response.body.decode()
    unknown = job(roster, "/roster/imports/AAAAAAAAAAAAAAAA")
    assert (unknown.status_code, code(unknown)) == (404, "NOT_FOUND")
    bad = job(roster, "/roster/imports/..%2Fx")
    assert bad.status_code in (400, 404)


def test_the_passwords_are_stored_sealed(roster, city) -> None:
    location = json_of(post_file(roster, HEADER + rows(60)))["location"]
    result = until_ended(roster, location)
    passwords = [c["temporary_password"] for c in result["created"]]
    stored = json.dumps(list(city.query_all(f"IMPORT#{result['import_id']}")), default=str)
    assert not any(p in stored for p in passwords)
