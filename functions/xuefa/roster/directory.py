"""Reading the unit tree and the people in it: what every service needs for scope checks.

A unit's path never changes once created (units do not move; learners do), so units are
cached per warm container; a name can change (a rename forgets it here, and the nightly
report reads its units afresh).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from xuefa.core.auth import (
    Actor,
    require_admin,
    require_city_admin,
    require_learner,
    require_unit_in_scope,
)
from xuefa.core.errors import Forbidden, NotFound
from xuefa.roster.access_repository import AccessRecords
from xuefa.roster.people_repository import DynamoPeople
from xuefa.store.store import Store


class Unit(BaseModel):
    unit_id: str
    name: str
    parent_id: str | None
    path: str
    kind: str = "unit"


class Person(BaseModel):
    """A learner (by student number) or an admin (by login), as `/roster/me` shows them."""

    username: str
    name: str
    unit_id: str
    unit_name: str
    status: str = "active"


def unit_from_item(item: dict[str, Any]) -> Unit:
    return Unit(
        unit_id=item["unit_id"],
        name=item["name"],
        parent_id=item.get("parent_id"),
        path=item["path"],
        kind=item.get("kind", "unit"),
    )


class Directory:
    def __init__(self, store: Store):
        self.people = DynamoPeople(store)
        self.accesses = AccessRecords(store)
        self._units: dict[str, Unit] = {}

    def unit(self, unit_id: str) -> Unit:
        cached = self._units.get(unit_id)
        if cached is not None:
            return cached
        item = self.people.unit(unit_id)
        if item is None:
            raise NotFound(f"unit {unit_id} does not exist")
        unit = unit_from_item(item)
        self._units[unit_id] = unit
        return unit

    def forget(self, unit_id: str | None = None) -> None:
        """Read the unit (or every unit) afresh next time: its name may have changed."""
        if unit_id is None:
            self._units.clear()
        else:
            self._units.pop(unit_id, None)

    def children(self, unit_id: str) -> list[Unit]:
        """The units directly below, by unit id (the index's order)."""
        return [self.unit(child) for child in self.people.child_ids(unit_id)]

    def active_learners(self, unit_id: str) -> list[dict[str, Any]]:
        """The profiles of a unit's learners who are still active."""
        items = self.people.unit_profiles(unit_id)
        return [item for item in items if item.get("status", "active") == "active"]

    def unit_in_scope(self, actor: Actor, unit_id: str) -> Unit:
        """The unit, if the admin may act on it: 403 for a unit outside their subtree."""
        require_admin(actor)
        actor_unit = self.unit(actor.unit_id)
        target = self.unit(unit_id)
        require_unit_in_scope(actor, actor_unit.path, target.path)
        return target

    def city_admin(self, actor: Actor) -> Unit:
        require_admin(actor)
        unit = self.unit(actor.unit_id)
        require_city_admin(actor, unit.path)
        return unit

    def learner(self, student_no: str) -> dict[str, Any]:
        item = self.people.profile(student_no)
        if item is None:
            raise NotFound(f"learner {student_no} does not exist")
        return item

    def learner_in_scope(self, actor: Actor, student_no: str) -> dict[str, Any]:
        """The learner's profile, if the admin's subtree holds the learner's unit now."""
        require_admin(actor)
        actor_unit = self.unit(actor.unit_id)
        profile = self.learner(student_no)
        require_unit_in_scope(actor, actor_unit.path, str(profile["unit_path"]))
        return profile

    def whose(self, actor: Actor, student_no: str | None = None, *, what: str, at: datetime) -> str:
        """Whose records a request reads: the learner's own when no student number is
        given (only learners have their own), else a learner in the admin's scope — and
        then the view is recorded for the learner to see (`what`: which records)."""
        if student_no is None:
            require_learner(actor)
            return actor.username
        self.learner_in_scope(actor, student_no)
        self.viewed(actor, student_no, what, at)
        return student_no

    def self_or_admin_in_scope(
        self, actor: Actor, student_no: str, *, what: str, at: datetime
    ) -> dict[str, Any]:
        if actor.is_learner and not actor.is_admin:
            if actor.username != student_no:
                raise Forbidden("learners see only their own records")
            return self.learner(student_no)
        profile = self.learner_in_scope(actor, student_no)
        self.viewed(actor, student_no, what, at)
        return profile

    def viewed(self, actor: Actor, student_no: str, what: str, at: datetime) -> None:
        """An administrator read one learner's records (PIPL, #29.4): who, whom, when,
        what — before the answer leaves, so no view goes unrecorded."""
        self.accesses.record(student_no, actor.username, actor.unit_id, what, at)

    def person(self, actor: Actor) -> Person:
        item = self.people.account(actor.username, actor.is_admin)
        if item is None:
            raise NotFound("no profile for this account")
        unit = self.unit(item["unit_id"])
        return Person(
            username=actor.username,
            name=item["name"],
            unit_id=unit.unit_id,
            unit_name=unit.name,
            status=item.get("status", "active"),
        )
