"""The roster repository: units and learner profiles, their student-number counters,
the same-person markers, transfers (with the old unit's departure marker and the year
result moved along) and status changes, each with its audit entry in one transaction."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from xuefa.core.audit import AuditEntry
from xuefa.core.auth import Actor
from xuefa.core.clock import iso
from xuefa.core.errors import Conflict, Duplicate
from xuefa.roster.directory import Unit
from xuefa.store.audit import audit_put
from xuefa.store.keys import Keys
from xuefa.store.store import Filter, Paging, Store, TransactionCancelled
from xuefa.store.table import GSI_NAME, GSI_PARTITION_KEY, GSI_SORT_KEY
from xuefa.years.result_repository import year_result_keys


def dedupe_key(unit_id: str, name: str, phone: str | None) -> dict[str, str]:
    """Same name and phone in the same unit is the same person."""
    return Keys.idempotency("person", f"{unit_id}#{name}#{phone or ''}")


def learner_item(
    student_no: str, name: str, unit: Unit, phone: str | None, at: datetime, by: str
) -> dict[str, Any]:
    return {
        **Keys.learner(student_no),
        "student_no": student_no,
        "name": name,
        "unit_id": unit.unit_id,
        "unit_path": unit.path,
        "phone": phone,
        "status": "active",
        "history": [{"at": iso(at), "event": "created", "unit_id": unit.unit_id, "by": by}],
        GSI_PARTITION_KEY: Keys.unit_learners(unit.unit_id),
        GSI_SORT_KEY: student_no,
    }


def unit_item(unit: Unit) -> dict[str, Any]:
    """A unit, listed under its parent's children (the root has none)."""
    item = {**Keys.unit(unit.unit_id), **unit.model_dump()}
    if unit.parent_id is not None:
        item |= {GSI_PARTITION_KEY: Keys.unit_children(unit.parent_id), GSI_SORT_KEY: unit.unit_id}
    return item


@dataclass(frozen=True)
class Enrolled:
    """A learner as a bulk load writes them: numbered already (the demo city)."""

    student_no: str
    name: str
    unit: Unit
    phone: str | None


@dataclass(frozen=True)
class AdminProfile:
    """An administrator's record: the unit they administer (and everything below)."""

    username: str
    name: str
    unit_id: str
    level: str


@dataclass(frozen=True)
class Move:
    """A learner's transfer as written: the profile, the old unit's marker, the year."""

    student_no: str
    source: str
    target: Unit
    entry: dict[str, Any]
    year: int | None  # the study year whose result moves with the learner, if configured
    at: datetime


