"""The year after: before a study year's credit window closes, the next year exists, so
that a learner signing in at 00:05 on 1 December can study and earn credits.

If the city has not configured it, the next year is the closing year's rules with every
date a year on, marked provisional until a city admin confirms or edits it; the catalogue
and the question bank are copied as its starting point. Idempotent: the config is written
only if missing, and each copied item only if missing, so a re-run (or a race with the
city's own set-up) changes nothing already there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from xuefa.core.clock import local_date, study_year_of
from xuefa.years.rules import OverridePolicy, Window, YearConfig

# How long before the close the next year is prepared: the nightly runs of the last month
# all try, so one missed run (or a week of them) still leaves the year in time.
LEAD = timedelta(days=31)


def a_year_on(at: datetime) -> datetime:
    """The same wall-clock moment a year later; 29 February becomes 28 February."""
    try:
        return at.replace(year=at.year + 1)
    except ValueError:  # 29 February in a leap year
        return at.replace(year=at.year + 1, day=28)


def _window_on(window: Window) -> Window:
    return Window(opens_at=a_year_on(window.opens_at), closes_at=a_year_on(window.closes_at))


def next_year_rules(config: YearConfig) -> YearConfig:
    """The closing year's rules for the next year, every date moved on, provisional."""
    latest = config.overrides.latest_close
    overrides = OverridePolicy(
        granted_by=config.overrides.granted_by,
        max_extra_attempts=config.overrides.max_extra_attempts,
        latest_close=a_year_on(latest) if latest is not None else None,
    )
    return config.model_copy(
        update={
            "year": config.year + 1,
            "credit_window": _window_on(config.credit_window),
            "exam_window": _window_on(config.exam_window),
            "overrides": overrides,
            "provisional": True,
        }
    )


class YearStore(Protocol):
    def get(self, year: int) -> YearConfig: ...

    def exists(self, year: int) -> bool: ...

    def create(self, config: YearConfig) -> bool:
        """Write the config if the year has none; whether it was written."""
        ...

    def copy_year_items(self, source: int, target: int) -> int:
        """Copy the catalogue and the bank into the target year once (each item only if
        missing, then the year marked as copied); how many were copied now."""
        ...


@dataclass(frozen=True)
class RolledOver:
    year: int  # the year that exists now
    created: bool  # made now (False: the city's, or an earlier run's)
    copied: int  # catalogue resources and questions copied now


def roll_over(years: YearStore, now: datetime) -> RolledOver | None:
    """Make sure the year after the current one exists once the current one is within
    `LEAD` of its close (or has closed); None when it is not yet time, or there is no
    current year to copy from."""
    current = study_year_of(local_date(now))
    # Past 1 December with no year made in time (every run of the last month failed):
    # the year that closed is the one to copy.
    source = current if years.exists(current) else current - 1
    if not years.exists(source):
        return None
    config = years.get(source)
    if now < config.credit_window.closes_at - LEAD:
        return None
    target = source + 1
    created = False if years.exists(target) else years.create(next_year_rules(config))
    return RolledOver(target, created, years.copy_year_items(source, target))
