"""The roster: units, learners, student numbers (学号), status, transfers, accounts.

A student number is the 6-digit code of the learner's county (or the city, for city
departments) followed by a 6-digit sequence from an atomic counter per county, e.g.
530402000311. Transfers move the profile and the current year's result to the new unit
in one transaction; credits, attempts and scores are keyed by student number and never
move. Every admin action writes an audit entry in the same transaction.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from xuefa.core.auth import Actor, require_admin
from xuefa.core.clock import Clock, iso, local_date, study_year_of
from xuefa.core.errors import BadRequest, Conflict, Duplicate, Forbidden, XuefaError
from xuefa.roster import views
from xuefa.roster.accounts import Accounts
from xuefa.roster.directory import Directory, Unit
from xuefa.roster.enrolment import enrol, learner_view
from xuefa.roster.imports import AT_ONCE, ImportJobs
from xuefa.roster.repository import Move, RosterRepository
from xuefa.store.cursor import decode_cursor, encode_cursor
from xuefa.years.repository import YearBook

Status = Literal["active", "resigned", "retired"]
UNIT_ID = r"^[0-9A-Za-z][0-9A-Za-z-]{1,39}$"
PHONE = r"^1[3-9][0-9]{9}$"
MAX_IMPORT_ROWS = 5000
SEQUENCE_DIGITS = 6


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 50 or any(ord(c) < 32 for c in name):
        raise ValueError("a name has 1 to 50 printable characters")
    return name


# Printable, and not only spaces: one visible character at least.
NAME = r"^[^\x00-\x1f]*[^\x00-\x1f\s][^\x00-\x1f]*$"


UNIT_NAME_MAX = 60
MAX_DEPTH = 8  # levels of the unit tree, the city's included
# Unicode's control, format, surrogate, private-use and unassigned characters, and the
# line and paragraph separators: nothing a report, a tab or a certificate could show.
UNIT_NAME_REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def _trimmed(name: object) -> object:
    return name.strip() if isinstance(name, str) else name


def check_unit_name(name: str) -> str:
    """A unit's name, trimmed (before this): any printable character, CJK or not, and
    those a spreadsheet tab cannot hold too (the reports cope); no control character."""
    for ch in name:
        if unicodedata.category(ch) in UNIT_NAME_REFUSED:
            raise ValueError(f"a unit name holds no control characters (U+{ord(ch):04X})")
    return name


class UnitName(BaseModel):
    """What a unit is called: 1 to 60 characters once trimmed."""

    name: str = Field(min_length=1, max_length=UNIT_NAME_MAX)

    _trim = field_validator("name", mode="before")(_trimmed)
    _check = field_validator("name")(check_unit_name)


class NewUnit(UnitName):
    parent_id: str = Field(pattern=UNIT_ID)
    unit_id: str | None = Field(None, pattern=UNIT_ID)


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


class Roster:
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
        # Large imports run as jobs (set by the app); without, every import runs at once.
        self.jobs: ImportJobs | None = None

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

    # --- units -----------------------------------------------------------------------

    def unit(self, actor: Actor, unit_id: str) -> views.UnitView:
        unit = self.directory.unit_in_scope(actor, unit_id)
        return views.UnitView.model_validate(
            {
                **unit.model_dump(),
                "children": self.people.children(unit_id),
                "learner_count": self.people.learner_count(unit_id),
            }
        )

    def create_unit(self, actor: Actor, new: NewUnit) -> views.UnitView:
        parent = self.directory.unit_in_scope(actor, new.parent_id)
        depth = len(parent.path.split("/")) + 1
        if depth > MAX_DEPTH:
            raise BadRequest(
                f"a unit tree is at most {MAX_DEPTH} levels deep",
                {"parent_id": parent.unit_id, "depth": depth, "max_depth": MAX_DEPTH},
            )
        unit_id = new.unit_id or f"{parent.unit_id}-{secrets.token_hex(2)}"
        unit = Unit(
            unit_id=unit_id,
            name=new.name,
            parent_id=parent.unit_id,
            path=f"{parent.path}/{unit_id}",
            kind="unit",
        )
        self.people.add_unit(actor, unit, self.clock.now())
        return views.UnitView(**unit.model_dump(), children=[], learner_count=0)

    def rename_unit(self, actor: Actor, unit_id: str, new: UnitName) -> views.UnitView:
        """A unit's new name, by an admin in scope (audited): the screens show it now,
        the reports from the next night on; a closed year's archive keeps the old one."""
        self.directory.forget(unit_id)  # read afresh: another container may have renamed it
        unit = self.directory.unit_in_scope(actor, unit_id)
        if new.name != unit.name:
            self.people.rename_unit(actor, unit, new.name, self.clock.now())
            self.directory.forget(unit_id)
        return self.unit(actor, unit_id)

    # --- learners --------------------------------------------------------------------

    def _allocate(self, prefix: str, count: int = 1) -> list[str]:
        """`count` new student numbers for a county, unique under any concurrency."""
        last = self.people.allocate(prefix, count)
        if last >= 10**SEQUENCE_DIGITS:
            raise Conflict(f"county {prefix} has run out of student numbers")
        return [f"{prefix}{seq:0{SEQUENCE_DIGITS}d}" for seq in range(last - count + 1, last + 1)]

    def create_learner(self, actor: Actor, new: NewLearner) -> views.NewAccount:
        unit = self.directory.unit_in_scope(actor, new.unit_id)
        if self.people.registered([(unit.unit_id, new.name, new.phone)]):
            raise Duplicate(f"{new.name} is already registered in this unit")
        (student_no,) = self._allocate(student_no_prefix(unit.path))
        return views.NewAccount.model_validate(
            self._register(actor, student_no, new.name, unit, new.phone)
        )

    def _register(
        self, actor: Actor, student_no: str, name: str, unit: Unit, phone: str | None
    ) -> dict[str, Any]:
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
        profile = self.directory.self_or_admin_in_scope(actor, student_no)
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

    # --- bulk import -----------------------------------------------------------------

    def import_csv(
        self, actor: Actor, raw: bytes, partial: bool
    ) -> views.ImportResult | views.ImportAccepted:
        """At most AT_ONCE new learners are registered now (200); more become a job (202)
        that the admin follows: the file is checked whole, here, either way."""
        require_admin(actor)
        rows = parse_roster_csv(raw)
        valid, errors = self._read_rows(actor, rows)
        if errors and not partial:
            raise BadRequest(
                f"{len(errors)} of {len(rows)} rows are invalid; nothing was written",
                {"errors": errors},
            )
        existing = self.people.registered([(r.unit.unit_id, r.name, r.phone) for r in valid])
        duplicates = [
            {"line": r.line, "message": f"{r.name} is already registered"}
            for i, r in enumerate(valid)
            if i in existing
        ]
        fresh = [r for i, r in enumerate(valid) if i not in existing]
        if self.jobs is not None and len(fresh) > AT_ONCE:
            problems = {"errors": errors, "duplicates": duplicates}
            return self.jobs.start(actor, self._plan(fresh), problems, len(rows))
        created = self._register_all(actor, fresh, duplicates)
        return views.ImportResult.model_validate(
            {"created": created, "duplicates": duplicates, "errors": errors}
        )

    def _read_rows(
        self, actor: Actor, rows: list[tuple[int, dict[str, str]]]
    ) -> tuple[list[Row], list[dict[str, Any]]]:
        """The file's people, each checked, in a unit in scope, once; and what is wrong
        with the other lines. A unit outside one's scope refuses the whole file."""
        units: dict[str, Unit | XuefaError] = {}
        valid: list[Row] = []
        errors: list[dict[str, Any]] = []
        seen: set[tuple[str, str, str | None]] = set()
        for line, fields in rows:
            try:
                new = NewLearner.model_validate(
                    {
                        "name": fields["name"],
                        "unit_id": fields["unit_id"],
                        "phone": fields["phone"] or None,
                    }
                )
            except ValueError as exc:
                errors.append({"line": line, "message": _first_error(exc)})
                continue
            if new.unit_id not in units:
                units[new.unit_id] = self._import_unit(actor, new.unit_id, line)
            unit = units[new.unit_id]
            person = (new.unit_id, new.name, new.phone)
            if isinstance(unit, XuefaError):
                errors.append({"line": line, "message": str(unit)})
            elif person in seen:
                errors.append(
                    {"line": line, "message": "the same person appears twice in the file"}
                )
            else:
                seen.add(person)
                valid.append(Row(line, new.name, unit, new.phone))
        return valid, errors

    def _import_unit(self, actor: Actor, unit_id: str, line: int) -> Unit | XuefaError:
        try:
            return self.directory.unit_in_scope(actor, unit_id)
        except Forbidden as exc:  # a file reaching outside one's scope is refused whole
            raise Forbidden(f"line {line}: unit {unit_id} is outside your scope") from exc
        except XuefaError as exc:  # an unknown unit: reported with its line
            return exc

    def _plan(self, fresh: list[Row]) -> list[dict[str, Any]]:
        """A job's rows, each with the student number reserved for it (one counter move
        per county, as below)."""
        numbers: dict[str, list[str]] = {}
        for prefix in sorted({student_no_prefix(r.unit.path) for r in fresh}):
            wanted = sum(1 for r in fresh if student_no_prefix(r.unit.path) == prefix)
            numbers[prefix] = self._allocate(prefix, wanted)[::-1]
        return [
            {
                "line": row.line,
                "name": row.name,
                "unit_id": row.unit.unit_id,
                "unit_path": row.unit.path,
                "unit_name": row.unit.name,
                "phone": row.phone,
                "student_no": numbers[student_no_prefix(row.unit.path)].pop(),
            }
            for row in fresh
        ]

    def _register_all(
        self, actor: Actor, fresh: list[Row], duplicates: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Student numbers for each county in one counter move, then each learner."""
        numbers: dict[str, list[str]] = {}
        for prefix in sorted({student_no_prefix(r.unit.path) for r in fresh}):
            wanted = sum(1 for r in fresh if student_no_prefix(r.unit.path) == prefix)
            numbers[prefix] = self._allocate(prefix, wanted)
        created = []
        for row in fresh:
            student_no = numbers[student_no_prefix(row.unit.path)].pop(0)
            try:
                learner = self._register(actor, student_no, row.name, row.unit, row.phone)
            except Duplicate:
                duplicates.append(
                    {"line": row.line, "message": f"{row.name} is already registered"}
                )
                continue
            created.append({"line": row.line, **learner})
        return created


@dataclass(frozen=True)
class Row:
    """A person from an import file, checked, with the unit they go to."""

    line: int
    name: str
    unit: Unit
    phone: str | None


def _first_error(exc: ValueError) -> str:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        return f"{field}: {err['msg']}"
    return str(exc)


HEADERS = {
    "name": "name",
    "姓名": "name",
    "unit_id": "unit_id",
    "单位编号": "unit_id",
    "phone": "phone",
    "手机": "phone",
    "手机号": "phone",
}


def parse_roster_csv(raw: bytes) -> list[tuple[int, dict[str, str]]]:
    """Rows of `name,unit_id,phone` (UTF-8, with or without the BOM Excel writes), with
    their line numbers; a file that cannot be read as such is a 400."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            "the file is not UTF-8: in Excel, save as 'CSV UTF-8'", {"file": "encoding"}
        ) from exc
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration as exc:
        raise BadRequest("the file is empty", {"file": "empty"}) from exc
    except csv.Error as exc:
        raise BadRequest(f"the file is not valid CSV: {exc}") from exc
    columns = [HEADERS.get(h.strip().lower()) for h in header]
    if sorted(c for c in columns if c) != ["name", "phone", "unit_id"] or None in columns:
        raise BadRequest(
            "the columns must be name,unit_id,phone",
            {"columns": ",".join(h.strip() for h in header)},
        )
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(rows) >= MAX_IMPORT_ROWS:
                raise BadRequest(f"at most {MAX_IMPORT_ROWS} rows per file", {"rows": "too many"})
            values = {
                column: (row[i].strip() if i < len(row) else "")
                for i, column in enumerate(columns)
                if column
            }
            rows.append((reader.line_num, values))
    except csv.Error as exc:
        raise BadRequest(f"the file is not valid CSV: {exc}") from exc
    if not rows:
        raise BadRequest("the file has no learners", {"file": "empty"})
    return rows
