"""Time in Asia/Shanghai, injectable so that rules can be tested at any instant."""

from __future__ import annotations

import time as time_module
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime in Asia/Shanghai."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(SHANGHAI)


class RunningClock:
    """The wall clock's pace from a chosen moment: the local stack's clock, so that a whole
    system can be run on any day of the year (`make run TODAY=…`) and moved by its tests."""

    def __init__(self, at: datetime | None = None):
        self.set(at or datetime.now(SHANGHAI))

    def now(self) -> datetime:
        return (self._at + timedelta(seconds=time_module.monotonic() - self._set_at)).astimezone(
            SHANGHAI
        )

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(SHANGHAI)
        self._set_at = time_module.monotonic()


_process_clock: Clock = SystemClock()


def process_clock() -> Clock:
    """The one clock of this process's apps: the wall clock on AWS; the local stack puts
    its own in with `use_clock` before any app is built."""
    return _process_clock


def use_clock(clock: Clock) -> None:
    global _process_clock
    _process_clock = clock


class FixedClock:
    """A clock for tests: stands still until told to move."""

    def __init__(self, at: datetime):
        self._at = at.astimezone(SHANGHAI)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(SHANGHAI)

    def advance(self, **delta: float) -> None:
        self._at = self._at + timedelta(**delta)


def local_date(at: datetime) -> date:
    """The calendar date in Asia/Shanghai of an instant."""
    return at.astimezone(SHANGHAI).date()


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), SHANGHAI)


def end_of_day(day: date) -> datetime:
    """24:00 of `day`, i.e. 00:00 of the next day: the exclusive end of that day."""
    return start_of_day(day + timedelta(days=1))


def iso(at: datetime) -> str:
    """ISO 8601 with the +08:00 offset, to the second, as the contract shows times."""
    return at.astimezone(SHANGHAI).isoformat(timespec="seconds")


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 instant; one without an offset is taken as Asia/Shanghai."""
    at = datetime.fromisoformat(text)
    if at.tzinfo is None:
        at = at.replace(tzinfo=SHANGHAI)
    return at.astimezone(SHANGHAI)


def study_year_of(day: date) -> int:
    """A study year y runs from 1 December of y-1 to 30 November of y."""
    return day.year + 1 if day.month == 12 else day.year
