"""What each route answers on success, as the OpenAPI document states it and as the
contract's tables list it. Extra fields are allowed (the contract says so); the ones here
must be there. Times are ISO 8601 strings with +08:00, dates `YYYY-MM-DD`.

Routes name their model (`response="Balance"`); this module is imported only to check
answers or write the document, never on a cold start. With `XUEFA_CHECK_RESPONSES=true`
(tests, the local stack) every response is validated against its model, so a drift
between the code and the document fails a test.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from xuefa.credits import Balance, Completion, Resource
from xuefa.progress import LearnerProgress, ProgressRow
from xuefa.study import Ledger, LedgerEntry, SessionStarted

Page = str | None  # the next page's cursor, or null on the last page

# --- everyone -----------------------------------------------------------------------


class Health(BaseModel):
    status: Literal["ok"]


class Me(BaseModel):
    """A learner gets `student_no`, an administrator `username`."""

    student_no: str | None = None
    username: str | None = None
    name: str
    unit_id: str
    unit_name: str | None
    status: str
    groups: list[str]


# --- roster -------------------------------------------------------------------------


class UnitRef(BaseModel):
    unit_id: str
    name: str


class UnitView(UnitRef):
    parent_id: str | None
    path: str = Field(description="unit ids from the root, '/'-separated")
    kind: str
    children: list[UnitRef]
    learner_count: int


class HistoryEvent(BaseModel):
    at: str
    event: str


class Learner(BaseModel):
    student_no: str
    name: str
    unit_id: str
    unit_name: str | None
    status: Literal["active", "resigned", "retired"]
    phone: str | None = None
    history: list[HistoryEvent]


class LearnerPage(BaseModel):
    items: list[Learner]
    cursor: Page


class NewAccount(Learner):
    temporary_password: str


class ImportedLearner(NewAccount):
    line: int


class ImportProblem(BaseModel):
    line: int
    message: str


class ImportResult(BaseModel):
    created: list[ImportedLearner]
    duplicates: list[ImportProblem]
    errors: list[ImportProblem]


class PasswordReset(BaseModel):
    student_no: str
    temporary_password: str


# --- credits ------------------------------------------------------------------------


class Catalogue(BaseModel):
    items: list[Resource]


# --- exams --------------------------------------------------------------------------


class Window(BaseModel):
    opens_at: str
    closes_at: str


class Annual(BaseModel):
    credit_score: float
    exam_score: float
    total: float
    passed: bool


class ExamSummary(BaseModel):
    year: int
    window: Window
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
    questions: list[Question]


class AttemptLine(BaseModel):
    attempt_no: int
    state: str
    started_at: str
    deadline: str
    submitted_at: str | None
    score: float | None


class Attempts(BaseModel):
    items: list[AttemptLine]


class Attempt(BaseModel):
    """Open: the questions and saved answers. Closed: also the score and, per question,
    whether it was answered right."""

    attempt_no: int
    state: str
    started_at: str
    deadline: str
    questions: list[Question]
    answers: dict[str, list[str]]
    submitted_at: str | None = None
    score: float | None = None
    correct: dict[str, bool] | None = None


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


# --- reports ------------------------------------------------------------------------


class ReportFile(BaseModel):
    unit_id: str
    kind: str
    format: Literal["csv", "xlsx", "json"]
    url: str
    expires_at: str
    rows: int
    bytes: int
    sha256: str


class DailySet(BaseModel):
    date: str
    cutoff: str
    generated_at: str
    unit_id: str
    files: list[ReportFile]
    note: str | None = Field(None, description="why a set has no files (a year not configured)")


class BulletinRow(BaseModel):
    unit_id: str
    name: str
    learners: int
    participants: int
    exam_takers: int
    passed: int
    pass_rate: float
    avg_total: float


class Bulletin(BaseModel):
    date: str
    cutoff: str
    unit_id: str
    rows: list[BulletinRow]


class ArchiveYear(BaseModel):
    year: int
    credits: int
    credit_score: float
    exam_best: float | None
    exam_score: float
    total: float
    passed: bool


class Archive(BaseModel):
    student_no: str
    items: list[ArchiveYear]


class ProgressSummary(BaseModel):
    as_of: str
    unit_id: str
    year: int
    expected_credits: int = Field(description="the credit target pro rata to the days gone")
    rows: list[ProgressRow]


class ProgressPage(BaseModel):
    as_of: str
    unit_id: str
    year: int
    filter: str | None
    expected_credits: int
    items: list[LearnerProgress]
    cursor: Page


class ProgressExport(BaseModel):
    format: Literal["csv", "xlsx"]
    rows: int
    url: str
    expires_at: str


class ReportDates(BaseModel):
    month: str
    dates: list[str]


class Run(BaseModel):
    date: str
    status: str
    run_id: str | None = None
    duplicate: bool = False


__all__ = [
    "Balance",
    "Completion",
    "LearnerProgress",
    "Ledger",
    "LedgerEntry",
    "ProgressRow",
    "Resource",
    "SessionStarted",
]
