"""A study year's rules as config, and the scoring rules of the notice.

Every number the notice gives (3000 credits, 8 attempts, 50 % weights, pass at 60) is a
config value; what it leaves open has defaults taken from other provinces' published
rules for the same platform. Windows are half-open: `opens_at <= t < closes_at`, so
"until 30 September 24:00" is `closes_at = 1 October 00:00`.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from importlib import resources
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from xuefa.core.clock import SHANGHAI, end_of_day, start_of_day, study_year_of

TWO_PLACES = Decimal("0.01")
# Exam scores are stored with this many places, truncated: enough to recover the exact
# fraction (points earned × full marks / points on the paper) with `exact_score`.
STORED_PLACES = Decimal("1e-24")
EXACT_DENOMINATOR = 10**9
OVERRIDE_DAYS = 14


class Window(BaseModel):
    model_config = ConfigDict(frozen=True)

    opens_at: datetime
    closes_at: datetime

    @field_validator("opens_at", "closes_at")
    @classmethod
    def _aware(cls, at: datetime) -> datetime:
        if at.tzinfo is None:
            at = at.replace(tzinfo=SHANGHAI)
        return at.astimezone(SHANGHAI)

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.closes_at <= self.opens_at:
            raise ValueError("a window must close after it opens")
        return self

    def contains(self, at: datetime) -> bool:
        return self.opens_at <= at < self.closes_at

    @classmethod
    def days(cls, first: date, last: date) -> Window:
        """From 00:00 of `first` to 24:00 of `last`, Asia/Shanghai."""
        return cls(opens_at=start_of_day(first), closes_at=end_of_day(last))


class ExamDays(Window):
    """A county's or a city department's own days inside the exam window (分批次, to
    spread the load): its learners, and those of the units below it, sit then."""

    unit_id: str = Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_-]+$")


class Weights(BaseModel):
    """Percent of the annual score from each part (50/50 in 2017)."""

    model_config = ConfigDict(frozen=True)

    credits: int = Field(50, ge=0, le=100)
    exam: int = Field(50, ge=0, le=100)

    @model_validator(mode="after")
    def _sum(self) -> Weights:
        if self.credits + self.exam != 100:
            raise ValueError("weights must add up to 100")
        return self


class PaperRules(BaseModel):
    model_config = ConfigDict(frozen=True)

    questions_per_paper: int = Field(50, ge=1, le=500)
    points_per_question: int = Field(2, ge=1)
    duration_minutes: int = Field(90, ge=1)
    grace_seconds: int = Field(60, ge=0)
    min_wait_minutes: int = Field(0, ge=0)
    # Optional stratified draw: how many questions each category contributes.
    category_quota: dict[str, int] = Field(default_factory=dict)


class CreditCaps(BaseModel):
    model_config = ConfigDict(frozen=True)

    daily_total: int = Field(125, ge=1)
    # Credits a day per activity (sign-in 5 pays one sign-in a day); `per_activity` is the
    # name configs stored before it was named for what it is.
    per_activity_daily_caps: dict[str, int] = Field(
        default_factory=dict,
        validation_alias=AliasChoices("per_activity_daily_caps", "per_activity"),
    )


class OverridePolicy(BaseModel):
    """Who may grant a learner more attempts or a later close, and how much at most.

    The notice has no overrides; they exist for a real failure (an outage), so by default
    only the city grants them, at most 2 extra attempts a learner in the year, and never a
    close later than 14 days after the exam window (nor after the credit window)."""

    model_config = ConfigDict(frozen=True)

    granted_by: Literal["city", "county", "unit"] = "city"
    max_extra_attempts: int = Field(2, ge=0, le=20)
    latest_close: datetime | None = None

    @field_validator("latest_close")
    @classmethod
    def _aware(cls, at: datetime | None) -> datetime | None:
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=SHANGHAI)
        return None if at is None else at.astimezone(SHANGHAI)


class YearConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    year: int = Field(ge=2000, le=2100)
    credit_target: int = Field(3000, ge=1)
    credits_per_hour: int = Field(100, ge=1)
    credit_window: Window
    exam_window: Window
    max_attempts: int = Field(8, ge=1, le=100)
    exam_full_marks: int = Field(100, ge=1)
    mock_exam: bool = False
    weights: Weights = Weights()
    pass_mark: int = Field(60, ge=0, le=100)
    paper: PaperRules = PaperRules()
    caps: CreditCaps = CreditCaps()
    overrides: OverridePolicy = OverridePolicy()
    # Optional policy: refuse transfers from the exam until the credit window closes.
    transfer_freeze: bool = False
    # Made by the rollover from the year before, every date a year on, until a city
    # admin confirms or edits it: learners can study from 1 December all the same.
    provisional: bool = False
    # Study content (#26): a one-tap question from the lesson every this many seconds of
    # served time; and whether county admins may publish lessons for their own subtree.
    attention_check_every_s: int = Field(600, ge=60, le=24 * 3600)
    county_lessons: bool = False
    # Practice (#27): credits for each completed practice set (the activity `practice`,
    # under its daily cap if caps name one); none unless the year says so.
    practice_set_credits: int = Field(0, ge=0, le=500)
    # Exam days per unit (#28): a learner sits in the days of their unit's nearest entry
    # (itself, then up its path); a unit with none, in the whole window.
    exam_days: list[ExamDays] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _windows_nest(self) -> YearConfig:
        credit, exam = self.credit_window, self.exam_window
        if not credit.opens_at <= exam.opens_at < exam.closes_at <= credit.closes_at:
            raise ValueError("the exam window must lie inside the credit window")
        for days in self.exam_days:
            if not exam.opens_at <= days.opens_at < days.closes_at <= exam.closes_at:
                raise ValueError(f"exam_days of {days.unit_id} must lie inside the exam window")
        named = [days.unit_id for days in self.exam_days]
        if len(set(named)) != len(named):
            raise ValueError("exam_days names a unit twice")
        latest = self.overrides.latest_close
        if latest is not None and not exam.closes_at <= latest <= credit.closes_at:
            raise ValueError(
                "overrides.latest_close must lie between the exam window's close "
                "and the credit window's close"
            )
        return self

    # --- the year's life -----------------------------------------------------------

    def days_of(self, unit_path: str) -> ExamDays | None:
        """The exam days of a learner in the unit at `unit_path`: its nearest entry."""
        by_unit = {days.unit_id: days for days in self.exam_days}
        for unit_id in reversed(unit_path.split("/")):
            if unit_id in by_unit:
                return by_unit[unit_id]
        return None

    def closed(self, at: datetime) -> bool:
        """After its credit window, a year is read-only."""
        return at >= self.credit_window.closes_at

    @property
    def latest_override_close(self) -> datetime:
        if self.overrides.latest_close is not None:
            return self.overrides.latest_close
        return min(
            self.exam_window.closes_at + timedelta(days=OVERRIDE_DAYS),
            self.credit_window.closes_at,
        )

    # --- scoring -------------------------------------------------------------------

    def credit_score_exact(self, credits: int) -> Fraction:
        counted = min(max(credits, 0), self.credit_target)
        return Fraction(counted, self.credit_target) * 100 * Fraction(self.weights.credits, 100)

    def exam_score_exact(self, best: Decimal | int | None) -> Fraction:
        if best is None:
            return Fraction(0)
        scaled = exact_score(best) / self.exam_full_marks * 100
        return scaled * Fraction(self.weights.exam, 100)

    def annual(self, credits: int, best: Decimal | int | None) -> AnnualResult:
        credit_part = self.credit_score_exact(credits)
        exam_part = self.exam_score_exact(best)
        total = credit_part + exam_part
        return AnnualResult(
            credit_score=shown(credit_part),
            exam_score=shown(exam_part),
            total=shown(total),
            # On the exact score; shown truncated, so a shown 60.00 always passed and a
            # shown 59.99 never did.
            passed=total >= self.pass_mark,
        )

    def hours(self, credits: int) -> Decimal:
        return shown(Fraction(credits, self.credits_per_hour))


class AnnualResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    credit_score: Decimal
    exam_score: Decimal
    total: Decimal
    passed: bool

    def view(self) -> dict[str, Any]:
        """As the APIs answer it: numbers as shown."""
        return {
            "credit_score": float(self.credit_score),
            "exam_score": float(self.exam_score),
            "total": float(self.total),
            "passed": self.passed,
        }


def _truncated(value: Fraction, places: Decimal) -> Decimal:
    whole = (value / Fraction(places)).__floor__()
    return (Decimal(whole) * places).quantize(places, rounding=ROUND_DOWN)


def shown(value: Fraction | Decimal) -> Decimal:
    """Two decimal places, truncated, as scores are shown to people: never rounded up
    across the pass mark."""
    return _truncated(Fraction(value), TWO_PLACES)


def stored_score(value: Fraction) -> Decimal:
    """An exam score as a DynamoDB number: ordered like the exact scores (so `best < new`
    holds in a condition) and exact again through `exact_score`."""
    return _truncated(value, STORED_PLACES)


def shown_score(value: Decimal | int | float | str | None) -> float | None:
    """A stored exam score as people see it: two places, truncated (None: not sat)."""
    return None if value is None else float(shown(exact_score(value)))


def exact_score(value: Decimal | int | float | str) -> Fraction:
    """The exact fraction behind a stored score. Scores are fractions with denominators
    far below 10^9, and stored to 24 places, so the nearest such fraction is the one."""
    return Fraction(Decimal(str(value))).limit_denominator(EXACT_DENOMINATOR)


def load_packaged_year(year: int) -> YearConfig:
    """A year shipped with the code (2017 reproduces the notice)."""
    text = resources.files("xuefa.years.year_files").joinpath(f"{year}.json").read_text("utf-8")
    return YearConfig.model_validate(json.loads(text))


def demo_year(today: date) -> YearConfig:
    """The local demo's year: the study year containing `today`, exam window open today.

    The exam window runs from two weeks before today to two weeks after (within the
    credit window), so that a demo started on any day has an exam to sit and a history.
    """
    year = study_year_of(today)
    first, last = date(year - 1, 12, 1), date(year, 11, 30)
    # Inside the credit window: near the year's end the exam closes with it.
    return YearConfig(
        year=year,
        practice_set_credits=10,
        credit_window=Window.days(first, last),
        exam_window=Window.days(
            max(first, today - timedelta(days=14)), min(last, today + timedelta(days=14))
        ),
    )


def year_config_item(config: YearConfig) -> dict[str, Any]:
    return json.loads(config.model_dump_json())
