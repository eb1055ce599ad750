"""Starting and abandoning a study session: one timed session at a time.

A start while another is open is refused with that one (409, for the app to resume
it); a session expires after its minutes plus two hours, so one left behind never keeps
the learner from studying (it can also be abandoned). Completing one is the award's
(service.py).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from xuefa.core.auth import Actor, in_subtree, require_learner
from xuefa.core.clock import SHANGHAI, Clock, iso, local_date, study_year_of
from xuefa.core.errors import BadRequest, Conflict, Duplicate, Forbidden, NotFound, OutsideWindow
from xuefa.credits.repository import CreditRepository
from xuefa.credits.views import (
    ID_PATTERN,
    NOT_OF_SESSIONS,
    SESSION_ID,
    HeldSession,
    Resource,
    SessionClosed,
    SessionStarted,
    StudySession,
    expiry_epoch,
    holds_lock,
)
from xuefa.years.repository import YearBook
from xuefa.years.rules import YearConfig


def inactive() -> Forbidden:
    """As the identity service refuses a disabled account: the same status, its reason."""
    return Forbidden("only active learners can study", {"reason": "inactive"})


def session_open_elsewhere(held: HeldSession) -> Conflict:
    """A start while another session is open: the app resumes that one from these."""
    return Conflict(
        "another study session is open: finish it first (or abandon it)",
        {
            "open_session_id": held.session_id,
            "resource_id": held.resource_id,
            "started_at": held.started_at,
            "min_seconds": held.min_seconds,
            "expires_at": iso(datetime.fromtimestamp(held.expires_epoch, SHANGHAI)),
        },
    )


def lesson_open_to(resource: Resource, profile: Mapping[str, Any]) -> None:
    """A lesson starts only once published, not once retired, and (a county's own
    lesson) only for learners of that county."""
    if resource.lesson_state == "retired":
        raise Conflict("this lesson has been retired", {"reason": "retired"})
    path = str(profile.get("unit_path", ""))
    if resource.lesson_state != "published" or (
        resource.owner_unit_path and not in_subtree(path, resource.owner_unit_path)
    ):
        raise NotFound(f"lesson {resource.resource_id} is not open for study")


def lesson_session(resource: Resource, config: YearConfig, now: datetime) -> dict[str, Any]:
    """A lesson's session counts served time from its progress reports (attention.py),
    from this moment, with the version published now."""
    return {
        "needed_seconds": resource.min_seconds,
        "served_seconds": 0,
        "last_report_ms": int(now.timestamp() * 1000),
        "next_check_at": config.attention_check_every_s,
    }


def own_session(actor: Actor, session_id: str) -> re.Match[str]:
    """The parts of one's own session's id (its year, its resource)."""
    match = SESSION_ID.match(session_id or "")
    if not match:
        raise BadRequest("session_id is malformed", {"session_id": "malformed"})
    if match["student_no"] != actor.username:
        raise Forbidden("that session belongs to another learner")
    return match


class StudySessions:
    def __init__(self, records: CreditRepository, years: YearBook, clock: Clock):
        self.records = records
        self.years = years
        self.clock = clock

    def start(self, actor: Actor, resource_id: str) -> SessionStarted:
        require_learner(actor)
        now = self.clock.now()
        config = self._open_year(now)
        if not re.match(ID_PATTERN, resource_id or ""):
            raise BadRequest("resource_id is malformed", {"resource_id": "malformed"})
        resource, profile, paid = self.records.start_facts(
            config.year, resource_id, actor.username, local_date(now)
        )
        if resource is None:
            raise NotFound(f"resource {resource_id} is not in the {config.year} catalogue")
        if profile is None or profile.get("status", "active") != "active":
            raise inactive()  # the completion's transaction checks it again
        if resource.is_lesson:
            lesson_open_to(resource, profile)
        if resource.once_per_day and paid:
            # A friendly early answer; the award's transaction is what guarantees it.
            raise Duplicate(
                f"{resource.title} pays once a day: already done today", {"once_per_day": True}
            )
        started = int(now.timestamp())
        session = StudySession(
            session_id=f"s{config.year}-{actor.username}-{resource.resource_id}-"
            f"{secrets.token_hex(6)}",
            student_no=actor.username,
            year=config.year,
            unit_id=str(profile["unit_id"]),
            started_at=iso(now),
            started_epoch=started,
            expires_epoch=expiry_epoch(started, resource.min_seconds),
            locked=holds_lock(resource),
            **resource.model_dump(exclude=NOT_OF_SESSIONS),
            **(lesson_session(resource, config, now) if resource.is_lesson else {}),
        )
        held = self.records.open_session(session)
        if held is not None:
            raise session_open_elsewhere(held)
        assert session.expires_epoch is not None
        return SessionStarted(
            **session.model_dump(exclude={"expires_epoch"}),
            expires_at=iso(datetime.fromtimestamp(session.expires_epoch, SHANGHAI)),
        )

    def abandon(self, actor: Actor, session_id: str) -> SessionClosed:
        """Close one's open session without credits, freeing the one open session for
        another resource. Abandoning it again answers the same; a closed one stays."""
        require_learner(actor)
        student_no, year = actor.username, int(own_session(actor, session_id)["year"])
        session, _ = self.records.session_and_counters(student_no, year, session_id)
        if session is None:
            raise NotFound("no such session")
        if session.state == "open":
            self.records.close_session(session, self.clock.now())
            session, _ = self.records.session_and_counters(student_no, year, session_id)
            assert session is not None
        return SessionClosed(session_id=session_id, state=session.state)

    def _open_year(self, now: datetime) -> YearConfig:
        year = study_year_of(local_date(now))
        try:
            config = self.years.get(year)
        except NotFound as exc:
            raise OutsideWindow(f"study year {year} has not opened") from exc
        if not config.credit_window.contains(now):
            raise OutsideWindow("credits can only be earned inside the credit window")
        return config
