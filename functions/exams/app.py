"""Exams: the question bank, attempts with hard limits, server-side grading."""

from __future__ import annotations

from typing import Literal

from chalice import Chalice
from pydantic import BaseModel, Field

from xuefa.analysis import views as analysis_views
from xuefa.bootstrap import services
from xuefa.core.auth import Actor
from xuefa.exams import views
from xuefa.exams.questions import ImportRequest
from xuefa.exams.service import BulkOverride, Exams, Override, parse_attempt_no
from xuefa_api import Api, parse_year

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
    return exams().save_answers(actor, parse_year(year), parse_attempt_no(attempt_no), body.answers)


@api.route("/{year}/attempts/{attempt_no}/submit", ["POST"], body=Submission, response="Outcome")
def submit(actor: Actor, body: Submission, year: str, attempt_no: str) -> views.Outcome:
    """Submit: graded on the server; the score, the best score and the annual result."""
    result = exams().submit(actor, parse_year(year), parse_attempt_no(attempt_no), body.answers)
    api.count("AttemptsSubmitted")
    return result


@api.route("/{year}/questions", ["POST"], body=ImportRequest, response="Imported")
def import_questions(actor: Actor, body: ImportRequest, year: str) -> views.Imported:
    """Import questions into a year's bank, all or nothing (city administrators)."""
    return exams().import_questions(actor, parse_year(year), body.questions)


@api.route("/{year}/overrides", ["POST"], body=Override, response="OverrideView")
def override(actor: Actor, body: Override, year: str) -> views.OverrideView:
    """Extra attempts or a later close for one learner; idempotent; audited."""
    return exams().override(actor, parse_year(year), body)


@api.route("/{year}/overrides/bulk", ["POST"], body=BulkOverride, response="BulkOverrideView")
def bulk_override(actor: Actor, body: BulkOverride, year: str) -> views.BulkOverrideView:
    """The same override for every active learner of a unit."""
    return exams().bulk_override(actor, parse_year(year), body)


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
