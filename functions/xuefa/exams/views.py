"""What the exams service answers: a year's exam as the learner sees it, attempts with
their public questions (never the key), outcomes and overrides. The API's documented
answers are these same models."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xuefa.core.audit import Reason
from xuefa.core.clock import SHANGHAI

if TYPE_CHECKING:
    from xuefa.exams.corrected import Correction
    from xuefa.exams.papers import PaperQuestion


class ExamWindow(BaseModel):
    """The exam window as the learner's own: the year's or their unit's exam days, and
    later by an override."""

    opens_at: str
    closes_at: str


class Annual(BaseModel):
    credit_score: float
    exam_score: float
    total: float
    passed: bool


class ExamSummary(BaseModel):
    year: int
    window: ExamWindow
    # The unit whose exam days these are (the learner's or one above it); null: the year's.
    days_of: str | None = None
    open_now: bool
    max_attempts: int
    attempts_used: int
    attempts_left: int
    best_score: float | None
    open_attempt_no: int | None
    duration_minutes: int
    questions_per_paper: int
    full_marks: int
    pass_mark: int
    annual: Annual = Field(description="the annual score so far: credits and best score now")


class Option(BaseModel):
    key: str
    text: str


class Question(BaseModel):
    """As the learner sees it: never the answer."""

    question_id: str
    type: Literal["single", "multiple", "judge"]
    stem: str
    options: list[Option]
    points: float


class StartedAttempt(BaseModel):
    attempt_no: int
    started_at: str
    deadline: str
    duration_minutes: int
    questions: list[Question]


class CorrectionNote(BaseModel):
    """Why a correction after the window raised this attempt's score (#28.2)."""

    position: int = Field(description="the question's number on this paper, from 1")
    question_id: str = Field(description="the question's id on this paper")
    action: Literal["void", "accept"]
    number: int = Field(description="the year's correction that did it")
    reason: str
    points: int


class AttemptLine(BaseModel):
    attempt_no: int
    state: str
    started_at: str
    deadline: str
    submitted_at: str | None
    score: float | None
    graded_score: float | None = Field(
        None, description="the score as first graded, when a correction raised it since"
    )
    corrections: list[CorrectionNote] = []


class Attempts(BaseModel):
    items: list[AttemptLine]


class QuestionReview(BaseModel):
    """A question of a closed attempt once no one can sit the year's exam any more."""

    correct: bool
    key: list[str] = Field(description="the right options' labels, as shown on this paper")
    explanation: str | None = None
    bank_question_id: str = Field(description="the question's id in the year's bank")
    voided: bool = Field(False, description="voided after the window: everyone has its points")
    also_accepted: list[list[str]] = Field(
        [], description="answers accepted after the window too, as labelled on this paper"
    )
    correction_reason: str | None = None


def review_of(
    question: PaperQuestion,
    answers: dict[str, list[str]],
    corrections: list[Correction] | None = None,
) -> QuestionReview:
    from xuefa.exams.corrected import accepted_labels, made_right

    given = sorted(answers.get(question.question_id, []))
    mine = [c for c in corrections or [] if c.question_id == question.bank_id]
    why = made_right(question, given, mine) if given != question.answer else None
    return QuestionReview(
        correct=given == question.answer or why is not None,
        key=list(question.answer),
        explanation=question.explanation,
        bank_question_id=question.bank_id,
        voided=any(c.action == "void" for c in mine),
        also_accepted=accepted_labels(question, mine),
        correction_reason=why.reason if why else None,
    )


class Attempt(BaseModel):
    """Open: the questions and saved answers. Closed: also the score, and whether the
    review is open: while anyone can still sit the year's exam, nothing per question
    (`review_opens_at` says when); after that, `correct` and `review` per question id."""

    attempt_no: int
    state: str
    started_at: str
    deadline: str
    questions: list[Question]
    answers: dict[str, list[str]]
    submitted_at: str | None = None
    score: float | None = None
    review_open: bool | None = None
    review_opens_at: str | None = None
    correct: dict[str, bool] | None = None
    review: dict[str, QuestionReview] | None = None
    graded_score: float | None = Field(
        None, description="the score as first graded, when a correction raised it since"
    )
    corrections: list[CorrectionNote] = []


class SavedAnswers(BaseModel):
    attempt_no: int
    saved: int


class Outcome(BaseModel):
    attempt_no: int
    score: float
    best_score: float
    passed_exam_part: bool
    late: bool
    annual: Annual


class Imported(BaseModel):
    imported: int
    errors: list[dict[str, object]]
    # Rows naming a question the bank holds (#28): a new version of each changed one;
    # the unchanged ones are left as they are. Sent only when there are some.
    updated: int | None = None
    unchanged: int | None = None


class OverrideView(BaseModel):
    override_id: str
    student_no: str
    year: int
    max_attempts: int
    closes_at: str
    reason: str


class SkippedOverride(BaseModel):
    student_no: str
    code: str
    message: str
    details: dict[str, object]


class BulkOverrideView(BaseModel):
    override_id: str
    unit_id: str
    applied: list[OverrideView]
    skipped: list[SkippedOverride]


# --- what an admin asks: overrides -------------------------------------------------

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class OverrideTerms(BaseModel):
    """What an override grants, for one learner or a whole unit, and why."""

    # At least one of the two, as the validator below insists: said in the schema too.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["extra_attempts"], "properties": {"extra_attempts": {"minimum": 1}}},
                {"required": ["closes_at"], "properties": {"closes_at": {"type": "string"}}},
            ]
        }
    )

    override_id: str = Field(pattern=ID_PATTERN)
    extra_attempts: int = Field(0, ge=0, le=20)
    closes_at: datetime | None = None
    reason: Reason

    @model_validator(mode="after")
    def _grants_something(self) -> OverrideTerms:
        if self.extra_attempts == 0 and self.closes_at is None:
            raise ValueError("give extra_attempts or closes_at")
        if self.closes_at is not None and self.closes_at.tzinfo is None:
            self.closes_at = self.closes_at.replace(tzinfo=SHANGHAI)
        return self


class Override(OverrideTerms):
    student_no: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9]+$")


class BulkOverride(OverrideTerms):
    unit_id: str = Field(min_length=1, max_length=64)
