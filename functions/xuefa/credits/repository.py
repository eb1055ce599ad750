"""The credits repository: the catalogue, study sessions, the year result's credit
counters, the ledger and adjustments, on the one table.

Every guarantee of a completion is a condition of one TransactWriteItems (see `award`);
a cancelled transaction comes back as the set of checks that failed, in the domain's
words, for the service to decide what that means.

A learner has one open (timed) study session a year: its lock item
(`Keys.open_session`) is written in the start's transaction only if it is free —
absent, released, or expired (TTL deletes lazily, so an expired lock must count as
free) — and released in the completion's transaction, which also requires that this
session still holds it. So served time never overlaps. Locks and open sessions carry
`expires_at`, the table's TTL attribute; a completed session drops it and stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

from xuefa.core.audit import AuditEntry
from xuefa.core.auth import Actor
from xuefa.core.clock import iso, local_date
from xuefa.core.errors import Conflict, Duplicate, YearClosed
from xuefa.credits.views import (
    LESSON_FIELDS,
    SESSION_LESSON_FIELDS,
    Award,
    AwardCheck,
    HeldSession,
    LedgerEntry,
    Resource,
    StudySession,
)
from xuefa.store.audit import audit_put
from xuefa.store.keys import Keys
from xuefa.store.store import Paging, Store, TransactionCancelled
from xuefa.years.repository import year_open_check
from xuefa.years.result_repository import (
    ACTIVITY,
    ADJUSTED,
    EARNED,
    Change,
    Condition,
    counter_name,
    year_result_of,
    year_result_update,
)
from xuefa.years.results import YearResult

# A start or award cancelled only because transactions collided (no condition failed)
# is tried again.
START_RETRIES = 5


def day_attr(day: date) -> str:
    return counter_name(EARNED, day)


def activity_attr(day: date, activity: str) -> str:
    return counter_name(ACTIVITY, day, activity)


def adjustment_attr(day: date) -> str:
    return counter_name(ADJUSTED, day)


class AdjustmentRecord(Protocol):
    adjustment_id: str
    student_no: str
    year: int
    delta: int
    reason: str


class CreditRepository(Protocol):
    def catalogue(self, year: int) -> list[Resource]: ...

    def resource(self, year: int, resource_id: str) -> Resource | None:
        """A resource, from a warm cache: resources are only ever added, never changed."""
        ...

    def add_resource(self, actor: Actor, year: int, resource: Resource, at: datetime) -> None:
        """Raises Duplicate for a taken id, YearClosed once the year has closed."""
        ...

    def start_facts(
        self, year: int, resource_id: str, student_no: str, day: date
    ) -> tuple[Resource | None, dict[str, Any] | None, bool]:
        """The resource, the learner's profile, and whether it was paid to them today."""
        ...

    def open_session(self, session: StudySession) -> HeldSession | None:
        """Write the session (and take the learner's lock if it is `locked`); or, writing
        nothing, the open session that holds the lock."""
        ...

    def close_session(self, session: StudySession, at: datetime) -> bool:
        """Abandon an open session and free its lock; False if it was no longer open."""
        ...

    def session_and_counters(
        self, student_no: str, year: int, session_id: str
    ) -> tuple[StudySession | None, YearResult]:
        """The session and the learner's year result (its counters), read consistently."""
        ...

    def counters(self, student_no: str, year: int) -> YearResult: ...

    def award(self, award: Award) -> frozenset[AwardCheck]:
        """Write the award; the checks that failed (nothing written), or none."""
        ...

    def ledger(
        self, student_no: str, year: int, limit: int, start: Mapping[str, Any] | None
    ) -> tuple[list[LedgerEntry], dict[str, Any] | None]: ...

    def adjust(
        self, actor: Actor, adjustment: AdjustmentRecord, unit_id: str, before: int, at: datetime
    ) -> None:
        """Raises Duplicate (with the earlier request) for a used id, Conflict below zero,
        YearClosed once the year has closed."""
        ...

    def adjustment_request(self, adjustment_id: str) -> dict[str, Any] | None: ...


