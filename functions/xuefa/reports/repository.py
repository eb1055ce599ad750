"""What the reports need of their storage, as interfaces: the people of a unit with their
year results, the runs, and the frozen archive. The DynamoDB classes behind them are
`roster.people_repository.DynamoPeople`, `run_repository.DynamoReportRuns` and
`archive_repository.DynamoArchive`; tests/fakes/reports.py holds the fakes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from xuefa.store.store import Store
from xuefa.years.results import YearResult


class People(Protocol):
    def profiles(self, student_nos: Sequence[str]) -> list[dict[str, Any]]: ...

    def unit_profiles(self, unit_id: str) -> Iterator[dict[str, Any]]: ...

    def departures(self, unit_id: str) -> Iterator[dict[str, Any]]: ...

    def year_results(self, student_nos: Sequence[str], year: int) -> dict[str, YearResult]: ...

    def year_result(self, student_no: str, year: int) -> YearResult: ...

    def every_year(self, student_no: str) -> Iterator[YearResult]: ...


class ReportRuns(Protocol):
    def run(self, key: str) -> dict[str, Any] | None: ...

    def runs(self, days: Sequence[date]) -> dict[date, dict[str, Any]]: ...

    def claim(self, key: str, run: dict[str, Any], previous: str | None) -> bool: ...

    def record(self, key: str, run: dict[str, Any]) -> None: ...

    def dispatched(self, key: str, run_id: str) -> None: ...

    def shard_written(
        self, key: str, shard_id: str, run_id: str, shard: dict[str, Any]
    ) -> None: ...

    def shard_done(self, key: str, shard_id: str, run_id: str) -> bool: ...

    def take_final(self, key: str, run_id: str, shard_id: str) -> bool: ...

    def shards(self, key: str, run_id: str) -> list[dict[str, Any]]: ...

    def complete(self, key: str, at: str, status: str = "complete") -> None: ...


class Archive(Protocol):
    def freeze(self, record: dict[str, Any], code: str | None) -> dict[str, Any]: ...

    def record(self, student_no: str, year: int) -> dict[str, Any] | None: ...

    def every_year(self, student_no: str) -> list[dict[str, Any]]: ...

    def unit_records(self, unit_id: str, year: int) -> Iterator[dict[str, Any]]: ...

    def certified(self, code: str) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class ReportRecords:
    """The reports' repositories, handed to the job and the queries together."""

    people: People
    runs: ReportRuns
    archive: Archive

    @classmethod
    def on(cls, store: Store) -> ReportRecords:
        """The DynamoDB classes over the one table."""
        from xuefa.reports.archive_repository import DynamoArchive
        from xuefa.reports.run_repository import DynamoReportRuns
        from xuefa.roster.people_repository import DynamoPeople

        return cls(DynamoPeople(store), DynamoReportRuns(store), DynamoArchive(store))
