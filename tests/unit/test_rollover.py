"""The year after, without AWS: dates a year on, the provisional rules, and when the
rollover makes the next year."""

from __future__ import annotations

from datetime import datetime

import pytest

from xuefa.core.clock import SHANGHAI
from xuefa.years.rollover import LEAD, a_year_on, next_year_rules, roll_over
from xuefa.years.rules import YearConfig, load_packaged_year


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("2016-12-01T00:00:00", "2017-12-01T00:00:00"),
        ("2024-02-29T08:30:00", "2025-02-28T08:30:00"),  # a leap day has no twin
        ("2023-02-28T23:59:59", "2024-02-28T23:59:59"),  # nor does it gain one
        ("2017-11-30T23:59:59", "2018-11-30T23:59:59"),  # month ends stay month ends
        ("2019-12-31T00:00:00", "2020-12-31T00:00:00"),
    ],
)
def test_a_year_on_keeps_the_wall_clock(before: str, after: str) -> None:
    assert a_year_on(at(before)) == at(after)


def test_the_next_years_rules_are_the_closing_years_a_year_on_and_provisional() -> None:
    closing = load_packaged_year(2017)
    nxt = next_year_rules(closing)
    assert (nxt.year, nxt.provisional, closing.provisional) == (2018, True, False)
    assert nxt.credit_window.opens_at == at("2017-12-01T00:00:00")
    assert nxt.credit_window.closes_at == at("2018-12-01T00:00:00")
    assert nxt.exam_window.opens_at == at("2018-09-10T00:00:00")
    assert nxt.overrides.latest_close == at("2018-10-15T00:00:00")
    assert (nxt.credit_target, nxt.caps, nxt.paper) == (
        closing.credit_target,
        closing.caps,
        closing.paper,
    )


class Years:
    """The year book's part the rollover uses, in memory."""

    def __init__(self, *configs: YearConfig) -> None:
        self.configs = {c.year: c for c in configs}
        self.copied: set[int] = set()

    def get(self, year: int) -> YearConfig:
        return self.configs[year]

    def exists(self, year: int) -> bool:
        return year in self.configs

    def create(self, config: YearConfig) -> bool:
        if config.year in self.configs:
            return False
        self.configs[config.year] = config
        return True

    def copy_year_items(self, source: int, target: int) -> int:
        if target in self.copied:
            return 0
        self.copied.add(target)
        return 7


def test_the_next_year_is_made_in_the_closing_years_last_month_once() -> None:
    years = Years(load_packaged_year(2017))
    closes = years.get(2017).credit_window.closes_at
    assert roll_over(years, closes - LEAD - LEAD) is None  # not yet
    first = roll_over(years, closes - LEAD)
    assert first is not None and (first.year, first.created, first.copied) == (2018, True, 7)
    again = roll_over(years, closes - LEAD / 2)
    assert again is not None and (again.created, again.copied) == (False, 0)
    assert years.get(2018).provisional


def test_a_year_the_city_configured_is_kept_and_given_the_catalogue() -> None:
    theirs = next_year_rules(load_packaged_year(2017)).model_copy(
        update={"provisional": False, "credit_target": 4000}
    )
    years = Years(load_packaged_year(2017), theirs)
    ready = roll_over(years, at("2017-11-20T01:00:00"))
    assert ready is not None and (ready.created, ready.copied) == (False, 7)
    assert years.get(2018).credit_target == 4000


def test_no_current_year_no_rollover() -> None:
    assert roll_over(Years(), at("2017-11-20T01:00:00")) is None


def test_a_year_missed_in_its_last_month_is_made_after_the_close() -> None:
    years = Years(load_packaged_year(2017))
    late = roll_over(years, at("2017-12-02T01:00:00"))
    assert late is not None and (late.year, late.created) == (2018, True)


def test_an_edit_may_not_change_what_already_happened() -> None:
    from xuefa.years.service import history_changes, inside_its_study_year

    old = load_packaged_year(2017)
    mid_exam = at("2017-09-20T12:00:00")
    fair = old.model_copy(update={"max_attempts": 9, "caps": old.caps})
    assert history_changes(old, fair, mid_exam) == {}
    unfair = old.model_copy(update={"max_attempts": 7, "pass_mark": 50, "credit_target": 2000})
    assert set(history_changes(old, unfair, mid_exam)) == {
        "max_attempts",
        "pass_mark",
        "credit_target",
    }
    before_anything = at("2016-11-20T12:00:00")
    assert history_changes(old, unfair, before_anything) == {}
    assert inside_its_study_year(old) == {}
    assert set(inside_its_study_year(next_year_rules(old).model_copy(update={"year": 2019}))) == {
        "credit_window",
        "exam_window",
    }
