"""The notice's numbers at their boundaries."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from xuefa.clock import SHANGHAI
from xuefa.rules import YearConfig, demo_year, load_packaged_year, study_year_of


@pytest.fixture(scope="module")
def y2017() -> YearConfig:
    return load_packaged_year(2017)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_2017_reproduces_the_notice(y2017: YearConfig) -> None:
    assert y2017.credit_target == 3000
    assert y2017.credits_per_hour == 100
    assert y2017.max_attempts == 8
    assert y2017.exam_full_marks == 100
    assert y2017.mock_exam is False
    assert (y2017.weights.credits, y2017.weights.exam) == (50, 50)
    assert y2017.pass_mark == 60
    assert y2017.hours(3000) == Decimal("30.00")


def test_full_credits_and_80_make_90_and_pass(y2017: YearConfig) -> None:
    result = y2017.annual(3000, 80)
    assert (result.credit_score, result.exam_score, result.total) == (50, 40, 90)
    assert result.passed


def test_1500_credits_and_70_is_exactly_60_and_passes(y2017: YearConfig) -> None:
    result = y2017.annual(1500, 70)
    assert result.credit_score == Decimal("25.00")
    assert result.exam_score == Decimal("35.00")
    assert result.total == Decimal("60.00")
    assert result.passed


def test_1498_credits_and_70_is_below_60_and_fails(y2017: YearConfig) -> None:
    result = y2017.annual(1498, 70)
    assert result.total == Decimal("59.97")
    assert not result.passed


def test_credits_above_the_target_count_as_the_target(y2017: YearConfig) -> None:
    assert y2017.annual(4500, 0).credit_score == Decimal("50.00")
    assert y2017.annual(3000, 0) == y2017.annual(99999, 0)


def test_no_exam_taken_scores_zero_for_the_exam_part(y2017: YearConfig) -> None:
    result = y2017.annual(3000, None)
    assert result.exam_score == 0
    assert result.total == 50
    assert not result.passed


def test_pass_follows_the_total_people_see(y2017: YearConfig) -> None:
    # 1499 credits → 24.9833…, exam 70.03 → 35.015: the exact sum 59.998… shows as 60.00.
    result = y2017.annual(1499, Decimal("70.03"))
    assert result.total == Decimal("60.00")
    assert result.passed


@pytest.mark.parametrize(
    ("instant", "inside"),
    [
        ("2017-09-09T23:59:59+08:00", False),
        ("2017-09-10T00:00:00+08:00", True),
        ("2017-09-30T23:59:59+08:00", True),
        ("2017-10-01T00:00:00+08:00", False),
        # the same instant written in UTC: 24:00 Shanghai is 16:00 UTC
        ("2017-09-30T15:59:59+00:00", True),
        ("2017-09-30T16:00:00+00:00", False),
    ],
)
def test_exam_window_edges(y2017: YearConfig, instant: str, inside: bool) -> None:
    assert y2017.exam_window.contains(at(instant)) is inside


@pytest.mark.parametrize(
    ("instant", "inside"),
    [
        ("2016-11-30T23:59:59+08:00", False),
        ("2016-12-01T00:00:00+08:00", True),
        ("2017-11-30T23:59:59+08:00", True),
        ("2017-12-01T00:00:00+08:00", False),
    ],
)
def test_credit_window_edges(y2017: YearConfig, instant: str, inside: bool) -> None:
    assert y2017.credit_window.contains(at(instant)) is inside


def test_study_year_runs_from_december() -> None:
    assert study_year_of(date(2016, 12, 1)) == 2017
    assert study_year_of(date(2017, 11, 30)) == 2017
    assert study_year_of(date(2017, 12, 1)) == 2018


@pytest.mark.parametrize("today", [date(2026, 11, 25), date(2026, 12, 1), date(2027, 3, 8)])
def test_demo_year_has_both_windows_open_today(today: date) -> None:
    config = demo_year(today)
    noon = datetime(today.year, today.month, today.day, 12, tzinfo=SHANGHAI)
    assert config.credit_window.contains(noon)
    assert config.exam_window.contains(noon)
    assert config.year == study_year_of(today)


def test_weights_must_add_up_to_100() -> None:
    with pytest.raises(ValueError):
        YearConfig.model_validate(
            {
                **load_packaged_year(2017).model_dump(),
                "weights": {"credits": 60, "exam": 50},
            }
        )
