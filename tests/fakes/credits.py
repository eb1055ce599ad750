"""The credits repository in memory, with DynamoDB's all-or-nothing outcomes."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from tests.fakes.directory import FakeDirectory, FakeYearBook
from xuefa.core.auth import Actor
from xuefa.core.clock import iso, local_date
from xuefa.core.errors import Conflict, Duplicate, YearClosed
from xuefa.credits.repository import AdjustmentRecord, activity_attr, adjustment_attr, day_attr
from xuefa.credits.views import Award, AwardCheck, HeldSession, LedgerEntry, Resource, StudySession
from xuefa.years.result_repository import year_result_of
from xuefa.years.results import YearResult


class FakeCredits:
    def __init__(self, years: FakeYearBook, directory: FakeDirectory) -> None:
        self.years = years
        self.directory = directory
        self.resources: dict[tuple[int, str], Resource] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.results: dict[tuple[str, int], dict[str, Any]] = {}
        self.entries: dict[tuple[str, int], list[LedgerEntry]] = {}
        self.paid_once: set[tuple[int, str, str]] = set()
        self.paid_days: set[tuple[str, date, str]] = set()
        self.adjustments: dict[str, dict[str, Any]] = {}
        # (student_no, year) → the lock item: the session that holds it and its expiry
        self.locks: dict[tuple[str, int], dict[str, Any]] = {}
        self.audit: list[tuple[str, str]] = []
        self.calls: list[str] = []  # what a request cost: the repository's calls in order
        self._lock = threading.Lock()

    # the catalogue ------------------------------------------------------------------

    def catalogue(self, year: int) -> list[Resource]:
        self.calls.append("catalogue")
        return [r for (y, _), r in sorted(self.resources.items()) if y == year]

    def resource(self, year: int, resource_id: str) -> Resource | None:
        self.calls.append("resource")
        return self.resources.get((year, resource_id))

    def add_resource(self, actor: Actor, year: int, resource: Resource, at: datetime) -> None:
        self.calls.append("add_resource")
        with self._lock:
            if (year, resource.resource_id) in self.resources:
                raise Duplicate(f"resource {resource.resource_id} already exists")
            if self.years.get(year).credit_window.closes_at <= at:
                raise YearClosed(f"study year {year} has closed")
            self.resources[(year, resource.resource_id)] = resource
            self.audit.append(("catalogue.add", f"{year}/{resource.resource_id}"))

    # sessions -----------------------------------------------------------------------

    def start_facts(
        self, year: int, resource_id: str, student_no: str, day: date
    ) -> tuple[Resource | None, dict[str, Any] | None, bool]:
        self.calls.append("start_facts")
        return (
            self.resources.get((year, resource_id)),
            self.directory.profiles.get(student_no),
            (student_no, day, resource_id) in self.paid_days,
        )

    def open_session(self, session: StudySession) -> HeldSession | None:
        self.calls.append("open_session")
        with self._lock:
            key = (session.student_no, session.year)
            held = self.locks.get(key)
            if (
                session.locked
                and held
                and held.get("session_id")
                and (held["expires_at"] > session.started_epoch)
            ):
                return HeldSession(
                    session_id=held["session_id"],
                    resource_id=held["resource_id"],
                    started_at=held["started_at"],
                    min_seconds=held["min_seconds"],
                    expires_epoch=held["expires_at"],
                )
            if session.session_id in self.sessions:  # the session's put: written once
                raise Conflict()
            if session.locked:
                self.locks[key] = {
                    "session_id": session.session_id,
                    "resource_id": session.resource_id,
                    "started_at": session.started_at,
                    "min_seconds": session.min_seconds,
                    "expires_at": session.expires_epoch,
                }
            self.sessions[session.session_id] = {
                **session.model_dump(),
                "ready_epoch": session.ready_epoch,
            }
            result = self.results.setdefault((session.student_no, session.year), {})
            result.setdefault("unit_id", session.unit_id)
            result.setdefault("credits", 0)
            return None

    def close_session(self, session: StudySession, at: datetime) -> bool:
        self.calls.append("close_session")
        with self._lock:
            stored = self.sessions.get(session.session_id)
            if stored is None or stored["state"] != "open":
                return False
            stored["state"] = "abandoned"
            self._release(session, int(at.timestamp()))
            return True

    def _closes(self, session: StudySession, now: int) -> bool:
        """The session's own condition: open, unexpired, served, as its resource promised."""
        stored = self.sessions.get(session.session_id)
        return (
            stored is not None
            and stored["state"] == "open"
            and stored.get("ready_epoch", 0) <= now
            and (stored.get("expires_epoch") is None or stored["expires_epoch"] > now)
            and (stored["resource_id"], stored["credits"], stored["activity"])
            == (session.resource_id, session.credits, session.activity)
        )

    def _active(self, student_no: str) -> bool:
        profile = self.directory.profiles.get(student_no)
        return profile is not None and profile.get("status", "active") == "active"

    def _holds_lock(self, session: StudySession, now: int) -> bool:
        held = self.locks.get((session.student_no, session.year)) or {}
        return held.get("session_id") == session.session_id and held["expires_at"] > now

    def _release(self, session: StudySession, now: int) -> None:
        held = self.locks.get((session.student_no, session.year)) or {}
        if held.get("session_id") == session.session_id:
            held.pop("session_id")
            held["expires_at"] = now

    def session_and_counters(
        self, student_no: str, year: int, session_id: str
    ) -> tuple[StudySession | None, YearResult]:
        self.calls.append("session_and_counters")
        session = self.sessions.get(session_id)
        found = StudySession.model_validate(session) if session else None
        return found, self._counters(student_no, year)

    def counters(self, student_no: str, year: int) -> YearResult:
        self.calls.append("counters")
        return self._counters(student_no, year)

    def _counters(self, student_no: str, year: int) -> YearResult:
        return year_result_of(self.results.get((student_no, year)), student_no, year)

    # the award ----------------------------------------------------------------------

    def award(self, award: Award) -> frozenset[AwardCheck]:
        self.calls.append("award")
        with self._lock:
            refused = self._refusals(award)
            if not refused:
                self._apply(award)
            return frozenset(refused)

    def _refusals(self, award: Award) -> set[AwardCheck]:
        session, at = award.session, award.at
        refused: set[AwardCheck] = set()
        now = int(at.timestamp())
        if not self._closes(session, now):
            refused.add("session")
        if not self._active(session.student_no):
            refused.add("active")
        if session.locked and not self._holds_lock(session, now):
            refused.add("lock")
        window = self.years.get(session.year).credit_window
        if not window.opens_at <= at < window.closes_at:
            refused.add("window")
        if award.amount == 0:
            return refused
        if not self._fits(award):
            refused.add("caps")
        if self._entered(award):
            refused.add("ledger")
        if session.once_per_year and self._once(session) in self.paid_once:
            refused.add("once")
        if session.once_per_day and self._once_day(award) in self.paid_days:
            refused.add("once_day")
        return refused

    def _fits(self, award: Award) -> bool:
        """The caps' conditions: today's counters still leave room for the amount."""
        session = award.session
        result = self.results.get((session.student_no, session.year))
        if result is None and session.unit_id is None:
            return False
        # As the table's conditions: a counter not written yet has room for any amount
        # (the service cuts an amount to the room it read).
        counters = result or {}
        day = counters.get(day_attr(award.day))
        if day is not None and day > award.day_ceiling - award.amount:
            return False
        if award.activity_ceiling is None:
            return True
        used = counters.get(activity_attr(award.day, session.activity))
        return used is None or bool(used <= award.activity_ceiling - award.amount)

    def _entered(self, award: Award) -> bool:
        """The ledger entry's own condition: none yet for this session at this moment."""
        session = award.session
        entries = self.entries.get((session.student_no, session.year), [])
        return any(e.entry_id == session.session_id and e.at == iso(award.at) for e in entries)

    def _apply(self, award: Award) -> None:
        session = award.session
        stored = self.sessions[session.session_id]
        stored.update(
            state=award.closes_as,
            awarded=award.amount,
            capped=award.limit is not None,
            limit=award.limit,
        )
        if session.locked:
            self._release(session, int(award.at.timestamp()))
        if award.amount == 0:
            return
        result = self.results.setdefault((session.student_no, session.year), {})
        result.setdefault("unit_id", session.unit_id)
        for name in ("credits", day_attr(award.day), activity_attr(award.day, session.activity)):
            result[name] = result.get(name, 0) + award.amount
        self.entries.setdefault((session.student_no, session.year), []).append(
            LedgerEntry(
                entry_id=session.session_id,
                at=iso(award.at),
                activity=session.activity,
                resource_id=session.resource_id,
                credits=award.amount,
                kind="study",
            )
        )
        if session.once_per_year:
            self.paid_once.add(self._once(session))
        if session.once_per_day:
            self.paid_days.add(self._once_day(award))

    @staticmethod
    def _once(session: StudySession) -> tuple[int, str, str]:
        return session.year, session.student_no, session.resource_id

    @staticmethod
    def _once_day(award: Award) -> tuple[str, date, str]:
        return award.session.student_no, award.day, award.session.resource_id

    # the ledger and adjustments -----------------------------------------------------

    def ledger(
        self, student_no: str, year: int, limit: int, start: Mapping[str, Any] | None
    ) -> tuple[list[LedgerEntry], dict[str, Any] | None]:
        self.calls.append("ledger")
        newest_first = sorted(
            self.entries.get((student_no, year), []), key=lambda e: e.at, reverse=True
        )
        offset = int(start["offset"]) if start else 0
        page = newest_first[offset : offset + limit]
        more = offset + limit < len(newest_first)
        return page, ({"offset": offset + limit} if more else None)

    def adjust(
        self, actor: Actor, adjustment: AdjustmentRecord, unit_id: str, before: int, at: datetime
    ) -> None:
        self.calls.append("adjust")
        with self._lock:
            if adjustment.adjustment_id in self.adjustments:
                raise Duplicate(f"adjustment {adjustment.adjustment_id} was already used")
            key = (adjustment.student_no, adjustment.year)
            credits = self.results.get(key, {}).get("credits", 0)
            if credits + adjustment.delta < 0:
                raise Conflict("below zero", {"credits": before, "delta": adjustment.delta})
            if self.years.get(adjustment.year).credit_window.closes_at <= at:
                raise YearClosed(f"study year {adjustment.year} has closed")
            self.adjustments[adjustment.adjustment_id] = {
                "adjustment_id": adjustment.adjustment_id,
                "student_no": adjustment.student_no,
                "year": adjustment.year,
                "delta": adjustment.delta,
                "reason": adjustment.reason,
            }
            result = self.results.setdefault(key, {"unit_id": unit_id})
            day = adjustment_attr(local_date(at))
            for name in ("credits", day):
                result[name] = result.get(name, 0) + adjustment.delta
            self.entries.setdefault(key, []).append(
                LedgerEntry(
                    entry_id=adjustment.adjustment_id,
                    at=iso(at),
                    activity="adjustment",
                    credits=adjustment.delta,
                    kind="adjustment",
                    reason=adjustment.reason,
                )
            )
            self.audit.append(("credits.adjust", f"{adjustment.student_no}/{adjustment.year}"))

    def adjustment_request(self, adjustment_id: str) -> dict[str, Any] | None:
        self.calls.append("adjustment_request")
        return self.adjustments.get(adjustment_id)
