"""A department's roster import as a job: the request checks the whole file, reserves a
student number per fresh row (one counter move per county), writes the job and its rows
in chunks, and answers 202; a worker (the roster function's SQS consumer; a thread on
the local stack and in tests) registers each chunk's learners (import_chunks.py).

Measured on the 2-core dev machine, one request for 300 rows took 13 s with Cognito
(three AWS calls per row) and 151 s with our own identity (128 s of it one Argon2id hash
per row, 64 MiB and 3 passes, 0.43 s each): the account work cannot be in the request.

The temporary passwords, sealed by the chunks, are shown only to the importing admin, and
expire with the job after seven days (the table's TTL; reads refuse an expired job before
then).
"""

from __future__ import annotations

import logging
import queue
import re
import secrets
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from xuefa.core.auth import Actor, require_admin
from xuefa.core.clock import Clock, iso
from xuefa.core.errors import BadRequest, Forbidden, NotFound, XuefaError
from xuefa.roster import views
from xuefa.roster.import_chunks import ChunkRegistration, Sealer, chunk_context, problem
from xuefa.roster.import_repository import ImportRepository, chunk_key, job_key, notes_key

LOGGER = logging.getLogger(__name__)

AT_ONCE = 50  # a file with at most this many new learners is registered in the request
CHUNK_ROWS = 50  # learners per worker run: ~5–15 s of account work
NOTES_PER_ITEM = 500  # lines refused before the job, per item (an item holds 400 KB)
KEEP = timedelta(days=7)
MAX_TRIES = 3  # a chunk that fails this often is given up, its rows reported by line
IMPORT_ID = r"^[A-Za-z0-9_-]{16}$"  # secrets.token_urlsafe(12)

Dispatch = Callable[[list[dict[str, Any]]], None]


