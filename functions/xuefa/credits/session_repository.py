"""Study sessions on the table: starting one (and taking the learner's one open
session), abandoning it, reading it with the learner's counters.

A learner has one open (timed) study session a year: its lock item
(`Keys.open_session`) is written in the start's transaction only if it is free —
absent, released, or expired (TTL deletes lazily, so an expired lock must count as
free) — and released in the completion's transaction, which also requires that this
session still holds it. So served time never overlaps. Locks and open sessions carry
`expires_at`, the table's TTL attribute; a completed session drops it and stays.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from xuefa.core.clock import iso
from xuefa.core.errors import Conflict
from xuefa.credits.catalogue_repository import DynamoCatalogue
from xuefa.credits.views import SESSION_LESSON_FIELDS, HeldSession, Resource, StudySession
from xuefa.store.keys import Keys
from xuefa.store.store import Store, TransactionCancelled
from xuefa.years.result_repository import year_result_of, year_result_update
from xuefa.years.results import YearResult

# A start or award cancelled only because transactions collided (no condition failed)
# is tried again.
START_RETRIES = 5


class DynamoSessions:
    def __init__(self, store: Store, catalogue: DynamoCatalogue):
        self.store = store
        self.catalogue = catalogue  # a start's resource warms its cache

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
        return self.catalogue.remember(year, resource_id, resource), profile, paid

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
            operations.append(release_lock(session, at, require_unexpired=False))
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


def release_lock(
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
