"""What a report run builds, and where: a day's set or a closed year's, their keys in the
bucket, and the hooks a run is given."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from xuefa.core.clock import local_date, study_year_of
from xuefa.roster.directory import Unit
from xuefa.years.rules import YearConfig

GradeExpired = Callable[[str, int, int], object]  # student_no, year, attempt_no
Dispatch = Callable[[list[dict[str, Any]]], None]
UnitFailed = Callable[[Unit, str], None]  # the unit, why: counted as a metric


def prefix(day: date) -> str:
    return f"reports/daily/{day.isoformat()}"


def manifest_key(day: date) -> str:
    return f"{prefix(day)}/manifest.json"


def year_end_prefix(year: int) -> str:
    return f"reports/years/{year}"


def year_end_manifest_key(year: int) -> str:
    return f"{year_end_prefix(year)}/manifest.json"


@dataclass(frozen=True)
class ReportSet:
    """What a run builds: a day's set as of 24:00 (`reports/daily/<date>/`: rebuilt on
    demand, kept 400 days), or a closed study year's, as of the close of its credit window
    (`reports/years/<y>/`: every row frozen into the learner's archive, written once,
    kept for good)."""

    day: date  # the cut-off is 24:00 of this day
    closing_year: int | None = None

    @classmethod
    def year_end(cls, config: YearConfig) -> ReportSet:
        last_day = local_date(config.credit_window.closes_at - timedelta(microseconds=1))
        return cls(last_day, config.year)

    @property
    def key(self) -> str:
        """The run's key, and what a shard message carries."""
        return f"year-{self.closing_year}" if self.closing_year else self.day.isoformat()

    @property
    def prefix(self) -> str:
        return year_end_prefix(self.closing_year) if self.closing_year else prefix(self.day)

    @property
    def manifest_key(self) -> str:
        return f"{self.prefix}/manifest.json"

    @property
    def year(self) -> int:
        return self.closing_year or study_year_of(self.day)

    def title(self, unit: Unit, what: str) -> str:
        when = f"{self.closing_year}年度" if self.closing_year else self.day.isoformat()
        return f"{unit.name}{what}{when}"
