"""Enrolling a learner: their profile, and their place in the current study year when it
is configured, written at once. One step for the admin's form and the roster import."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xuefa.core.auth import Actor
from xuefa.core.clock import Clock, local_date, study_year_of
from xuefa.roster.directory import Unit
from xuefa.roster.repository import RosterRepository, learner_item
from xuefa.years.repository import YearBook


def learner_view(profile: Mapping[str, Any], unit_name: str | None = None) -> dict[str, Any]:
    """A learner as the roster's answers show them."""
    return {
        "student_no": profile["student_no"],
        "name": profile["name"],
        "unit_id": profile["unit_id"],
        "unit_name": unit_name,
        "status": profile.get("status", "active"),
        "phone": profile.get("phone"),
        "history": list(profile.get("history", [])),
    }


def enrol(
    people: RosterRepository,
    years: YearBook,
    clock: Clock,
    actor: Actor,
    learner: tuple[str, str, Unit, str | None],
) -> dict[str, Any]:
    """Register (student number, name, unit, phone) now; the profile written. Raises the
    repository's Duplicate when the same person was registered meanwhile: the caller, who
    made their account, decides what becomes of it."""
    student_no, name, unit, phone = learner
    now = clock.now()
    profile = learner_item(student_no, name, unit, phone, now, actor.username)
    year = study_year_of(local_date(now))
    people.register(
        actor, profile, now, year if years.exists(year) else None, learner_view(profile)
    )
    return profile
