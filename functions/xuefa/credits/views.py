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
# A session's life: open, then completed (paid, perhaps 0), refused (its once-a-year
# resource was already paid), or abandoned by the learner.
SessionState = Literal["open", "completed", "refused", "abandoned"]
# How long an abandoned session holds the learner's one open session: its minutes, plus
# a margin for a learner who looks away (a break, a meeting) and comes back to finish.
EXPIRY_MARGIN_S = 2 * 3600


class Task(BaseModel):
    """A catalogue resource as it was before lessons: a timer and its credits."""

    resource_id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1, max_length=200)
    activity: str = Field(pattern=ACTIVITY_PATTERN)
    credits: int = Field(ge=1, le=1000)
    min_seconds: int = Field(ge=0, le=24 * 3600)
    once_per_year: bool = False
    once_per_day: bool = False  # pays once a learner a Shanghai day (the daily sign-in)


class Resource(Task):
    # A lesson (#26) is a resource with content; a bare `task` (the sign-in, today's
    # timers) leaves these unset, and answers as before.
    kind: Literal["task", "article", "video", "document"] = "task"
    course_id: str | None = None
    version: int = 0  # the published version; 0: none yet
    # Not `state`: a session made from a resource's fields has its own.
    lesson_state: Literal["draft", "published", "retired"] = "published"
    owner_unit_id: str | None = None
    owner_unit_path: str | None = None

    @property
    def is_lesson(self) -> bool:
        return self.kind != "task"


LESSON_FIELDS: set[str] = set(
    {"kind", "course_id", "version", "lesson_state", "owner_unit_id", "owner_unit_path"}
)
# What a resource has and its sessions do not.
NOT_OF_SESSIONS: set[str] = set(
    {"title", "lesson_state", "course_id", "owner_unit_id", "owner_unit_path"}
)
SESSION_LESSON_FIELDS: set[str] = set(
    {"kind", "version", "needed_seconds", "served_seconds", "last_report_ms", "position"}
    | {"played", "pending_check", "next_check_at", "checks_issued", "check_issued_ms"}
    | {"intervals", "flags", "device_id"}
)


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
    # None: started before sessions expired (it never does).
    expires_epoch: int | None = None
    # Holds the learner's one open session (a timed resource; sessions from before, no).
    locked: bool = False
    state: SessionState = "open"
    # A lesson's session (#26) counts served time from progress reports (attention.py)
    # instead of the wall clock; it keeps the version it started with.
    kind: str = "task"
    version: int | None = None
    needed_seconds: int | None = None
    served_seconds: int = 0
    last_report_ms: int | None = None
    position: str = ""
    played: list[tuple[float, float]] = []
    pending_check: str | None = None
    next_check_at: int = 0
    checks_issued: int = 0
    check_issued_ms: int | None = None
    intervals: list[int] = []  # the last reports' spacing, for the review's signals
    flags: list[str] = []  # review signals already counted for this session
    device_id: str | None = None
    awarded: int = 0
    capped: bool = False
    limit: Limit | None = None

    @property
    def ready_epoch(self) -> int:
        """When the session has been studied long enough to count."""
        return self.started_epoch + self.min_seconds

    def expired(self, at: datetime) -> bool:
        return self.expires_epoch is not None and at.timestamp() >= self.expires_epoch


def holds_lock(resource: Resource) -> bool:
    """A timed resource takes the learner's one open session. One of no minutes (the
    daily sign-in) serves no time, so nothing can overlap it: it never waits for
    another session nor blocks one (its once-a-day marker still pays it once)."""
    return resource.min_seconds > 0


def expiry_epoch(started_epoch: int, min_seconds: int) -> int:
    return started_epoch + min_seconds + EXPIRY_MARGIN_S


@dataclass(frozen=True)
class HeldSession:
    """The learner's open session, as its lock item names it: what a refused start
    answers so that the app can resume it (its countdown runs from `started_at`)."""

    session_id: str
    resource_id: str
    started_at: str
    min_seconds: int
    expires_epoch: int


class SessionStarted(BaseModel):
    session_id: str
    resource_id: str
    started_at: str
    min_seconds: int
    credits: int
    expires_at: str = Field(
        description="after this the session can no longer complete; start again"
    )


class SessionClosed(BaseModel):
    session_id: str
    state: SessionState


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
    closes_as: SessionState = "completed"


# `lock`: the session no longer holds the learner's open session (it expired, another
# took it); `active`: the learner is not active (resigned, retired).
AwardCheck = Literal["session", "window", "caps", "once", "once_day", "ledger", "lock", "active"]


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
