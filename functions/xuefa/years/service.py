"""Study years managed through the API: anyone signed in reads a year's public rules; a
city admin creates or edits one, validated as a whole, and never so as to change what
already happened. Every change is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel

from xuefa.core.audit import AuditEntry
from xuefa.core.auth import Actor, CityAdmins
from xuefa.core.clock import Clock, iso
from xuefa.core.errors import BadRequest, Conflict, NotFound, YearClosed
from xuefa.years.rules import Window, YearConfig

# Changed once credits can exist (the credit window has opened), these would rescore them.
SCORING = ("credit_target", "credits_per_hour", "weights", "pass_mark", "exam_full_marks")


class YearLine(BaseModel):
    year: int
    provisional: bool
    credit_window: Window
    exam_window: Window
    closed: bool


class YearList(BaseModel):
    items: list[YearLine]


class YearRecords(Protocol):
    def configured(self) -> list[YearConfig]: ...

    def find(self, year: int) -> YearConfig | None: ...

    def save(self, actor: Actor, config: YearConfig, audit: AuditEntry) -> None: ...


def inside_its_study_year(config: YearConfig) -> dict[str, str]:
    """What lies outside study year y (1 December of y-1 to 1 December of y)."""
    opens = datetime(config.year - 1, 12, 1, tzinfo=config.credit_window.opens_at.tzinfo)
    closes = opens.replace(year=config.year)
    problems = {}
    for name in ("credit_window", "exam_window"):
        window: Window = getattr(config, name)
        if window.opens_at < opens or window.closes_at > closes:
            problems[name] = f"must lie between {iso(opens)} and {iso(closes)}"
    return problems


def history_changes(old: YearConfig, new: YearConfig, now: datetime) -> dict[str, Any]:
    """What an edit would change that already happened, field by field."""
    refused: dict[str, Any] = {}
    for name in ("credit_window", "exam_window"):
        before: Window = getattr(old, name)
        after: Window = getattr(new, name)
        if before.opens_at <= now and after.opens_at != before.opens_at:
            refused[f"{name}.opens_at"] = f"opened at {iso(before.opens_at)}: it stays"
    if old.exam_window.opens_at <= now and new.max_attempts < old.max_attempts:
        refused["max_attempts"] = "the exam has opened: attempts can rise, never fall"
    if old.credit_window.opens_at <= now:
        for name in SCORING:
            if getattr(new, name) != getattr(old, name):
                refused[name] = "credits and scores exist: the scoring stays"
    return refused


class StudyYears:
    def __init__(self, records: YearRecords, directory: CityAdmins, clock: Clock):
        self.records = records
        self.directory = directory
        self.clock = clock

    def list(self) -> YearList:
        now = self.clock.now()
        return YearList(
            items=[
                YearLine(
                    year=c.year,
                    provisional=c.provisional,
                    credit_window=c.credit_window,
                    exam_window=c.exam_window,
                    closed=c.closed(now),
                )
                for c in sorted(self.records.configured(), key=lambda c: c.year)
            ]
        )

    def rules(self, year: int) -> YearConfig:
        config = self.records.find(year)
        if config is None:
            raise NotFound(f"study year {year} is not configured")
        return config

    def put(self, actor: Actor, year: int, config: YearConfig) -> YearConfig:
        """Create the year, or edit it (which confirms a provisional one)."""
        self.directory.city_admin(actor)
        if config.year != year:
            raise BadRequest("the body's year is not the path's", {"year": config.year})
        problems = inside_its_study_year(config)
        if problems:
            raise BadRequest("the windows must lie inside the study year", problems)
        config = config.model_copy(update={"provisional": False})
        now = self.clock.now()
        old = self.records.find(year)
        if old is not None:
            if old.closed(now):
                raise YearClosed(f"study year {year} has closed: its rules are final")
            refused = history_changes(old, config, now)
            if refused:
                raise Conflict("that edit would change what already happened", refused)
        before = old.model_dump(mode="json") if old else None
        audit = AuditEntry(
            "years.edit" if old else "years.create",
            str(year),
            now,
            before=before,
            after=config.model_dump(mode="json"),
        )
        self.records.save(actor, config, audit)
        return config
