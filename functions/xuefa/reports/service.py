"""The nightly report: every unit's learner credit report, and the bulletins, as of 24:00
of the day that just ended; downloads for admins in scope; the learner's archive.

The job fans out one shard per county or city department (in AWS: an SQS message each),
so no single invocation holds a province. Each shard writes its units' CSV and XLSX and
its rollup, and records itself on the run; the shard that completes the set writes the
city rollup and then `manifest.json`, last, so a set is visible whole or not at all. A
date run again (EventBridge may deliver twice; an admin may ask) rewrites the same keys.

A study year's close is the same run over the same shards, as of the close of its credit
window, with two differences: each row is frozen into the learner's archive as it is
written (with a certificate code for a pass), and the manifest is written once whole, so
the year-end set never changes. Certificates are rendered from the frozen archive only.

One unit that cannot be rendered never holds up the others: it is tried again, then
left out, logged and counted (`UnitReportFailed`), and the manifest names it
(`failed_units`, `whole: false`); a year-end set with one is closed again the next night.

A scheduled run's claim remembers which delivery made it (EventBridge's event id): Lambda
retries a failed invocation with the same event, and that retry takes the run over as
long as its shards were not all sent; another delivery waits for the lease.
"""

from __future__ import annotations

import logging
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from xuefa.core.auth import Actor, in_subtree, require_admin
from xuefa.core.clock import Clock, end_of_day, iso, local_date, parse_iso, study_year_of
from xuefa.core.errors import BadRequest, Conflict, NotFound, XuefaError
from xuefa.reports import views
from xuefa.reports.certificates import (
    canonical_code,
    masked_name,
    render_certificate,
    render_certificates,
    shown_code,
)
from xuefa.reports.files import UnitFiles
from xuefa.reports.membership import Membership
from xuefa.reports.repository import ReportRecords
from xuefa.reports.rows import (
    Rollup,
    write_csv,
    write_xlsx,
)
from xuefa.reports.run_repository import Superseded
from xuefa.reports.sets import (
    Dispatch,
    GradeExpired,
    ReportSet,
    UnitFailed,
    manifest_key,
    year_end_manifest_key,
    year_end_prefix,
)
from xuefa.roster.directory import Directory, Unit
from xuefa.store.objects import ReportBucket
from xuefa.years.repository import YearBook
from xuefa.years.rules import shown_score

LOGGER = logging.getLogger(__name__)
MONTH = r"20[0-9]{2}-(0[1-9]|1[0-2])"  # the months a report can have: 2000-01 to 2099-12
T = TypeVar("T")
LEASE = timedelta(minutes=30)
URL_SECONDS = 15 * 60
UNIT_TRIES = 3  # a unit's files are tried this often in the shard before it is left out


def parse_report_date(
    text: str | None, today: date, not_yet: type[XuefaError] = BadRequest
) -> date:
    """A day that has ended: not today, not the future (`not_yet` says which error: a
    listing answers 404, there is no set; a request to build one answers 400)."""
    if not text:
        return today - timedelta(days=1)
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise BadRequest("dates are YYYY-MM-DD", {"date": text})
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise BadRequest("no such date", {"date": text}) from exc
    if day >= today:
        raise not_yet("a day's report exists only after the day has ended", {"date": text})
    if day.year < 2000:
        raise not_yet("no reports before 2000", {"date": text})
    return day


def report_date_of_event(time: str) -> date:
    """The day a scheduled run reports on: the Shanghai day before the schedule fired
    (taken from the event, never the wall clock, so a late retry reports the same day)."""
    return local_date(parse_iso(time.replace("Z", "+00:00"))) - timedelta(days=1)


@dataclass(frozen=True)
class Site:
    """Whose reports: the top of the unit tree (its 司法局 issues certificates), and the
    address the public opens to check one."""

    root_unit_id: str
    public_url: str = ""


@dataclass(frozen=True)
class Pipeline:
    """How a run goes: from which unit (its children are the shards), how a forgotten
    attempt is graded before it is reported, and where the shards are sent."""

    root_unit_id: str
    grade_expired: GradeExpired
    dispatch: Dispatch | None = None
    unit_failed: UnitFailed | None = None


