"""The ledger and adjustments on the table: a page of a learner's entries, newest
first; an adjustment written once per id with its entry, its audit and the counters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

from xuefa.core.audit import AuditEntry
from xuefa.core.auth import Actor
from xuefa.core.clock import iso, local_date
from xuefa.core.errors import Conflict, Duplicate, YearClosed
from xuefa.credits.views import LedgerEntry
from xuefa.store.audit import audit_put
from xuefa.store.keys import Keys
from xuefa.store.store import Paging, Store, TransactionCancelled
from xuefa.years.repository import year_open_check
from xuefa.years.result_repository import (
    ADJUSTED,
    Change,
    Condition,
    counter_name,
    year_result_update,
)


def adjustment_attr(day: date) -> str:
    return counter_name(ADJUSTED, day)


class AdjustmentRecord(Protocol):
    adjustment_id: str
    student_no: str
    year: int
    delta: int
    reason: str


class DynamoLedger:
    def __init__(self, store: Store):
        self.store = store

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


def _put_new(item: dict[str, Any]) -> dict[str, Any]:
    return {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}
