"""Credits: the study catalogue, server-measured study sessions, balances and the ledger."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalice import Chalice
from pydantic import BaseModel, Field

from xuefa.auth import require_learner
from xuefa.clock import local_date
from xuefa.credits import Adjustment, Credits, NewResource
from xuefa.rules import study_year_of
from xuefa_api import Api, json_response
from xuefa_api.wiring import services

app = Chalice(app_name="xuefa-credits")
api = Api(app, "credits")


@cache
def credits() -> Credits:
    s = services()
    return Credits(s.store, s.years, s.directory, s.clock, s.settings.cursor_secret)


class YearQuery(BaseModel):
    year: int | None = Field(None, ge=2000, le=2100)


class LedgerQuery(YearQuery):
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2000)


class StartSession(BaseModel):
    resource_id: str = Field(min_length=1, max_length=64)


class Empty(BaseModel):
    pass


def _year(year: int | None) -> int:
    return year or study_year_of(local_date(services().clock.now()))


@api.route("/catalogue", methods=["GET"])
def catalogue() -> dict[str, Any]:
    api.actor()
    query = api.query(YearQuery)
    items = credits().catalogue(_year(query.year))
    return {"items": [item.model_dump() for item in items]}


@api.route("/catalogue", methods=["POST"])
def add_resource() -> Any:
    resource = credits().add_resource(api.actor(), api.body(NewResource))
    return json_response(resource, status=201)


@api.route("/sessions", methods=["POST"])
def start_session() -> Any:
    actor = api.actor()
    body = api.body(StartSession)
    return json_response(credits().start(actor, body.resource_id), status=201)


@api.route("/sessions/{session_id}/complete", methods=["POST"])
def complete_session(session_id: str) -> Any:
    actor = api.actor()
    api.body(Empty)
    return credits().complete(actor, session_id)


@api.route("/me", methods=["GET"])
def my_balance() -> Any:
    actor = api.actor()
    require_learner(actor)
    return credits().balance(actor.username, _year(api.query(YearQuery).year))


@api.route("/me/ledger", methods=["GET"])
def my_ledger() -> Any:
    actor = api.actor()
    require_learner(actor)
    query = api.query(LedgerQuery)
    return credits().ledger(actor.username, _year(query.year), query.limit, query.cursor)


@api.route("/learners/{student_no}", methods=["GET"])
def learner_balance(student_no: str) -> Any:
    actor = api.actor()
    return credits().learner_balance(actor, student_no, _year(api.query(YearQuery).year))


@api.route("/adjustments", methods=["POST"])
def adjust() -> Any:
    return credits().adjust(api.actor(), api.body(Adjustment))
