"""The award on the table: a completion's every guarantee is a condition of one
TransactWriteItems; a cancelled one comes back as the set of checks that failed, in the
domain's words, for the service to decide what that means."""

from __future__ import annotations

from datetime import date
from typing import Any

from xuefa.core.clock import iso
from xuefa.core.errors import Conflict
from xuefa.credits.session_repository import START_RETRIES, release_lock
from xuefa.credits.views import Award, AwardCheck, LedgerEntry
from xuefa.store.keys import Keys
from xuefa.store.store import Store, TransactionCancelled
from xuefa.years.result_repository import (
    ACTIVITY,
    EARNED,
    Change,
    Condition,
    counter_name,
    year_result_update,
)


def day_attr(day: date) -> str:
    return counter_name(EARNED, day)


def activity_attr(day: date, activity: str) -> str:
    return counter_name(ACTIVITY, day, activity)


class DynamoAwards:
    def __init__(self, store: Store):
        self.store = store

    def award(self, award: Award) -> frozenset[AwardCheck]:
        checks: list[tuple[AwardCheck, dict[str, Any]]] = [
            ("session", self._close_session(award)),
            ("window", self._window_open(award)),
            ("active", learner_active(award.session.student_no)),
        ]
        if award.session.locked:
            checks.append(("lock", release_lock(award.session, award.at)))
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


def _put_new(item: dict[str, Any]) -> dict[str, Any]:
    return {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}
