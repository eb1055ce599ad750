"""Exams: the question bank, attempts with hard limits, server-side grading."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from chalice import Chalice
from pydantic import BaseModel, Field

from xuefa.analysis import views as analysis_views
from xuefa.bank.repository import Listing
from xuefa.bank.views import BankFile, BankPage, BankQuestion, QuestionEdit, Retirement
from xuefa.bootstrap import services
from xuefa.core.auth import Actor
from xuefa.core.topics import Topic
from xuefa.corrections import views as correction_views
from xuefa.corrections.views import CorrectionRequest
from xuefa.exams import views
from xuefa.exams.questions import ImportRequest, Pool, QuestionType
from xuefa.exams.service import BulkOverride, Exams, Override, parse_attempt_no
from xuefa_api import Api, Cursor, parse_year

if TYPE_CHECKING:
    from xuefa.bank.editing import BankEditing

app = Chalice(app_name="xuefa-exams")
api = Api(app, "exams")


def exams() -> Exams:
    """The service, built once per warm container by the composition root."""
    return services().exams


# An answer is the labels of the options chosen, as shown: A, B, C… (papers.LABELS)
Label = Literal["A", "B", "C", "D", "E", "F", "G", "H"]


class Empty(BaseModel):
    pass


class Answers(BaseModel):
    answers: dict[str, list[Label]] = Field(max_length=500)


class Submission(BaseModel):
    answers: dict[str, list[Label]] | None = Field(None, max_length=500)


@api.route("/{year}", ["GET"], response="ExamSummary")
def summary(actor: Actor, year: str) -> views.ExamSummary:
    """The learner's exam: window, attempts used and left, best score, any open attempt."""
    return exams().summary(actor, parse_year(year))


@api.route("/{year}/attempts", ["POST"], body=Empty, status=201, response="StartedAttempt")
def start(actor: Actor, body: Empty, year: str) -> views.StartedAttempt:
    """Start an attempt: a drawn paper, without answers, and its deadline."""
    started = exams().start(actor, parse_year(year))
    api.count("AttemptsStarted")
    return started


@api.route("/{year}/attempts", ["GET"], response="Attempts")
def history(actor: Actor, year: str) -> views.Attempts:
    """The learner's attempts this year."""
    return exams().history(actor, parse_year(year))


@api.route("/{year}/learners/{student_no}/attempts", ["GET"], response="Attempts")
def learner_history(actor: Actor, year: str, student_no: str) -> views.Attempts:
    """A learner's attempts and scores, for administrators in scope."""
    return exams().history(actor, parse_year(year), student_no)


@api.route("/{year}/attempts/{attempt_no}", ["GET"], response="Attempt")
def attempt(actor: Actor, year: str, attempt_no: str) -> views.Attempt:
    """One attempt with its questions and saved answers; its result once closed."""
    return exams().attempt(actor, parse_year(year), parse_attempt_no(attempt_no))


@api.route("/{year}/attempts/{attempt_no}/answers", ["PUT"], body=Answers, response="SavedAnswers")
def save_answers(actor: Actor, body: Answers, year: str, attempt_no: str) -> views.SavedAnswers:
    """Save answers while the attempt is open."""
    saved = exams().save_answers(
        actor, parse_year(year), parse_attempt_no(attempt_no), body.answers
    )
    api.count("AnswersSaved")  # the operators' dashboard: saves a minute in the exam window
    return saved


@api.route("/{year}/attempts/{attempt_no}/submit", ["POST"], body=Submission, response="Outcome")
def submit(actor: Actor, body: Submission, year: str, attempt_no: str) -> views.Outcome:
    """Submit: graded on the server; the score, the best score and the annual result."""
    result = exams().submit(actor, parse_year(year), parse_attempt_no(attempt_no), body.answers)
    api.count("AttemptsSubmitted")
    return result


@api.route("/{year}/questions", ["POST"], body=ImportRequest, response="Imported")
def import_questions(actor: Actor, body: ImportRequest, year: str) -> views.Imported:
    """Import questions into a year's bank, all or nothing (city administrators)."""
    return bank().import_questions(actor, parse_year(year), body.questions)


@api.route("/{year}/overrides", ["POST"], body=Override, response="OverrideView")
def override(actor: Actor, body: Override, year: str) -> views.OverrideView:
    """Extra attempts or a later close for one learner; idempotent; audited."""
    return exams().override(actor, parse_year(year), body)


@api.route("/{year}/overrides/bulk", ["POST"], body=BulkOverride, response="BulkOverrideView")
def bulk_override(actor: Actor, body: BulkOverride, year: str) -> views.BulkOverrideView:
    """The same override for every active learner of a unit."""
    return exams().bulk_override(actor, parse_year(year), body)


