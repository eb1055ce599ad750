"""Roster: units, learners, student numbers, transfers and accounts."""

from __future__ import annotations

import json
import os

from chalice import Chalice, Cron
from chalice.app import CloudWatchEvent, SQSEvent
from pydantic import BaseModel, Field

from xuefa.bootstrap import services
from xuefa.core.auth import Actor
from xuefa.roster import views
from xuefa.roster.privacy import AccessPage, MyData
from xuefa.roster.service import (
    NewLearner,
    NewUnit,
    Roster,
    Status,
    StatusChange,
    Transfer,
    UnitName,
)
from xuefa.years.rules import YearConfig
from xuefa.years.service import StudyYears, YearList
from xuefa_api import Accepted, Api, Cursor, parse_year

app = Chalice(app_name="xuefa-roster")
api = Api(app, "roster")
# A large import's chunks: sent by the request, consumed below (infra/parts/pipeline.py).
IMPORT_QUEUE_NAME = os.environ.get("XUEFA_IMPORT_QUEUE_NAME", "xuefa-roster-imports")


def roster() -> Roster:
    """The service, built once per warm container by the composition root."""
    return services().roster


class Empty(BaseModel):
    pass


class LearnerQuery(BaseModel):
    status: Status | None = None
    limit: int = Field(50, ge=1, le=200)
    cursor: Cursor = None


class AccessQuery(BaseModel):
    limit: int = Field(50, ge=1, le=200)
    cursor: Cursor = None


class ImportQuery(BaseModel):
    partial: bool = False


def study_years() -> StudyYears:
    return services().study_years


@api.route("/years", ["GET"], response="YearList")
def years(actor: Actor) -> YearList:
    """Every configured study year: windows, whether provisional, whether closed."""
    return study_years().list()


@api.route("/years/{year}", ["GET"], response="YearConfig")
def year_rules(actor: Actor, year: str) -> YearConfig:
    """A study year's rules, as every client shows them."""
    return study_years().rules(parse_year(year))


@api.route("/years/{year}", ["PUT"], body=YearConfig, response="YearConfig")
def put_year(actor: Actor, body: YearConfig, year: str) -> YearConfig:
    """Create or edit a study year's rules (city administrators): validated as a whole,
    never changing what already happened (409 with what), audited; confirms a
    provisional year."""
    return study_years().put(actor, parse_year(year), body)


@api.route("/me", ["GET"], response="Me")
def me(actor: Actor) -> views.Me:
    """Who is signed in: student number (or login), name, unit, groups."""
    return roster().me(actor)


@api.route("/me/access", ["GET"], query=AccessQuery, response="AccessPage")
def my_access(actor: Actor, query: AccessQuery) -> AccessPage:
    """Who looked at the learner's records (an administrator's view of their profile,
    credits, ledger, attempts, archive or certificate): who, from which unit, when and
    what; newest first, in pages (PIPL, #29.4)."""
    return services().privacy.access(actor, query.limit, query.cursor)


@api.route("/me/data", ["GET"], response="MyData")
def my_data(actor: Actor) -> MyData:
    """All that xuefa holds on the learner, as one JSON document to download: profile,
    account, year results, study sessions, ledger, attempts with answers, practice,
    archive, certificates and who looked (PIPL, #29.4)."""
    return services().privacy.download(actor)


# 01:30 Shanghai (17:30 UTC), after the nightly report: the learners who left more than
# the retention ago (XUEFA_LEAVER_RETENTION_DAYS) are deleted (#29.4).
@app.schedule(Cron(30, 17, "*", "*", "?", "*"), name="roster-retention")
def retention(event: CloudWatchEvent) -> dict[str, object]:
    """The leavers' records, kept as long as the settings say, then deleted."""
    done = services().privacy.forget_leavers()
    api.log.info(
        "leavers forgotten",
        extra={"forgotten": len(done.forgotten), "returned": len(done.returned)},
    )
    return done.model_dump()


@api.route("/units/{unit_id}", ["GET"], response="UnitView")
def unit(actor: Actor, unit_id: str) -> views.UnitView:
    """A unit with its children and learner count (administrators in scope)."""
    return roster().unit(actor, unit_id)