class RosterRepository(Protocol):
    """What the roster service needs of its storage (DynamoRoster; tests/fakes)."""

    def children(self, unit_id: str) -> list[dict[str, str]]: ...

    def learner_count(self, unit_id: str) -> int: ...

    def add_unit(self, actor: Actor, unit: Unit, at: datetime) -> None: ...

    def rename_unit(self, actor: Actor, unit: Unit, name: str, at: datetime) -> None: ...

    def allocate(self, prefix: str, count: int) -> int: ...

    def registered(self, people: Sequence[tuple[str, str, str | None]]) -> set[int]: ...

    def register(
        self,
        actor: Actor,
        profile: dict[str, Any],
        at: datetime,
        year: int | None,
        shown: dict[str, Any],
    ) -> None: ...

    def learners_page(
        self, unit_id: str, status: str | None, limit: int, start: Mapping[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]: ...

    def change_status(
        self,
        actor: Actor,
        profile: Mapping[str, Any],
        new: str,
        entry: dict[str, Any],
        at: datetime,
    ) -> None: ...

    def transfer(self, actor: Actor, move: Move) -> None: ...

    def audit(self, actor: Actor, action: str, target: str, at: datetime) -> None: ...


class OnTheTable:
    """A part of the roster repository: each speaks to the table alone."""

    def __init__(self, store: Store):
        self.store = store


class UnitRecords(OnTheTable):
    """The unit tree: a unit's children and head count, a unit added or renamed."""

    def children(self, unit_id: str) -> list[dict[str, str]]:
        items = self.store.query_all(Keys.unit_children(unit_id), index=GSI_NAME)
        return [{"unit_id": c["unit_id"], "name": c["name"]} for c in items]

    def learner_count(self, unit_id: str) -> int:
        return self.store.count(Keys.unit_learners(unit_id), index=GSI_NAME)

    def add_unit(self, actor: Actor, unit: Unit, at: datetime) -> None:
        assert unit.parent_id is not None
        item = unit_item(unit)
        try:
            self.store.transact(
                [
                    _put_new(item),
                    audit_put(
                        actor,
                        AuditEntry("roster.unit.create", unit.unit_id, at, after=unit.model_dump()),
                    ),
                ]
            )
        except TransactionCancelled as exc:
            raise Duplicate(f"unit {unit.unit_id} already exists") from exc

    def rename_unit(self, actor: Actor, unit: Unit, name: str, at: datetime) -> None:
        """The new name, only over the name read (a rename meanwhile is a Conflict)."""
        try:
            self.store.transact(
                [
                    {
                        "Update": {
                            "Key": Keys.unit(unit.unit_id),
                            "UpdateExpression": "SET #name = :name",
                            "ConditionExpression": "#name = :old",
                            "ExpressionAttributeNames": {"#name": "name"},
                            "ExpressionAttributeValues": {":name": name, ":old": unit.name},
                        }
                    },
                    audit_put(
                        actor,
                        AuditEntry(
                            "roster.unit.rename",
                            unit.unit_id,
                            at,
                            before={"name": unit.name},
                            after={"name": name},
                        ),
                    ),
                ]
            )
        except TransactionCancelled as exc:
            raise Conflict(f"unit {unit.unit_id} was renamed meanwhile: read it again") from exc


class RegistrationRecords(OnTheTable):
    """Registration: a county's student numbers, the same-person markers, a learner's
    profile written with its marker, audit and year result."""

    def allocate(self, prefix: str, count: int) -> int:
        """Move a county's student-number counter on by `count`; its new value."""
        counter = self.store.update(
            Keys.counter(f"STUDENT_NO#{prefix}"),
            "ADD #v :n",
            names={"#v": "value"},
            values={":n": count},
        )
        return int(counter["value"])

    def registered(self, people: Sequence[tuple[str, str, str | None]]) -> set[int]:
        """Which of these (unit, name, phone) are already registered, by position."""
        keys = [dedupe_key(*person) for person in people]
        found = {item["pk"] for item in self.store.batch_get(keys)}
        return {i for i, key in enumerate(keys) if key["pk"] in found}

    def register(
        self,
        actor: Actor,
        profile: dict[str, Any],
        at: datetime,
        year: int | None,
        shown: dict[str, Any],
    ) -> None:
        """The profile, its same-person marker and audit, and (when the study year is
        configured) an empty year result so that the report lists the learner at once.
        Raises Duplicate for the same person in the unit."""
        student_no, unit_id = str(profile["student_no"]), str(profile["unit_id"])
        marker = dedupe_key(unit_id, str(profile["name"]), profile.get("phone"))
        operations: list[dict[str, Any]] = [
            _put_new(profile),
            _put_new({**marker, "student_no": student_no}),
            audit_put(actor, AuditEntry("roster.learner.create", student_no, at, after=shown)),
        ]
        if year is not None:
            result = {
                **Keys.year_result(student_no, year),
                **year_result_keys(student_no, year, unit_id),
                "credits": 0,
            }
            operations.append(_put_new(result))
        try:
            self.store.transact(operations)
        except TransactionCancelled as exc:
            if exc.failed(1):
                raise Duplicate(f"{profile['name']} is already registered in this unit") from exc
            raise Conflict() from exc


class LearnerRecords(OnTheTable):
    """A registered learner: listed by unit, their status changed, transferred, an
    action on their account audited; each only over what was read."""

    def learners_page(
        self, unit_id: str, status: str | None, limit: int, start: Mapping[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        where = Filter("#status = :status", {"#status": "status"}, {":status": status})
        page = self.store.query(
            Keys.unit_learners(unit_id),
            index=GSI_NAME,
            paging=Paging(limit, start),
            where=where if status else None,
        )
        return page.items, page.last_key

    def change_status(
        self,
        actor: Actor,
        profile: Mapping[str, Any],
        new: str,
        entry: dict[str, Any],
        at: datetime,
    ) -> None:
        """Only from the status read; raises Conflict if it changed meanwhile. A learner
        who leaves is listed for the retention job (#29.4) from that moment (`left_at`);
        one who comes back is no longer (the job finds their `left_at` gone)."""
        old = profile.get("status", "active")
        student_no = str(profile["student_no"])
        expression = "SET #status = :new, history = list_append(history, :entry)"
        values: dict[str, Any] = {":new": new, ":old": old, ":entry": [entry]}
        leaving: list[dict[str, Any]] = []
        if new == "active":
            expression += " REMOVE left_at"
        elif old == "active":
            expression += ", left_at = :left"
            values[":left"] = iso(at)
            marker = {**Keys.leaver(iso(at), student_no), "student_no": student_no}
            leaving.append({"Put": {"Item": marker}})
        change = {
            "Update": {
                "Key": Keys.learner(student_no),
                "UpdateExpression": expression,
                "ConditionExpression": "#status = :old",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": values,
            }
        }
        audit = audit_put(
            actor,
            AuditEntry(
                "roster.learner.status",
                str(profile["student_no"]),
                at,
                before={"status": old},
                after={"status": new},
                reason=entry.get("reason"),
            ),
        )
        self._write([change, audit, *leaving])

    def transfer(self, actor: Actor, move: Move) -> None:
        """Profile, departure marker and the year result, only from the unit read; raises
        Conflict if the learner moved meanwhile. The old unit keeps a dated marker: its
        reports for days before the move still list the learner."""
        departure = {
            **Keys.departure(move.source, iso(move.at), move.student_no),
            "student_no": move.student_no,
            "at": iso(move.at),
            "to_unit_id": move.target.unit_id,
        }
        profile = {
            "Update": {
                "Key": Keys.learner(move.student_no),
                "UpdateExpression": "SET unit_id = :to, unit_path = :path, #gpk = :gpk, "
                "history = list_append(history, :entry)",
                "ConditionExpression": "unit_id = :from",
                "ExpressionAttributeNames": {"#gpk": GSI_PARTITION_KEY},
                "ExpressionAttributeValues": {
                    ":to": move.target.unit_id,
                    ":from": move.source,
                    ":path": move.target.path,
                    ":gpk": Keys.unit_learners(move.target.unit_id),
                    ":entry": [move.entry],
                },
            }
        }
        operations: list[dict[str, Any]] = [profile, {"Put": {"Item": departure}}]
        if move.year is not None:
            operations.append(self._move_year_result(move))
        operations.append(
            audit_put(
                actor,
                AuditEntry(
                    "roster.learner.transfer",
                    move.student_no,
                    move.at,
                    before={"unit_id": move.source},
                    after={"unit_id": move.target.unit_id},
                ),
            )
        )
        self._write(operations)

    @staticmethod
    def _move_year_result(move: Move) -> dict[str, Any]:
        assert move.year is not None
        identity = year_result_keys(move.student_no, move.year, move.target.unit_id)
        return {
            "Update": {
                "Key": Keys.year_result(move.student_no, move.year),
                "UpdateExpression": "SET unit_id = :unit, #gpk = :gpk, #gsk = :gsk, "
                "student_no = :no, #year = :year, credits = if_not_exists(credits, :zero)",
                "ExpressionAttributeNames": {
                    "#gpk": GSI_PARTITION_KEY,
                    "#gsk": GSI_SORT_KEY,
                    "#year": "year",
                },
                "ExpressionAttributeValues": {
                    ":unit": move.target.unit_id,
                    ":gpk": identity[GSI_PARTITION_KEY],
                    ":gsk": move.student_no,
                    ":no": move.student_no,
                    ":year": move.year,
                    ":zero": 0,
                },
            }
        }

    def audit(self, actor: Actor, action: str, target: str, at: datetime) -> None:
        self.store.transact([audit_put(actor, AuditEntry(action, target, at))])

    def _write(self, operations: list[dict[str, Any]]) -> None:
        try:
            self.store.transact(operations)
        except TransactionCancelled as exc:
            raise Conflict("the learner changed meanwhile; reload and try again") from exc


class CityLoad(OnTheTable):
    """A city written as given (the local stack's demo; a first install): units,
    learners, counters and administrators, unconditionally and without audit."""

    def put_units(self, units: Sequence[Unit]) -> None:
        """Units written as given, unconditionally, without audit."""
        self.store.batch_put([unit_item(unit) for unit in units])

    def put_learners(self, learners: Sequence[Enrolled], at: datetime, by: str) -> None:
        """Learners with their same-person markers, written as given, unconditionally:
        for a table that does not hold them yet (`register` is the checked way)."""
        items: list[dict[str, Any]] = []
        for learner in learners:
            items.append(
                learner_item(learner.student_no, learner.name, learner.unit, learner.phone, at, by)
            )
            marker = dedupe_key(learner.unit.unit_id, learner.name, learner.phone)
            items.append({**marker, "student_no": learner.student_no})
        self.store.batch_put(items)

    def put_counters(self, last_numbers: Mapping[str, int]) -> None:
        """Each county's student-number counter at the last number given out."""
        self.store.batch_put(
            [{**Keys.counter(f"STUDENT_NO#{p}"), "value": n} for p, n in last_numbers.items()]
        )

    def put_admins(self, admins: Sequence[AdminProfile]) -> None:
        """Administrators' records (what scopes them: `DynamoPeople.account`)."""
        self.store.batch_put([{**Keys.admin(a.username), **dataclasses.asdict(a)} for a in admins])


class DynamoRoster(UnitRecords, RegistrationRecords, LearnerRecords, CityLoad):
    """The roster repository whole (RosterRepository, and the city's bulk load) on one
    store: its parts, each with one job, and nothing of its own."""


def _put_new(item: dict[str, Any]) -> dict[str, Any]:
    return {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}
