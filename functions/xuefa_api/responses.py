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
from xuefa.exam_views import (
    Attempt,
    Attempts,
    BulkOverrideView,
    ExamSummary,
    Imported,
    Outcome,
    OverrideView,
    SavedAnswers,
    StartedAttempt,
)
from xuefa.progress import LearnerProgress, ProgressRow
from xuefa.roster_views import (
    HistoryEvent,
    ImportedLearner,
    ImportProblem,
    ImportResult,
    Learner,
    LearnerPage,
    NewAccount,
    PasswordReset,
    UnitRef,
    UnitView,
)
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


# --- credits ------------------------------------------------------------------------


class Catalogue(BaseModel):
    items: list[Resource]


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
    "Attempt",
    "Attempts",
    "Balance",
    "BulkOverrideView",
    "Completion",
    "ExamSummary",
    "HistoryEvent",
    "ImportProblem",
    "ImportResult",
    "Imported",
    "ImportedLearner",
    "Learner",
    "LearnerPage",
    "LearnerProgress",
    "Ledger",
    "LedgerEntry",
    "NewAccount",
    "Outcome",
    "OverrideView",
    "PasswordReset",
    "ProgressRow",
    "Resource",
    "SavedAnswers",
    "SessionStarted",
    "StartedAttempt",
    "UnitRef",
    "UnitView",
]
