"""/roster/years on moto: read by anyone, written by the city, never rewriting history."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import call as send
from tests.api.conftest import code, get, json_of
from tests.helpers import CITY_ADMIN, COUNTY_ADMIN, LEARNER
from xuefa import bootstrap
from xuefa.store.store import Store


@pytest.fixture
def roster(city: Store, client: Any) -> Any:
    return client("roster").http


def rules(roster: Any, year: int) -> dict[str, Any]:
    return dict(json_of(get(roster, f"/years/{year}", LEARNER)))


def test_anyone_reads_the_years_and_their_rules(roster: Any) -> None:
    listed = json_of(get(roster, "/years", LEARNER))["items"]
    assert [(y["year"], y["provisional"], y["closed"]) for y in listed] == [
        (2017, False, True),
        (2026, False, False),
    ]
    assert rules(roster, 2026)["credit_target"] > 0
    assert get(roster, "/years/2031", LEARNER).status_code == 404
    assert get(roster, "/years/20x6", LEARNER).status_code == 400


def test_the_city_edits_what_has_not_happened_and_nothing_that_has(
    roster: Any, city: Store
) -> None:
    year = rules(roster, 2026)  # the test clock: 20 Nov 2026, both windows open
    later = {
        **year,
        "exam_window": {**year["exam_window"], "closes_at": "2026-11-28T00:00:00+08:00"},
    }
    assert send(roster, "put", "/years/2026", COUNTY_ADMIN, later).status_code == 403
    edited = send(roster, "put", "/years/2026", CITY_ADMIN, later)
    assert edited.status_code == 200, edited.body
    assert bootstrap.services().years.find(2026).exam_window.closes_at.day == 28  # type: ignore[union-attr]
    history = {
        **year,
        "credit_target": year["credit_target"] + 1,
        "max_attempts": year["max_attempts"] - 1,
        "credit_window": {**year["credit_window"], "opens_at": "2025-12-02T00:00:00+08:00"},
    }
    refused = send(roster, "put", "/years/2026", CITY_ADMIN, history)
    assert (refused.status_code, code(refused)) == (409, "CONFLICT")
    assert set(json_of(refused)["error"]["details"]) == {
        "credit_target",
        "max_attempts",
        "credit_window.opens_at",
    }
    assert rules(roster, 2026)["credit_target"] == year["credit_target"]  # nothing changed
    audit = [i for i in city.query_all("AUDIT#2026#2026-11-20") if i["action"] == "years.edit"]
    assert len(audit) == 1 and audit[0]["actor"] == "city_admin"


def test_a_new_year_is_checked_whole_and_a_provisional_one_confirmed(roster: Any) -> None:
    nxt: dict[str, Any] = {
        "year": 2027,
        "credit_window": {
            "opens_at": "2026-12-01T00:00:00+08:00",
            "closes_at": "2027-12-01T00:00:00+08:00",
        },
        "exam_window": {
            "opens_at": "2027-09-10T00:00:00+08:00",
            "closes_at": "2027-10-01T00:00:00+08:00",
        },
        "provisional": True,
    }
    outside = {
        **nxt,
        "credit_window": {**nxt["credit_window"], "closes_at": "2027-12-02T00:00:00+08:00"},
    }
    bad = send(roster, "put", "/years/2027", CITY_ADMIN, outside)
    assert (bad.status_code, code(bad)) == (400, "BAD_REQUEST")
    wrong_year = send(roster, "put", "/years/2028", CITY_ADMIN, nxt)
    assert wrong_year.status_code == 400
    made = send(roster, "put", "/years/2027", CITY_ADMIN, nxt)
    assert made.status_code == 200 and json_of(made)["provisional"] is False  # confirmed
    assert [y["year"] for y in json_of(get(roster, "/years", LEARNER))["items"]] == [
        2017,
        2026,
        2027,
    ]
