"""A completed practice set's credits on the table (#27): one TransactWriteItems, its
every guarantee a condition, as a study award's is.

- The set is marked settled only once, only when every question of it is answered; its
  answers per topic are added to the year result then (a unit's practice figures).
- The credits fit under the day's caps (the year result's per-day and per-activity
  counters, the same conditions as a study award's), inside the credit window, for an
  active learner; the ledger entry appears with them.
- A set cannot be farmed: a lesson's set pays once a year for that lesson, a topic's once
  a day for that topic, 每日一练 once a day (a marker per learner that may only be made).

A cancelled transaction comes back as the checks that failed, for the service to decide.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, cast

from xuefa.core.clock import iso
from xuefa.credits.award_repository import (
    CreditGrowth,
    credit_window_open,
    credits_under_caps,
    learner_active,
    put_new,
    transact_checks,
)
from xuefa.credits.views import LedgerEntry
from xuefa.practice.sets import GivenSet
from xuefa.practice.views import PayLimit
from xuefa.store.keys import Keys
from xuefa.store.store import Store
from xuefa.years.result_repository import (
    Change,
    practised_attrs,
    year_result_of,
    year_result_update,
)
from xuefa.years.results import YearResult

ACTIVITY = "practice"  # the activity whose daily cap practice sets count under
COLLISIONS = 5  # a transaction cancelled by another one (no condition failed) is retried

PayCheck = Literal["set", "window", "active", "caps", "once"]


@dataclass(frozen=True)
class SetPayment:
    """What a completed set is to pay, and the ceilings it must fit under."""

    given: GivenSet
    unit_id: str
    at: datetime
    day: date
    amount: int
    limit: str | None  # what cut the amount, if anything
    day_ceiling: int
    activity_ceiling: int | None
    # The set's answers and right answers per topic, added to the year result's counters
    # (what a unit's weakest topics are summed from) whether or not the set pays.
    tallies: Mapping[str, tuple[int, int]] = field(default_factory=dict)


def paid_marker(given: GivenSet, day: date) -> dict[str, str]:
    """The key only one paying set of its kind may create (per lesson a year; per topic
    and for the daily set, a Shanghai day)."""
    if given.kind == "lesson":
        return Keys.idempotency(f"practice-{given.year}-{given.owner}", f"lesson-{given.subject}")
    subject = f"topic-{given.subject}" if given.kind == "topic" else "daily"
    return Keys.paid_today(given.owner, day, f"practice-{subject}")


class DynamoPracticeCredits:
    def __init__(self, store: Store):
        self.store = store

    def pay(self, payment: SetPayment) -> frozenset[PayCheck]:
        """Mark the set paid with its credits; the checks that failed (nothing written)."""
        checks: list[tuple[PayCheck, dict[str, Any]]] = [
            ("set", _mark_paid(payment)),
            ("window", credit_window_open(payment.given.year, payment.at)),
            ("active", learner_active(payment.given.owner)),
        ]
        if payment.amount <= 0 and payment.tallies:
            given = payment.given
            tallies = Change(adds=_tally_counters(payment))
            counted = year_result_update(given.owner, given.year, payment.unit_id, tallies)
            checks.append(("caps", counted))
        if payment.amount > 0:
            set_id = payment.given.set_id
            checks += [
                ("caps", credits_under_caps(_growth(payment))),
                ("set", put_new(_ledger_item(payment))),
                (
                    "once",
                    put_new({**paid_marker(payment.given, payment.day), "set_id": set_id}),
                ),
            ]
        return transact_checks(self.store, checks, COLLISIONS)

    def paid(self, set_id: str) -> tuple[int, PayLimit | None] | None:
        """What a set was paid and what cut it; None while it is unpaid."""
        item = self.store.get(Keys.practice_set(set_id)) or {}
        if "credited_at" not in item:
            return None
        return int(item.get("awarded", 0)), cast(PayLimit | None, item.get("award_limit"))

    def counters(self, student_no: str, year: int) -> YearResult:
        return year_result_of(self.store.get(Keys.year_result(student_no, year)), student_no, year)


def _mark_paid(payment: SetPayment) -> dict[str, Any]:
    given = payment.given
    return {
        "Update": {
            "Key": Keys.practice_set(given.set_id),
            "UpdateExpression": "SET awarded = :amount, award_limit = :limit, credited_at = :at",
            "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(credited_at)"
            " AND answered = :all AND #owner = :me",
            "ExpressionAttributeNames": {"#owner": "owner"},
            "ExpressionAttributeValues": {
                ":amount": payment.amount,
                ":limit": payment.limit,
                ":at": iso(payment.at),
                ":all": len(given.question_ids),
                ":me": given.owner,
            },
        }
    }


def _growth(payment: SetPayment) -> CreditGrowth:
    return CreditGrowth(
        student_no=payment.given.owner,
        year=payment.given.year,
        unit_id=payment.unit_id,
        day=payment.day,
        activity=ACTIVITY,
        amount=payment.amount,
        day_ceiling=payment.day_ceiling,
        activity_ceiling=payment.activity_ceiling,
        also=_tally_counters(payment),
    )


def _tally_counters(payment: SetPayment) -> dict[str, int]:
    counters: dict[str, int] = {}
    for topic, (answered, right) in payment.tallies.items():
        answered_attr, right_attr = practised_attrs(topic)
        counters[answered_attr], counters[right_attr] = answered, right
    return counters


def _ledger_item(payment: SetPayment) -> dict[str, Any]:
    given = payment.given
    entry = LedgerEntry(
        entry_id=given.set_id,
        at=iso(payment.at),
        activity=ACTIVITY,
        resource_id=f"practice-{given.kind}",
        credits=payment.amount,
        kind="study",
    )
    key = Keys.ledger_entry(given.owner, given.year, entry.at, entry.entry_id)
    return {**key, **entry.model_dump(exclude_none=True)}
