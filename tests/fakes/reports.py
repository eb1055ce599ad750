"""The reports' repositories in memory: a unit's people with their year results (stored
as the table holds them, read through the same record the DynamoDB class makes), the
departure markers a transfer leaves, and the frozen archive."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from xuefa.core.errors import Conflict
from xuefa.years.result_repository import year_result_of
from xuefa.years.results import YearResult


class FakePeople:
    def __init__(self) -> None:
        self.profiles_by_no: dict[str, dict[str, Any]] = {}
        self.results: dict[tuple[str, int], dict[str, Any]] = {}  # as stored
        self.left: dict[str, list[dict[str, Any]]] = {}  # unit → departure markers

    def profiles(self, student_nos: Sequence[str]) -> list[dict[str, Any]]:
        return [
            copy.deepcopy(self.profiles_by_no[n]) for n in student_nos if n in self.profiles_by_no
        ]

    def unit_profiles(self, unit_id: str) -> Iterator[dict[str, Any]]:
        for no in sorted(self.profiles_by_no):
            if self.profiles_by_no[no]["unit_id"] == unit_id:
                yield copy.deepcopy(self.profiles_by_no[no])

    def departures(self, unit_id: str) -> Iterator[dict[str, Any]]:
        return iter(list(self.left.get(unit_id, [])))

    def year_results(self, student_nos: Sequence[str], year: int) -> dict[str, YearResult]:
        return {
            no: year_result_of(self.results[(no, year)], no, year)
            for no in student_nos
            if (no, year) in self.results
        }

    def year_result(self, student_no: str, year: int) -> YearResult:
        return year_result_of(self.results.get((student_no, year)), student_no, year)

    def every_year(self, student_no: str) -> Iterator[YearResult]:
        for (no, year), item in sorted(self.results.items()):
            if no == student_no:
                yield year_result_of(item, no, year)


class FakeArchive:
    def __init__(self) -> None:
        self.records: dict[tuple[str, int], dict[str, Any]] = {}

    def freeze(self, record: dict[str, Any], code: str | None) -> dict[str, Any]:
        """Written once: a second freeze of the same year answers the first."""
        key = (str(record["student_no"]), int(record["year"]))
        if key not in self.records:
            self.records[key] = {**record, **({"certificate": code} if code else {})}
        return dict(self.records[key])

    def record(self, student_no: str, year: int) -> dict[str, Any] | None:
        found = self.records.get((student_no, year))
        return dict(found) if found else None

    def every_year(self, student_no: str) -> list[dict[str, Any]]:
        return [dict(r) for (no, _), r in sorted(self.records.items()) if no == student_no]

    def unit_records(self, unit_id: str, year: int) -> Iterator[dict[str, Any]]:
        for (_, y), record in sorted(self.records.items()):
            if y == year and record.get("unit_id") == unit_id:
                yield dict(record)

    def certified(self, code: str) -> dict[str, Any] | None:
        found = [r for r in self.records.values() if r.get("certificate") == code]
        if len(found) > 1:
            raise Conflict("a certificate code was issued twice")
        return dict(found[0]) if found else None


class FakeRuns:
    """Runs as plain records; the job's claims are not exercised through it yet."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def run(self, key: str) -> dict[str, Any] | None:
        return dict(self.items[key]) if key in self.items else None

    def runs(self, days: Sequence[date]) -> dict[date, dict[str, Any]]:
        return {
            day: dict(self.items[day.isoformat()]) for day in days if day.isoformat() in self.items
        }

    def claim(self, key: str, run: dict[str, Any], previous: str | None) -> bool:
        if self.items.get(key, {}).get("run_id") != previous:
            return False
        self.items[key] = dict(run)
        return True

    def record(self, key: str, run: dict[str, Any]) -> None:
        self.items[key] = dict(run)

    def dispatched(self, key: str, run_id: str) -> None:
        self.items[key]["dispatched"] = True

    def shard_written(self, key: str, shard_id: str, run_id: str, shard: dict[str, Any]) -> None:
        self.items[key].setdefault("written", {})[shard_id] = shard

    def shard_done(self, key: str, shard_id: str, run_id: str) -> bool:
        run = self.items[key]
        done = set(run.setdefault("done", [])) | {shard_id}
        run["done"] = sorted(done)
        return done >= set(run["shards"])

    def take_final(self, key: str, run_id: str, shard_id: str) -> bool:
        run = self.items[key]
        if run.get("status") != "running":
            return False
        run.update(status="finalizing", final_by=shard_id)
        return True

    def shards(self, key: str, run_id: str) -> list[dict[str, Any]]:
        return list(self.items[key].get("written", {}).values())

    def complete(self, key: str, at: str, status: str = "complete") -> None:
        self.items[key].update(status=status, completed_at=at)
