"""Writing a set's files: each unit's learner CSV and XLSX (rows spooled to disk, so a
unit of any size is written in constant memory) and each level's rollup (CSV, XLSX,
JSON), uploaded under the set's prefix. A unit that cannot be rendered is tried again,
then left out, logged, counted and noted for the manifest."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from xuefa.core.clock import end_of_day, iso
from xuefa.reports.membership import Membership
from xuefa.reports.rows import (
    LEARNER_COLUMNS,
    ROLLUP_COLUMNS,
    Rollup,
    WrittenFile,
    ranked,
    replay,
    tee,
    write_csv,
    write_json,
    write_xlsx,
)
from xuefa.reports.sets import ReportSet, UnitFailed
from xuefa.roster.directory import Directory, Unit
from xuefa.store.objects import ReportBucket
from xuefa.years.rules import YearConfig

LOGGER = logging.getLogger(__name__)
UNIT_TRIES = 3  # a unit's files are tried this often in the shard before it is left out


class UnitFiles:
    def __init__(
        self,
        membership: Membership,
        directory: Directory,
        bucket: ReportBucket,
        unit_failed: UnitFailed,
    ):
        self.membership = membership
        self.directory = directory
        self.bucket = bucket
        self.unit_failed = unit_failed

    def shard(
        self,
        config: YearConfig,
        report: ReportSet,
        shard: Unit,
        work: Path,
        files: list[dict[str, Any]],
        failed: list[dict[str, Any]],
    ) -> Rollup:
        """A shard's files: its own unit's, each subtree's below it, and its rollup; the
        shard's total."""
        child_rollups: list[Rollup] = []
        total = Rollup(shard.unit_id, shard.name)
        own = self.unit_files_or_note(config, report, shard, work, files, failed)
        total.merge(own)
        if own.learners:
            child_rollups.append(own)
        for child in self.directory.children(shard.unit_id):
            subtree = self.subtree(config, report, child, work, files, failed)
            total.merge(subtree)
            child_rollups.append(subtree)
        files.extend(self.rollup_files(report, shard, child_rollups, work))
        return total

    def subtree(
        self,
        config: YearConfig,
        report: ReportSet,
        unit: Unit,
        work: Path,
        files: list[dict[str, Any]],
        failed: list[dict[str, Any]],
    ) -> Rollup:
        rollup = self.unit_files_or_note(config, report, unit, work, files, failed)
        total = Rollup(unit.unit_id, unit.name)
        total.merge(rollup)
        for child in self.directory.children(unit.unit_id):
            total.merge(self.subtree(config, report, child, work, files, failed))
        return total

    def unit_files_or_note(
        self,
        config: YearConfig,
        report: ReportSet,
        unit: Unit,
        work: Path,
        files: list[dict[str, Any]],
        failed: list[dict[str, Any]],
    ) -> Rollup:
        """The unit's files, tried UNIT_TRIES times; a unit that still fails is left out
        of the set (and of its bulletin's figures), logged with why, counted, and noted
        for the manifest: its county's set is written all the same."""
        for attempt in range(1, UNIT_TRIES + 1):
            mark = len(files)
            try:
                return self._unit_files(config, report, unit, work, files)
            except Exception as exc:  # anything but the function's own death
                del files[mark:]
                reason = f"{type(exc).__name__}: {exc}"[:500]
                if attempt < UNIT_TRIES:
                    LOGGER.warning(
                        "unit %s's report failed (try %s), trying again: %s",
                        unit.unit_id,
                        attempt,
                        reason,
                    )
                    continue
                LOGGER.exception(
                    "unit %s (%s) left out of the %s set: %s",
                    unit.unit_id,
                    unit.name,
                    report.key,
                    reason,
                )
                self.unit_failed(unit, reason)
                failed.append(
                    {
                        "unit_id": unit.unit_id,
                        "unit_path": unit.path,
                        "name": unit.name,
                        "reason": reason,
                    }
                )
        return Rollup(unit.unit_id, unit.name)

    def _unit_files(
        self,
        config: YearConfig,
        report: ReportSet,
        unit: Unit,
        work: Path,
        files: list[dict[str, Any]],
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
            tee(counted(self.membership.rows(config, report, unit)), spool),
        )
        xlsx_file = write_xlsx(
            work / f"{unit.unit_id}.xlsx",
            LEARNER_COLUMNS,
            replay(spool),
            unit.name,
            end_of_day(report.day),
        )
        title = report.title(unit, "学员学分报表")
        for written, fmt in ((csv_file, "csv"), (xlsx_file, "xlsx")):
            files.append(self._upload(report, unit, "learners", fmt, written, title))
        return rollup

    def rollup_files(
        self, report: ReportSet, unit: Unit, rows: list[Rollup], work: Path
    ) -> list[dict[str, Any]]:
        table = ranked([r.row() for r in rows])
        total = Rollup(unit.unit_id, unit.name)
        for r in rows:
            total.merge(r)
        base = work / f"rollup-{unit.unit_id}"
        title = report.title(unit, "学法考试通报")
        payload = {
            "date": report.day.isoformat(),
            "cutoff": iso(end_of_day(report.day)),
            "unit_id": unit.unit_id,
            "name": unit.name,
            "total": total.row(),
            "rows": table,
        }
        written = [
            (write_csv(base.with_suffix(".csv"), ROLLUP_COLUMNS, table), "csv"),
            (
                write_xlsx(
                    base.with_suffix(".xlsx"),
                    ROLLUP_COLUMNS,
                    table,
                    unit.name,
                    end_of_day(report.day),
                ),
                "xlsx",
            ),
            (write_json(base.with_suffix(".json"), payload, len(table)), "json"),
        ]
        return [self._upload(report, unit, "rollup", fmt, file, title) for file, fmt in written]

    def _upload(
        self, report: ReportSet, unit: Unit, kind: str, fmt: str, written: WrittenFile, title: str
    ) -> dict[str, Any]:
        folder = "units" if kind == "learners" else "rollups"
        key = f"{report.prefix}/{folder}/{unit.unit_id}.{fmt}"
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
