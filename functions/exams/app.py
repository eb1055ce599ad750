"""Exams: the question bank, attempts with hard limits, server-side grading."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from chalice import Chalice
from pydantic import BaseModel, Field

from xuefa.errors import BadRequest
from xuefa.exams import BulkOverride, Exams, Override, parse_attempt_no
from xuefa.questions import BankReader, ImportRequest
from xuefa_api import Api, json_response
from xuefa_api.wiring import services

app = Chalice(app_name="xuefa-exams")
api = Api(app, "exams")


@cache
def exams() -> Exams:
    s = services()
    return Exams(s.store, s.years, BankReader(s.store), s.directory, s.clock)


class Empty(BaseModel):
    pass


class Answers(BaseModel):
    answers: dict[str, list[str]] = Field(max_length=500)


class Submission(BaseModel):
    answers: dict[str, list[str]] | None = Field(None, max_length=500)


def _year(text: str) -> int:
    if not re.fullmatch(r"20[0-9]{2}", text or ""):
        raise BadRequest("the year is four digits, e.g. 2017", {"year": text})
    return int(text)


@api.route("/{year}", methods=["GET"])
def summary(year: str) -> Any:
    return exams().summary(api.actor(), _year(year))


@api.route("/{year}/attempts", methods=["POST"])
def start(year: str) -> Any:
    actor = api.actor()
    api.body(Empty)
    return json_response(exams().start(actor, _year(year)), status=201)


@api.route("/{year}/attempts", methods=["GET"])
def history(year: str) -> Any:
    return exams().history(api.actor(), _year(year))


@api.route("/{year}/attempts/{attempt_no}", methods=["GET"])
def attempt(year: str, attempt_no: str) -> Any:
    return exams().attempt(api.actor(), _year(year), parse_attempt_no(attempt_no))


@api.route("/{year}/attempts/{attempt_no}/answers", methods=["PUT"])
def save_answers(year: str, attempt_no: str) -> Any:
    actor = api.actor()
    body = api.body(Answers)
    return exams().save_answers(actor, _year(year), parse_attempt_no(attempt_no), body.answers)


@api.route("/{year}/attempts/{attempt_no}/submit", methods=["POST"])
def submit(year: str, attempt_no: str) -> Any:
    actor = api.actor()
    body = api.body(Submission)
    return exams().submit(actor, _year(year), parse_attempt_no(attempt_no), body.answers)


@api.route("/{year}/questions", methods=["POST"])
def import_questions(year: str) -> Any:
    actor = api.actor()
    body = api.body(ImportRequest)
    return exams().import_questions(actor, _year(year), body.questions)


@api.route("/{year}/overrides", methods=["POST"])
def override(year: str) -> Any:
    actor = api.actor()
    return exams().override(actor, _year(year), api.body(Override))


@api.route("/{year}/overrides/bulk", methods=["POST"])
def bulk_override(year: str) -> dict[str, Any]:
    actor = api.actor()
    return exams().bulk_override(actor, _year(year), api.body(BulkOverride))
