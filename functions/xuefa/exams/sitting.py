"""Sitting the exam: start and save. Start is ONE TransactWriteItems: the year result's
attempt counter moves from n to n+1 under `attempts used = n AND below the allowance AND
no open attempt`, the attempt appears with its drawn paper, and the window is a
ConditionCheck on the year's config; the write also checks that the learner's profile is
still active. A save is one conditional write with no read."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from xuefa.core.auth import Actor, require_learner
from xuefa.core.clock import SHANGHAI, Clock, iso
from xuefa.core.errors import (
    AttemptClosed,
    AttemptLimit,
    AttemptOpen,
    Conflict,
    NotFound,
    OutsideWindow,
    TooEarly,
    YearClosed,
)
from xuefa.exams import views
from xuefa.exams.bank_repository import BankReader
from xuefa.exams.grading import Grading
from xuefa.exams.papers import attempt_rng, check_answers, make_paper, shapes_of, well_formed
from xuefa.exams.repository import AttemptRepository, NewAttempt
from xuefa.exams.rules import RETRIES, allowed, closes, epoch, inactive, learner_window
from xuefa.years.results import YearResult
from xuefa.years.rules import YearConfig


class Sitting:
    def __init__(self, grading: Grading, bank: BankReader):
        self.grading = grading
        self.attempts: AttemptRepository = grading.attempts
        self.years = grading.years
        self.clock: Clock = grading.clock
        self.bank = bank

    def start(self, actor: Actor, year: int) -> views.StartedAttempt:
        require_learner(actor)
        config = self.years.get(year)
        for _ in range(RETRIES):
            # Read again after a refused write: someone moved first, or the learner left
            # (the write checks the profile too, so a resignation in between counts).
            result, profile = self.grading.read(actor.username, year)
            if profile is None:
                raise inactive("unknown")
            if profile.get("status", "active") != "active":
                raise inactive(profile["status"])
            unit_id = str(result.unit_id or profile["unit_id"])
            result = self.grading.settle(actor.username, config, result)
            now = self.clock.now()
            unit_path = str(profile.get("unit_path", ""))
            close = self._check_may_start(config, result, now, unit_path)
            started = self._create(actor.username, unit_id, config, result, now, close)
            if started is not None:
                return started
        raise Conflict("too many simultaneous starts; try again")

    def _check_may_start(
        self, config: YearConfig, result: YearResult, now: datetime, unit_path: str
    ) -> datetime:
        """The learner's close, if an attempt may start now; else why not."""
        if config.closed(now):
            raise YearClosed(f"study year {config.year} has closed")
        if not config.exam_window.opens_at <= now < closes(config, result):
            raise OutsideWindow("the exam window is not open")
        opens, close, days = learner_window(config, result, unit_path)
        if days is not None and not opens <= now < close:
            # The year's window holds in the start's transaction; a unit's days spread the
            # load inside it and are the service's to keep (the same clock, read each start).
            shown = {"unit_id": days.unit_id, "opens_at": iso(opens), "closes_at": iso(close)}
            raise OutsideWindow(
                f"your unit sits the exam from {iso(opens)} to {iso(close)}", {"days": shown}
            )
        if result.open_no is not None:
            number = result.open_no
            raise AttemptOpen(f"attempt {number} is still open", {"open_attempt_no": number})
        allowance = allowed(config, result)
        if result.attempts_taken >= allowance:
            raise AttemptLimit(f"all {allowance} attempts have been used")
        self._check_wait(config, result, now)
        return close

    @staticmethod
    def _check_wait(config: YearConfig, result: YearResult, now: datetime) -> None:
        wait = config.paper.min_wait_minutes
        last = result.last_submit
        if wait and last is not None:
            ready = datetime.fromtimestamp(last, SHANGHAI) + timedelta(minutes=wait)
            if now < ready:
                raise TooEarly(
                    f"the next attempt can start at {iso(ready)}", {"next_start_at": iso(ready)}
                )

    def _create(
        self,
        student_no: str,
        unit_id: str,
        config: YearConfig,
        result: YearResult,
        now: datetime,
        close: datetime,
    ) -> views.StartedAttempt | None:
        attempt_no = result.attempts_taken + 1
        salt = secrets.token_hex(8)
        paper = make_paper(
            self.bank.questions(config.year),
            config.paper,
            attempt_rng(student_no, config.year, attempt_no, salt),
            salt,
            self.bank.versions(config.year),
        )
        deadline = min(now + timedelta(minutes=config.paper.duration_minutes), close)
        hard_close = deadline + timedelta(seconds=config.paper.grace_seconds)
        opened = self.attempts.open(
            NewAttempt(
                student_no=student_no,
                unit_id=unit_id,
                year=config.year,
                attempt_no=attempt_no,
                allowed=allowed(config, result),
                started_at=iso(now),
                deadline=iso(deadline),
                hard_close=epoch(hard_close),
                salt=salt,
                paper=paper,
                shapes=shapes_of(paper),
                now=now,
                close_override=result.own_close is not None,
            )
        )
        if not opened:
            return None
        return views.StartedAttempt.model_validate(
            {
                "attempt_no": attempt_no,
                "started_at": iso(now),
                "deadline": iso(deadline),
                "duration_minutes": config.paper.duration_minutes,
                "questions": [question.public() for question in paper],
            }
        )

    def save_answers(
        self, actor: Actor, year: int, attempt_no: int, answers: dict[str, Any]
    ) -> views.SavedAnswers:
        """One conditional write, no read: DynamoDB checks that the attempt is open and
        each answer fits its question; only a refused save is read and explained."""
        require_learner(actor)
        self.years.get(year)
        clean = well_formed(answers)
        for _ in range(2):  # a second time only after giving an old attempt its sheet
            now = epoch(self.clock.now())
            refused = self.attempts.save(actor.username, year, attempt_no, clean, now)
            if refused is None:
                return views.SavedAnswers(attempt_no=attempt_no, saved=len(clean))
            if refused.sheet is not None:
                sheet = refused.sheet
                if sheet.state != "open" or sheet.hard_close_epoch <= now:
                    raise AttemptClosed("this attempt no longer takes answers")
                check_answers(sheet.shapes, clean)  # says which, as a 400
                raise Conflict()  # fitted after all: the sheet changed meanwhile
            self._give_sheet(actor.username, year, attempt_no)
        raise Conflict()

    def _give_sheet(self, student_no: str, year: int, attempt_no: int) -> None:
        """A save found no sheet: the attempt is missing, or from before the split."""
        _, attempt = self.attempts.result_and_attempt(student_no, year, attempt_no)
        if attempt is None:
            raise NotFound(f"there is no attempt {attempt_no}")
        if attempt.legacy:
            self.attempts.copy_to_sheet(attempt, shapes_of(attempt.paper))

    def submit(
        self, actor: Actor, year: int, attempt_no: int, answers: dict[str, Any] | None
    ) -> views.Outcome:
        require_learner(actor)
        return self.grading.finish(actor.username, year, attempt_no, answers, by_learner=True)
