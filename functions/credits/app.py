"""Credits: the study catalogue, server-measured study sessions, balances and the ledger."""

from __future__ import annotations

from chalice import Chalice
from pydantic import BaseModel, Field

from xuefa.bootstrap import services
from xuefa.core.auth import Actor
from xuefa.core.clock import local_date, study_year_of
from xuefa.credits.service import Adjustment, Balance, Completion, Credits, NewResource, Resource
from xuefa.credits.views import ID_PATTERN, Catalogue, Ledger, SessionClosed, SessionStarted
from xuefa_api import Api, Cursor

app = Chalice(app_name="xuefa-credits")
api = Api(app, "credits")


def credits() -> Credits:
    """The service, built once per warm container by the composition root."""
    return services().credits


class YearQuery(BaseModel):
    year: int | None = Field(
        None, ge=2000, le=2100, description="study year; default: the current one"
    )


class LedgerQuery(YearQuery):
    limit: int = Field(20, ge=1, le=100)
    cursor: Cursor = None


class StartSession(BaseModel):
    resource_id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)


class Empty(BaseModel):
    pass


def _year(year: int | None) -> int:
    return year or study_year_of(local_date(services().clock.now()))


@api.route("/catalogue", ["GET"], query=YearQuery, response="Catalogue")
def catalogue(actor: Actor, query: YearQuery) -> Catalogue:
    """The study year's resources: activity, credits and the minutes each takes."""
    return credits().catalogue(_year(query.year))


@api.route("/catalogue", ["POST"], body=NewResource, status=201, response="Resource")
def add_resource(actor: Actor, body: NewResource) -> Resource:
    """Add a resource to a year's catalogue (city administrators)."""
    return credits().add_resource(actor, body)


@api.route("/sessions", ["POST"], body=StartSession, status=201, response="SessionStarted")
def start_session(actor: Actor, body: StartSession) -> SessionStarted:
    """Start studying a resource; the server's clock measures the time. A learner has one
    open session at a time: while another is open, 409 CONFLICT names it
    (`details.open_session_id`, its resource and `started_at`) for the app to resume."""
    return credits().start(actor, body.resource_id)


@api.route("/sessions/{session_id}/abandon", ["POST"], response="SessionClosed")
def abandon_session(actor: Actor, session_id: str) -> SessionClosed:
    """Stop a session without credits, so that another resource can be studied."""
    return credits().abandon(actor, session_id)


@api.route("/sessions/{session_id}/complete", ["POST"], body=Empty, response="Completion")
def complete_session(actor: Actor, body: Empty, session_id: str) -> Completion:
    """Finish a session: credits are awarded once, within the day's caps."""
    completion = credits().complete(actor, session_id)
    api.count("CreditsAwarded", completion.awarded)
    if completion.capped:
        api.count("CompletionsCapped")
    return completion


@api.route("/me", ["GET"], query=YearQuery, response="Balance")
def my_balance(actor: Actor, query: YearQuery) -> Balance:
    """The learner's own balance, in real time."""
    return credits().my_balance(actor, _year(query.year))


@api.route("/me/ledger", ["GET"], query=LedgerQuery, response="Ledger")
def my_ledger(actor: Actor, query: LedgerQuery) -> Ledger:
    """Every credit the learner earned or was adjusted, newest first, in pages."""
    return credits().my_ledger(actor, _year(query.year), query.limit, query.cursor)


@api.route("/learners/{student_no}", ["GET"], query=YearQuery, response="Balance")
def learner_balance(actor: Actor, query: YearQuery, student_no: str) -> Balance:
    """A learner's balance, for administrators in scope."""
    return credits().learner_balance(actor, student_no, _year(query.year))


@api.route("/learners/{student_no}/ledger", ["GET"], query=LedgerQuery, response="Ledger")
def learner_ledger(actor: Actor, query: LedgerQuery, student_no: str) -> Ledger:
    """A learner's ledger, newest first, for administrators in scope."""
    return credits().learner_ledger(actor, student_no, _year(query.year), query.limit, query.cursor)


@api.route("/adjustments", ["POST"], body=Adjustment, response="Balance")
def adjust(actor: Actor, body: Adjustment) -> Balance:
    """Add or remove credits with a reason; idempotent on adjustment_id; audited."""
    return credits().adjust(actor, body)
