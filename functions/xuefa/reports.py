"""The nightly report: every unit's learner credit report, and the bulletins, as of 24:00
of the day that just ended; downloads for admins in scope; the learner's archive.

The job fans out one shard per county or city department (in AWS: an SQS message each),
so no single invocation holds a province. Each shard writes its units' CSV and XLSX and
its rollup, and records itself on the run; the shard that completes the set writes the
city rollup and then `manifest.json`, last, so a set is visible whole or not at all. A
date run again (EventBridge may deliver twice; an admin may ask) rewrites the same keys.
"""

from __future__ import annotations

import heapq
import logging
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from xuefa import report_views as views
from xuefa.auth import Actor, in_subtree, require_admin, require_learner
from xuefa.clock import Clock, end_of_day, iso, local_date, parse_iso
from xuefa.dal.people import PAGE, DynamoPeople
from xuefa.dal.report_runs import DynamoReportRuns
from xuefa.dal.table import Store
from xuefa.dal.years import YearBook
from xuefa.directory import Directory, Unit
from xuefa.errors import BadRequest, Conflict, NotFound, XuefaError
from xuefa.objects import ReportBucket
from xuefa.reporting import (
    LEARNER_COLUMNS,
    ROLLUP_COLUMNS,
    Rollup,
    WrittenFile,
    learner_row,
    membership_at,
    replay,
    tee,
    write_csv,
    write_json,
    write_xlsx,
)
from xuefa.rules import YearConfig, shown_score, study_year_of

LOGGER = logging.getLogger(__name__)
MONTH = r"20[0-9]{2}-(0[1-9]|1[0-2])"  # the months a report can have: 2000-01 to 2099-12
T = TypeVar("T")
LEASE = timedelta(minutes=30)
URL_SECONDS = 15 * 60

GradeExpired = Callable[[str, int, int], object]  # student_no, year, attempt_no
Dispatch = Callable[[list[dict[str, Any]]], None]


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


def prefix(day: date) -> str:
    return f"reports/daily/{day.isoformat()}"


def manifest_key(day: date) -> str:
    return f"{prefix(day)}/manifest.json"


@dataclass(frozen=True)
class Pipeline:
    """How a run goes: from which unit (its children are the shards), how a forgotten
    attempt is graded before it is reported, and where the shards are sent."""

    root_unit_id: str
    grade_expired: GradeExpired
    dispatch: Dispatch | None = None


