"""Grading: an attempt closes once, graded on the server, in ONE TransactWriteItems with
the year result (the open attempt forgotten, the best score raised only under
`best < score`). An attempt left open past its deadline plus grace is graded on its saved
answers the next time anyone looks (or by the nightly job), so nobody is stuck."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from xuefa.core.clock import Clock, iso, local_date, parse_iso
from xuefa.core.errors import Conflict, NotFound, YearClosed
from xuefa.exams import views
from xuefa.exams.papers import check_answers, grade, shapes_of
from xuefa.exams.repository import (
    Attempt,
    AttemptRepository,
    Closing,
    LearnerInactive,
    YearHasClosed,
)
from xuefa.exams.rules import RETRIES, epoch, inactive
from xuefa.roster.directory import Directory
from xuefa.years.repository import YearBook
from xuefa.years.results import YearResult
from xuefa.years.rules import YearConfig, exact_score, shown_score


class Grading:
    def __init__(
        self, attempts: AttemptRepository, years: YearBook, directory: Directory, clock: Clock
    ):
        self.attempts = attempts
        self.years = years
        self.directory = directory
        self.clock = clock

    def read(self, student_no: str, year: int) -> tuple[YearResult, dict[str, Any] | None]:
        """Year result and profile, in one strongly consistent request."""
        return self.attempts.result_and_profile(student_no, year)

    def settle(self, student_no: str, config: YearConfig, result: YearResult) -> YearResult:
        """Grade an attempt left open past its deadline plus grace; the fresh year result."""
        if result.open_no is None or result.open_until > epoch(self.clock.now()):
            return result
        self.finish(student_no, config.year, result.open_no, None)
        fresh, _ = self.read(student_no, config.year)
        return fresh

    def finish(
        self,
        student_no: str,
        year: int,
        attempt_no: int,
        answers: dict[str, Any] | None,
        by_learner: bool = False,
    ) -> views.Outcome:
        """Grade and close an attempt (a submit, or the late grading of a forgotten one).
        Closing twice returns the first result. A learner's submit after the year has
        closed (and the grace with it) is refused; the late grading of what was saved
        before the deadline still happens, by the nightly job or the next look."""
        config = self.years.get(year)
        grace = config.paper.grace_seconds
        for _ in range(RETRIES):
            result, attempt = self.attempts.result_and_attempt(student_no, year, attempt_no)
            if attempt is None:
                raise NotFound(f"there is no attempt {attempt_no}")
            if not attempt.is_open:
                return self.outcome(config, attempt, result)
            if by_learner and config.closed(self.clock.now() - timedelta(seconds=grace)):
                raise YearClosed(f"study year {year} has closed")
            if attempt.legacy:
                self.attempts.copy_to_sheet(attempt, shapes_of(attempt.paper))
                continue
            closing = self._grade(student_no, config, result, attempt, answers, by_learner)
            try:
                if not self.attempts.close(closing):
                    continue  # closed meanwhile, or an answer saved: read again
            except YearHasClosed as exc:
                raise YearClosed(f"study year {year} has closed") from exc
            except LearnerInactive as exc:
                raise inactive("not active") from exc
            if closing.raises_best:
                result = result.with_best(closing.score)
            return self.outcome(config, attempt.closed_as(closing.score, closing.late), result)
        raise Conflict("too many simultaneous submissions; try again")

    def _grade(
        self,
        student_no: str,
        config: YearConfig,
        result: YearResult,
        attempt: Attempt,
        answers: dict[str, Any] | None,
        by_learner: bool,
    ) -> Closing:
        paper = attempt.paper
        given = check_answers(shapes_of(paper), answers) if answers else {}
        now = self.clock.now()
        late = epoch(now) >= attempt.hard_close_epoch
        final = attempt.answers if late else {**attempt.answers, **given}
        # A forgotten attempt finished at its deadline, whenever it is graded: the
        # nightly report counts it on that day.
        finished = parse_iso(attempt.deadline) if late else now
        score = grade(paper, final, config.exam_full_marks)
        return Closing(
            student_no=student_no,
            unit_id=str(result.unit_id or self.directory.learner(student_no)["unit_id"]),
            year=config.year,
            attempt_no=attempt.number,
            saves_seen=attempt.saves_seen,
            score=score,
            answers=final,
            submitted_at=iso(now),
            submitted_epoch=epoch(now),
            finished_at=iso(finished),
            finished_day=local_date(finished),
            late=late,
            raises_best=result.best is None or result.best < score,
            year_check=now if by_learner else None,
            grace_seconds=config.paper.grace_seconds,
        )

    @staticmethod
    def outcome(config: YearConfig, attempt: Attempt, result: YearResult) -> views.Outcome:
        score = Decimal(attempt.score)
        scored = result if result.best is not None else result.with_best(score)
        exact = exact_score(score)
        return views.Outcome(
            attempt_no=attempt.number,
            score=shown_score(score),
            best_score=shown_score(scored.best),
            passed_exam_part=exact * 100 >= config.pass_mark * config.exam_full_marks,
            late=attempt.late,
            annual=views.Annual.model_validate(scored.standing(config).view()),
        )
