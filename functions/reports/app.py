"""Reports: the nightly unit score reports on S3, bulletins, downloads and archives."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import date
from typing import Any, Literal

from chalice import Chalice, Cron
from chalice.app import CloudWatchEvent, SQSEvent
from pydantic import BaseModel, Field

from xuefa.bootstrap import services
from xuefa.core.auth import Actor
from xuefa.core.clock import local_date, study_year_of
from xuefa.reports import views
from xuefa.reports.progress import Filter, Progress, ProgressPage, ProgressSummary
from xuefa.reports.service import (
    MONTH,
    ReportJob,
    ReportQueries,
    export_progress,
    report_date_of_event,
)
from xuefa.reports.topics import UnitTopics
from xuefa.years.rollover import roll_over
from xuefa_api import Api, Cursor, parse_year

app = Chalice(app_name="xuefa-reports")
api = Api(app, "reports")
QUEUE_NAME = os.environ.get("XUEFA_REPORT_QUEUE_NAME", "xuefa-report-shards")


def job() -> ReportJob:
    """The nightly job, built once per warm container by the composition root."""
    return services().report_job


def _flush_metrics() -> None:
    """Outside HTTP no middleware flushes what the job counted (a unit left out)."""
    if api.metrics.metric_set:
        api.metrics.flush_metrics()


def queries() -> ReportQueries:
    return services().report_queries


# 01:00 Asia/Shanghai is 17:00 UTC the day before.
@app.schedule(Cron(0, 17, "*", "*", "?", "*"), name="nightly-report")
def nightly(event: CloudWatchEvent) -> dict[str, Any]:
    """Each night: the next study year made ready in the closing one's last month (so
    that 1 December has a year), a year whose credit window has closed closed (frozen
    into the archive, its year-end set written once), then yesterday's report set."""
    s = services()
    # Lambda retries a failed invocation with the same event: its id lets the retry take
    # over the run this one claimed.
    delivery = event.event_id or None
    try:
        return _nightly(s, report_date_of_event(event.to_dict()["time"]), delivery)
    finally:
        _flush_metrics()


def _nightly(s: Any, day: date, delivery: str | None) -> dict[str, Any]:
    try:
        ready = roll_over(s.years, s.clock.now())
    except Exception:  # the report does not wait for it: the next night tries again
        api.log.exception("the next study year could not be prepared")
    else:
        if ready is not None and (ready.created or ready.copied):
            api.log.info("next study year prepared", extra={"rolled_over": asdict(ready)})
    try:
        closing = job().close_years(delivery)
    except Exception:  # nor on a close: the next night carries on where it stopped
        api.log.exception("a closed study year could not be archived")
    else:
        if closing:
            api.log.info("study years closing", extra={"runs": closing})
    return job().start(day, delivery=delivery)


@app.on_sqs_message(queue=QUEUE_NAME, batch_size=1, name="report-shard")
def shard(event: SQSEvent) -> None:
    try:
        for record in event:
            message = json.loads(record.body)
            if "analysis" in message:  # a shard of the item analysis (#28.1)
                services().item_analysis.run_shard(**message["analysis"])
            elif "corrections" in message:  # a shard of a regrade (#28.2)
                services().corrections.run_shard(**message["corrections"])
            else:
                job().run_shard(**message)
    finally:
        _flush_metrics()


DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


class DailyQuery(BaseModel):
    date: str | None = Field(
        None,
        max_length=10,
        pattern=DATE,
        json_schema_extra={"format": "date"},
        description="YYYY-MM-DD; default: yesterday; a day without a set is a 404",
    )
    unit_id: str | None = Field(None, max_length=64, description="default: the caller's unit")


class UnitQuery(BaseModel):
    unit_id: str | None = Field(None, max_length=64, description="default: the caller's unit")


class BulletinQuery(DailyQuery):
    year: int | None = Field(None, ge=2000, le=2100)


class RunRequest(BaseModel):
    date: str = Field(
        max_length=10,
        pattern=r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$",
        json_schema_extra={"format": "date"},
        description="a day that has ended, from 2000 (today or later is a 409: not yet)",
    )


class ProgressQuery(BaseModel):
    unit_id: str | None = Field(None, max_length=64, description="default: the caller's unit")
    year: int | None = Field(None, ge=2000, le=2100, description="default: the current year")


class ProgressListQuery(ProgressQuery):
    filter: Filter | None = Field(None, description="behind, no_exam or failing; all if absent")
    limit: int = Field(50, ge=1, le=200)
    cursor: Cursor = None


class ProgressExportQuery(ProgressQuery):
    filter: Filter | None = None
    format: Literal["csv", "xlsx"] = "xlsx"


def progress() -> Progress:
    return services().progress


def _year(year: int | None) -> int:
    return year or study_year_of(local_date(services().clock.now()))


