"""Live progress of a unit's subtree, for administrators chasing those behind: who is on
pace with the credit target, who has not sat the exam, who would fail if the year ended
now. Read from the learners' profiles (through the unit index, so idle learners count)
and their year results, 100 at a time: a county of 100k pages without holding it."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from xuefa.core.auth import Actor
from xuefa.core.clock import Clock, iso, start_of_day
from xuefa.roster.directory import Directory, Unit
from xuefa.roster.people_repository import DynamoPeople
from xuefa.store.cursor import decode_cursor, encode_cursor
from xuefa.store.store import Store
from xuefa.store.table import GSI_PARTITION_KEY, GSI_SORT_KEY, PARTITION_KEY, SORT_KEY
from xuefa.years.repository import YearBook
from xuefa.years.results import YearResult
from xuefa.years.rules import YearConfig, shown_score

Filter = Literal["behind", "no_exam", "failing"]
# A page of the list reads at most this many learners looking for matches: a bounded
# cost per request (2 DynamoDB requests per 100 learners read), a cursor for the rest.
SCAN_LIMIT = 500
INDEX_KEYS = (PARTITION_KEY, SORT_KEY, GSI_PARTITION_KEY, GSI_SORT_KEY)
EXPORT_COLUMNS = [
    ("student_no", "学号"),
    ("name", "姓名"),
    ("unit_name", "单位"),
    ("credits", "积分"),
    ("expected_credits", "应达积分"),
    ("exam_best", "考试最高分"),
    ("attempts", "考试次数"),
    ("total", "年度学法成绩"),
    ("passed", "是否合格"),
]


class LearnerProgress(BaseModel):
    student_no: str
    name: str
    unit_id: str
    unit_name: str
    credits: int
    expected_credits: int
    exam_best: float | None
    attempts: int
    total: float
    passed: bool


# How far learners are towards the year's credit target: none, under a quarter, …, there.
CREDIT_BANDS = ("0", "<25%", "25–50%", "50–75%", "75–100%", "100%")


def credit_band(credits: int, target: int) -> int:
    if credits <= 0:
        return 0
    if credits >= target:
        return len(CREDIT_BANDS) - 1
    return 1 + (4 * credits) // target


class ProgressRow(BaseModel):
    unit_id: str
    name: str
    learners: int = 0
    on_pace: int = 0
    behind: int = 0
    exam_takers: int = 0
    passing: int = 0
    credit_bands: list[int] = Field(
        default_factory=lambda: [0] * len(CREDIT_BANDS),
        description="learners by share of the credit target: 0, <25%, 25–50%, 50–75%, "
        "75–100%, reached",
    )

    def add(self, learner: LearnerProgress, target: int) -> None:
        self.credit_bands[credit_band(learner.credits, target)] += 1
        self.learners += 1
        if learner.credits >= learner.expected_credits:
            self.on_pace += 1
        else:
            self.behind += 1
        self.exam_takers += 1 if learner.attempts else 0
        self.passing += 1 if learner.passed else 0


def expected_credits(config: YearConfig, now: datetime) -> int:
    """The credit target pro rata to the whole days gone in the credit window."""
    window = config.credit_window
    days = (window.closes_at - window.opens_at).days
    gone = (start_of_day(now.date()) - window.opens_at).days
    gone = min(max(gone, 0), days)
    return math.floor(config.credit_target * gone / days) if days else config.credit_target


def progress_of(
    config: YearConfig,
    profile: Mapping[str, Any],
    unit: Unit,
    result: YearResult | None,
    expected: int,
) -> LearnerProgress:
    result = result or YearResult(str(profile["student_no"]), config.year)
    credits = result.credits
    best = result.best
    annual = result.standing(config)
    return LearnerProgress(
        student_no=str(profile["student_no"]),
        name=str(profile["name"]),
        unit_id=unit.unit_id,
        unit_name=unit.name,
        credits=credits,
        expected_credits=expected,
        exam_best=shown_score(best),
        attempts=result.finished_attempts(),
        total=float(annual.total),
        passed=annual.passed,
    )


def matches(wanted: Filter | None, learner: LearnerProgress) -> bool:
    if wanted == "behind":
        return learner.credits < learner.expected_credits
    if wanted == "no_exam":
        return learner.attempts == 0
    if wanted == "failing":
        return not learner.passed
    return True


class ProgressSummary(BaseModel):
    as_of: str
    unit_id: str
    year: int
    expected_credits: int = Field(description="the credit target pro rata to the days gone")
    rows: list[ProgressRow]


class ProgressPage(BaseModel):
    as_of: str
    unit_id: str
    year: int
    filter: str | None
    expected_credits: int
    items: list[LearnerProgress]
    cursor: str | None = Field(description="the next page's cursor, or null on the last page")


class Progress:
    def __init__(
        self, store: Store, years: YearBook, directory: Directory, clock: Clock, cursor_secret: str
    ):
        self.people = DynamoPeople(store)
        self.years = years
        self.directory = directory
        self.clock = clock
        self.cursor_secret = cursor_secret

    # --- the subtree ---------------------------------------------------------------

    def subtree(self, unit: Unit) -> Iterator[Unit]:
        """The unit and everything below it, depth first, in a stable order."""
        yield unit
        for child in self.directory.children(unit.unit_id):
            yield from self.subtree(child)

    def _learners(
        self, config: YearConfig, unit: Unit, expected: int, after: dict[str, Any] | None
    ) -> Iterator[tuple[LearnerProgress, dict[str, Any] | None]]:
        """The unit's active learners with their progress, and the key to resume after."""
        start = after
        while True:
            items, last = self.people.unit_page(unit.unit_id, start)
            active = [str(p["student_no"]) for p in items if p.get("status", "active") == "active"]
            results = self.people.year_results(active, config.year)
            for profile in items:
                position = {k: profile[k] for k in INDEX_KEYS if k in profile}
                if profile.get("status", "active") != "active":
                    continue
                result = results.get(profile["student_no"])
                yield progress_of(config, profile, unit, result, expected), position
            if not last:
                return
            start = last

    # --- what admins ask -----------------------------------------------------------

    def summary(self, actor: Actor, unit_id: str | None, year: int) -> ProgressSummary:
        """Per child unit (and the unit's own staff, if any): learners, on pace, behind,
        sat the exam, passing now."""
        unit = self.directory.unit_in_scope(actor, unit_id or actor.unit_id)
        config = self.years.get(year)
        now = self.clock.now()
        expected = expected_credits(config, now)
        rows = []
        own = ProgressRow(unit_id=unit.unit_id, name=unit.name)
        for learner, _ in self._learners(config, unit, expected, None):
            own.add(learner, config.credit_target)
        if own.learners:
            rows.append(own)
        for child in self.directory.children(unit.unit_id):
            row = ProgressRow(unit_id=child.unit_id, name=child.name)
            for member in self.subtree(child):
                for learner, _ in self._learners(config, member, expected, None):
                    row.add(learner, config.credit_target)
            rows.append(row)
        return ProgressSummary.model_validate(
            {
                "as_of": iso(now),
                "unit_id": unit.unit_id,
                "year": year,
                "expected_credits": expected,
                "rows": [row.model_dump() for row in rows],
            }
        )

    def page(
        self,
        actor: Actor,
        unit_id: str | None,
        year: int,
        wanted: Filter | None,
        limit: int,
        cursor: str | None,
    ) -> ProgressPage:
        unit = self.directory.unit_in_scope(actor, unit_id or actor.unit_id)
        config = self.years.get(year)
        now = self.clock.now()
        expected = expected_credits(config, now)
        scope = f"progress:{unit.unit_id}:{year}:{wanted or ''}"
        resume = decode_cursor(cursor, scope, self.cursor_secret) or {}
        items: list[dict[str, Any]] = []
        read = 0
        units = list(self.subtree(unit))
        ids = [u.unit_id for u in units]
        first = ids.index(resume["unit"]) if resume.get("unit") in ids else 0
        next_cursor = None
        for member in units[first:]:
            after = resume.get("after") if member.unit_id == resume.get("unit") else None
            for learner, position in self._learners(config, member, expected, after):
                read += 1
                if matches(wanted, learner):
                    items.append(learner.model_dump())
                if len(items) >= limit or read >= SCAN_LIMIT:
                    next_cursor = {"unit": member.unit_id, "after": position}
                    break
            if next_cursor:
                break
        return ProgressPage.model_validate(
            {
                "as_of": iso(now),
                "unit_id": unit.unit_id,
                "year": year,
                "filter": wanted,
                "expected_credits": expected,
                "items": items,
                "cursor": encode_cursor(next_cursor, scope, self.cursor_secret),
            }
        )

    def all(
        self, actor: Actor, unit_id: str | None, year: int, wanted: Filter | None
    ) -> Iterator[LearnerProgress]:
        """Every match in the subtree, streamed (for the export file)."""
        unit = self.directory.unit_in_scope(actor, unit_id or actor.unit_id)
        config = self.years.get(year)
        expected = expected_credits(config, self.clock.now())
        for member in self.subtree(unit):
            for learner, _ in self._learners(config, member, expected, None):
                if matches(wanted, learner):
                    yield learner
