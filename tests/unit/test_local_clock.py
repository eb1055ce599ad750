"""The local stack's clock and its nightly schedule, and the demo's years on the days a
calendar-bound stack would break: mid-year, in the exam window, 30 November 23:50,
1 December 00:10 and 29 February."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from infra.local.schedule import last_nightly_before, scheduled_event, starting_moment
from infra.local.seed import ended_year, years_for
from xuefa.core.clock import SHANGHAI, RunningClock, local_date, study_year_of
from xuefa.reports.service import report_date_of_event

MOMENTS = [
    datetime(2027, 6, 15, 10, 0, tzinfo=SHANGHAI),
    datetime(2027, 10, 20, 20, 0, tzinfo=SHANGHAI),
    datetime(2027, 11, 30, 23, 50, tzinfo=SHANGHAI),
    datetime(2027, 12, 1, 0, 10, tzinfo=SHANGHAI),
    datetime(2028, 2, 29, 12, 0, tzinfo=SHANGHAI),
]


def test_a_running_clock_starts_where_it_is_told_and_moves_on() -> None:
    clock = RunningClock(datetime(2027, 6, 15, 10, 0, tzinfo=SHANGHAI))
    first = clock.now()
    assert first.date() == date(2027, 6, 15) and first.tzinfo is not None
    assert clock.now() >= first
    clock.set(datetime(2017, 9, 1, 8, 0, tzinfo=SHANGHAI))
    assert clock.now().year == 2017


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-06-15T10:00", datetime(2027, 6, 15, 10, 0, tzinfo=SHANGHAI)),
        ("2027-06-15", datetime(2027, 6, 15, 9, 0, tzinfo=SHANGHAI)),
        ("2027-06-15T02:00+00:00", datetime(2027, 6, 15, 10, 0, tzinfo=SHANGHAI)),
    ],
)
def test_today_is_read_in_shanghai_time(text: str, expected: datetime) -> None:
    assert starting_moment(text) == expected
    assert starting_moment(None) is None


def test_a_bad_today_stops_the_stack_with_a_sentence() -> None:
    with pytest.raises(SystemExit, match="2027-06-15T10:00"):
        starting_moment("next tuesday")


def test_the_nightly_fires_for_the_last_one_oclock_that_passed() -> None:
    assert last_nightly_before(datetime(2027, 12, 1, 0, 10, tzinfo=SHANGHAI)) == datetime(
        2027, 11, 30, 1, 0, tzinfo=SHANGHAI
    )
    assert last_nightly_before(datetime(2027, 12, 1, 1, 0, tzinfo=SHANGHAI)) == datetime(
        2027, 12, 1, 1, 0, tzinfo=SHANGHAI
    )
    # As EventBridge's event says it (17:00 UTC), and the day it reports on.
    event = scheduled_event(datetime(2027, 12, 1, 1, 0, tzinfo=SHANGHAI))
    assert event["time"] == "2027-11-30T17:00:00Z"
    assert report_date_of_event(event["time"]) == date(2027, 11, 30)


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.strftime("%m-%d %H:%M"))
def test_the_demo_has_the_ended_year_and_the_current_one_on_any_day(moment: datetime) -> None:
    today = local_date(moment)
    notice, ended, current = years_for(today)
    assert notice.year == 2017 and current.year == study_year_of(today)
    assert ended.year == current.year - 1 and ended == ended_year(today)
    assert ended.closed(moment) and not current.closed(moment)
    assert current.credit_window.contains(moment)
    # The ended year's exam really happened inside its credit window, before its close.
    assert ended.credit_window.opens_at < ended.exam_window.opens_at
    assert ended.exam_window.closes_at <= ended.credit_window.closes_at
    # The current year's exam window is open around the moment (an exam to sit any day).
    assert current.exam_window.opens_at <= moment < current.exam_window.closes_at