class ImportJobs:
    """An import job's life: started by the request, its chunks sent to the worker (who
    registers them: `chunks`), its progress and result read by the admin who started it."""

    def __init__(
        self, imports: ImportRepository, chunks: ChunkRegistration, clock: Clock, sealer: Sealer
    ):
        self.imports = imports
        self.chunks = chunks
        self.clock = clock
        self.sealer = sealer
        # The app sets the queue; without one (the local stack, tests) the chunks run on a
        # thread of this process.
        self.dispatch: Dispatch = self._run_on_a_thread
        self._backlog: queue.Queue[dict[str, Any]] | None = None
        self._lock = threading.Lock()

    # --- the request ---------------------------------------------------------------

    def start(
        self,
        actor: Actor,
        planned: list[dict[str, Any]],
        problems: dict[str, list[dict[str, Any]]],
        total: int,
    ) -> views.ImportAccepted:
        """The job for rows already checked, each with its reserved student number
        (`planned`: line, name, unit_id, unit_path, unit_name, phone, student_no); the
        lines refused before it (`problems`: errors, duplicates) are part of its result."""
        now = self.clock.now()
        import_id = secrets.token_urlsafe(12)
        expires = int((now + KEEP).timestamp())
        by = {"by": actor.username, "by_groups": sorted(actor.groups), "by_unit": actor.unit_id}
        chunks = [
            {
                **chunk_key(import_id, n),
                **by,
                "state": "pending",
                "rows": planned[start : start + CHUNK_ROWS],
                "expires_at": expires,
            }
            for n, start in enumerate(range(0, len(planned), CHUNK_ROWS))
        ]
        refused = [(kind, p) for kind in ("errors", "duplicates") for p in problems[kind]]
        notes: list[dict[str, Any]] = [
            {**notes_key(import_id, n), **_notes(refused[start : start + NOTES_PER_ITEM])}
            for n, start in enumerate(range(0, len(refused), NOTES_PER_ITEM))
        ]
        for note in notes:
            note["expires_at"] = expires
        job = {
            **job_key(import_id),
            **by,
            "import_id": import_id,
            "started_at": iso(now),
            "total": total,
            "done": len(refused),
            "chunks": len(chunks),
            "chunks_done": 0,
            "chunks_failed": 0,
            "expires_at": expires,
        }
        self.imports.create(job, chunks, notes)
        self._send(import_id, chunks)
        location = f"/roster/imports/{import_id}"
        return views.ImportAccepted(
            import_id=import_id, location=location, state="running", total=total
        )

    def _send(self, import_id: str, chunks: list[dict[str, Any]]) -> None:
        """One message per chunk, so that a chunk the queue refused is known exactly: it
        and those after it end at once as errors by line (nothing of them was written)."""
        for n in range(len(chunks)):
            try:
                self.dispatch([{"import_id": import_id, "chunk": n}])
            except Exception:
                LOGGER.exception("import chunks could not be queued")
                reason = "not imported (the job could not be queued): import this line again"
                for unsent in chunks[n:]:
                    errors = [problem(row, reason) for row in unsent["rows"]]
                    self.chunks.finish(import_id, unsent, None, [], errors, failed=True)
                return

    # --- the worker ----------------------------------------------------------------

    def work(self, message: dict[str, Any], last_try: bool) -> None:
        """One delivery of a chunk's message; on its last try a failure gives the chunk
        up (its rows reported by line) before it is raised to the queue."""
        import_id, chunk_no = str(message["import_id"]), int(message["chunk"])
        try:
            self.chunks.run(import_id, chunk_no)
        except Exception as exc:
            if last_try:
                reason = str(exc) if isinstance(exc, XuefaError) else "an internal error"
                self.chunks.give_up(import_id, chunk_no, reason)
            raise

    def _run_on_a_thread(self, messages: list[dict[str, Any]]) -> None:
        """Locally: one worker thread per process takes the chunks in turn, trying each up
        to MAX_TRIES times as SQS would deliver it."""
        with self._lock:
            if self._backlog is None:
                self._backlog = queue.Queue()
                threading.Thread(target=self._drain, name="roster-import", daemon=True).start()
        for message in messages:
            self._backlog.put(message)

    def _drain(self) -> None:
        assert self._backlog is not None
        while True:
            message = self._backlog.get()
            for attempt in range(1, MAX_TRIES + 1):
                try:
                    self.work(message, last_try=attempt == MAX_TRIES)
                    break
                except Exception:
                    LOGGER.exception("import chunk failed (try %d)", attempt)

    # --- the result ----------------------------------------------------------------

    def view(self, actor: Actor, import_id: str) -> views.ImportJob:
        """The job's progress and result, for the admin who started it only."""
        require_admin(actor)
        if not re.fullmatch(IMPORT_ID, import_id):
            raise BadRequest("not an import id", {"import_id": "16 characters of A-Z a-z 0-9 _ -"})
        found = self.imports.job(import_id)
        now = self.clock.now()
        if found is None or int(found[0].get("expires_at", 0)) <= int(now.timestamp()):
            raise NotFound("no such import (results are kept for seven days)")
        job, parts = found
        if job["by"] != actor.username:
            raise Forbidden("only the administrator who started an import can read it")
        created: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        duplicates: list[dict[str, Any]] = []
        for part in parts:
            errors += part.get("errors") or []
            duplicates += part.get("duplicates") or []
            created += self._with_passwords(import_id, part)
        chunks, finished = int(job["chunks"]), int(job.get("chunks_done", 0))
        state = "running" if finished < chunks else "done"
        if finished >= chunks and int(job.get("chunks_failed", 0)):
            state = "failed"
        return views.ImportJob.model_validate(
            {
                "import_id": import_id,
                "state": state,
                "total": int(job["total"]),
                "done": int(job["done"]),
                "started_at": job["started_at"],
                "expires_at": iso(datetime.fromtimestamp(int(job["expires_at"]), tz=now.tzinfo)),
                "created": sorted(created, key=lambda c: int(c["line"])),
                "duplicates": sorted(duplicates, key=lambda p: int(p["line"])),
                "errors": sorted(errors, key=lambda p: int(p["line"])),
            }
        )

    def _with_passwords(self, import_id: str, outcome: dict[str, Any]) -> list[dict[str, Any]]:
        chunk_no = int(str(outcome["sk"]).rpartition("#")[2])
        passwords: dict[int, str] = {}
        if outcome.get("sealed"):
            opened = self.sealer.open(chunk_context(import_id, chunk_no), str(outcome["sealed"]))
            lines = [int(line) for line in outcome.get("lines") or []]
            passwords = dict(zip(lines, opened or [], strict=False))
        return [
            {**c, "line": int(c["line"]), "temporary_password": passwords.get(int(c["line"]))}
            for c in outcome.get("created") or []
        ]


def _notes(refused: list[tuple[str, dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    return {
        "errors": [p for kind, p in refused if kind == "errors"],
        "duplicates": [p for kind, p in refused if kind == "duplicates"],
    }