class ReportJob:
    def __init__(
        self,
        records: ReportRecords,
        years: YearBook,
        directory: Directory,
        bucket: ReportBucket,
        clock: Clock,
        pipeline: Pipeline,
    ):
        self.runs = records.runs
        self.years = years
        self.directory = directory
        self.bucket = bucket
        self.clock = clock
        self.root_unit_id = pipeline.root_unit_id
        self.membership = Membership(records.people, records.archive, clock, pipeline.grade_expired)
        unit_failed = pipeline.unit_failed or (lambda unit, reason: None)
        self.files = UnitFiles(self.membership, directory, bucket, unit_failed)
        # Without a queue (locally, in tests) the shards run here, one after another.
        self.dispatch = pipeline.dispatch or self._run_here

    def _run_here(self, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            self.run_shard(**message)

    # --- the run -------------------------------------------------------------------

    def rerun(self, actor: Actor, day_text: str) -> views.Run:
        """A city administrator builds a day's set again now (a day that has ended)."""
        self.directory.city_admin(actor)
        day = parse_report_date(day_text, local_date(self.clock.now()), Conflict)
        return views.Run.model_validate(self.start(day, force=True))

    def start(self, day: date, force: bool = False, delivery: str | None = None) -> dict[str, Any]:
        """Claim the date's run and send out its shards; a complete run is left alone
        unless forced (an admin's re-run), a running one unless its lease has expired or
        `delivery` (the schedule's event id) made it and died before its shards were
        sent (Lambda's retry of the same event)."""
        if not self.years.exists(study_year_of(day)):
            existing = self.runs.run(day.isoformat())
            if existing and existing["status"] == "complete" and not force:
                return {"date": day.isoformat(), "status": "complete", "duplicate": True}
            return self._no_year(day, self.clock.now())
        return self.begin(ReportSet(day), force, delivery)

    def close_years(self, delivery: str | None = None) -> list[dict[str, Any]]:
        """Close every study year whose credit window has closed and which is not closed
        yet (the first nightly run after the close does it; later ones find it done)."""
        now = self.clock.now()
        started = []
        for config in self.years.configured():
            if not config.closed(now):
                continue
            closing = ReportSet.year_end(config)
            run = self.runs.run(closing.key)
            if run is not None and run["status"] == "complete":
                continue
            try:
                started.append(self.begin(closing, delivery=delivery))
            except Exception:  # one year's trouble does not hold up another's close
                LOGGER.exception("study year %s could not be closed tonight", config.year)
        return started

    def begin(
        self, report: ReportSet, force: bool = False, delivery: str | None = None
    ) -> dict[str, Any]:
        now = self.clock.now()
        answer: dict[str, Any] = {"date": report.day.isoformat()}
        if report.closing_year:
            answer["year"] = report.closing_year
            force = False  # a year is closed once: a finished close is never redone
        existing = self.runs.run(report.key)
        if existing and not force:
            if existing["status"] == "complete":
                return {**answer, "status": "complete", "duplicate": True}
            # The same event again, its shards not all sent: its invocation died, and
            # this is Lambda's retry. Anyone else (a second delivery, another id) waits.
            retry = (
                delivery is not None
                and existing.get("delivery") == delivery
                and not existing.get("dispatched")
            )
            if not retry and int(existing.get("lease_until", 0)) > int(now.timestamp()):
                return {**answer, "status": existing["status"], "duplicate": True}
        shards = [unit.unit_id for unit in self.directory.children(self.root_unit_id)]
        run_id = secrets.token_hex(8)
        claimed = self.runs.claim(
            report.key,
            {
                "run_id": run_id,
                "status": "running",
                "shards": shards,
                "started_at": iso(now),
                "lease_until": int((now + LEASE).timestamp()),
                **({"delivery": delivery} if delivery else {}),
            },
            existing["run_id"] if existing else None,
        )
        if not claimed:  # another request claimed it first
            return {**answer, "status": "running", "duplicate": True}
        if not report.closing_year:
            self.bucket.delete(report.manifest_key)  # the old set is no longer whole
        self.dispatch(
            [{"day": report.key, "shard_id": shard, "run_id": run_id} for shard in shards]
        )
        self.runs.dispatched(report.key, run_id)  # from here on, the shards' own retries
        run = self.runs.run(report.key) or {}
        return {**answer, "status": run.get("status", "running"), "run_id": run_id}

    def _report_set(self, key: str | date) -> ReportSet:
        """A shard message's set: a date, or `year-<y>` (its last day from the year)."""
        if isinstance(key, date):
            return ReportSet(key)
        if key.startswith("year-"):
            return ReportSet.year_end(self.years.get(int(key.removeprefix("year-"))))
        return ReportSet(date.fromisoformat(key))

    def _no_year(self, day: date, now: datetime) -> dict[str, Any]:
        """A day of a study year nobody has configured yet (1 December, before the city
        has set the new year up): an empty set whose manifest says why, and a complete
        run, so the schedule does not fail and retry. An admin's re-run builds the real
        set once the year exists."""
        year = study_year_of(day)
        LOGGER.warning("study year %s is not configured: no report for %s", year, day)
        self.bucket.put_json(
            manifest_key(day),
            {
                "date": day.isoformat(),
                "cutoff": iso(end_of_day(day)),
                "generated_at": iso(now),
                "year": year,
                "year_configured": False,
                "note": f"study year {year} is not configured: nothing to report",
                "files": [],
            },
        )
        self.runs.record(
            day.isoformat(),
            {
                "run_id": "no-year",
                "status": "complete",
                "shards": [],
                "year_configured": False,
                "started_at": iso(now),
                "completed_at": iso(now),
            },
        )
        return {"date": day.isoformat(), "status": "year_not_configured"}

    def run_shard(self, day: str | date, shard_id: str, run_id: str) -> None:
        """One county's (or city department's) part of a set; `day` is the set's key. A
        message of a run that is over, or that a newer one took over, is dropped."""
        report = self._report_set(day)
        if not _shard_wanted(self.runs.run(report.key), shard_id, run_id):
            LOGGER.info(
                "report run %s of %s is over or taken over: %s dropped", run_id, day, shard_id
            )
            return
        config = self.years.get(report.year)
        self.directory.forget()  # tonight's names: a unit renamed today shows its new one
        shard = self.directory.unit(shard_id)
        files: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        with tempfile.TemporaryDirectory(prefix="xuefa-report-") as work:
            total = self.files.shard(config, report, shard, Path(work), files, failed)
        shard_state = {"files": files, "rollup": total.to_state(), "failed_units": failed}
        try:
            self.runs.shard_written(report.key, shard_id, run_id, shard_state)
        except Superseded:
            LOGGER.info("report run %s of %s was taken over meanwhile", run_id, day)
            return
        self._shard_done(report, shard_id, run_id)

    def _shard_done(self, report: ReportSet, shard_id: str, run_id: str) -> None:
        if self.runs.shard_done(report.key, shard_id, run_id):
            self._finalize(report, shard_id, run_id)

    def _finalize(self, report: ReportSet, shard_id: str, run_id: str) -> None:
        # Exactly one shard writes the manifest: the one that moves the run on (again,
        # when its message is delivered again after it died here).
        if not self.runs.take_final(report.key, run_id, shard_id):
            return
        root = self.directory.unit(self.root_unit_id)
        shards = self.runs.shards(report.key, run_id)
        files = [file for shard in shards for file in shard["files"]]
        failed = [unit for shard in shards for unit in shard.get("failed_units", [])]
        rollups = [Rollup.from_state(shard["rollup"]) for shard in shards]
        config = self.years.get(report.year)
        with tempfile.TemporaryDirectory(prefix="xuefa-report-") as work:
            # the staff of the city itself
            own = self.files.unit_files_or_note(config, report, root, Path(work), files, failed)
            if own.learners:
                rollups.append(own)
            files.extend(self.files.rollup_files(report, root, rollups, Path(work)))
        now = self.clock.now()
        manifest: dict[str, Any] = {
            "date": report.day.isoformat(),
            "cutoff": iso(end_of_day(report.day)),
            "generated_at": iso(now),
            "run_id": run_id,
            "whole": not failed,
            "failed_units": failed,
            "files": files,
        }
        if report.closing_year:
            manifest["year"] = report.closing_year
            if not self._year_end_manifest(report, manifest):
                # Not whole: the next night closes the year again; what was frozen stays.
                self.runs.complete(report.key, iso(now), "partial")
                return
        else:
            self.bucket.put_json(report.manifest_key, manifest)
        self.runs.complete(report.key, iso(now))

    def _year_end_manifest(self, report: ReportSet, manifest: dict[str, Any]) -> bool:
        """A year-end manifest is written once whole (a second close after a crash past
        this point keeps the first). One that is not whole shows what there is, until a
        later close replaces it. True once the set is whole."""
        try:
            before = self.bucket.get_json(report.manifest_key)
        except NotFound:
            before = None
        if before is not None and before.get("whole", True):
            return True
        if manifest["whole"] and before is None:
            self.bucket.put_json_once(report.manifest_key, manifest)
        else:
            self.bucket.put_json(report.manifest_key, manifest)
        return bool(manifest["whole"])


def _shard_wanted(run: dict[str, Any] | None, shard_id: str, run_id: str) -> bool:
    """Whether a shard's message still has work: its run is the set's and running, or it
    is the shard that took the final step and died in it. A message delivered again
    after that (SQS delivers at least once) must not rewrite files the manifest names."""
    if run is None or run.get("run_id") != run_id:
        return False
    status = run.get("status")
    return status == "running" or (status == "finalizing" and run.get("final_by") == shard_id)


EXPORT_NAMES = {"behind": "积分落后", "no_exam": "未参加考试", "failing": "暂未合格", None: "全部"}


def export_progress(
    bucket: ReportBucket,
    clock: Clock,
    learners: Iterator[Any],
    fmt: str,
    wanted: str | None,
) -> views.ProgressExport:
    """A reminder list as a file on S3 (under reports/exports/, kept a day) and its link."""
    from xuefa.reports.progress import EXPORT_COLUMNS

    now = clock.now()
    rows = (learner.model_dump() for learner in learners)
    name = f"学法进度-{EXPORT_NAMES.get(wanted, wanted)}-{now:%Y%m%d-%H%M}"
    key = f"reports/exports/{now:%Y-%m-%d}/{secrets.token_hex(8)}/{name}.{fmt}"
    with tempfile.TemporaryDirectory(prefix="xuefa-export-") as work:
        path = Path(work) / f"export.{fmt}"
        if fmt == "csv":
            written = write_csv(path, EXPORT_COLUMNS, rows)
        else:
            written = write_xlsx(path, EXPORT_COLUMNS, rows, "学法进度")
        bucket.upload(key, written.path, f"{name}.{fmt}")
    return views.ProgressExport.model_validate(
        {
            "format": fmt,
            "rows": written.rows,
            "url": bucket.presign(key, URL_SECONDS),
            "expires_at": iso(now + timedelta(seconds=URL_SECONDS)),
        }
    )


class ReportQueries:
    """What admins and learners read: file lists with short-lived links, bulletins, and
    the personal study archive."""

    def __init__(
        self,
        records: ReportRecords,
        years: YearBook,
        directory: Directory,
        bucket: ReportBucket,
        clock: Clock,
        site: Site,
    ):
        self.people = records.people
        self.runs = records.runs
        self.archive_items = records.archive
        self.years = years
        self.directory = directory
        self.bucket = bucket
        self.clock = clock
        self.root_unit_id = site.root_unit_id
        self.public_url = site.public_url.rstrip("/")

    def _manifest(self, day: date) -> dict[str, Any]:
        try:
            return dict(self.bucket.get_json(manifest_key(day)))
        except NotFound as exc:
            raise NotFound(f"the report for {day.isoformat()} is not ready") from exc

    def daily(self, actor: Actor, day_text: str | None, unit_id: str | None) -> views.DailySet:
        require_admin(actor)
        day = parse_report_date(day_text, local_date(self.clock.now()), NotFound)
        unit = self.directory.unit_in_scope(actor, unit_id or actor.unit_id)
        manifest = self._manifest(day)
        return views.DailySet.model_validate(
            {
                "date": manifest["date"],
                "cutoff": manifest["cutoff"],
                "generated_at": manifest["generated_at"],
                "unit_id": unit.unit_id,
                "files": self._links(manifest, unit),
                **({"note": manifest["note"]} if manifest.get("note") else {}),
                **_failures(manifest, unit),
            }
        )

    def dates(self, actor: Actor, month: str) -> views.ReportDates:
        """The days of a month whose report set is complete (one BatchGetItem)."""
        require_admin(actor)
        if not re.fullmatch(MONTH, month):
            raise BadRequest("months are YYYY-MM, from 2000-01", {"month": month})
        first = date.fromisoformat(f"{month}-01")
        days = [first + timedelta(days=i) for i in range(31)]
        days = [d for d in days if d.month == first.month]
        done = sorted(
            day.isoformat()
            for day, run in self.runs.runs(days).items()
            if run.get("status") == "complete" and run.get("year_configured", True)
        )
        return views.ReportDates(month=month, dates=done)

    def bulletin(self, actor: Actor, day_text: str | None, unit_id: str | None) -> views.Bulletin:
        require_admin(actor)
        day = parse_report_date(day_text, local_date(self.clock.now()), NotFound)
        unit = self.directory.unit_in_scope(actor, unit_id or actor.unit_id)
        manifest = self._manifest(day)
        rollups = {
            f["unit_id"]: f
            for f in manifest["files"]
            if f["kind"] == "rollup" and f["format"] == "json"
        }
        if unit.unit_id in rollups:
            payload = self.bucket.get_json(rollups[unit.unit_id]["key"])
            rows = payload["rows"]
        else:  # a unit without its own bulletin: its row in its parent's
            parent = rollups.get(unit.parent_id or "")
            if parent is None:
                raise NotFound(f"no bulletin covers unit {unit.unit_id}")
            rows = [
                r
                for r in self.bucket.get_json(parent["key"])["rows"]
                if r["unit_id"] == unit.unit_id
            ]
        return views.Bulletin.model_validate(
            {
                "date": manifest["date"],
                "cutoff": manifest["cutoff"],
                "unit_id": unit.unit_id,
                "rows": rows,
            }
        )

    def archive(self, actor: Actor, student_no: str | None = None) -> views.Archive:
        """Every study year of the learner (or of one in an admin's scope): a closed year
        as frozen at its close, an open one as the rules score it today."""
        student_no = self.directory.whose(actor, student_no, what="archive", at=self.clock.now())
        frozen = {int(r["year"]): r for r in self.archive_items.every_year(student_no)}
        items = [_frozen_year(record) for record in frozen.values()]
        for result in self.people.every_year(student_no):
            if result.year in frozen:
                continue
            try:
                config = self.years.get(result.year)
            except NotFound:
                continue
            annual = result.standing(config)
            items.append(
                {
                    "year": result.year,
                    "credits": result.credits,
                    "credit_score": float(annual.credit_score),
                    "exam_best": shown_score(result.best),
                    "exam_score": float(annual.exam_score),
                    "total": float(annual.total),
                    "passed": annual.passed,
                }
            )
        return views.Archive.model_validate(
            {
                "student_no": student_no,
                "items": sorted(items, key=lambda i: i["year"], reverse=True),
            }
        )

    # --- a closed year: its set, certificates, verification ---------------------------

    def year_end(self, actor: Actor, year: int, unit_id: str | None) -> views.YearEndSet:
        require_admin(actor)
        unit = self.directory.unit_in_scope(actor, unit_id or actor.unit_id)
        try:
            manifest = dict(self.bucket.get_json(year_end_manifest_key(year)))
        except NotFound as exc:
            raise NotFound(f"study year {year} has not closed yet") from exc
        return views.YearEndSet.model_validate(
            {
                "year": year,
                "cutoff": manifest["cutoff"],
                "closed_at": manifest["generated_at"],
                "unit_id": unit.unit_id,
                "files": self._links(manifest, unit),
                **_failures(manifest, unit),
            }
        )

    def _links(self, manifest: dict[str, Any], unit: Unit) -> list[dict[str, Any]]:
        expires = iso(self.clock.now() + timedelta(seconds=URL_SECONDS))
        return [
            {
                "unit_id": f["unit_id"],
                "kind": f["kind"],
                "format": f["format"],
                "url": self.bucket.presign(f["key"], URL_SECONDS),
                "expires_at": expires,
                "rows": f["rows"],
                "bytes": f["bytes"],
                "sha256": f["sha256"],
            }
            for f in manifest["files"]
            if in_subtree(f["unit_path"], unit.path)
        ]

    def certificate(
        self, actor: Actor, year: int, student_no: str | None = None
    ) -> views.Certificate:
        """The PDF of a passed, closed year (the learner's, or one's in an admin's scope),
        rendered once from the frozen archive."""
        student_no = self.directory.whose(
            actor, student_no, what=f"certificate/{year}", at=self.clock.now()
        )
        record = self.archive_items.record(student_no, year)
        if record is None or not record.get("passed") or not record.get("certificate"):
            raise NotFound(f"no certificate for {year}: the year is open or was not passed")
        code = str(record["certificate"])
        url = self._stored(
            f"{year_end_prefix(year)}/certificates/{student_no}.pdf",
            lambda: render_certificate(record, self._issuer(), self.verify_url(code)),
            f"{year}年度学法考试合格证明-{record['name']}.pdf",
        )
        return views.Certificate(
            year=year,
            student_no=student_no,
            code=shown_code(code),
            url=url,
            expires_at=iso(self.clock.now() + timedelta(seconds=URL_SECONDS)),
        )

    def unit_certificates(self, actor: Actor, unit_id: str, year: int) -> views.CertificateBundle:
        """One PDF of every certificate of the learners the unit had at the close, a page
        each, for its administrator to print."""
        unit = self.directory.unit_in_scope(actor, unit_id)
        passed = [
            (record, self.verify_url(str(record["certificate"])))
            for record in self.archive_items.unit_records(unit.unit_id, year)
            if record.get("certificate")
        ]
        if not passed:
            raise NotFound(f"no certificates of {unit.name} for {year}: open, or none passed")
        url = self._stored(
            f"{year_end_prefix(year)}/certificates/units/{unit.unit_id}.pdf",
            lambda: render_certificates(passed, self._issuer(), unit.name),
            f"{year}年度学法考试合格证明-{unit.name}.pdf",
        )
        return views.CertificateBundle(
            year=year,
            unit_id=unit.unit_id,
            certificates=len(passed),
            url=url,
            expires_at=iso(self.clock.now() + timedelta(seconds=URL_SECONDS)),
        )

    def _issuer(self) -> str:
        return f"{self.directory.unit(self.root_unit_id).name}司法局"

    def _stored(self, key: str, render: Callable[[], bytes], download_name: str) -> str:
        """A link to the PDF, rendered the first time only (the archive never changes, so
        neither does the file; of two first renderings one is kept)."""
        if not self.bucket.exists(key):
            self.bucket.put_once(key, render(), "application/pdf", download_name)
        return self.bucket.presign(key, URL_SECONDS)

    def verify_url(self, code: str) -> str:
        """The learners' app's page that checks a code (through `/reports/verify/…`)."""
        return f"{self.public_url}/verify/{shown_code(code)}"

    def verify(self, typed: str) -> views.Verification:
        """Anyone, no token: what the certificate says, the name masked; 404 otherwise."""
        code = canonical_code(typed)
        record = self.archive_items.certified(code) if code else None
        if record is None or record.get("certificate") != code:
            raise NotFound("no certificate has this code")
        return views.Verification(
            valid=True,
            year=int(record["year"]),
            name=masked_name(str(record["name"])),
            unit_name=str(record["unit"]),
            total=float(record["total"]),
            passed=bool(record["passed"]),
        )


def _failures(manifest: dict[str, Any], unit: Unit) -> dict[str, Any]:
    """The units of `unit`'s subtree that the set left out, if any."""
    failed = [
        {"unit_id": f["unit_id"], "name": f["name"]}
        for f in manifest.get("failed_units", [])
        if in_subtree(f["unit_path"], unit.path)
    ]
    return {"whole": not failed, "failed_units": failed}


def _frozen_year(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "year": int(record["year"]),
        "credits": int(record["credits"]),
        "credit_score": float(record["credit_score"]),
        "exam_best": shown_score(record.get("exam_best")),
        "exam_score": float(record["exam_score"]),
        "total": float(record["total"]),
        "passed": bool(record["passed"]),
        "hours": float(record["hours"]),
        "attempts": int(record["attempts"]),
        "unit_id": str(record["unit_id"]),
        "unit_name": str(record["unit"]),
        "frozen": True,
        "closed_at": str(record["closed_at"]),
        "certificate": bool(record.get("certificate")),
    }
