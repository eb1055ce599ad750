"""Award rules without AWS: caps, partial awards, and credits as of a cut-off."""

from datetime import date
from typing import Any

import pytest

from xuefa.credits.repository import activity_attr, adjustment_attr, day_attr
from xuefa.credits.service import award_and_limit, balance_of
from xuefa.years.result_repository import year_result_of
from xuefa.years.results import YearResult
from xuefa.years.rules import CreditCaps, YearConfig, load_packaged_year

DAY = date(2017, 5, 4)


def stored(item: dict[str, Any] | None) -> YearResult:
    """The year result the repository reads from a stored item."""
    return year_result_of(item, "530402000001", 2017)


def credits_as_of(item: dict[str, Any] | None, day: date) -> int:
    return stored(item).credits_as_of(day)


@pytest.fixture
def y2017() -> YearConfig:
    return load_packaged_year(2017)


def test_whole_award_fits_on_a_fresh_day(y2017: YearConfig) -> None:
    assert award_and_limit(y2017, stored(None), DAY, "course", 50) == (50, None)


def test_award_is_cut_to_what_is_left_of_the_daily_cap(y2017: YearConfig) -> None:
    result = {day_attr(DAY): 100}
    assert award_and_limit(y2017, stored(result), DAY, "course", 50) == (25, "daily_total")


def test_nothing_is_awarded_once_the_cap_is_reached(y2017: YearConfig) -> None:
    result = {day_attr(DAY): 125}
    assert award_and_limit(y2017, stored(result), DAY, "course", 50) == (0, "daily_total")


def test_yesterdays_credits_do_not_count_against_today(y2017: YearConfig) -> None:
    result = {day_attr(date(2017, 5, 3)): 125}
    assert award_and_limit(y2017, stored(result), DAY, "course", 50) == (50, None)


def test_an_activity_cap_binds_before_the_daily_cap() -> None:
    base = load_packaged_year(2017)
    config = base.model_copy(
        update={"caps": CreditCaps(daily_total=125, per_activity_daily_caps={"practice": 40})}
    )
    result = {day_attr(DAY): 20, activity_attr(DAY, "practice"): 20}
    assert award_and_limit(config, stored(result), DAY, "practice", 30) == (20, "activity_daily")
    assert award_and_limit(config, stored(result), DAY, "course", 30) == (30, None)


def test_credits_as_of_a_day_ignore_what_came_after_midnight() -> None:
    result = {
        "credits": 180,
        day_attr(date(2017, 5, 3)): 100,
        day_attr(date(2017, 5, 4)): 50,
        adjustment_attr(date(2017, 5, 4)): -10,
        day_attr(date(2017, 5, 5)): 40,  # earned at 00:30 on the 5th, before the report ran
        activity_attr(date(2017, 5, 4), "course"): 50,
    }
    assert credits_as_of(result, date(2017, 5, 4)) == 140
    assert credits_as_of(result, date(2017, 5, 5)) == 180
    assert credits_as_of(result, date(2017, 5, 2)) == 0
    assert credits_as_of(None, DAY) == 0


def test_balance_shows_hours_score_and_todays_cap(y2017: YearConfig) -> None:
    balance = balance_of("530402000001", y2017, stored({"credits": 1550, day_attr(DAY): 75}), DAY)
    assert balance.credits == 1550
    assert balance.hours == 15.5
    assert balance.credit_score == pytest.approx(25.83)
    assert balance.target == 3000
    assert (balance.today.credits, balance.today.cap) == (75, 125)
