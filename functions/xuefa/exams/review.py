"""What a learner (or an admin in scope) reads of the exam: the summary, the attempts,
and a closed attempt's review: the score and the learner's own answers only, until no
attempt of the year can be started or be open for anyone (`review_opens`); only then,
per question, whether it was right, the key and the explanation."""

from __future__ import annotations

from typing import Any

from xuefa.core.auth import Actor, require_learner
from xuefa.core.clock import iso
from xuefa.core.errors import NotFound
from xuefa.exams import views
from xuefa.exams.grading import Grading
from xuefa.exams.rules import allowed, epoch, learner_window, review_opens
from xuefa.years.rules import shown_score


class Review:
    def __init__(self, grading: Grading):
        self.grading = grading
        self.attempts = grading.attempts
        self.years = grading.years
        self.directory = grading.directory
        self.clock = grading.clock

    def summary(self, actor: Actor, year: int) -> views.ExamSummary:
        require_learner(actor)
        config = self.years.get(year)
        result, profile = self.grading.read(actor.username, year)
        result = self.grading.settle(actor.username, config, result)
        now = self.clock.now()
        opens, close, days = learner_window(
            config, result, str((profile or {}).get("unit_path", ""))
        )
        allowance = allowed(config, result)
        return views.ExamSummary(
            year=year,
            window=views.ExamWindow(opens_at=iso(opens), closes_at=iso(close)),
            days_of=days.unit_id if days else None,
            open_now=opens <= now < close,
            max_attempts=allowance,
            attempts_used=result.attempts_taken,
            attempts_left=max(0, allowance - result.attempts_taken),
            best_score=shown_score(result.best),
            open_attempt_no=result.open_no,
            duration_minutes=config.paper.duration_minutes,
            questions_per_paper=config.paper.questions_per_paper,
            full_marks=config.exam_full_marks,
            pass_mark=config.pass_mark,
            # the annual score so far: the credits now and the best score now
            annual=views.Annual.model_validate(result.standing(config).view()),
        )

    def history(self, actor: Actor, year: int, student_no: str | None = None) -> views.Attempts:
        """The attempts of the learner, or of one in an admin's scope (scores, never
        papers)."""
        student_no = self.directory.whose(
            actor, student_no, what=f"attempts/{year}", at=self.clock.now()
        )
        config = self.years.get(year)
        result, _ = self.grading.read(student_no, year)
        result = self.grading.settle(student_no, config, result)
        sheets = self.attempts.sheets(student_no, year, result.attempts_taken)
        return views.Attempts.model_validate(
            {
                "items": [
                    {
                        "attempt_no": sheet.number,
                        "state": sheet.state,
                        "started_at": sheet.started_at,
                        "deadline": sheet.deadline,
                        "submitted_at": sheet.submitted_at,
                        "score": shown_score(sheet.score),
                        **_corrected(sheet.sheet),
                    }
                    for sheet in sheets
                ]
            }
        )

    def attempt(self, actor: Actor, year: int, attempt_no: int) -> views.Attempt:
        require_learner(actor)
        config = self.years.get(year)
        read = self.attempts.attempt_for_review(actor.username, year, attempt_no)
        # Left open past its deadline and grace: graded now, then read again.
        forgotten = read.result.open_until <= epoch(self.clock.now())
        if read.attempt is not None and read.result.open_no == attempt_no and forgotten:
            self.grading.settle(actor.username, config, read.result)
            read = self.attempts.attempt_for_review(actor.username, year, attempt_no)
        found, latest = read.attempt, read.latest_granted_close
        if found is None:
            raise NotFound(f"there is no attempt {attempt_no}")
        paper, answers = found.paper, found.answers
        body: dict[str, Any] = {
            "attempt_no": attempt_no,
            "state": found.state,
            "started_at": found.started_at,
            "deadline": found.deadline,
            "questions": [question.public() for question in paper],
            "answers": answers,
        }
        if not found.is_open:
            body["submitted_at"] = found.submitted_at
            body["score"] = shown_score(found.score)
            body.update(_corrected(found.sheet))
            opens = review_opens(config, latest)
            body["review_open"] = self.clock.now() >= opens
            body["review_opens_at"] = iso(opens)
            if body["review_open"]:  # nobody can sit any more: the key, at last
                fixes = read.corrections
                review = {q.question_id: views.review_of(q, answers, fixes) for q in paper}
                body["review"] = review
                body["correct"] = {question_id: r.correct for question_id, r in review.items()}
        return views.Attempt.model_validate(body)


def _corrected(sheet: dict[str, Any]) -> dict[str, Any]:
    """A regraded attempt's first score and the corrections that raised it (#28.2)."""
    if "graded_score" not in sheet:
        return {}
    return {
        "graded_score": shown_score(sheet["graded_score"]),
        "corrections": [
            {
                **note,
                "position": int(note["position"]),
                "number": int(note["number"]),
                "points": int(note["points"]),
            }
            for note in sheet.get("corrections", [])
        ],
    }
