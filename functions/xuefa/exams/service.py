"""Exams: attempts with hard limits, server-side grading, the best score that only rises.

Each job is its own class: sitting (start, save: `sitting.py`), grading (submit and the
late grading of a forgotten attempt: `grading.py`), what a learner reads (`review.py`),
overrides (`overrides.py`). `Exams` builds them from the same repositories and answers
for them, so an app holds one object. The bank's import and editing live in
`xuefa.bank` (#27, #28), above this package.
"""

from __future__ import annotations

from typing import Any

from xuefa.core.auth import Actor
from xuefa.core.clock import Clock
from xuefa.exams import views
from xuefa.exams.bank_repository import BankReader
from xuefa.exams.grading import Grading
from xuefa.exams.overrides import Overrides, may_grant, override_limit
from xuefa.exams.repository import AttemptRepository
from xuefa.exams.review import Review
from xuefa.exams.rules import inactive, parse_attempt_no, review_margin, review_opens
from xuefa.exams.sitting import Sitting
from xuefa.exams.views import BulkOverride, Override, OverrideTerms
from xuefa.roster.directory import Directory
from xuefa.years.repository import YearBook

__all__ = [
    "BulkOverride",
    "Exams",
    "Override",
    "OverrideTerms",
    "inactive",
    "may_grant",
    "override_limit",
    "parse_attempt_no",
    "review_margin",
    "review_opens",
]


class Exams:
    def __init__(
        self,
        attempts: AttemptRepository,
        years: YearBook,
        bank: BankReader,
        directory: Directory,
        clock: Clock,
    ):
        self.grading = Grading(attempts, years, directory, clock)
        self.sitting = Sitting(self.grading, bank)
        self.review = Review(self.grading)
        self.overrides = Overrides(self.grading)
        self.bank = bank  # the reader, its cache warmed by the first paper drawn

    def summary(self, actor: Actor, year: int) -> views.ExamSummary:
        return self.review.summary(actor, year)

    def start(self, actor: Actor, year: int) -> views.StartedAttempt:
        return self.sitting.start(actor, year)

    def save_answers(
        self, actor: Actor, year: int, attempt_no: int, answers: dict[str, Any]
    ) -> views.SavedAnswers:
        return self.sitting.save_answers(actor, year, attempt_no, answers)

    def submit(
        self, actor: Actor, year: int, attempt_no: int, answers: dict[str, Any] | None
    ) -> views.Outcome:
        return self.sitting.submit(actor, year, attempt_no, answers)

    def finish(
        self, student_no: str, year: int, attempt_no: int, answers: dict[str, Any] | None
    ) -> views.Outcome:
        """The late grading of a forgotten attempt (the nightly job's)."""
        return self.grading.finish(student_no, year, attempt_no, answers)

    def history(self, actor: Actor, year: int, student_no: str | None = None) -> views.Attempts:
        return self.review.history(actor, year, student_no)

    def attempt(self, actor: Actor, year: int, attempt_no: int) -> views.Attempt:
        return self.review.attempt(actor, year, attempt_no)

    def override(self, actor: Actor, year: int, override: Override) -> views.OverrideView:
        return self.overrides.override(actor, year, override)

    def bulk_override(self, actor: Actor, year: int, bulk: BulkOverride) -> views.BulkOverrideView:
        return self.overrides.bulk_override(actor, year, bulk)
