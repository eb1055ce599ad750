"""Who a unit's report lists at 24:00, and with which figures, on the fakes (#25.3): the
nightly job's membership and rows, without DynamoDB."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from tests.fakes.reports import FakeArchive, FakePeople
from xuefa.core.clock import SHANGHAI, FixedClock
from xuefa.reports.membership import Membership
from xuefa.reports.sets import ReportSet
from xuefa.roster.directory import Unit
from xuefa.years.rules import YearConfig, load_packaged_year

DAY = date(2017, 5, 4)  # the cut-off: 24:00 of 4 May 2017
UNIT = Unit(unit_id="530402-001", name="一所", parent_id="530402", path="530400/530402/530402-001")
NEW_UNIT = "530402-002"


@pytest.fixture
def y2017() -> YearConfig:
    return load_packaged_year(2017)


def person(student_no: str, unit_id: str, history: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "student_no": student_no,
        "name": "学员" + student_no[-2:],
        "unit_id": unit_id,
        "status": "active",
        "history": history,
    }


def created(at: str, unit_id: str = UNIT.unit_id) -> dict[str, Any]:
    return {"at": at, "event": "created", "unit_id": unit_id}


def membership(people: FakePeople, graded: list[tuple[str, int, int]] | None = None) -> Membership:
    clock = FixedClock(datetime(2017, 5, 5, 1, 0, tzinfo=SHANGHAI))
    calls = graded if graded is not None else []
    return Membership(people, FakeArchive(), clock, lambda *args: calls.append(args))


def test_the_unit_at_midnight_keeps_who_left_after_and_not_who_came_after(
    y2017: YearConfig,
) -> None:
    people = FakePeople()
    people.profiles_by_no["530402000001"] = person(
        "530402000001", UNIT.unit_id, [created("2016-12-01T09:00:00+08:00")]
    )
    people.profiles_by_no["530402000002"] = person(  # moved on the 5th, at 08:00
        "530402000002",
        NEW_UNIT,
        [
            created("2016-12-01T09:00:00+08:00"),
            {
                "at": "2017-05-05T08:00:00+08:00",
                "event": "transfer",
                "from_unit_id": UNIT.unit_id,
                "to_unit_id": NEW_UNIT,
            },
        ],
    )
    people.left[UNIT.unit_id] = [{"student_no": "530402000002", "at": "2017-05-05T08:00:00+08:00"}]
    people.profiles_by_no["530402000003"] = person(  # registered on the 5th
        "530402000003", UNIT.unit_id, [created("2017-05-05T07:00:00+08:00")]
    )
    rows = list(membership(people).rows(y2017, ReportSet(DAY), UNIT))
    assert [row["student_no"] for row in rows] == ["530402000001", "530402000002"]


def test_figures_are_as_of_midnight(y2017: YearConfig) -> None:
    people = FakePeople()
    people.profiles_by_no["530402000001"] = person(
        "530402000001", UNIT.unit_id, [created("2016-12-01T09:00:00+08:00")]
    )
    people.results[("530402000001", 2017)] = {
        "credits": 190,
        "d_20170504": 150,
        "d_20170505": 40,  # the 5th's come after the cut-off
        "attempts_used": 1,
        "n_20170504": 1,
        "b_20170504": 80,
        "best_score": 80,
    }
    (row,) = membership(people).rows(y2017, ReportSet(DAY), UNIT)
    assert (row["credits"], row["attempts"], row["exam_best"]) == (150, 1, 80)


def test_an_attempt_left_open_past_its_close_is_graded_before_it_is_reported(
    y2017: YearConfig,
) -> None:
    people = FakePeople()
    people.profiles_by_no["530402000001"] = person(
        "530402000001", UNIT.unit_id, [created("2016-12-01T09:00:00+08:00")]
    )
    closed_at = int(datetime(2017, 5, 4, 21, 0, tzinfo=SHANGHAI).timestamp())
    people.results[("530402000001", 2017)] = {
        "attempts_used": 2,
        "open_attempt": 2,
        "open_hard_close": closed_at,
    }
    graded: list[tuple[str, int, int]] = []
    list(membership(people, graded).rows(y2017, ReportSet(DAY), UNIT))
    assert graded == [("530402000001", 2017, 2)]


def test_at_a_years_close_a_pass_is_frozen_once_with_a_certificate_code(
    y2017: YearConfig,
) -> None:
    people = FakePeople()
    people.profiles_by_no["530402000001"] = person(
        "530402000001", UNIT.unit_id, [created("2016-12-01T09:00:00+08:00")]
    )
    people.results[("530402000001", 2017)] = {
        "credits": 3000,
        "d_20170504": 3000,
        "best_score": 95,
        "b_20170504": 95,
        "n_20170504": 1,
    }
    job = membership(people)
    closing = ReportSet.year_end(y2017)
    (row,) = job.rows(y2017, closing, UNIT)
    first = job.archive.record("530402000001", 2017)
    assert first is not None and first["passed"] and first["certificate"]
    again = list(job.rows(y2017, closing, UNIT))
    assert again[0]["certificate"] == first["certificate"] == row["certificate"]