@api.route("/daily", ["GET"], query=DailyQuery, response="DailySet")
def daily(actor: Actor, query: DailyQuery) -> views.DailySet:
    """A date's report files in the caller's subtree, with links valid for 15 minutes."""
    return queries().daily(actor, query.date, query.unit_id)


class DatesQuery(BaseModel):
    month: str = Field(max_length=7, pattern=f"^{MONTH}$", description="YYYY-MM")


@api.route("/dates", ["GET"], query=DatesQuery, response="ReportDates")
def dates(actor: Actor, query: DatesQuery) -> views.ReportDates:
    """The days of a month that have a complete report set (for a calendar)."""
    return queries().dates(actor, query.month)


@api.route("/bulletin", ["GET"], query=BulletinQuery, response="Bulletin")
def bulletin(actor: Actor, query: BulletinQuery) -> views.Bulletin:
    """Participation and pass figures per child unit, as of the date's midnight."""
    return queries().bulletin(actor, query.date, query.unit_id)


@api.route("/me/archive", ["GET"], response="Archive")
def my_archive(actor: Actor) -> views.Archive:
    """The learner's study archive (个人学法档案), year by year."""
    return queries().archive(actor)


@api.route("/learners/{student_no}/archive", ["GET"], response="Archive")
def learner_archive(actor: Actor, student_no: str) -> views.Archive:
    """A learner's archive, for administrators in scope."""
    return queries().archive(actor, student_no)


@api.route("/progress/summary", ["GET"], query=ProgressQuery, response="ProgressSummary")
def progress_summary(actor: Actor, query: ProgressQuery) -> ProgressSummary:
    """Live, per child unit: learners, on pace with the credit target, behind, sat the
    exam, passing now."""
    return progress().summary(actor, query.unit_id, _year(query.year))


@api.route("/progress", ["GET"], query=ProgressListQuery, response="ProgressPage")
def progress_list(actor: Actor, query: ProgressListQuery) -> ProgressPage:
    """Live, the learners of a subtree who are behind, have not sat the exam or would fail
    now, with the figures that put them there; paged."""
    return progress().page(
        actor, query.unit_id, _year(query.year), query.filter, query.limit, query.cursor
    )


@api.route("/topics", ["GET"], query=ProgressQuery, response="UnitTopics")
def unit_topics(actor: Actor, query: ProgressQuery) -> UnitTopics:
    """Live, for a unit's subtree: per topic, the learners who practised it, their answers
    and the share right (#27), weakest first; aggregates only, hidden under a few learners."""
    return services().practice_standing.of_unit(actor, query.unit_id, _year(query.year))


@api.route("/progress/export", ["GET"], query=ProgressExportQuery, response="ProgressExport")
def progress_export(actor: Actor, query: ProgressExportQuery) -> views.ProgressExport:
    """The same list as a file (CSV or XLSX), through a link valid for 15 minutes."""
    s = services()
    learners = progress().all(actor, query.unit_id, _year(query.year), query.filter)
    return export_progress(s.bucket, s.clock, learners, query.format, query.filter)


@api.route("/runs", ["POST"], body=RunRequest, status=202, response="Run")
def run(actor: Actor, body: RunRequest) -> views.Run:
    """Build a date's report set now (city administrators); idempotent."""
    return job().rerun(actor, body.date)


@api.route("/years/{year}", ["GET"], query=UnitQuery, response="YearEndSet")
def year_end(actor: Actor, year: str, query: UnitQuery) -> views.YearEndSet:
    """A closed year's set (each unit's learners, each county's and the city's bulletin,
    as frozen at the close) for the caller's subtree; 404 before the close."""
    return queries().year_end(actor, parse_year(year), query.unit_id)


@api.route("/me/certificates/{year}", ["GET"], response="Certificate")
def my_certificate(actor: Actor, year: str) -> views.Certificate:
    """The learner's certificate of a passed, closed year (a PDF link and its code)."""
    return queries().certificate(actor, parse_year(year))


@api.route("/learners/{student_no}/certificates/{year}", ["GET"], response="Certificate")
def learner_certificate(actor: Actor, student_no: str, year: str) -> views.Certificate:
    """A learner's certificate, for an admin in scope."""
    return queries().certificate(actor, parse_year(year), student_no)


@api.route("/units/{unit_id}/certificates/{year}", ["GET"], response="CertificateBundle")
def unit_certificates(actor: Actor, unit_id: str, year: str) -> views.CertificateBundle:
    """Every certificate of a unit's learners for a closed year, one PDF (a page each),
    for an admin in scope; 404 when none passed or the year is open."""
    return queries().unit_certificates(actor, unit_id, parse_year(year))


@api.route("/verify/{code}", ["GET"], public=True, response="Verification")
def verify(code: str) -> views.Verification:
    """Anyone, without a token: whether a certificate's code is real, and what it
    certifies (the name masked); 404 for a code nobody was given."""
    return queries().verify(code)
