"""A roster import job's chunk: its learners registered by the worker, each with the
student number the request reserved for them.

A chunk is safe to run twice, at once or one after the other: each row's student number
was reserved for it alone; its temporary password is planned once per chunk (sealed and
stored before any account exists, so a second try creates the same account with the same
password); a row whose same-person marker already names its own number was registered by
an earlier try; the chunk's outcome and the job's progress are written together once.

The temporary passwords are stored encrypted (AES-256-GCM under a key derived from the
cursor secret, bound to the job and chunk) and never logged.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from typing import Any

from xuefa.core.auth import Actor
from xuefa.core.clock import Clock
from xuefa.core.errors import Duplicate
from xuefa.roster.accounts import Accounts, temporary_password
from xuefa.roster.directory import Unit
from xuefa.roster.enrolment import enrol
from xuefa.roster.import_repository import ImportRepository
from xuefa.roster.repository import RosterRepository
from xuefa.years.repository import YearBook

LOGGER = logging.getLogger(__name__)


class Sealer:
    """Encrypts a chunk's temporary passwords at rest."""

    def __init__(self, secret: str):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        self._key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"xuefa roster import"
        ).derive(secret.encode())

    def seal(self, context: str, values: list[str]) -> str:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(12)
        sealed = AESGCM(self._key).encrypt(nonce, json.dumps(values).encode(), context.encode())
        return base64.b64encode(nonce + sealed).decode()

    def open(self, context: str, sealed: str) -> list[str] | None:
        """The values, or None if they cannot be read (a rotated secret: as if expired)."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            raw = base64.b64decode(sealed)
            values = json.loads(AESGCM(self._key).decrypt(raw[:12], raw[12:], context.encode()))
        except (InvalidTag, ValueError):
            return None
        return [str(v) for v in values]


def chunk_context(import_id: str, chunk_no: int) -> str:
    return f"{import_id}#{chunk_no}"


class ChunkRegistration:
    """A chunk's learners registered, by its worker: each row's account and profile once
    however often the chunk runs, or the chunk given up with its rows told by line."""

    def __init__(
        self,
        imports: ImportRepository,
        people: RosterRepository,
        accounts: Accounts,
        years: YearBook,
        clock: Clock,
        sealer: Sealer,
    ):
        self.imports = imports
        self.people = people
        self.accounts = accounts
        self.years = years
        self.clock = clock
        self.sealer = sealer

    def run(self, import_id: str, chunk_no: int) -> None:
        """The chunk's rows registered, their passwords planned and sealed first."""
        chunk = self.imports.chunk(import_id, chunk_no)
        if chunk is None or chunk.get("state") != "pending":
            return  # finished by an earlier delivery, or expired
        rows = list(chunk["rows"])
        context = chunk_context(import_id, chunk_no)
        planned = self.sealer.seal(context, [temporary_password() for _ in rows])
        sealed = self.imports.seal(import_id, chunk_no, planned)
        passwords = self.sealer.open(context, sealed)
        if passwords is None or len(passwords) != len(rows):
            raise RuntimeError("the chunk's temporary passwords cannot be read")
        actor = _actor(chunk)
        marks = self.imports.registered_as([_person(row) for row in rows])
        created: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for row, password, mark in zip(rows, passwords, marks, strict=True):
            if mark == row["student_no"]:
                created.append(_created(row))  # registered by an earlier try of this chunk
            elif mark is not None:
                errors.append(problem(row, f"{row['name']} is already registered"))
            elif self._register(actor, row, password):
                created.append(_created(row))
            else:
                errors.append(problem(row, f"{row['name']} is already registered"))
        self.finish(import_id, chunk, sealed, created, errors)

    def finish(
        self,
        import_id: str,
        chunk: dict[str, Any],
        sealed: str | None,
        created: list[dict[str, Any]],
        errors: list[dict[str, Any]],
        failed: bool = False,
    ) -> None:
        """What the chunk did, with its sealed passwords (in its rows' order)."""
        chunk_no = int(str(chunk["sk"]).rpartition("#")[2])
        outcome = {
            "state": "failed" if failed else "done",
            "created": created,
            "errors": errors,
            "lines": [int(row["line"]) for row in chunk["rows"]],
            "expires_at": chunk["expires_at"],
            **({"sealed": sealed} if sealed else {}),
        }
        self.imports.finish(import_id, chunk_no, outcome)

    def _register(self, actor: Actor, row: dict[str, Any], password: str) -> bool:
        """The row's account and learner; False when the same person was registered by
        someone else meanwhile (their account is removed again)."""
        student_no = str(row["student_no"])
        self.accounts.create_learner(student_no, str(row["unit_id"]), password)
        learner = (student_no, str(row["name"]), _unit(row), row.get("phone"))
        try:
            enrol(self.people, self.years, self.clock, actor, learner)
        except Duplicate:
            (mark,) = self.imports.registered_as([_person(row)])
            if mark == student_no:  # another delivery of this chunk registered it just now
                return True
            self.accounts.delete(student_no)
            return False
        return True

    def give_up(self, import_id: str, chunk_no: int, reason: str) -> None:
        """A chunk that kept failing: what its tries did register stays and is listed;
        every other row is an error naming its line, to be imported again."""
        chunk = self.imports.chunk(import_id, chunk_no)
        if chunk is None or chunk.get("state") != "pending":
            return
        rows = list(chunk["rows"])
        marks = self.imports.registered_as([_person(row) for row in rows])
        created, errors = [], []
        for row, mark in zip(rows, marks, strict=True):
            if mark == row["student_no"]:
                created.append(_created(row))
                continue
            try:  # an account made before the failure must not outlive its row
                self.accounts.delete(str(row["student_no"]))
            except Exception:
                LOGGER.warning("no account to remove for a failed import row")
            errors.append(problem(row, f"not imported ({reason}): import this line again"))
        self.finish(import_id, chunk, chunk.get("sealed"), created, errors, failed=True)
        LOGGER.error(
            "import chunk given up",
            extra={"import_id": import_id, "chunk": chunk_no, "rows": len(errors)},
        )


def _actor(chunk: dict[str, Any]) -> Actor:
    return Actor(
        username=str(chunk["by"]),
        groups=frozenset(chunk.get("by_groups") or ()),
        unit_id=str(chunk["by_unit"]),
    )


def _person(row: dict[str, Any]) -> tuple[str, str, str | None]:
    return (str(row["unit_id"]), str(row["name"]), row.get("phone"))


def _unit(row: dict[str, Any]) -> Unit:
    path = str(row["unit_path"])
    parent = path.rpartition("/")[0].rpartition("/")[2] or None
    return Unit(
        unit_id=str(row["unit_id"]), name=str(row["unit_name"]), parent_id=parent, path=path
    )


def _created(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "line": int(row["line"]),
        "student_no": row["student_no"],
        "name": row["name"],
        "unit_id": row["unit_id"],
        "unit_name": row.get("unit_name"),
    }


def problem(row: dict[str, Any], message: str) -> dict[str, Any]:
    return {"line": int(row["line"]), "message": message}