class ReportJob:
    def __init__(
        self,
        store: Store,
        years: YearBook,
        directory: Directory,
        bucket: ReportBucket,
        clock: Clock,
        pipeline: Pipeline,
    ):
        self.people = DynamoPeople(store)
        self.runs = DynamoReportRuns(store)
        self.years = years
        self.directory = directory
        self.bucket = bucket
        self.clock = clock
        self.root_unit_id = pipeline.root_unit_id
        self.grade_expired = pipeline.grade_expired
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

    def start(self, day: date, force: bool = False) -> dict[str, Any]:
        """Claim the date's run and send out its shards; a complete run is left alone
        unless forced (an admin's re-run), a running one unless its lease has expired."""
        now = self.clock.now()
        existing = self.runs.run(day)
        if existing and not force:
            if existing["status"] == "complete":
                return {"date": day.isoformat(), "status": "complete", "duplicate": True}
            if int(existing.get("lease_until", 0)) > int(now.timestamp()):
                return {"date": day.isoformat(), "status": existing["status"], "duplicate": True}
        if not self.years.exists(study_year_of(day)):
            return self._no_year(day, now)
        shards = [unit.unit_id for unit in self.directory.children(self.root_unit_id)]
        run_id = secrets.token_hex(8)
        claimed = self.runs.claim(
            day,
            {
                "run_id": run_id,
                "status": "running",
                "shards": shards,
                "started_at": iso(now),
                "lease_until": int((now + LEASE).timestamp()),
            },
            existing["run_id"] if existing else None,
        )
        if not claimed:  # another request claimed it first
            return {"date": day.isoformat(), "status": "running", "duplicate": True}
        self.bucket.delete(manifest_key(day))  # the old set is no longer whole
        self.dispatch(
            [{"day": day.isoformat(), "shard_id": shard, "run_id": run_id} for shard in shards]
        )
        run = self.runs.run(day) or {}
        return {"date": day.isoformat(), "status": run.get("status", "running"), "run_id": run_id}

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
            day,
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
        day = date.fromisoformat(day) if isinstance(day, str) else day
        config = self.years.get(study_year_of(day))
        shard = self.directory.unit(shard_id)
        files: list[dict[str, Any]] = []
        with tempfile.TemporaryDirectory(prefix="xuefa-report-") as work:
            child_rollups: list[Rollup] = []
            total = Rollup(shard.unit_id, shard.name)
            own = self._unit_files(config, day, shard, Path(work), files)
            total.merge(own)
            if own.learners:
                child_rollups.append(own)
            for child in self.directory.children(shard.unit_id):
                subtree = self._subtree(config, day, child, Path(work), files)
                total.merge(subtree)
                child_rollups.append(subtree)
            files.extend(self._rollup_files(day, shard, child_rollups, Path(work)))
        self.runs.shard_written(day, shard_id, run_id, {"files": files, "rollup": total.to_state()})
        self._shard_done(day, shard_id, run_id)

    def _subtree(
        self, config: YearConfig, day: date, unit: Unit, work: Path, files: list[dict[str, Any]]
    ) -> Rollup:
        rollup = self._unit_files(config, day, unit, work, files)
        total = Rollup(unit.unit_id, unit.name)
        total.merge(rollup)
        for child in self.directory.children(unit.unit_id):
            total.merge(self._subtree(config, day, child, work, files))
        return total

    def _members(self, unit: Unit, day: date) -> Iterator[tuple[dict[str, Any], str]]:
        """The unit's learners at 24:00 of `day`, with their status then, by student
        number: those in it now who had joined by then, and those who left it since (a
        transfer leaves a dated marker in the old unit). Registered later: absent. The
        order does not depend on what happened after the cut-off."""
        cutoff = end_of_day(day)
        left = sorted(
            {
                str(item["student_no"])
                for item in self.people.departures(unit.unit_id)
                if parse_iso(str(item["at"])) >= cutoff
            }
        )
        gone = [
            p
            for p in self.people.profiles(left)
            if p.get("unit_id") != unit.unit_id  # back in the unit: listed with the others
        ]
        for profile in heapq.merge(
            self.people.unit_profiles(unit.unit_id),
            sorted(gone, key=_student_no),
            key=_student_no,
        ):
            unit_then, status = membership_at(profile, cutoff)
            if unit_then == unit.unit_id:
                yield profile, status

    def _rows(self, config: YearConfig, day: date, unit: Unit) -> Iterator[dict[str, Any]]:
        """The unit's learners as of 24:00 of `day`, their year results read 100 at a time."""
        year = config.year
        now = int(self.clock.now().timestamp())
        for members in batched(self._members(unit, day), PAGE):
            results = self.people.year_results([str(p["student_no"]) for p, _ in members], year)
            for profile, status in members:
                result = results.get(profile["student_no"])
                if result and "open_attempt" in result and int(result["open_hard_close"]) <= now:
                    # Past its deadline: graded first, so that it counts on its day.
                    self.grade_expired(profile["student_no"], year, int(result["open_attempt"]))
                    result = self.people.year_result(profile["student_no"], year)
                yield learner_row(config, profile, unit.name, result, day, status)

    def _unit_files(
        self, config: YearConfig, day: date, unit: Unit, work: Path, files: list[dict[str, Any]]
    ) -> Rollup:
        rollup = Rollup(unit.unit_id, unit.name)

        def counted(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            for row in rows:
                rollup.add(row)
                yield row

        spool = work / f"{unit.unit_id}.jsonl"
        csv_file = write_csv(
            work / f"{unit.unit_id}.csv",
            LEARNER_COLUMNS,
            tee(counted(self._rows(config, day, unit)), spool),
        )
        xlsx_file = write_xlsx(
            work / f"{unit.unit_id}.xlsx", LEARNER_COLUMNS, replay(spool), unit.name
        )
        title = f"{unit.name}学员学分报表{day.isoformat()}"
        for written, fmt in ((csv_file, "csv"), (xlsx_file, "xlsx")):
            files.append(self._upload(day, unit, "learners", fmt, written, title))
        return rollup

    def _rollup_files(
        self, day: date, unit: Unit, rows: list[Rollup], work: Path
    ) -> list[dict[str, Any]]:
        table = [r.row() for r in rows]
        total = Rollup(unit.unit_id, unit.name)
        for r in rows:
            total.merge(r)
        base = work / f"rollup-{unit.unit_id}"
        title = f"{unit.name}学法考试通报{day.isoformat()}"
        payload = {
            "date": day.isoformat(),
            "cutoff": iso(end_of_day(day)),
            "unit_id": unit.unit_id,
            "name": unit.name,
            "total": total.row(),
            "rows": table,
        }
        written = [
            (write_csv(base.with_suffix(".csv"), ROLLUP_COLUMNS, table), "csv"),
            (write_xlsx(base.with_suffix(".xlsx"), ROLLUP_COLUMNS, table, unit.name), "xlsx"),
            (write_json(base.with_suffix(".json"), payload, len(table)), "json"),
        ]
        return [self._upload(day, unit, "rollup", fmt, file, title) for file, fmt in written]

    def _upload(
        self, day: date, unit: Unit, kind: str, fmt: str, written: WrittenFile, title: str
    ) -> dict[str, Any]:
        folder = "units" if kind == "learners" else "rollups"
        key = f"{prefix(day)}/{folder}/{unit.unit_id}.{fmt}"
        self.bucket.upload(key, written.path, f"{title}.{fmt}")
        return {
            "key": key,
            "unit_id": unit.unit_id,
            "unit_path": unit.path,
            "kind": kind,
            "format": fmt,
            "rows": written.rows,
            "bytes": written.bytes,
            "sha256": written.sha256,
        }

    def _shard_done(self, day: date, shard_id: str, run_id: str) -> None:
        if self.runs.shard_done(day, shard_id, run_id):
            self._finalize(day, run_id)

    def _finalize(self, day: date, run_id: str) -> None:
        if not self.runs.take_final(day, run_id):  # exactly one shard writes the manifest
            return
        root = self.directory.unit(self.root_unit_id)
        shards = self.runs.shards(day, run_id)
        files = [file for shard in shards for file in shard["files"]]
        rollups = [Rollup.from_state(shard["rollup"]) for shard in shards]
        config = self.years.get(study_year_of(day))
        with tempfile.TemporaryDirectory(prefix="xuefa-report-") as work:
            own = self._unit_files(config, day, root, Path(work), files)  # staff of the city itself
            if own.learners:
                rollups.append(own)
            files.extend(self._rollup_files(day, root, rollups, Path(work)))
        now = self.clock.now()
        self.bucket.put_json(
            manifest_key(day),
            {
                "date": day.isoformat(),
                "cutoff": iso(end_of_day(day)),
                "generated_at": iso(now),
                "run_id": run_id,
                "files": files,
            },
        )
        self.runs.complete(day, iso(now))


def batched(items: Iterator[T], size: int) -> Iterator[list[T]]:
    """Lists of `size` (the last shorter) from a stream (itertools.batched is 3.12)."""
    while chunk := list(islice(items, size)):
        yield chunk


def _student_no(profile: dict[str, Any]) -> str:
    return str(profile["student_no"])


EXPORT_NAMES = {"behind": "积分落后", "no_exam": "未参加考试", "failing": "暂未合格", None: "全部"}


def export_progress(
    bucket: ReportBucket,
    clock: Clock,
    learners: Iterator[Any],
    fmt: str,
    wanted: str | None,
) -> views.ProgressExport:
    """A reminder list as a file on S3 (under reports/exports/, kept a day) and its link."""
    from xuefa.progress import EXPORT_COLUMNS

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
        store: Store,
        years: YearBook,
        directory: Directory,
        bucket: ReportBucket,
        clock: Clock,
    ):
        self.people = DynamoPeople(store)
        self.runs = DynamoReportRuns(store)
        self.years = years
        self.directory = directory
        self.bucket = bucket
        self.clock = clock

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
        expires = iso(self.clock.now() + timedelta(seconds=URL_SECONDS))
        files = [
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
        return views.DailySet.model_validate(
            {
                "date": manifest["date"],
                "cutoff": manifest["cutoff"],
                "generated_at": manifest["generated_at"],
                "unit_id": unit.unit_id,
                "files": files,
                **({"note": manifest["note"]} if manifest.get("note") else {}),
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

    def my_archive(self, actor: Actor) -> views.Archive:
        require_learner(actor)
        return self.archive(actor.username)

    def learner_archive(self, actor: Actor, student_no: str) -> views.Archive:
        self.directory.learner_in_scope(actor, student_no)
        return self.archive(student_no)

    def archive(self, student_no: str) -> views.Archive:
        """Every study year of the learner, as the rules score it today."""
        items = []
        for result in self.people.every_year(student_no):
            try:
                config = self.years.get(int(result["year"]))
            except NotFound:
                continue
            credits = int(result.get("credits", 0))
            best = result.get("best_score")
            annual = config.annual(credits, best)
            items.append(
                {
                    "year": int(result["year"]),
                    "credits": credits,
                    "credit_score": float(annual.credit_score),
                    "exam_best": shown_score(best),
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
