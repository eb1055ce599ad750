"""Who was in a unit at 24:00 of a day, with their status then, and their figures as of
then: those in it now who had joined by then and those who left it since (a transfer
leaves a dated marker in the old unit); at a year's close each row is frozen into the
learner's archive (with a certificate code for a pass) as it is read."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import date
from itertools import islice
from typing import Any, TypeVar

from xuefa.core.clock import Clock, end_of_day, iso, parse_iso
from xuefa.reports.certificates import certificate_code
from xuefa.reports.repository import Archive, People
from xuefa.reports.rows import learner_row, membership_at
from xuefa.reports.sets import GradeExpired, ReportSet
from xuefa.roster.directory import Unit
from xuefa.roster.people_repository import PAGE
from xuefa.years.results import YearResult
from xuefa.years.rules import YearConfig

T = TypeVar("T")


class Membership:
    def __init__(self, people: People, archive: Archive, clock: Clock, grade_expired: GradeExpired):
        self.people = people
        self.archive = archive
        self.clock = clock
        self.grade_expired = grade_expired

    def members(self, unit: Unit, day: date) -> Iterator[tuple[dict[str, Any], str]]:
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

    def rows(self, config: YearConfig, report: ReportSet, unit: Unit) -> Iterator[dict[str, Any]]:
        """The unit's learners as of the cut-off, their year results read 100 at a time;
        at a year's close each row is frozen into the learner's archive first."""
        rows = self._live_rows(config, report.day, unit)
        if report.closing_year is None:
            return rows
        return (self.freeze(row, unit, report) for row in rows)

    def _live_rows(self, config: YearConfig, day: date, unit: Unit) -> Iterator[dict[str, Any]]:
        year = config.year
        now = int(self.clock.now().timestamp())
        for members in batched(self.members(unit, day), PAGE):
            results = self.people.year_results([str(p["student_no"]) for p, _ in members], year)
            for profile, status in members:
                student_no = str(profile["student_no"])
                result = results.get(student_no) or YearResult(student_no, year)
                if result.open_no is not None and result.open_until <= now:
                    # Past its deadline: graded first, so that it counts on its day.
                    self.grade_expired(student_no, year, result.open_no)
                    result = self.people.year_result(student_no, year)
                yield learner_row(config, profile, unit.name, result, day, status)

    def freeze(self, row: dict[str, Any], unit: Unit, report: ReportSet) -> dict[str, Any]:
        """The learner's figures at the close, in their archive for good: the row as
        frozen (by this run, or an earlier one that crashed midway)."""
        record = {
            **row,
            "year": report.year,
            "unit_id": unit.unit_id,
            "closed_at": iso(end_of_day(report.day)),
        }
        code = certificate_code() if row["passed"] else None
        return self.archive.freeze(record, code)


def batched(items: Iterator[T], size: int) -> Iterator[list[T]]:
    """Lists of `size` (the last shorter) from a stream (itertools.batched is 3.12)."""
    while chunk := list(islice(items, size)):
        yield chunk


def _student_no(profile: dict[str, Any]) -> str:
    return str(profile["student_no"])
