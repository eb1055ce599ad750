"""Personal data as PIPL asks (#29.4): every administrator's view of a learner's records
is recorded and the learner sees who looked; the learner downloads all we hold on them;
the records of a learner who left are deleted once kept as long as the settings say."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import call, code, get, json_of, post
from tests.helpers import CITY_ADMIN, COUNTY_ADMIN, LEARNER, OTHER_COUNTY_ADMIN, UNIT_ADMIN
from xuefa import bootstrap
from xuefa.store.keys import Keys

STUDENT = LEARNER[0]  # 530402000001, in 530402-001 (红塔区司法局)
OTHER = ("530402000002", ["learners"], "530402-001")


@pytest.fixture
def apps(accounts, client) -> dict[str, Any]:
    return {name: client(name) for name in ("roster", "credits", "exams", "reports")}


def access(apps: dict[str, Any], who: tuple = LEARNER, query: str = "") -> dict[str, Any]:
    response = get(apps["roster"].http, f"/me/access{query}", who)
    assert response.status_code == 200, response.body
    return dict(json_of(response))


def test_every_admin_view_of_a_learner_is_recorded_and_the_learner_sees_who(apps, clock) -> None:
    views = [
        ("roster", f"/learners/{STUDENT}", UNIT_ADMIN, "profile"),
        ("credits", f"/learners/{STUDENT}?year=2026", COUNTY_ADMIN, "balance/2026"),
        ("credits", f"/learners/{STUDENT}/ledger?year=2026", COUNTY_ADMIN, "ledger/2026"),
        ("exams", f"/2026/learners/{STUDENT}/attempts", CITY_ADMIN, "attempts/2026"),
        ("reports", f"/learners/{STUDENT}/archive", CITY_ADMIN, "archive"),
    ]
    for app, path, admin, _ in views:
        clock.advance(seconds=60)
        assert get(apps[app].http, path, admin).status_code == 200, path
    # Neither the learner's own reads nor a refused look are anyone's view of them.
    assert get(apps["roster"].http, f"/learners/{STUDENT}", LEARNER).status_code == 200
    assert get(apps["roster"].http, f"/learners/{STUDENT}", OTHER_COUNTY_ADMIN).status_code == 403
    items = access(apps)["items"]
    assert [(i["by"], i["what"]) for i in items] == [(v[2][0], v[3]) for v in reversed(views)]
    newest, oldest = items[0], items[-1]
    assert newest["by_name"] == "市法宣组管理员" and newest["by_level"] == "city"
    assert (newest["by_unit_id"], newest["by_unit_name"]) == ("530400", "玉溪市")
    assert oldest["by_unit_name"] == "红塔区司法局" and oldest["at"] < newest["at"]
    assert access(apps, OTHER)["items"] == []  # another learner: nobody looked


def test_who_looked_pages_and_is_the_learners_alone(apps, clock) -> None:
    for app, path in (
        ("roster", f"/learners/{STUDENT}"),
        ("credits", f"/learners/{STUDENT}?year=2026"),
        ("credits", f"/learners/{STUDENT}/ledger?year=2026"),
    ):
        clock.advance(microseconds=1000)  # all within one second: still newest first
        assert get(apps[app].http, path, UNIT_ADMIN).status_code == 200
    first = access(apps, query="?limit=2")
    assert len(first["items"]) == 2 and first["cursor"]
    rest = access(apps, query=f"?limit=2&cursor={first['cursor']}")
    assert len(rest["items"]) == 1 and rest["cursor"] is None
    shown = [i["what"] for i in first["items"] + rest["items"]]
    assert shown == ["ledger/2026", "balance/2026", "profile"]
    refused = get(apps["roster"].http, "/me/access", UNIT_ADMIN)
    assert (refused.status_code, code(refused)) == (403, "FORBIDDEN")
    forged = get(apps["roster"].http, f"/me/access?cursor={first['cursor']}", OTHER)
    assert forged.status_code == 400  # a cursor is bound to its learner


def test_a_learner_downloads_all_we_hold_on_them(apps, city) -> None:
    credits, exams, roster = apps["credits"].http, apps["exams"].http, apps["roster"].http
    session = json_of(post(credits, "/sessions", LEARNER, {"resource_id": "signin"}))
    assert post(credits, f"/sessions/{session['session_id']}/complete", LEARNER).status_code == 200
    question = json_of(post(exams, "/2026/attempts", LEARNER))["questions"][0]
    label = question["options"][0]["key"]
    answers = {question["question_id"]: [label]}
    saved = call(exams, "put", "/2026/attempts/1/answers", LEARNER, {"answers": answers})
    assert saved.status_code == 200
    city.put({**Keys.archive(STUDENT, 2025), "year": 2025, "passed": True, "certificate": "C0DE"})
    city.put({**Keys.practised(STUDENT, 2026, "p-1"), "answered": 3, "right": 2})
    get(roster, f"/learners/{STUDENT}", UNIT_ADMIN)

    response = get(roster, "/me/data", LEARNER)
    assert response.status_code == 200, response.body
    data = json_of(response)
    assert data["student_no"] == STUDENT and data["profile"]["name"]
    assert data["profile"]["unit_id"] == "530402-001" and "phone" in data["profile"]
    assert [r["year"] for r in data["year_results"]] == [2026]
    assert data["study_sessions"] and data["ledger"][0]["credits"] > 0
    (attempt,) = data["attempts"]
    assert attempt["answers"] == answers and len(attempt["paper"]) == 50
    assert "answer" not in json.dumps(attempt["paper"])  # the key stays on the server
    assert data["practice"] == [{"answered": 3, "right": 2}]
    assert data["archive"][0]["year"] == 2025
    assert data["certificates"] == [{"year": 2025, "code": "C0DE"}]
    assert [a["by"] for a in data["access"]] == [UNIT_ADMIN[0]]
    assert "pk" not in json.dumps(data) and "password" not in json.dumps(data)
    assert get(roster, "/me/data", UNIT_ADMIN).status_code == 403


def retention(roster: Any) -> dict[str, Any]:
    """The retention function, as EventBridge invokes it each night."""
    event = roster.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[], region="cn"
    )
    return dict(roster.lambda_.invoke("roster-retention", event).payload)


def test_a_leavers_records_are_deleted_once_kept_long_enough(apps, city, clock) -> None:
    roster = apps["roster"]
    cognito = bootstrap.services().storage.accounts
    city.put({**Keys.archive(STUDENT, 2025), "year": 2025, "passed": True, "certificate": "C0DE"})
    city.put({**Keys.certificate("C0DE"), "student_no": STUDENT, "year": 2025})
    for who, status in ((LEARNER, "resigned"), (OTHER, "retired")):
        body = {"status": status, "reason": "离开"}
        changed = post(roster.http, f"/learners/{who[0]}/status", UNIT_ADMIN, body)
        assert changed.status_code == 200, changed.body
    clock.advance(days=30)  # the other learner comes back, then retires again
    post(roster.http, f"/learners/{OTHER[0]}/status", UNIT_ADMIN, {"status": "active"})
    clock.advance(days=30)
    post(roster.http, f"/learners/{OTHER[0]}/status", UNIT_ADMIN, {"status": "retired"})
    kept = bootstrap.services().settings.leaver_retention_days

    clock.advance(days=kept - 60 - 1)  # the day before the retention is over: kept
    assert retention(roster)["forgotten"] == []
    assert city.get(Keys.learner(STUDENT)) is not None

    clock.advance(days=2)
    done = retention(roster)
    assert (done["forgotten"], done["returned"]) == ([STUDENT], [OTHER[0]])
    assert city.get(Keys.learner(STUDENT)) is None
    assert city.get(Keys.year_result(STUDENT, 2026)) is None
    assert city.get(Keys.certificate("C0DE")) is None
    assert list(city.query_all(Keys.learner(STUDENT)["pk"])) == []
    with pytest.raises(Exception, match="missing"):
        cognito.set_enabled(STUDENT, False)  # the sign-in account is gone too
    assert city.get(Keys.learner(OTHER[0])) is not None  # left again later: not yet
    assert get(roster.http, f"/learners/{STUDENT}", UNIT_ADMIN).status_code == 404

    clock.advance(days=60)
    assert retention(roster)["forgotten"] == [OTHER[0]]
    assert retention(roster)["forgotten"] == []  # nothing twice


def test_the_retention_is_a_setting(monkeypatch) -> None:
    from xuefa.core.settings import get_settings

    monkeypatch.setenv("XUEFA_TABLE", "t-x")
    monkeypatch.setenv("XUEFA_BUCKET", "b-x")
    monkeypatch.setenv("XUEFA_CURSOR_SECRET", "s" * 20)
    monkeypatch.setenv("XUEFA_LEAVER_RETENTION_DAYS", "3653")
    get_settings.cache_clear()
    try:
        assert get_settings().leaver_retention_days == 3653
    finally:
        get_settings.cache_clear()