@api.route("/units", ["POST"], body=NewUnit, status=201, response="UnitView")
def create_unit(actor: Actor, body: NewUnit) -> views.UnitView:
    """A new unit under one in scope: a name of 1 to 60 characters without control
    characters; at most 8 levels from the city (400 deeper)."""
    return roster().create_unit(actor, body)


@api.route("/units/{unit_id}", ["PATCH"], body=UnitName, response="UnitView")
def rename_unit(actor: Actor, body: UnitName, unit_id: str) -> views.UnitView:
    """Rename a unit in scope (audited); the reports show the new name from the next
    night."""
    return roster().rename_unit(actor, unit_id, body)


@api.route("/units/{unit_id}/learners", ["GET"], query=LearnerQuery, response="LearnerPage")
def learners(actor: Actor, query: LearnerQuery, unit_id: str) -> views.LearnerPage:
    """A unit's learners in pages, optionally by status."""
    return roster().learners(actor, unit_id, query.status, query.limit, query.cursor)


@api.route("/learners", ["POST"], body=NewLearner, status=201, response="NewAccount")
def create_learner(actor: Actor, body: NewLearner) -> views.NewAccount:
    """A new learner: a student number, an account, a temporary password."""
    learner = roster().create_learner(actor, body)
    api.count("LearnersCreated")
    return learner


@api.route(
    "/learners/import",
    ["POST"],
    query=ImportQuery,
    raw_body=["text/csv", "text/plain", "application/octet-stream"],
    response="ImportResult",
    accepted="ImportAccepted",
)
def import_learners(actor: Actor, query: ImportQuery, body: bytes) -> views.ImportResult | Accepted:
    """Register learners from a CSV file (name,unit_id,phone; UTF-8, with or without BOM).
    The whole file is checked first (nothing is written if a row is invalid, unless
    `partial`). Up to 50 new learners: registered now (200). More: 202 with the job that
    registers them and where to follow it (`GET /imports/{import_id}`)."""
    result = roster().import_csv(actor, body, query.partial)
    if isinstance(result, views.ImportAccepted):
        return Accepted(result)
    api.count("LearnersCreated", len(result.created))
    return result


@api.route("/imports/{import_id}", ["GET"], response="ImportJob")
def import_job(actor: Actor, import_id: str) -> views.ImportJob:
    """A large import's progress and result: the created learners with their temporary
    passwords, duplicates and errors by line (the importing administrator only; kept
    seven days)."""
    jobs = roster().jobs
    assert jobs is not None
    return jobs.view(actor, import_id)


# Two chunks at a time: each makes ~3 account calls a learner, and Cognito allows an
# account ~50 user creations a second (a throttled chunk is delivered again).
@app.on_sqs_message(
    queue=IMPORT_QUEUE_NAME, batch_size=1, name="roster-import", maximum_concurrency=2
)
def import_chunk(event: SQSEvent) -> None:
    """The worker: one chunk of an import job per message; SQS delivers it again after a
    failure, and on the last delivery a chunk still failing is given up by line."""
    from xuefa.roster.imports import MAX_TRIES

    jobs = roster().jobs
    assert jobs is not None
    for record in event:
        tries = int(record.to_dict().get("attributes", {}).get("ApproximateReceiveCount", 1))
        jobs.work(json.loads(record.body), last_try=tries >= MAX_TRIES)


@api.route("/learners/{student_no}", ["GET"], response="Learner")
def learner(actor: Actor, student_no: str) -> views.Learner:
    """A learner's profile and history (themselves, or administrators in scope)."""
    return roster().learner(actor, student_no)


@api.route("/learners/{student_no}/status", ["POST"], body=StatusChange, response="Learner")
def change_status(actor: Actor, body: StatusChange, student_no: str) -> views.Learner:
    """Active, resigned or retired; only active learners can sign in."""
    return roster().change_status(actor, student_no, body)


@api.route("/learners/{student_no}/transfer", ["POST"], body=Transfer, response="Learner")
def transfer(actor: Actor, body: Transfer, student_no: str) -> views.Learner:
    """Move a learner to another unit; everything they earned stays with them."""
    return roster().transfer(actor, student_no, body)


@api.route("/learners/{student_no}/password-reset", ["POST"], body=Empty, response="PasswordReset")
def password_reset(actor: Actor, body: Empty, student_no: str) -> views.PasswordReset:
    """A new temporary password; the learner must change it at the next sign-in."""
    return roster().reset_password(actor, student_no)