# --- the bank (#27, #28) -------------------------------------------------------------
# City administrators only (a learner, a county or a unit is refused with 403): the bank
# with its keys, as a workbook and as a listing, its edits and retirements. The pools'
# readers keep what they read for a few minutes per warm container: an edit or a
# retirement reaches new papers and practice sets within those minutes.

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A workbook arrives as bytes: API Gateway passes a binary type through base64 (the
# Lambda's event), which Chalice decodes; anything else would reach us mangled.
app.api.binary_types.append(XLSX)


def bank() -> BankEditing:
    return services().bank_editing


class BankQuery(BaseModel):
    pool: Pool = "exam"
    topic: Topic | None = None
    type: QuestionType | None = None
    q: str | None = Field(None, min_length=1, max_length=100, description="a part of the stem")
    retired: Literal["true", "false"] | None = Field(
        None, description="only the retired questions, or only the others; both when absent"
    )
    cursor: Cursor = None


class BankExportQuery(BaseModel):
    pool: Pool | None = Field(None, description="one pool; both when absent")


@api.route("/{year}/questions", ["GET"], query=BankQuery, response="BankPage")
def bank_questions(actor: Actor, query: BankQuery, year: str) -> BankPage:
    """A pool's questions with their keys, in pages, by topic, type, a part of the stem
    (`q`) and whether retired (city administrators)."""
    retired = None if query.retired is None else query.retired == "true"
    listing = Listing(query.pool, query.topic, query.type, query.q, retired)
    return bank().list(actor, parse_year(year), listing, query.cursor)


@api.route("/{year}/questions/template", ["GET"], response="BankFile")
def bank_template(actor: Actor, year: str) -> BankFile:
    """The XLSX template (a 15-minute link): its columns in Chinese, dropdowns for the
    pool, the type, the topic and the difficulty, and a 说明 sheet with an example."""
    return bank().template(actor, parse_year(year))


@api.route("/{year}/questions/export", ["GET"], query=BankExportQuery, response="BankFile")
def bank_export(actor: Actor, query: BankExportQuery, year: str) -> BankFile:
    """The bank's questions still in use as an XLSX in the template's columns (a 15-minute
    link): edited in Excel, it imports back, each changed row a new version."""
    return bank().export(actor, parse_year(year), query.pool)


@api.route(
    "/{year}/questions/xlsx",
    ["POST"],
    raw_body=[XLSX, "application/octet-stream"],
    response="Imported",
)
def bank_import_xlsx(actor: Actor, body: bytes, year: str) -> views.Imported:
    """Import a filled template (the .xlsx as the body, up to 1 MB and 2000 rows). Every
    row is checked first: if one is wrong nothing is written, and the 400 lists each
    error by row and column (`details.rows`). A row with the 题号 of a question the bank
    holds updates it as a new version (an exam question only before its window opens);
    an unchanged row leaves it as it is."""
    return bank().import_xlsx(actor, parse_year(year), body)


@api.route("/{year}/questions/{question_id}", ["PUT"], body=QuestionEdit, response="BankQuestion")
def bank_edit(actor: Actor, body: QuestionEdit, year: str, question_id: str) -> BankQuestion:
    """A question's new text as its next version (the one before kept; papers already
    given keep theirs); audited. An exam question only before the exam window opens (409
    after); a practice question at any time. New papers and practice sets see it within
    a few minutes (the pools' readers keep what they read that long per container)."""
    return bank().edit(actor, parse_year(year), question_id, body)


@api.route(
    "/{year}/questions/{question_id}/retire", ["POST"], body=Retirement, response="BankQuestion"
)
def bank_retire(actor: Actor, body: Retirement, year: str, question_id: str) -> BankQuestion:
    """Retire a question: never drawn into a paper nor served in practice again (within
    the few minutes the pools' readers keep what they read); papers already given keep
    it; audited; retiring twice is retiring once."""
    return bank().retire(actor, parse_year(year), question_id, body)


# --- item analysis (#28) ---
# Started here, run by the reports function off the report queue (it renders the files);
# the answer reads the latest run and the result the manifest names.


@api.route("/{year}/analysis", ["POST"], body=Empty, status=202, response="AnalysisRun")
def start_analysis(actor: Actor, body: Empty, year: str) -> analysis_views.AnalysisRun:
    """Start the year's item analysis (city administrators), once no one can sit the exam
    (before: 409 TOO_EARLY); a run under way is answered as it is."""
    return services().item_analysis.start(actor, parse_year(year))


@api.route("/{year}/analysis", ["GET"], response="ItemAnalysis")
def item_analysis(actor: Actor, year: str) -> analysis_views.ItemAnalysis:
    """The latest run's state and the latest complete result: per question drawn,
    facility, discrimination, point-biserial, options by group and flags; the paper's
    score distribution and KR-20; CSV/XLSX/JSON links valid for 15 minutes."""
    return services().item_analysis.state(actor, parse_year(year))


# --- end of item analysis (#28) ---

# --- corrections after the window (#28.2) ---
# Made here; the regrade they start runs on the report queue, as the item analysis does.


@api.route(
    "/{year}/corrections", ["POST"], body=CorrectionRequest, status=202, response="Corrected"
)
def correct(actor: Actor, body: CorrectionRequest, year: str) -> correction_views.Corrected:
    """Void a question of the year's exam pool or accept one more answer to it (city
    administrators), once no one can sit the exam (before: 409 TOO_EARLY) and until the
    year's close (after: 409 YEAR_CLOSED); every attempt that had it is regraded by a job
    (scores only rise), whose progress `GET` shows."""
    return services().corrections.correct(actor, parse_year(year), body)


@api.route("/{year}/corrections", ["GET"], response="Corrections")
def corrections(actor: Actor, year: str) -> correction_views.Corrections:
    """The year's corrections, newest last, and the latest regrade's progress."""
    return services().corrections.state(actor, parse_year(year))
