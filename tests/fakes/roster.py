"""The roster repository and the accounts in memory: profiles move, markers stay."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from tests.fakes.directory import FakeDirectory
from xuefa.core.auth import Actor
from xuefa.core.clock import iso
from xuefa.core.errors import Conflict, Duplicate
from xuefa.roster.directory import Unit
from xuefa.roster.repository import Move


class FakeAccounts:
    def __init__(self) -> None:
        self.enabled: dict[str, bool] = {}
        self.units: dict[str, str] = {}

    def create_learner(self, student_no: str, unit_id: str, password: str | None = None) -> str:
        if student_no in self.enabled and password is None:
            raise Duplicate("an account with this username already exists")
        self.enabled[student_no], self.units[student_no] = True, unit_id
        return password or "Temp-Pass-1234"

    def delete(self, username: str) -> None:
        self.enabled.pop(username, None)
        self.units.pop(username, None)

    def _held(self, username: str) -> str:
        """An account a change is made to: a missing one is a Conflict, as in the pool."""
        if username not in self.enabled:
            raise Conflict("the sign-in account is missing; ask the city administrator")
        return username

    def set_enabled(self, username: str, enabled: bool) -> None:
        self.enabled[self._held(username)] = enabled

    def move(self, username: str, unit_id: str) -> None:
        self.units[self._held(username)] = unit_id

    def reset_password(self, username: str) -> str:
        self._held(username)
        return "Temp-Pass-5678"


class FakeRoster:
    def __init__(self, directory: FakeDirectory) -> None:
        self.directory = directory  # its profiles are the roster's
        self.people: set[tuple[str, str, str | None]] = set()
        self.counters: dict[str, int] = {}
        self.departures: list[dict[str, Any]] = []
        self.results: dict[tuple[str, int], dict[str, Any]] = {}
        self.audit_log: list[tuple[str, str]] = []

    def children(self, unit_id: str) -> list[dict[str, str]]:
        below = [
            u for u, p in self.directory.paths.items() if p.rpartition("/")[0].endswith(unit_id)
        ]
        return [{"unit_id": u, "name": self.directory.names.get(u, u)} for u in sorted(below)]

    def learner_count(self, unit_id: str) -> int:
        return sum(1 for p in self.directory.profiles.values() if p["unit_id"] == unit_id)

    def add_unit(self, actor: Actor, unit: Unit, at: datetime) -> None:
        if unit.unit_id in self.directory.paths:
            raise Duplicate(f"unit {unit.unit_id} already exists")
        self.directory.paths[unit.unit_id] = unit.path
        self.directory.names[unit.unit_id] = unit.name

    def rename_unit(self, actor: Actor, unit: Unit, name: str, at: datetime) -> None:
        """Only over the name read, as the table's condition."""
        if self.directory.names.get(unit.unit_id, unit.unit_id) != unit.name:
            raise Conflict(f"unit {unit.unit_id} was renamed meanwhile: read it again")
        self.directory.names[unit.unit_id] = name
        self.audit_log.append(("roster.unit.rename", unit.unit_id))

    def allocate(self, prefix: str, count: int) -> int:
        self.counters[prefix] = self.counters.get(prefix, 0) + count
        return self.counters[prefix]

    def registered(self, people: Sequence[tuple[str, str, str | None]]) -> set[int]:
        return {i for i, person in enumerate(people) if person in self.people}

    def register(
        self,
        actor: Actor,
        profile: dict[str, Any],
        at: datetime,
        year: int | None,
        shown: dict[str, Any],
    ) -> None:
        person = (str(profile["unit_id"]), str(profile["name"]), profile.get("phone"))
        if person in self.people:
            raise Duplicate(f"{profile['name']} is already registered in this unit")
        if str(profile["student_no"]) in self.directory.profiles:  # the number is taken
            raise Conflict()
        self.people.add(person)
        self.directory.profiles[str(profile["student_no"])] = dict(profile)
        self.audit_log.append(("roster.learner.create", str(profile["student_no"])))

    def learners_page(
        self, unit_id: str, status: str | None, limit: int, start: Mapping[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        mine = sorted(
            (p for p in self.directory.profiles.values() if p["unit_id"] == unit_id),
            key=lambda p: p["student_no"],
        )
        mine = [p for p in mine if status is None or p.get("status", "active") == status]
        offset = int(start["offset"]) if start else 0
        more = offset + limit < len(mine)
        return mine[offset : offset + limit], ({"offset": offset + limit} if more else None)

    def change_status(
        self,
        actor: Actor,
        profile: Mapping[str, Any],
        new: str,
        entry: dict[str, Any],
        at: datetime,
    ) -> None:
        stored = self.directory.profiles.get(str(profile["student_no"]))
        if stored is None or stored.get("status", "active") != profile.get("status", "active"):
            raise Conflict("the learner changed meanwhile; reload and try again")
        if new == "active":
            stored.pop("left_at", None)
        elif stored.get("status", "active") == "active":
            stored["left_at"] = iso(at)  # as the table's: since when they have left
        stored.update(status=new, history=[*stored.get("history", []), entry])
        self.audit_log.append(("roster.learner.status", str(profile["student_no"])))

    def transfer(self, actor: Actor, move: Move) -> None:
        stored = self.directory.profiles.get(move.student_no)
        if stored is None or stored["unit_id"] != move.source:
            raise Conflict("the learner changed meanwhile; reload and try again")
        stored.update(
            unit_id=move.target.unit_id,
            unit_path=move.target.path,
            history=[*stored.get("history", []), move.entry],
        )
        self.departures.append(
            {"unit_id": move.source, "student_no": move.student_no, "at": iso(move.at)}
        )
        if move.year is not None:
            result = self.results.setdefault((move.student_no, move.year), {"credits": 0})
            result["unit_id"] = move.target.unit_id
        self.audit_log.append(("roster.learner.transfer", move.student_no))

    def audit(self, actor: Actor, action: str, target: str, at: datetime) -> None:
        self.audit_log.append((action, target))
