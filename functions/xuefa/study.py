"""What studying is made of: catalogue resources, study sessions, awards and ledger
entries. Plain values shared by the credits service and its repository."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

ACTIVITY_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
# A session names its year, learner and resource, so a completion can be written without
# reading the session first. Sessions started before the resource was named in the id
# (`s2026-<student>-<hex>`) still complete, by reading.
SESSION_ID = re.compile(
    r"^s(?P<year>\d{4})-(?P<student_no>[A-Za-z0-9]{1,32})"
    r"(?:-(?P<resource_id>[A-Za-z0-9][A-Za-z0-9_-]{0,63}))?-[0-9a-f]{12}$"
)

Limit = Literal["daily_total", "activity_daily", "once_per_day"]


class Resource(BaseModel):
    resource_id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1, max_length=200)
    activity: str = Field(pattern=ACTIVITY_PATTERN)
    credits: int = Field(ge=1, le=1000)
    min_seconds: int = Field(ge=0, le=24 * 3600)
    once_per_year: bool = False
    once_per_day: bool = False  # pays once a learner a Shanghai day (the daily sign-in)


class StudySession(BaseModel):
    """A session as started: what the resource promised then, measured by the server."""

    session_id: str
    student_no: str
    year: int
    unit_id: str | None  # None: not known, and the year result must exist already
    resource_id: str
    activity: str
    credits: int
    min_seconds: int
    once_per_year: bool = False
    once_per_day: bool = False
    started_at: str
    started_epoch: int
    state: Literal["open", "completed"] = "open"
    awarded: int = 0
    capped: bool = False
    limit: Limit | None = None

    @property
    def ready_epoch(self) -> int:
        """When the session has been studied long enough to count."""
        return self.started_epoch + self.min_seconds


class SessionStarted(BaseModel):
    session_id: str
    resource_id: str
    started_at: str
    min_seconds: int
    credits: int


@dataclass(frozen=True)
class Award:
    """Credits for a completed session, written all or nothing with its conditions: the
    session still open and served, the window open, `amount` still under `day_room` and
    `activity_room` (the counters' ceilings before it), paid once if the resource says so."""

    session: StudySession
    at: datetime
    day: date
    amount: int
    limit: Limit | None
    day_ceiling: int
    activity_ceiling: int | None


AwardCheck = Literal["session", "window", "caps", "once", "once_day", "ledger"]


class LedgerEntry(BaseModel):
    entry_id: str
    at: str
    activity: str
    resource_id: str | None = None
    credits: int
    kind: Literal["study", "adjustment"]
    reason: str | None = None


class Ledger(BaseModel):
    items: list[LedgerEntry]
    cursor: str | None = Field(description="the next page's cursor, or null on the last page")


class Catalogue(BaseModel):
    items: list[Resource]
