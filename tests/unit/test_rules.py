"""The notice's numbers at their boundaries."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from pydantic import ValidationError

from xuefa.core.clock import SHANGHAI, study_year_of
from xuefa.exams.papers import PaperQuestion, grade
from xuefa.years.rules import (
    OverridePolicy,
    Window,
    YearConfig,
    demo_year,
    exact_score,
    load_packaged_year,
    shown,
    stored_score,
)


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
    # 24.9666… + 35 = 59.9666…: shown truncated, not rounded up
    result = y2017.annual(1498, 70)
    assert result.total == Decimal("59.96")
    assert not result.passed


def test_credits_above_the_target_count_as_the_target(y2017: YearConfig) -> None:
    assert y2017.annual(4500, 0).credit_score == Decimal("50.00")
    assert y2017.annual(3000, 0) == y2017.annual(99999, 0)


def test_no_exam_taken_scores_zero_for_the_exam_part(y2017: YearConfig) -> None:
    result = y2017.annual(3000, None)
    assert result.exam_score == 0
    assert result.total == 50
    assert not result.passed


def test_just_below_the_pass_mark_shows_59_99_and_fails(y2017: YearConfig) -> None:
    # 1499 credits → 24.9833…, exam 70.03 → 35.015: the exact sum 59.998… is below 60.
    # Rounded half up it would show 60.00 beside "failed"; truncated it shows 59.99.
    result = y2017.annual(1499, Decimal("70.03"))
    assert result.total == Decimal("59.99")
    assert not result.passed


def test_a_pass_built_of_fractions_on_both_sides_is_exactly_60(y2017: YearConfig) -> None:
    # 1600 of 3000 credits → 26.666…; a paper of three 1-point questions, 2 right →
    # 66.666… → 33.333…: exactly 60. Each part shown truncated (26.66 + 33.33 = 59.99)
    # would fail; floats might go either way. The exact sum passes and shows 60.00.
    score = grade(_paper([1, 1, 1]), {"q0": ["A"], "q1": ["A"]}, 100)
    result = y2017.annual(1600, score)
    assert (result.credit_score, result.exam_score) == (Decimal("26.66"), Decimal("33.33"))
    assert result.total == Decimal("60.00")
    assert result.passed


def test_mixed_point_values_score_exactly(y2017: YearConfig) -> None:
    # 3 + 4 + 5 points, the 3- and 4-point ones right: 7/12 of 100 = 58.333…
    score = grade(_paper([3, 4, 5]), {"q0": ["A"], "q1": ["A"], "q2": ["B"]}, 100)
    assert exact_score(score) == Fraction(175, 3)
    result = y2017.annual(3000, score)  # 50 + 29.1666…
    assert result.exam_score == Decimal("29.16")
    assert result.total == Decimal("79.16")
    assert y2017.annual(139, score).total == Decimal("31.48")  # 2.3166… + 29.1666… = 31.483…


def test_stored_scores_order_like_the_exact_ones() -> None:
    # best < new must hold in a DynamoDB condition on the stored numbers
    thirds = [stored_score(Fraction(200, 3)), stored_score(Fraction(2000, 30) + Fraction(1, 10**8))]
    assert thirds[0] < thirds[1]
    assert exact_score(thirds[0]) == Fraction(200, 3)
    assert exact_score(Decimal("63.33")) == Fraction(6333, 100)  # a score stored before


def test_scores_are_shown_truncated_never_rounded_up() -> None:
    assert shown(Fraction(59999, 1000)) == Decimal("59.99")
    assert shown(Fraction(60)) == Decimal("60.00")
    assert shown(Fraction(200, 3)) == Decimal("66.66")


def _paper(points: list[int]) -> list[PaperQuestion]:
    return [
        PaperQuestion(
            question_id=f"q{i}",
            type="single",
            stem="?",
            options=[{"key": "A", "text": "a"}, {"key": "B", "text": "b"}],
            answer=["A"],
            points=p,
            category="c",
        )
        for i, p in enumerate(points)
    ]


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


def test_2017_names_its_daily_sign_in_cap_and_override_policy(y2017: YearConfig) -> None:
    assert y2017.caps.per_activity_daily_caps == {"sign_in": 5}
    assert y2017.overrides.granted_by == "city"
    assert y2017.overrides.max_extra_attempts == 2
    assert y2017.latest_override_close == at("2017-10-15T00:00:00+08:00")


def test_configs_stored_before_the_rename_still_read() -> None:
    raw = load_packaged_year(2017).model_dump(mode="json")
    raw["caps"] = {"daily_total": 125, "per_activity": {"practice": 40}}
    assert YearConfig.model_validate(raw).caps.per_activity_daily_caps == {"practice": 40}


def test_the_latest_override_close_defaults_to_14_days_but_never_past_the_year() -> None:
    config = demo_year(date(2026, 6, 1))
    assert config.latest_override_close == config.exam_window.closes_at + timedelta(days=14)
    late = demo_year(date(2026, 11, 26))
    assert late.latest_override_close == late.credit_window.closes_at


def test_the_exam_window_must_lie_inside_the_credit_window(y2017: YearConfig) -> None:
    with pytest.raises(ValidationError, match="inside the credit window"):
        y2017.model_copy(update={}).model_validate(
            {
                **y2017.model_dump(mode="json"),
                "exam_window": Window.days(date(2017, 11, 20), date(2017, 12, 5)).model_dump(
                    mode="json"
                ),
            }
        )
    with pytest.raises(ValidationError, match="latest_close"):
        YearConfig.model_validate(
            {
                **y2017.model_dump(mode="json"),
                "overrides": OverridePolicy(
                    latest_close=at("2017-12-02T00:00:00+08:00")
                ).model_dump(mode="json"),
            }
        )


@pytest.mark.parametrize("today", [date(2026, 11, 26), date(2026, 11, 30), date(2026, 12, 1)])
def test_the_demo_years_exam_closes_with_its_credit_window(today: date) -> None:
    config = demo_year(today)
    assert config.exam_window.closes_at <= config.credit_window.closes_at
    assert config.credit_window.opens_at <= config.exam_window.opens_at
    assert config.exam_window.contains(datetime.combine(today, datetime.min.time(), SHANGHAI))


def test_a_year_is_closed_from_its_credit_windows_end(y2017: YearConfig) -> None:
    assert not y2017.closed(at("2017-11-30T23:59:59+08:00"))
    assert y2017.closed(at("2017-12-01T00:00:00+08:00"))
