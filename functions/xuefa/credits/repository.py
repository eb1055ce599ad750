"""The credits repository: the catalogue, study sessions, the year result's credit
counters, the ledger and adjustments, on the one table.

`CreditRepository` is what the service needs of it; `DynamoCredits` hands each call to
the part that stores it: the catalogue (catalogue_repository.py), sessions and the
learner's one open session (session_repository.py), the award's one transaction
(award_repository.py), the ledger and adjustments (ledger_repository.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

from xuefa.core.auth import Actor
from xuefa.credits.award_repository import DynamoAwards, activity_attr, day_attr
from xuefa.credits.catalogue_repository import DynamoCatalogue
from xuefa.credits.ledger_repository import AdjustmentRecord, DynamoLedger, adjustment_attr
from xuefa.credits.session_repository import DynamoSessions
from xuefa.credits.views import Award, AwardCheck, HeldSession, LedgerEntry, Resource, StudySession
from xuefa.store.store import Store
from xuefa.years.results import YearResult

__all__ = [
    "AdjustmentRecord",
    "CreditRepository",
    "DynamoCredits",
    "activity_attr",
    "adjustment_attr",
    "day_attr",
]


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
    """The credits repository on the table, by its parts: each call goes to the part
    that stores what it is about."""

    def __init__(self, store: Store):
        self.resources = DynamoCatalogue(store)
        self.sessions = DynamoSessions(store, self.resources)
        self.awards = DynamoAwards(store)
        self.entries = DynamoLedger(store)

    def catalogue(self, year: int) -> list[Resource]:
        return self.resources.catalogue(year)

    def resource(self, year: int, resource_id: str) -> Resource | None:
        return self.resources.resource(year, resource_id)

    def add_resource(self, actor: Actor, year: int, resource: Resource, at: datetime) -> None:
        self.resources.add_resource(actor, year, resource, at)

    def start_facts(
        self, year: int, resource_id: str, student_no: str, day: date
    ) -> tuple[Resource | None, dict[str, Any] | None, bool]:
        return self.sessions.start_facts(year, resource_id, student_no, day)

    def open_session(self, session: StudySession) -> HeldSession | None:
        return self.sessions.open_session(session)

    def close_session(self, session: StudySession, at: datetime) -> bool:
        return self.sessions.close_session(session, at)

    def session_and_counters(
        self, student_no: str, year: int, session_id: str
    ) -> tuple[StudySession | None, YearResult]:
        return self.sessions.session_and_counters(student_no, year, session_id)

    def counters(self, student_no: str, year: int) -> YearResult:
        return self.sessions.counters(student_no, year)

    def award(self, award: Award) -> frozenset[AwardCheck]:
        return self.awards.award(award)

    def ledger(
        self, student_no: str, year: int, limit: int, start: Mapping[str, Any] | None
    ) -> tuple[list[LedgerEntry], dict[str, Any] | None]:
        return self.entries.ledger(student_no, year, limit, start)

    def adjust(
        self, actor: Actor, adjustment: AdjustmentRecord, unit_id: str, before: int, at: datetime
    ) -> None:
        self.entries.adjust(actor, adjustment, unit_id, before, at)

    def adjustment_request(self, adjustment_id: str) -> dict[str, Any] | None:
        return self.entries.adjustment_request(adjustment_id)
