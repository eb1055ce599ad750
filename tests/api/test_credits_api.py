"""/credits through chalice.test.Client on moto."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import code, get, json_of, post
from tests.helpers import CITY_ADMIN, COUNTY_ADMIN, LEARNER, OTHER_COUNTY_ADMIN, UNIT_ADMIN
from xuefa.store.keys import Keys

OTHER_LEARNER = ("530402000002", ["learners"], "530402-001")
COURSE = "c-xf-01"  # 50 credits, 20 minutes, once a year


@pytest.fixture
def api(city, client):
    return client("credits").http


def start(api: Any, resource_id: str, who: tuple = LEARNER) -> str:
    response = post(api, "/sessions", who, {"resource_id": resource_id})
    assert response.status_code == 201, response.body
    return str(json_of(response)["session_id"])


def balance(api: Any, who: tuple = LEARNER) -> dict[str, Any]:
    response = get(api, "/me", who)
    assert response.status_code == 200
    return dict(json_of(response))


def test_catalogue_lists_the_years_resources(api) -> None:
    items = json_of(get(api, "/catalogue?year=2026", LEARNER))["items"]
    assert len(items) >= 20
    course = next(i for i in items if i["resource_id"] == COURSE)
    assert course == {
        "resource_id": COURSE,
        "title": "宪法总纲与国家根本制度",
        "activity": "course",
        "credits": 50,
        "min_seconds": 1200,
        "once_per_year": True,
        "once_per_day": False,
    }
    sign_in = next(i for i in items if i["resource_id"] == "signin")
    assert (sign_in["once_per_day"], sign_in["once_per_year"]) == (True, False)


def test_a_course_pays_only_after_its_minutes_of_server_time(api, clock) -> None:
    session_id = start(api, COURSE)
    clock.advance(seconds=1199)
    early = post(api, f"/sessions/{session_id}/complete", LEARNER)
    assert early.status_code == 409
    assert code(early) == "TOO_EARLY"
    assert json_of(early)["error"]["details"]["seconds_left"] == 1
    assert balance(api)["credits"] == 0

    clock.advance(seconds=1)
    done = post(api, f"/sessions/{session_id}/complete", LEARNER)
    assert done.status_code == 200
    body = json_of(done)
    assert (body["awarded"], body["capped"]) == (50, False)
    assert body["balance"]["credits"] == 50
    assert body["balance"]["hours"] == 0.5
    assert body["balance"]["credit_score"] == 0.83
    assert body["balance"]["today"] == {"credits": 50, "cap": 125}


def test_completing_again_returns_the_same_result_and_pays_nothing(api, clock) -> None:
    session_id = start(api, COURSE)
    clock.advance(minutes=25)
    first = json_of(post(api, f"/sessions/{session_id}/complete", LEARNER))
    again = json_of(post(api, f"/sessions/{session_id}/complete", LEARNER))
    assert again == first
    assert balance(api)["credits"] == 50
    ledger = json_of(get(api, "/me/ledger", LEARNER))["items"]
    assert [(e["entry_id"], e["credits"], e["kind"]) for e in ledger] == [(session_id, 50, "study")]


def study(api: Any, clock: Any, resource_id: str, minutes: int = 21) -> dict[str, Any]:
    """One session, served and completed (a learner has one open at a time)."""
    session_id = start(api, resource_id)
    clock.advance(minutes=minutes)
    return dict(json_of(post(api, f"/sessions/{session_id}/complete", LEARNER)))


def test_the_daily_cap_cuts_the_third_course_and_stops_the_fourth(api, clock) -> None:
    results = [study(api, clock, r) for r in ("c-xf-02", "c-xf-03", "c-xz-01", "c-xz-02")]
    assert [(r["awarded"], r["capped"]) for r in results] == [
        (50, False),
        (50, False),
        (25, True),
        (0, True),
    ]
    assert balance(api)["today"] == {"credits": 125, "cap": 125}
    clock.advance(days=1)
    next_day = start(api, "c-xz-03")
    clock.advance(minutes=21)
    assert json_of(post(api, f"/sessions/{next_day}/complete", LEARNER))["awarded"] == 50
    assert balance(api)["credits"] == 175


def test_a_once_a_year_resource_is_not_paid_twice(api, clock) -> None:
    first = start(api, COURSE)
    clock.advance(minutes=21)
    post(api, f"/sessions/{first}/complete", LEARNER)
    clock.advance(days=1)
    second = start(api, COURSE)
    clock.advance(minutes=21)
    response = post(api, f"/sessions/{second}/complete", LEARNER)
    assert response.status_code == 409
    assert code(response) == "DUPLICATE"
    assert balance(api)["credits"] == 50


def test_sign_in_can_be_earned_every_day(api, clock) -> None:
    for _ in range(3):
        session_id = start(api, "signin")
        assert json_of(post(api, f"/sessions/{session_id}/complete", LEARNER))["awarded"] == 5
        clock.advance(days=1)
    assert balance(api)["credits"] == 15


def test_no_session_starts_outside_the_credit_window(api, clock) -> None:
    from datetime import datetime

    from xuefa.core.clock import SHANGHAI

    clock.set(datetime(2026, 12, 1, 0, 0, tzinfo=SHANGHAI))
    response = post(api, "/sessions", LEARNER, {"resource_id": "signin"})
    assert response.status_code == 409
    assert code(response) == "OUTSIDE_WINDOW"


def test_a_session_completed_after_the_window_closes_pays_nothing(api, clock) -> None:
    from datetime import datetime

    from xuefa.core.clock import SHANGHAI

    clock.set(datetime(2026, 11, 30, 23, 59, 0, tzinfo=SHANGHAI))
    session_id = start(api, "signin")
    clock.set(datetime(2026, 12, 1, 0, 0, 0, tzinfo=SHANGHAI))
    response = post(api, f"/sessions/{session_id}/complete", LEARNER)
    assert (response.status_code, code(response)) == (409, "YEAR_CLOSED")
    assert json_of(get(api, "/me?year=2026", LEARNER))["credits"] == 0


# --- once a day ---------------------------------------------------------------------


def test_the_sign_in_pays_once_a_day_and_a_second_start_is_refused(api, clock) -> None:
    session_id = start(api, "signin")
    assert json_of(post(api, f"/sessions/{session_id}/complete", LEARNER))["awarded"] == 5
    clock.advance(hours=3)
    again = post(api, "/sessions", LEARNER, {"resource_id": "signin"})
    assert (again.status_code, code(again)) == (409, "DUPLICATE")
    assert json_of(again)["error"]["details"] == {"once_per_day": True}
    clock.advance(hours=11)  # past midnight: a new Shanghai day
    assert json_of(post(api, f"/sessions/{start(api, 'signin')}/complete", LEARNER))["awarded"] == 5
    assert balance(api)["credits"] == 10


def test_two_sign_ins_started_the_same_day_pay_once(api) -> None:
    # Both starts pass the friendly check (nothing paid yet); the award's transaction
    # holds the line: the second completes on 0, and says why.
    first, second = start(api, "signin"), start(api, "signin")
    paid = json_of(post(api, f"/sessions/{first}/complete", LEARNER))
    refused = json_of(post(api, f"/sessions/{second}/complete", LEARNER))
    assert (paid["awarded"], paid["limit"]) == (5, None)
    assert (refused["awarded"], refused["capped"], refused["limit"]) == (0, True, "once_per_day")
    assert balance(api)["credits"] == 5
    assert json_of(post(api, f"/sessions/{second}/complete", LEARNER)) == refused
    ledger = json_of(get(api, "/me/ledger", LEARNER))["items"]
    assert [e["entry_id"] for e in ledger] == [first]


def test_an_activity_daily_cap_in_the_year_config_binds(api, city, clock) -> None:
    from xuefa import bootstrap
    from xuefa.years.rules import YearConfig

    years = bootstrap.services().years
    raw = years.get(2026).model_dump(mode="json")
    years.put(
        YearConfig.model_validate({**raw, "caps": {"per_activity_daily_caps": {"practice": 30}}})
    )
    results = [study(api, clock, r, minutes=6) for r in ("p-lx-01", "p-lx-02")]
    assert [(r["awarded"], r["limit"]) for r in results] == [(20, None), (10, "activity_daily")]


# --- one study session at a time ---------------------------------------------------


def test_a_start_while_a_session_is_open_is_refused_with_the_open_one(api, city, clock) -> None:
    open_id = start(api, COURSE)
    clock.advance(minutes=5)
    refused = post(api, "/sessions", LEARNER, {"resource_id": "p-lx-01"})
    assert (refused.status_code, code(refused)) == (409, "CONFLICT")
    assert json_of(refused)["error"]["details"] == {
        "open_session_id": open_id,
        "resource_id": COURSE,
        "started_at": "2026-11-20T10:00:00+08:00",
        "min_seconds": 1200,
        "expires_at": "2026-11-20T12:20:00+08:00",
    }
    # Nothing of the refused start was written: one session item, the open one.
    sessions = list(city.query_all(f"LEARNER#{LEARNER[0]}", "SESSION#2026#"))
    assert [s["session_id"] for s in sessions] == [open_id]
    # The app resumes the open one: it counts from its own start, then frees the learner.
    clock.advance(minutes=15)
    assert json_of(post(api, f"/sessions/{open_id}/complete", LEARNER))["awarded"] == 50
    assert study(api, clock, "p-lx-01", minutes=6)["awarded"] == 20
    # A completed session keeps its record (no TTL); its lock is freed, for TTL to remove.
    done = city.get(Keys.session(LEARNER[0], 2026, open_id))
    assert done is not None and "expires_at" not in done
    assert "session_id" not in (city.get(Keys.open_session(LEARNER[0], 2026)) or {})


def test_an_abandoned_session_frees_the_learner_and_pays_nothing(api, clock) -> None:
    open_id = start(api, COURSE)
    closed = post(api, f"/sessions/{open_id}/abandon", LEARNER)
    assert (closed.status_code, json_of(closed)) == (
        200,
        {"session_id": open_id, "state": "abandoned"},
    )
    assert post(api, f"/sessions/{open_id}/abandon", OTHER_LEARNER).status_code == 403
    clock.advance(minutes=21)
    late = post(api, f"/sessions/{open_id}/complete", LEARNER)
    assert (late.status_code, code(late)) == (409, "CONFLICT")
    assert json_of(late)["error"]["details"] == {"reason": "abandoned"}
    assert study(api, clock, "p-lx-01", minutes=6)["awarded"] == 20
    assert balance(api)["credits"] == 20


def test_an_abandoned_session_expires_and_its_lock_counts_as_free(api, city, clock) -> None:
    forgotten = start(api, "p-lx-01")  # 5 minutes; expires 2 hours after they are served
    clock.advance(minutes=124)
    assert code(post(api, "/sessions", LEARNER, {"resource_id": "p-lx-02"})) == "CONFLICT"
    clock.advance(minutes=1)
    late = post(api, f"/sessions/{forgotten}/complete", LEARNER)
    assert (late.status_code, json_of(late)["error"]["details"]) == (409, {"reason": "expired"})
    stale = city.get(Keys.session(LEARNER[0], 2026, forgotten))
    assert stale is not None and stale["expires_at"] == stale["expires_epoch"]  # TTL's to remove
    assert study(api, clock, "p-lx-02", minutes=6)["awarded"] == 20
    assert balance(api)["credits"] == 20


def test_a_resigned_learners_valid_token_completes_nothing(api, accounts, client, clock) -> None:
    roster = client("roster").http
    session_id = start(api, COURSE)
    clock.advance(minutes=21)
    resigned = post(
        roster,
        f"/learners/{LEARNER[0]}/status",
        UNIT_ADMIN,
        {"status": "resigned", "reason": "辞职"},
    )
    assert resigned.status_code == 200, resigned.body
    refused = post(api, f"/sessions/{session_id}/complete", LEARNER)
    assert (refused.status_code, code(refused)) == (403, "FORBIDDEN")
    assert json_of(refused)["error"]["details"] == {"reason": "inactive"}
    assert balance(api)["credits"] == 0
    assert json_of(get(api, "/me/ledger", LEARNER))["items"] == []
    again = post(api, "/sessions", LEARNER, {"resource_id": "signin"})
    assert (again.status_code, json_of(again)["error"]["details"]) == (403, {"reason": "inactive"})


# --- a closed year ------------------------------------------------------------------


def test_a_closed_years_credits_and_catalogue_do_not_change(api, city, clock) -> None:
    from datetime import datetime

    from xuefa.core.clock import SHANGHAI

    post(api, "/adjustments", UNIT_ADMIN, adjustment(delta=100))
    clock.set(datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI))
    late = post(api, "/adjustments", UNIT_ADMIN, adjustment(adjustment_id="adj-late", delta=500))
    assert (late.status_code, code(late)) == (409, "YEAR_CLOSED")
    resource = {
        "year": 2026,
        "title": "补充课程",
        "activity": "course",
        "credits": 10,
        "min_seconds": 60,
    }
    added = post(api, "/catalogue", CITY_ADMIN, resource)
    assert (added.status_code, code(added)) == (409, "YEAR_CLOSED")
    assert json_of(get(api, "/me?year=2026", LEARNER))["credits"] == 100
    assert city.get(Keys.idempotency("adjustment", "adj-late")) is None


def test_a_closed_year_is_closed_by_dynamodb_even_if_python_says_open(
    api, city, clock, monkeypatch
) -> None:
    from datetime import datetime

    from xuefa.core.clock import SHANGHAI
    from xuefa.years.rules import YearConfig

    monkeypatch.setattr(YearConfig, "closed", lambda self, at: False)
    clock.set(datetime(2026, 12, 1, 0, 0, 1, tzinfo=SHANGHAI))
    late = post(api, "/adjustments", UNIT_ADMIN, adjustment())
    assert (late.status_code, code(late)) == (409, "YEAR_CLOSED")
    resource = {
        "year": 2026,
        "title": "补充课程",
        "activity": "course",
        "credits": 10,
        "min_seconds": 60,
    }
    assert code(post(api, "/catalogue", CITY_ADMIN, resource)) == "YEAR_CLOSED"
    assert json_of(get(api, "/me?year=2026", LEARNER))["credits"] == 0


@pytest.mark.parametrize(
    ("session_id", "status", "error"),
    [
        ("nonsense", 400, "BAD_REQUEST"),
        ("s2026-530402000001-000000000000", 404, "NOT_FOUND"),
        ("s2026-530402000002-000000000000", 403, "FORBIDDEN"),
    ],
)
def test_bad_session_ids(api, session_id: str, status: int, error: str) -> None:
    response = post(api, f"/sessions/{session_id}/complete", LEARNER)
    assert (response.status_code, code(response)) == (status, error)


def test_another_learners_session_is_forbidden(api, clock) -> None:
    session_id = start(api, "signin", OTHER_LEARNER)
    response = post(api, f"/sessions/{session_id}/complete", LEARNER)
    assert response.status_code == 403
    assert balance(api, OTHER_LEARNER)["credits"] == 0


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"resource_id": "no-such-thing"}, 404),
        ({"resource_id": "../../etc"}, 400),
        ({}, 400),
        ({"resource_id": 7}, 400),
    ],
)
def test_bad_session_starts(api, body: dict, status: int) -> None:
    assert post(api, "/sessions", LEARNER, body).status_code == status


def test_admins_cannot_earn_credits(api) -> None:
    response = post(api, "/sessions", UNIT_ADMIN, {"resource_id": "signin"})
    assert response.status_code == 403


def test_admins_see_learners_in_their_subtree_only(api) -> None:
    for admin in (CITY_ADMIN, COUNTY_ADMIN, UNIT_ADMIN):
        response = get(api, "/learners/530402000001?year=2026", admin)
        assert response.status_code == 200, admin
        assert json_of(response)["student_no"] == "530402000001"
    for outsider in (OTHER_COUNTY_ADMIN, LEARNER):
        response = get(api, "/learners/530402000001?year=2026", outsider)
        assert response.status_code == 403
        assert "credits" not in json_of(response)


def adjustment(**overrides: Any) -> dict[str, Any]:
    return {
        "adjustment_id": "adj-0001",
        "student_no": "530402000001",
        "year": 2026,
        "delta": 300,
        "reason": "线下集中学法培训补录",
        **overrides,
    }


def test_an_adjustment_is_idempotent_and_audited(api, city) -> None:
    first = post(api, "/adjustments", UNIT_ADMIN, adjustment())
    assert first.status_code == 200
    assert json_of(first)["credits"] == 300
    again = post(api, "/adjustments", UNIT_ADMIN, adjustment())
    assert json_of(again)["credits"] == 300
    ledger = json_of(get(api, "/me/ledger", LEARNER))["items"]
    assert [(e["kind"], e["credits"], e["reason"]) for e in ledger] == [
        ("adjustment", 300, "线下集中学法培训补录")
    ]
    audits = [i for i in city.query_all("AUDIT#2026#2026-11-20")]
    assert [(a["actor"], a["action"], a["before"], a["after"]) for a in audits] == [
        ("unit_530402-001", "credits.adjust", {"credits": 0}, {"credits": 300})
    ]


def test_reusing_an_adjustment_id_for_another_change_is_refused(api) -> None:
    post(api, "/adjustments", UNIT_ADMIN, adjustment())
    response = post(api, "/adjustments", UNIT_ADMIN, adjustment(delta=500))
    assert (response.status_code, code(response)) == (409, "DUPLICATE")
    assert balance(api)["credits"] == 300


def test_an_adjustment_never_takes_credits_below_zero(api, city) -> None:
    post(api, "/adjustments", UNIT_ADMIN, adjustment(delta=100))
    response = post(api, "/adjustments", UNIT_ADMIN, adjustment(adjustment_id="adj-2", delta=-101))
    assert (response.status_code, code(response)) == (409, "CONFLICT")
    assert balance(api)["credits"] == 100
    assert city.get(Keys.idempotency("adjustment", "adj-2")) is None
    ok = post(api, "/adjustments", UNIT_ADMIN, adjustment(adjustment_id="adj-3", delta=-100))
    assert json_of(ok)["credits"] == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"reason": ""},
        {"reason": "   "},
        {"delta": 0},
        {"delta": 10**9},
        {"delta": "lots"},
        {"adjustment_id": "has spaces"},
        {"student_no": "530402000001; drop"},
        {"year": 1800},
    ],
)
def test_bad_adjustments_write_nothing(api, city, overrides: dict) -> None:
    response = post(api, "/adjustments", UNIT_ADMIN, adjustment(**overrides))
    assert response.status_code == 400
    assert code(response) == "BAD_REQUEST"
    assert json_of(response)["error"]["details"]
    assert balance(api)["credits"] == 0
    assert list(city.query_all("AUDIT#2026#2026-11-20")) == []


def test_adjusting_outside_ones_scope_is_forbidden(api) -> None:
    response = post(api, "/adjustments", OTHER_COUNTY_ADMIN, adjustment())
    assert response.status_code == 403
    assert post(api, "/adjustments", LEARNER, adjustment()).status_code == 403
    unknown = post(api, "/adjustments", CITY_ADMIN, adjustment(student_no="999999999999"))
    assert unknown.status_code == 404
    assert balance(api)["credits"] == 0


def test_the_ledger_pages_with_a_signed_cursor(api, clock) -> None:
    for _ in range(3):
        start_id = start(api, "signin")
        post(api, f"/sessions/{start_id}/complete", LEARNER)
        clock.advance(days=1)
    first = json_of(get(api, "/me/ledger?limit=2", LEARNER))
    assert len(first["items"]) == 2 and first["cursor"]
    second = json_of(get(api, f"/me/ledger?limit=2&cursor={first['cursor']}", LEARNER))
    assert len(second["items"]) == 1
    seen = [e["entry_id"] for e in first["items"] + second["items"]]
    assert len(set(seen)) == 3
    assert first["items"][0]["at"] > first["items"][1]["at"] > second["items"][0]["at"]
    forged = get(api, f"/me/ledger?limit=2&cursor={first['cursor'][:-3]}abc", LEARNER)
    assert (forged.status_code, code(forged)) == (400, "BAD_REQUEST")
    other = get(api, f"/me/ledger?limit=2&cursor={first['cursor']}", OTHER_LEARNER)
    assert other.status_code == 400


def test_city_admins_add_to_the_catalogue(api) -> None:
    new = {
        "year": 2026,
        "resource_id": "c-new-01",
        "title": "新修订行政复议法解读",
        "activity": "course",
        "credits": 40,
        "min_seconds": 900,
        "once_per_year": True,
    }
    assert post(api, "/catalogue", COUNTY_ADMIN, new).status_code == 403
    created = post(api, "/catalogue", CITY_ADMIN, new)
    assert created.status_code == 201
    assert json_of(created)["resource_id"] == "c-new-01"
    assert post(api, "/catalogue", CITY_ADMIN, new).status_code == 409
    items = json_of(get(api, "/catalogue?year=2026", LEARNER))["items"]
    assert any(i["resource_id"] == "c-new-01" for i in items)
    bad = post(api, "/catalogue", CITY_ADMIN, {**new, "resource_id": "c-new-02", "credits": -5})
    assert bad.status_code == 400


def test_a_completion_publishes_its_credits_as_a_metric(api, clock, monkeypatch, capsys) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    session_id = start(api, "signin")
    capsys.readouterr()
    post(api, f"/sessions/{session_id}/complete", LEARNER)
    emitted = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line
    ]
    awarded = [m for m in emitted if "CreditsAwarded" in m]
    assert awarded and awarded[0]["CreditsAwarded"] == [5.0]
    assert awarded[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "xuefa"


def test_admins_read_a_learners_ledger_in_their_scope_only(api, clock) -> None:
    post(api, f"/sessions/{start(api, 'signin')}/complete", LEARNER)
    ledger = json_of(get(api, f"/learners/{LEARNER[0]}/ledger", UNIT_ADMIN))["items"]
    assert [(e["activity"], e["credits"]) for e in ledger] == [("sign_in", 5)]
    assert get(api, f"/learners/{LEARNER[0]}/ledger", OTHER_COUNTY_ADMIN).status_code == 403
    assert get(api, f"/learners/{LEARNER[0]}/ledger", OTHER_LEARNER).status_code == 403