class DynamoCredits:
    def __init__(self, store: Store):
        self.store = store
        self._resources: dict[tuple[int, str], Resource] = {}

    # the catalogue ------------------------------------------------------------------

    def catalogue(self, year: int) -> list[Resource]:
        items = self.store.query_all(Keys.catalogue(year))
        return [Resource.model_validate(item) for item in items]

    def resource(self, year: int, resource_id: str) -> Resource | None:
        cached = self._resources.get((year, resource_id))
        if cached is None:
            item = self.store.get(Keys.resource(year, resource_id), consistent=False)
            if item is None:
                return None
            cached = self._resources[(year, resource_id)] = Resource.model_validate(item)
        return cached

    def add_resource(self, actor: Actor, year: int, resource: Resource, at: datetime) -> None:
        exclude: set[str] = set() if resource.is_lesson else LESSON_FIELDS  # a task stays as it was
        item = {
            **Keys.resource(year, resource.resource_id),
            **resource.model_dump(exclude=exclude),
            "year": year,
        }
        try:
            self.store.transact(
                [
                    {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
                    audit_put(
                        actor,
                        AuditEntry(
                            "catalogue.add",
                            f"{year}/{resource.resource_id}",
                            at,
                            after=resource.model_dump(),
                        ),
                    ),
                    year_open_check(year, at),
                ]
            )
        except TransactionCancelled as exc:
            if exc.failed(0):
                raise Duplicate(f"resource {resource.resource_id} already exists") from exc
            if exc.failed(2):
                raise YearClosed(f"study year {year} has closed") from exc
            raise Conflict() from exc

    # sessions -----------------------------------------------------------------------

    def start_facts(
        self, year: int, resource_id: str, student_no: str, day: date
    ) -> tuple[Resource | None, dict[str, Any] | None, bool]:
        resource_key = Keys.resource(year, resource_id)
        paid_key = Keys.paid_today(student_no, day, resource_id)
        found = self.store.batch_get([resource_key, Keys.learner(student_no), paid_key])
        resource = next((i for i in found if i["pk"] == resource_key["pk"]), None)
        profile = next((i for i in found if i["sk"] == "PROFILE"), None)
        paid = any(i["pk"] == paid_key["pk"] for i in found)
        if resource is None:
            return None, profile, paid
        # Cached for the completion that follows, usually in this same warm container.
        cached = self._resources[(year, resource_id)] = Resource.model_validate(resource)
        return cached, profile, paid

    def open_session(self, session: StudySession) -> HeldSession | None:
        item = {
            **Keys.session(session.student_no, session.year, session.session_id),
            **session.model_dump(
                exclude_none=True,
                exclude=None if session.kind != "task" else SESSION_LESSON_FIELDS,
            ),
            "ready_epoch": session.ready_epoch,
        }
        if session.expires_epoch is not None:
            item["expires_at"] = session.expires_epoch  # the table's TTL attribute
        operations = [
            {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
            # No check of the learner's status here: the start has just read the profile,
            # and the completion's transaction checks it (a ConditionCheck on the profile
            # costs 4 write units a transaction: once a session is enough).
            year_result_update(session.student_no, session.year, session.unit_id or ""),
        ]
        if session.locked:
            operations.append(_take_lock(session))
        for _ in range(START_RETRIES):
            try:
                self.store.transact(operations)
                return None
            except TransactionCancelled as exc:
                if session.locked and exc.failed(2):
                    held = exc.items[2] or {}
                    return HeldSession(
                        session_id=str(held.get("session_id", "")),
                        resource_id=str(held.get("resource_id", "")),
                        started_at=str(held.get("started_at", "")),
                        min_seconds=int(held.get("min_seconds", 0)),
                        expires_epoch=int(held.get("expires_at", 0)),
                    )
                if any(exc.failed(i) for i in range(len(operations))):
                    raise Conflict() from exc
                # Collided with another transaction on the same items: nothing was
                # written; the next try sees the outcome (the lock taken, or free).
        raise Conflict("too many simultaneous starts; try again")

    def close_session(self, session: StudySession, at: datetime) -> bool:
        operations = [
            {
                "Update": {
                    "Key": Keys.session(session.student_no, session.year, session.session_id),
                    "UpdateExpression": "SET #state = :abandoned, closed_at = :at",
                    "ConditionExpression": "#state = :open",
                    "ExpressionAttributeNames": {"#state": "state"},
                    "ExpressionAttributeValues": {
                        ":abandoned": "abandoned",
                        ":open": "open",
                        ":at": iso(at),
                    },
                }
            }
        ]
        if session.locked:
            # Frees the lock only if this session still holds it (unexpired or not).
            operations.append(_release_lock(session, at, require_unexpired=False))
        try:
            self.store.transact(operations)
        except TransactionCancelled as exc:
            if exc.failed(0):
                return False
            if exc.failed(1):  # expired and taken by another: this session just closes
                self.store.transact(operations[:1])
                return True
            raise Conflict() from exc
        return True

    def session_and_counters(
        self, student_no: str, year: int, session_id: str
    ) -> tuple[StudySession | None, YearResult]:
        session_key = Keys.session(student_no, year, session_id)
        result_key = Keys.year_result(student_no, year)
        found = self.store.batch_get([session_key, result_key], consistent=True)
        session = next((i for i in found if i["sk"] == session_key["sk"]), None)
        result = next((i for i in found if i["sk"] == result_key["sk"]), None)
        counters = year_result_of(result, student_no, year)
        return (StudySession.model_validate(session) if session else None), counters

    def counters(self, student_no: str, year: int) -> YearResult:
        found = self.store.get(Keys.year_result(student_no, year), consistent=True)
        return year_result_of(found, student_no, year)

    # the award ----------------------------------------------------------------------

    def award(self, award: Award) -> frozenset[AwardCheck]:
        checks: list[tuple[AwardCheck, dict[str, Any]]] = [
            ("session", self._close_session(award)),
            ("window", self._window_open(award)),
            ("active", learner_active(award.session.student_no)),
        ]
        if award.session.locked:
            checks.append(("lock", _release_lock(award.session, award.at)))
        if award.amount > 0:
            checks += [("caps", self._add_credits(award)), ("ledger", self._ledger_entry(award))]
            session = award.session
            if session.once_per_year:
                once = Keys.idempotency(
                    f"resource-{session.year}-{session.student_no}", session.resource_id
                )
                checks.append(("once", _put_new({**once, "session_id": session.session_id})))
            if session.once_per_day:
                paid = Keys.paid_today(session.student_no, award.day, session.resource_id)
                checks.append(("once_day", _put_new({**paid, "session_id": session.session_id})))
        for _ in range(START_RETRIES):
            try:
                self.store.transact([operation for _, operation in checks])
                return frozenset()
            except TransactionCancelled as exc:
                failed = frozenset(check for i, (check, _) in enumerate(checks) if exc.failed(i))
                if failed:
                    return failed
                # Cancelled with no condition failed: it collided with another transaction
                # (a start taking the lock, a parallel completion) and wrote nothing. Never
                # an award: try again, the next outcome says.
        raise Conflict("too many simultaneous changes; try again")

    @staticmethod
    def _close_session(award: Award) -> dict[str, Any]:
        """Only an open, unexpired session, served long enough, still as its resource
        promised. A closed session loses its TTL: the record of what was studied stays."""
        session = award.session
        return {
            "Update": {
                "Key": Keys.session(session.student_no, session.year, session.session_id),
                "UpdateExpression": "SET #state = :done, awarded = :amount, "
                "capped = :capped, #limit = :limit, completed_at = :at REMOVE expires_at",
                # Sessions from before `ready_epoch` was kept are timed by the service alone.
                # A lesson's session (#26) is served by its progress reports instead.
                "ConditionExpression": "#state = :open "
                "AND (ready_epoch <= :now OR attribute_not_exists(ready_epoch)) "
                "AND (attribute_not_exists(needed_seconds) OR served_seconds >= needed_seconds) "
                "AND (expires_at > :now OR attribute_not_exists(expires_at)) "
                "AND resource_id = :resource AND credits = :credits AND activity = :activity",
                "ExpressionAttributeNames": {"#state": "state", "#limit": "limit"},
                "ExpressionAttributeValues": {
                    ":done": award.closes_as,
                    ":open": "open",
                    ":amount": award.amount,
                    ":capped": award.limit is not None,
                    ":limit": award.limit,
                    ":at": iso(award.at),
                    ":now": int(award.at.timestamp()),
                    ":resource": session.resource_id,
                    ":credits": session.credits,
                    ":activity": session.activity,
                },
            }
        }

    @staticmethod
    def _window_open(award: Award) -> dict[str, Any]:
        return {
            "ConditionCheck": {
                "Key": Keys.year_config(award.session.year),
                "ConditionExpression": "credit_opens <= :now AND credit_closes > :now",
                "ExpressionAttributeValues": {":now": int(award.at.timestamp())},
            }
        }

    @staticmethod
    def _add_credits(award: Award) -> dict[str, Any]:
        """The caps as conditions: today's counters must still leave room for the amount."""
        session = award.session
        condition = "(attribute_not_exists(#c1) OR #c1 <= :day_room)"
        room: dict[str, Any] = {":day_room": award.day_ceiling - award.amount}
        if award.activity_ceiling is not None:
            condition += " AND (attribute_not_exists(#c2) OR #c2 <= :act_room)"
            room[":act_room"] = award.activity_ceiling - award.amount
        if session.unit_id is None:
            condition = "attribute_exists(pk) AND " + condition
        adds = {
            "credits": award.amount,
            day_attr(award.day): award.amount,
            activity_attr(award.day, session.activity): award.amount,
        }
        return year_result_update(
            session.student_no,
            session.year,
            session.unit_id or "",
            Change(adds=adds),
            Condition(condition, values=room),
        )

    @staticmethod
    def _ledger_entry(award: Award) -> dict[str, Any]:
        session = award.session
        entry = LedgerEntry(
            entry_id=session.session_id,
            at=iso(award.at),
            activity=session.activity,
            resource_id=session.resource_id,
            credits=award.amount,
            kind="study",
        )
        key = Keys.ledger_entry(session.student_no, session.year, entry.at, entry.entry_id)
        return _put_new({**key, **entry.model_dump(exclude_none=True)})

    # the ledger and adjustments -----------------------------------------------------

    def ledger(
        self, student_no: str, year: int, limit: int, start: Mapping[str, Any] | None
    ) -> tuple[list[LedgerEntry], dict[str, Any] | None]:
        page = self.store.query(
            Keys.learner(student_no)["pk"],
            Keys.ledger_prefix(year),
            paging=Paging(limit, start, forward=False),
        )
        return [LedgerEntry.model_validate(item) for item in page.items], page.last_key

    def adjust(
        self, actor: Actor, adjustment: AdjustmentRecord, unit_id: str, before: int, at: datetime
    ) -> None:
        day = local_date(at)
        delta = adjustment.delta
        once = {
            **Keys.idempotency("adjustment", adjustment.adjustment_id),
            "request": _adjustment_request(adjustment),
            "at": iso(at),
            "actor": actor.username,
        }
        operations = [
            _put_new(once),
            year_result_update(
                adjustment.student_no,
                adjustment.year,
                unit_id,
                Change(adds={"credits": delta, adjustment_attr(day): delta}),
                # Never below zero: a missing year result has no credits to take away either.
                Condition("credits >= :needed", values={":needed": -delta}) if delta < 0 else None,
            ),
            _put_new({**_adjustment_entry(adjustment, at), "actor": actor.username}),
            audit_put(
                actor,
                AuditEntry(
                    "credits.adjust",
                    f"{adjustment.student_no}/{adjustment.year}",
                    at,
                    before={"credits": before},
                    after={"credits": before + delta},
                    reason=adjustment.reason,
                ),
            ),
            year_open_check(adjustment.year, at),
        ]
        try:
            self.store.transact(operations)
        except TransactionCancelled as exc:
            if exc.failed(0):
                raise Duplicate(f"adjustment {adjustment.adjustment_id} was already used") from exc
            if exc.failed(1):
                raise Conflict(
                    "that adjustment would take the learner's credits below zero",
                    {"credits": before, "delta": delta},
                ) from exc
            if exc.failed(4):
                raise YearClosed(f"study year {adjustment.year} has closed") from exc
            raise Conflict() from exc

    def adjustment_request(self, adjustment_id: str) -> dict[str, Any] | None:
        earlier = self.store.get(Keys.idempotency("adjustment", adjustment_id))
        return earlier.get("request") if earlier else None


def _adjustment_entry(adjustment: AdjustmentRecord, at: datetime) -> dict[str, Any]:
    entry = LedgerEntry(
        entry_id=adjustment.adjustment_id,
        at=iso(at),
        activity="adjustment",
        credits=adjustment.delta,
        kind="adjustment",
        reason=adjustment.reason,
    )
    key = Keys.ledger_entry(adjustment.student_no, adjustment.year, entry.at, entry.entry_id)
    return {**key, **entry.model_dump()}


def _adjustment_request(adjustment: AdjustmentRecord) -> dict[str, Any]:
    """What makes a repeated adjustment the same one."""
    return {
        "adjustment_id": adjustment.adjustment_id,
        "student_no": adjustment.student_no,
        "year": adjustment.year,
        "delta": adjustment.delta,
        "reason": adjustment.reason,
    }


def learner_active(student_no: str) -> dict[str, Any]:
    """The learner's profile says active (resigned and retired learners earn nothing)."""
    return {
        "ConditionCheck": {
            "Key": Keys.learner(student_no),
            "ConditionExpression": "attribute_exists(pk) "
            "AND (attribute_not_exists(#status) OR #status = :active)",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":active": "active"},
        }
    }


def _take_lock(session: StudySession) -> dict[str, Any]:
    """The learner's open session becomes this one, if none is open (or it expired)."""
    lock = {
        **Keys.open_session(session.student_no, session.year),
        "session_id": session.session_id,
        "resource_id": session.resource_id,
        "started_at": session.started_at,
        "min_seconds": session.min_seconds,
        "expires_at": session.expires_epoch,  # the table's TTL attribute
    }
    return {
        "Put": {
            "Item": lock,
            "ConditionExpression": "attribute_not_exists(session_id) OR expires_at <= :now",
            "ExpressionAttributeValues": {":now": session.started_epoch},
        }
    }


def _release_lock(
    session: StudySession, at: datetime, *, require_unexpired: bool = True
) -> dict[str, Any]:
    """Free the lock, only while this session holds it (and, to pay, before it expires).
    The freed item expires now, for the TTL to remove."""
    condition = "session_id = :me"
    if require_unexpired:
        condition += " AND expires_at > :now"
    return {
        "Update": {
            "Key": Keys.open_session(session.student_no, session.year),
            "UpdateExpression": "SET expires_at = :now REMOVE session_id",
            "ConditionExpression": condition,
            "ExpressionAttributeValues": {
                ":me": session.session_id,
                ":now": int(at.timestamp()),
            },
        }
    }


def _put_new(item: dict[str, Any]) -> dict[str, Any]:
    return {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}
