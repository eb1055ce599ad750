"""A learner's year result as the rules read it: totals, the open attempt and the per-day
counters that give any figure as of a midnight. The repositories make one from the stored
item (`xuefa.years.result_repository.year_result_of`); nothing here knows how it is
stored. It lives in years/, not store/, because its standing needs the year's rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from xuefa.years.rules import AnnualResult, YearConfig


@dataclass(frozen=True)
class YearResult:
    """One learner's study year. Epoch seconds stay epoch seconds (as conditions hold
    them); a learner with no record yet has the empty one, `YearResult(...)`."""

    student_no: str
    year: int
    unit_id: str | None = None
    credits: int = 0
    attempts_taken: int = 0  # started, the open one included
    extra_granted: int = 0  # attempts granted by overrides
    best: Decimal | None = None
    open_no: int | None = None  # the attempt still open, if any
    open_until: int = 0  # its hard close (deadline plus grace), epoch seconds
    own_close: int | None = None  # a later close granted by an override, epoch seconds
    last_submit: int | None = None  # epoch seconds
    earned_on: Mapping[date, int] = field(default_factory=dict)  # credits earned a day
    adjusted_on: Mapping[date, int] = field(default_factory=dict)  # credits adjusted a day
    activity_on: Mapping[tuple[date, str], int] = field(default_factory=dict)
    finished_on: Mapping[date, int] = field(default_factory=dict)  # attempts finished a day
    best_on: Mapping[date, Decimal] = field(default_factory=dict)  # the best, when it rose
    # Practice (#27): per topic, the answers and right answers of the learner's completed
    # sets, which a unit's figures sum (never one learner's answers shown).
    practised: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def has_open(self) -> bool:
        return self.open_no is not None

    def earned_today(self, day: date) -> int:
        """Credits earned on `day` (what the daily cap counts; adjustments aside)."""
        return int(self.earned_on.get(day, 0))

    def activity_today(self, day: date, activity: str) -> int:
        return int(self.activity_on.get((day, activity), 0))

    def credits_as_of(self, day: date) -> int:
        """Credits earned and adjusted up to 24:00 of `day`."""
        earned = sum(n for on, n in self.earned_on.items() if on <= day)
        return earned + sum(n for on, n in self.adjusted_on.items() if on <= day)

    def exam_as_of(self, day: date) -> tuple[Decimal | None, int]:
        """(best score, attempts finished) up to 24:00 of `day`."""
        bests = [score for on, score in self.best_on.items() if on <= day]
        finished = sum(n for on, n in self.finished_on.items() if on <= day)
        return (max(bests) if bests else None), finished

    def finished_attempts(self) -> int:
        """Attempts finished so far (the open one is not)."""
        return self.attempts_taken - (1 if self.has_open else 0)

    def standing(self, config: YearConfig, as_of: date | None = None) -> AnnualResult:
        """The annual score: now, or as of 24:00 of `as_of` (what a report shows)."""
        if as_of is None:
            return config.annual(self.credits, self.best)
        return config.annual(self.credits_as_of(as_of), self.exam_as_of(as_of)[0])

    def with_best(self, score: Decimal) -> YearResult:
        """The same record once a submit raised the best score."""
        return replace(self, best=score)
