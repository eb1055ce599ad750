"""The award on the table: a completion's every guarantee is a condition of one
TransactWriteItems; a cancelled one comes back as the set of checks that failed, in the
domain's words, for the service to decide what that means."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

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
                checks.append(("once", put_new({**once, "session_id": session.session_id})))
            if session.once_per_day:
                paid = Keys.paid_today(session.student_no, award.day, session.resource_id)
                checks.append(("once_day", put_new({**paid, "session_id": session.session_id})))
        return transact_checks(self.store, checks, START_RETRIES)

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
        return credit_window_open(award.session.year, award.at)

    @staticmethod
    def _add_credits(award: Award) -> dict[str, Any]:
        session = award.session
        return credits_under_caps(
            CreditGrowth(
                student_no=session.student_no,
                year=session.year,
                unit_id=session.unit_id,
                day=award.day,
                activity=session.activity,
                amount=award.amount,
                day_ceiling=award.day_ceiling,
                activity_ceiling=award.activity_ceiling,
            )
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
        return put_new({**key, **entry.model_dump(exclude_none=True)})


Check = TypeVar("Check", bound=str)


def transact_checks(
    store: Store, checks: Sequence[tuple[Check, dict[str, Any]]], tries: int
) -> frozenset[Check]:
    """Write the operations in one transaction: nothing (it landed) or the names of the
    checks whose conditions failed (nothing written)."""
    for _ in range(tries):
        try:
            store.transact([operation for _, operation in checks])
            return frozenset()
        except TransactionCancelled as exc:
            failed = frozenset(check for i, (check, _) in enumerate(checks) if exc.failed(i))
            if failed:
                return failed
            # Cancelled with no condition failed: it collided with another transaction (a
            # start taking the lock, a parallel completion) and wrote nothing. Never an
            # award: try again, the next outcome says.
    raise Conflict("too many simultaneous changes; try again")


@dataclass(frozen=True)
class CreditGrowth:
    """Credits a learner earns on a day for an activity, and the day's ceilings."""

    student_no: str
    year: int
    unit_id: str | None  # None: the year result exists already and keeps its unit
    day: date
    activity: str
    amount: int
    day_ceiling: int
    activity_ceiling: int | None
    also: Mapping[str, int] = field(default_factory=dict)  # other counters the update ADDs


def credits_under_caps(growth: CreditGrowth) -> dict[str, Any]:
    """The year result grows, the caps as conditions: today's counters must still leave
    room for the amount (a study award and a practice set's, #27, alike)."""
    condition = "(attribute_not_exists(#c1) OR #c1 <= :day_room)"
    room: dict[str, Any] = {":day_room": growth.day_ceiling - growth.amount}
    if growth.activity_ceiling is not None:
        condition += " AND (attribute_not_exists(#c2) OR #c2 <= :act_room)"
        room[":act_room"] = growth.activity_ceiling - growth.amount
    if growth.unit_id is None:
        condition = "attribute_exists(pk) AND " + condition
    adds = {
        "credits": growth.amount,
        day_attr(growth.day): growth.amount,
        activity_attr(growth.day, growth.activity): growth.amount,
        **growth.also,
    }
    return year_result_update(
        growth.student_no,
        growth.year,
        growth.unit_id or "",
        Change(adds=adds),
        Condition(condition, values=room),
    )


def credit_window_open(year: int, at: datetime) -> dict[str, Any]:
    """The year's credit window holds `at` (checked against the stored config)."""
    return {
        "ConditionCheck": {
            "Key": Keys.year_config(year),
            "ConditionExpression": "credit_opens <= :now AND credit_closes > :now",
            "ExpressionAttributeValues": {":now": int(at.timestamp())},
        }
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


def put_new(item: dict[str, Any]) -> dict[str, Any]:
    """A Put that only creates."""
    return {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}
