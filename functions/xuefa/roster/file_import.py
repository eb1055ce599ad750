"""A department's file of learners (CSV): checked whole in the request, then at most
AT_ONCE new learners registered at once, more handed to an import job (imports.py)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from xuefa.core.auth import Actor, require_admin
from xuefa.core.errors import BadRequest, Duplicate, Forbidden, XuefaError
from xuefa.roster import views
from xuefa.roster.directory import Directory, Unit
from xuefa.roster.imports import AT_ONCE, ImportJobs
from xuefa.roster.learners import Learners, NewLearner, student_no_prefix
from xuefa.roster.repository import RosterRepository

MAX_IMPORT_ROWS = 5000


class FileImport:
    """A file's learners registered: each line checked, the same person once, in a unit
    in the admin's scope; the fresh ones numbered per county in one counter move."""

    def __init__(
        self,
        people: RosterRepository,
        directory: Directory,
        learners: Learners,
        jobs: ImportJobs | None,
    ):
        self.people = people
        self.directory = directory
        self.learners = learners
        self.jobs = jobs  # large imports run as jobs; without, every import runs at once

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
            numbers[prefix] = self.learners.allocate(prefix, wanted)[::-1]
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
            numbers[prefix] = self.learners.allocate(prefix, wanted)
        created = []
        for row in fresh:
            student_no = numbers[student_no_prefix(row.unit.path)].pop(0)
            try:
                learner = self.learners.register(actor, student_no, row.name, row.unit, row.phone)
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
