"""What each route answers on success, as the OpenAPI document states it and as the
contract's tables list it. Extra fields are allowed (the contract says so); the ones here
must be there. Times are ISO 8601 strings with +08:00, dates `YYYY-MM-DD`.

The models are declared once, beside the services that answer with them (`study.py`,
`exam_views.py`, …); this module gathers them by name. Routes name their model
(`response="Balance"`); this module is imported only to check answers or write the
document, never on a cold start. With `XUEFA_CHECK_RESPONSES=true`
(tests, the local stack) every response is validated against its model, so a drift
between the code and the document fails a test.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from xuefa.analysis.views import AnalysisRun, ItemAnalysis
from xuefa.bank.views import BankFile, BankPage, BankQuestion
from xuefa.corrections.views import Corrected, Corrections
from xuefa.credits.content_views import (
    AuthoredLessons,
    Course,
    Courses,
    DraftRead,
    DraftSaved,
    Lesson,
    LessonView,
    ProgressAnswer,
    Published,
    Review,
    ReviewExport,
    Studying,
    Upload,
    Uploaded,
)
from xuefa.credits.service import Balance, Completion, Resource
from xuefa.credits.views import Catalogue, Ledger, LedgerEntry, SessionClosed, SessionStarted
from xuefa.exams.views import (
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
from xuefa.identity.views import KeySet, SignedOut, SignInAnswer
from xuefa.practice.views import (
    Feedback,
    Notebook,
    NotebookItem,
    PracticeSet,
    Removed,
    TopicStanding,
    TopicStandings,
)
from xuefa.reports.progress import LearnerProgress, ProgressPage, ProgressRow, ProgressSummary
from xuefa.reports.topics import TopicFigure, UnitTopics
from xuefa.reports.views import (
    Archive,
    ArchiveYear,
    Bulletin,
    BulletinRow,
    Certificate,
    CertificateBundle,
    DailySet,
    ProgressExport,
    ReportDates,
    ReportFile,
    Run,
    Verification,
    YearEndSet,
)
from xuefa.roster.privacy import AccessEntry, AccessPage, MyData
from xuefa.roster.views import (
    HistoryEvent,
    ImportAccepted,
    ImportedAccount,
    ImportedLearner,
    ImportJob,
    ImportProblem,
    ImportResult,
    Learner,
    LearnerPage,
    Me,
    NewAccount,
    PasswordReset,
    UnitRef,
    UnitView,
)
from xuefa.years.rules import YearConfig
from xuefa.years.service import YearList


class Health(BaseModel):
    status: Literal["ok"]


__all__ = [
    "AccessEntry",
    "AccessPage",
    "AnalysisRun",
    "Archive",
    "ArchiveYear",
    "Attempt",
    "Attempts",
    "AuthoredLessons",
    "Balance",
    "BankFile",
    "BankPage",
    "BankQuestion",
    "BulkOverrideView",
    "Bulletin",
    "BulletinRow",
    "Catalogue",
    "Certificate",
    "CertificateBundle",
    "Completion",
    "Corrected",
    "Corrections",
    "Course",
    "Courses",
    "DailySet",
    "DraftRead",
    "DraftSaved",
    "ExamSummary",
    "Feedback",
    "HistoryEvent",
    "ImportAccepted",
    "ImportJob",
    "ImportProblem",
    "ImportResult",
    "Imported",
    "ImportedAccount",
    "ImportedLearner",
    "ItemAnalysis",
    "KeySet",
    "Learner",
    "LearnerPage",
    "LearnerProgress",
    "Ledger",
    "LedgerEntry",
    "Lesson",
    "LessonView",
    "Me",
    "MyData",
    "NewAccount",
    "Notebook",
    "NotebookItem",
    "Outcome",
    "OverrideView",
    "PasswordReset",
    "PracticeSet",
    "ProgressAnswer",
    "ProgressExport",
    "ProgressPage",
    "ProgressRow",
    "ProgressSummary",
    "Published",
    "Removed",
    "ReportDates",
    "ReportFile",
    "Resource",
    "Review",
    "ReviewExport",
    "Run",
    "SavedAnswers",
    "SessionClosed",
    "SessionStarted",
    "SignInAnswer",
    "SignedOut",
    "StartedAttempt",
    "Studying",
    "TopicFigure",
    "TopicStanding",
    "TopicStandings",
    "UnitRef",
    "UnitTopics",
    "UnitView",
    "Upload",
    "Uploaded",
    "Verification",
    "YearConfig",
    "YearEndSet",
    "YearList",
]
