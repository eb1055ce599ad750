"""Roster: units, learners, student numbers, transfers and accounts."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalice import Chalice
from pydantic import BaseModel, Field

from xuefa.accounts import CognitoAccounts
from xuefa.roster import NewLearner, NewUnit, Roster, Status, StatusChange, Transfer
from xuefa_api import Api, json_response
from xuefa_api.wiring import services

app = Chalice(app_name="xuefa-roster")
api = Api(app, "roster")


@cache
def roster() -> Roster:
    s = services()
    accounts = CognitoAccounts(s.settings.user_pool_id)
    return Roster(s.store, s.directory, s.years, accounts, s.clock, s.settings.cursor_secret)


class Empty(BaseModel):
    pass


class LearnerQuery(BaseModel):
    status: Status | None = None
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=2000)


class ImportQuery(BaseModel):
    partial: bool = False


@api.route("/me", methods=["GET"])
def me() -> dict[str, Any]:
    actor = api.actor()
    person = services().directory.person(actor)
    key = "username" if actor.is_admin else "student_no"
    return {
        key: person.username,
        "name": person.name,
        "unit_id": person.unit_id,
        "unit_name": person.unit_name,
        "status": person.status,
        "groups": sorted(actor.groups),
    }


@api.route("/units/{unit_id}", methods=["GET"])
def unit(unit_id: str) -> Any:
    return roster().unit(api.actor(), unit_id)


@api.route("/units", methods=["POST"])
def create_unit() -> Any:
    actor = api.actor()
    return json_response(roster().create_unit(actor, api.body(NewUnit)), status=201)


@api.route("/units/{unit_id}/learners", methods=["GET"])
def learners(unit_id: str) -> Any:
    actor = api.actor()
    query = api.query(LearnerQuery)
    return roster().learners(actor, unit_id, query.status, query.limit, query.cursor)


@api.route("/learners", methods=["POST"])
def create_learner() -> Any:
    actor = api.actor()
    return json_response(roster().create_learner(actor, api.body(NewLearner)), status=201)


@api.route(
    "/learners/import",
    methods=["POST"],
    content_types=["text/csv", "text/plain", "application/octet-stream", "application/json"],
)
def import_learners() -> Any:
    actor = api.actor()
    partial = api.query(ImportQuery).partial
    return roster().import_csv(actor, api.raw_body(), partial)


@api.route("/learners/{student_no}", methods=["GET"])
def learner(student_no: str) -> Any:
    return roster().learner(api.actor(), student_no)


@api.route("/learners/{student_no}/status", methods=["POST"])
def change_status(student_no: str) -> Any:
    actor = api.actor()
    return roster().change_status(actor, student_no, api.body(StatusChange))


@api.route("/learners/{student_no}/transfer", methods=["POST"])
def transfer(student_no: str) -> Any:
    actor = api.actor()
    return roster().transfer(actor, student_no, api.body(Transfer))


@api.route("/learners/{student_no}/password-reset", methods=["POST"])
def password_reset(student_no: str) -> Any:
    actor = api.actor()
    api.body(Empty)
    return roster().reset_password(actor, student_no)
