"""Learners: registered one by one (a student number from their county's counter, an
account and a profile), listed by unit, their status changed, transferred, their password
reset; and who is signed in.

A student number is the 6-digit code of the learner's county (or the city, for city
departments) followed by a 6-digit sequence from an atomic counter per county, e.g.
530402000311. Transfers move the profile and the current year's result to the new unit
in one transaction; credits, attempts and scores are keyed by student number and never
move. Every admin action writes an audit entry in the same transaction.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from xuefa.core.auth import Actor
from xuefa.core.clock import Clock, iso, local_date, study_year_of
from xuefa.core.errors import BadRequest, Conflict, Duplicate, XuefaError
from xuefa.roster import views
from xuefa.roster.accounts import Accounts
from xuefa.roster.directory import Directory, Unit
from xuefa.roster.enrolment import enrol, learner_view
from xuefa.roster.repository import Move, RosterRepository
from xuefa.roster.units import UNIT_ID
from xuefa.store.cursor import decode_cursor, encode_cursor
from xuefa.years.repository import YearBook

Status = Literal["active", "resigned", "retired"]
PHONE = r"^1[3-9][0-9]{9}$"
SEQUENCE_DIGITS = 6


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 50 or any(ord(c) < 32 for c in name):
        raise ValueError("a name has 1 to 50 printable characters")
    return name


# Printable, and not only spaces: one visible character at least.
NAME = r"^[^\x00-\x1f]*[^\x00-\x1f\s][^\x00-\x1f]*$"


class NewLearner(BaseModel):
    # 1 to 50 printable characters once spaces are folded (clean_name)
    name: str = Field(min_length=1, max_length=50, pattern=NAME)
    unit_id: str = Field(pattern=UNIT_ID)
    phone: str | None = Field(None, pattern=PHONE)

    _name = field_validator("name")(clean_name)


class StatusChange(BaseModel):
    status: Status
    reason: str | None = Field(None, max_length=500)


class Transfer(BaseModel):
    to_unit_id: str = Field(pattern=UNIT_ID)


def student_no_prefix(unit_path: str) -> str:
    """The county's 6-digit code, or the city's for units directly under it."""
    parts = unit_path.split("/")
    if len(parts) > 1 and re.fullmatch(r"[0-9]{6}", parts[1]):
        return parts[1]
    return parts[0]


class Learners:
    """A learner's registration and life on the roster, by an admin in scope."""

    def __init__(
        self,
        people: RosterRepository,
        directory: Directory,
        years: YearBook,
        accounts: Accounts,
        clock: Clock,
        cursor_secret: str,
    ):
        self.people = people
        self.directory = directory
        self.years = years
        self.accounts = accounts
        self.clock = clock
        self.cursor_secret = cursor_secret

    def me(self, actor: Actor) -> views.Me:
        """Who is signed in: a learner by student number, an administrator by login."""
        person = self.directory.person(actor)
        key = "username" if actor.is_admin else "student_no"
        return views.Me.model_validate(
            {
                key: person.username,
                "name": person.name,
                "unit_id": person.unit_id,
                "unit_name": person.unit_name,
                "status": person.status,
                "groups": sorted(actor.groups),
            }
        )

    def allocate(self, prefix: str, count: int = 1) -> list[str]:
        """`count` new student numbers for a county, unique under any concurrency."""
        last = self.people.allocate(prefix, count)
        if last >= 10**SEQUENCE_DIGITS:
            raise Conflict(f"county {prefix} has run out of student numbers")
        return [f"{prefix}{seq:0{SEQUENCE_DIGITS}d}" for seq in range(last - count + 1, last + 1)]

    def create_learner(self, actor: Actor, new: NewLearner) -> views.NewAccount:
        unit = self.directory.unit_in_scope(actor, new.unit_id)
        if self.people.registered([(unit.unit_id, new.name, new.phone)]):
            raise Duplicate(f"{new.name} is already registered in this unit")
        (student_no,) = self.allocate(student_no_prefix(unit.path))
        return views.NewAccount.model_validate(
            self.register(actor, student_no, new.name, unit, new.phone)
        )

    def register(
        self, actor: Actor, student_no: str, name: str, unit: Unit, phone: str | None
    ) -> dict[str, Any]:
        """The learner's account, then their enrolment: the learner as shown, with their
        temporary password."""
        password = self.accounts.create_learner(student_no, unit.unit_id)
        try:
            profile = enrol(self.people, self.years, self.clock, actor,
                            (student_no, name, unit, phone))  # fmt: skip
        except XuefaError:
            self.accounts.delete(student_no)  # no account without its learner
            raise
        return {**learner_view(profile, unit.name), "temporary_password": password}

    def learners(
        self, actor: Actor, unit_id: str, status: Status | None, limit: int, cursor: str | None
    ) -> views.LearnerPage:
        unit = self.directory.unit_in_scope(actor, unit_id)
        scope = f"learners:{unit_id}:{status or ''}"
        start = decode_cursor(cursor, scope, self.cursor_secret)
        items, last = self.people.learners_page(unit_id, status, limit, start)
        return views.LearnerPage.model_validate(
            {
                "items": [learner_view(item, unit.name) for item in items],
                "cursor": encode_cursor(last, scope, self.cursor_secret),
            }
        )

    def learner(self, actor: Actor, student_no: str) -> views.Learner:
        profile = self.directory.self_or_admin_in_scope(
            actor, student_no, what="profile", at=self.clock.now()
        )
        unit_name = self.directory.unit(profile["unit_id"]).name
        return views.Learner.model_validate(learner_view(profile, unit_name))

    def change_status(self, actor: Actor, student_no: str, change: StatusChange) -> views.Learner:
        profile = self.directory.learner_in_scope(actor, student_no)
        old = profile.get("status", "active")
        unit_name = self.directory.unit(profile["unit_id"]).name
        if old == change.status:
            # Perhaps a retry after the account call failed once the profile was written:
            # the sign-in must still follow the status (enabling twice is harmless).
            self.accounts.set_enabled(student_no, change.status == "active")
            return views.Learner.model_validate(learner_view(profile, unit_name))
        now = self.clock.now()
        entry = {
            "at": iso(now),
            "event": change.status,
            "by": actor.username,
            "reason": change.reason,
        }
        self.people.change_status(actor, profile, change.status, entry, now)
        self.accounts.set_enabled(student_no, change.status == "active")
        changed = {
            **profile,
            "status": change.status,
            "history": [*profile.get("history", []), entry],
        }
        return views.Learner.model_validate(learner_view(changed, unit_name))

    def transfer(self, actor: Actor, student_no: str, transfer: Transfer) -> views.Learner:
        profile = self.directory.learner_in_scope(actor, student_no)
        target = self.directory.unit_in_scope(actor, transfer.to_unit_id)
        source_id = str(profile["unit_id"])
        if target.unit_id == source_id:
            raise BadRequest("the learner is already in that unit", {"to_unit_id": "same unit"})
        now = self.clock.now()
        year = study_year_of(local_date(now))
        config = self.years.get(year) if self.years.exists(year) else None
        if (
            config is not None
            and config.transfer_freeze
            and config.exam_window.opens_at <= now < config.credit_window.closes_at
        ):
            raise Conflict("transfers are frozen from the exam until the credit window closes")
        entry = {
            "at": iso(now),
            "event": "transfer",
            "from_unit_id": source_id,
            "to_unit_id": target.unit_id,
            "by": actor.username,
        }
        move = Move(student_no, source_id, target, entry, year if config else None, now)
        self.people.transfer(actor, move)
        self.accounts.move(student_no, target.unit_id)
        moved = {
            **profile,
            "unit_id": target.unit_id,
            "unit_path": target.path,
            "history": [*profile.get("history", []), entry],
        }
        return views.Learner.model_validate(learner_view(moved, target.name))

    def reset_password(self, actor: Actor, student_no: str) -> views.PasswordReset:
        self.directory.learner_in_scope(actor, student_no)
        password = self.accounts.reset_password(student_no)
        self.people.audit(actor, "roster.learner.password_reset", student_no, self.clock.now())
        return views.PasswordReset(student_no=student_no, temporary_password=password)
