"""Personal data as PIPL asks (#29.4): a learner sees who looked at their records and
downloads all that is held on them; the records of learners who left are deleted once
kept as long as the settings say (`leaver_retention_days`)."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, Field

from xuefa.core.auth import Actor, require_learner
from xuefa.core.clock import Clock, iso
from xuefa.core.errors import Conflict, NotFound
from xuefa.roster.accounts import Accounts
from xuefa.roster.directory import Directory
from xuefa.roster.privacy_repository import DynamoPrivacy
from xuefa.store.cursor import decode_cursor, encode_cursor

# What an account or a paper holds that is a secret, not data about the learner: a
# password's hash, a sealed temporary password, a paper's salt and answer shapes.
_SECRET = {"password_hash", "sealed", "temporary_password", "salt", "shapes"}
LEAVERS_A_RUN = 200  # learners forgotten a night at most: the rest follow the next night


class AccessEntry(BaseModel):
    """One administrator's look at the learner's records."""

    at: str
    what: str = Field(
        description="which records: profile, balance/<year>, ledger/<year>, "
        "attempts/<year>, archive, certificate/<year>"
    )
    by: str = Field(description="the administrator's login")
    by_name: str | None
    by_level: str | None = Field(description="city, county or unit")
    by_unit_id: str
    by_unit_name: str | None


class AccessPage(BaseModel):
    items: list[AccessEntry]
    cursor: str | None


class HeldCertificate(BaseModel):
    year: int
    code: str


class MyData(BaseModel):
    """All that xuefa holds on the learner (PIPL art. 45): their profile and account,
    year results, study sessions, ledger, attempts with their answers, practice, archive,
    certificates and who looked at their records."""

    generated_at: str
    student_no: str
    profile: dict[str, Any]
    account: dict[str, Any] | None
    year_results: list[dict[str, Any]]
    study_sessions: list[dict[str, Any]]
    ledger: list[dict[str, Any]]
    attempts: list[dict[str, Any]]
    practice: list[dict[str, Any]]
    archive: list[dict[str, Any]]
    certificates: list[HeldCertificate]
    access: list[AccessEntry]
    other: list[dict[str, Any]]


class Forgotten(BaseModel):
    """What a retention run did: the learners deleted, those who had come back."""

    cutoff: str
    forgotten: list[str]
    returned: list[str]


def _plain(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in _SECRET}


class Privacy:
    """The learner's view of what is held on them, and the leavers' retention."""

    def __init__(
        self,
        records: DynamoPrivacy,
        directory: Directory,
        accounts: Accounts,
        clock: Clock,
        cursor_secret: str,
        retention_days: int,
    ):
        self.records = records
        self.directory = directory
        self.accounts = accounts
        self.clock = clock
        self.cursor_secret = cursor_secret
        self.retention = timedelta(days=retention_days)

    # --- who looked ------------------------------------------------------------------

    def access(self, actor: Actor, limit: int, cursor: str | None) -> AccessPage:
        """Who looked at the learner's records, newest first, in pages."""
        require_learner(actor)
        scope = f"access:{actor.username}"
        start = decode_cursor(cursor, scope, self.cursor_secret)
        items, last = self.records.page(actor.username, limit, start)
        return AccessPage(
            items=self._entries(items), cursor=encode_cursor(last, scope, self.cursor_secret)
        )

    def _entries(self, items: list[dict[str, Any]]) -> list[AccessEntry]:
        admins = self.records.admins(sorted({str(i["by"]) for i in items})) if items else {}
        entries = []
        for item in items:
            admin = admins.get(str(item["by"]), {})
            unit_id = str(item.get("by_unit") or admin.get("unit_id") or "")
            entries.append(
                AccessEntry(
                    at=str(item["at"]),
                    what=str(item["what"]),
                    by=str(item["by"]),
                    by_name=admin.get("name"),
                    by_level=admin.get("level"),
                    by_unit_id=unit_id,
                    by_unit_name=self._unit_name(unit_id),
                )
            )
        return entries

    def _unit_name(self, unit_id: str) -> str | None:
        try:
            return self.directory.unit(unit_id).name
        except NotFound:
            return None

    # --- the download ----------------------------------------------------------------

    def download(self, actor: Actor) -> MyData:
        """Everything in the learner's own partition, by part, and their account."""
        require_learner(actor)
        student_no = actor.username
        held = self.records.held(student_no)
        if not held["profile"]:
            raise NotFound("no profile for this account")
        account = self.records.account(student_no)
        archive = [_plain(item) for item in held["archive"]]
        accesses = sorted(held["access"], key=lambda item: str(item["at"]), reverse=True)
        return MyData(
            generated_at=iso(self.clock.now()),
            student_no=student_no,
            profile=_plain(held["profile"][0]),
            account=_plain(account) if account else None,
            year_results=[_plain(item) for item in held["year_results"]],
            study_sessions=[_plain(item) for item in held["study_sessions"]],
            ledger=[_plain(item) for item in held["ledger"]],
            attempts=[
                {**_plain(item), "paper": [_shown(q) for q in item.get("paper", [])]}
                for item in held["attempts"]
            ],
            practice=[_plain(item) for item in held["practice"]],
            archive=archive,
            certificates=[
                HeldCertificate(year=int(r["year"]), code=str(r["certificate"]))
                for r in archive
                if r.get("certificate")
            ],
            access=self._entries(accesses),
            other=[_plain(item) for item in held["other"]],
        )

    # --- retention -------------------------------------------------------------------

    def forget_leavers(self) -> Forgotten:
        """Delete the records of learners who left more than the retention ago; the
        marker naming a leaver goes last, so that a run cut short is finished by the
        next. A learner who came back (or left again since) is kept."""
        cutoff = self.clock.now() - self.retention
        forgotten, returned = [], []
        for leaver in self.records.leavers_before(cutoff, LEAVERS_A_RUN):
            profile = self.records.profile(leaver.student_no)
            if profile is not None and (
                profile.get("status", "active") == "active"
                or profile.get("left_at") != leaver.left_at
            ):
                returned.append(leaver.student_no)
            else:
                with contextlib.suppress(Conflict):  # gone in an earlier run cut short
                    self.accounts.delete(leaver.student_no)
                self.records.forget(leaver.student_no, profile)
                forgotten.append(leaver.student_no)
            self.records.drop_leaver(leaver)
        return Forgotten(cutoff=iso(cutoff), forgotten=forgotten, returned=returned)


# A paper's question as the learner saw it (exams.papers.PaperQuestion.public): never
# its key or explanation, which a learner sees only once the year's review opens.
_SHOWN = ("question_id", "type", "stem", "options", "points")


def _shown(question: Mapping[str, Any]) -> dict[str, Any]:
    return {name: question[name] for name in _SHOWN if name in question}
