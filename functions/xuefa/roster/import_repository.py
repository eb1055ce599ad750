"""Roster import jobs in the table: the job, its chunks of checked rows (each row with
the student number reserved for it; read by the worker only), and what the job tells the
admin (`OUT#`: the lines refused before it began, each finished chunk's outcome), which
is all a look at the job reads. One partition per job; every item expires (`expires_at`,
the table's TTL) with the job."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from xuefa.roster.repository import dedupe_key
from xuefa.store.store import ConditionFailed, Store, TransactionCancelled
from xuefa.store.table import PARTITION_KEY, SORT_KEY

JOB = "JOB"
CHUNK = "CHUNK#"
OUT = "OUT#"
# Lists of rows and lines are stored as one JSON string each: opaque to the table, and
# read and written whole (a 2,000-row job as nested maps took moto 7 s to take in).
PACKED = ("rows", "created", "errors", "duplicates")


def _pack(item: dict[str, Any]) -> dict[str, Any]:
    return {
        k: json.dumps(v, ensure_ascii=False, separators=(",", ":")) if k in PACKED else v
        for k, v in item.items()
    }


def _unpack(item: dict[str, Any]) -> dict[str, Any]:
    return {k: json.loads(v) if k in PACKED and isinstance(v, str) else v for k, v in item.items()}


def _unpacked(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_unpack(item) for item in items]


def job_partition(import_id: str) -> str:
    return f"IMPORT#{import_id}"


def job_key(import_id: str) -> dict[str, str]:
    return {PARTITION_KEY: job_partition(import_id), SORT_KEY: JOB}


def chunk_key(import_id: str, chunk_no: int) -> dict[str, str]:
    return {PARTITION_KEY: job_partition(import_id), SORT_KEY: f"{CHUNK}{chunk_no:04d}"}


def notes_key(import_id: str, part: int) -> dict[str, str]:
    return {PARTITION_KEY: job_partition(import_id), SORT_KEY: f"{OUT}NOTES#{part:03d}"}


def outcome_key(import_id: str, chunk_no: int) -> dict[str, str]:
    return {PARTITION_KEY: job_partition(import_id), SORT_KEY: f"{OUT}CHUNK#{chunk_no:04d}"}


class ImportRepository(Protocol):
    def create(
        self,
        job: dict[str, Any],
        chunks: Sequence[dict[str, Any]],
        notes: Sequence[dict[str, Any]],
    ) -> None: ...

    def job(self, import_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None: ...

    def chunk(self, import_id: str, chunk_no: int) -> dict[str, Any] | None: ...

    def seal(self, import_id: str, chunk_no: int, sealed: str) -> str: ...

    def finish(self, import_id: str, chunk_no: int, outcome: dict[str, Any]) -> bool: ...

    def registered_as(self, people: Sequence[tuple[str, str, str | None]]) -> list[str | None]: ...


class DynamoImports:
    def __init__(self, store: Store):
        self.store = store

    def create(
        self,
        job: dict[str, Any],
        chunks: Sequence[dict[str, Any]],
        notes: Sequence[dict[str, Any]],
    ) -> None:
        """Chunks and notes first, in batches (new random keys: nothing to overwrite), the
        job last: a job that exists has all its rows."""
        self.store.batch_put([_pack(item) for item in (*chunks, *notes)])
        self.store.put(job, "attribute_not_exists(pk)")

    def job(self, import_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        """The job and what it has to tell (never the chunks' rows)."""
        head = self.store.get(job_key(import_id))
        if head is None:
            return None
        return head, _unpacked(self.store.query_all(job_partition(import_id), OUT))

    def chunk(self, import_id: str, chunk_no: int) -> dict[str, Any] | None:
        item = self.store.get(chunk_key(import_id, chunk_no))
        return _unpack(item) if item is not None else None

    def seal(self, import_id: str, chunk_no: int, sealed: str) -> str:
        """The chunk's planned passwords, set once: a second try gets the first's."""
        try:
            self.store.update(
                chunk_key(import_id, chunk_no),
                "SET sealed = :sealed",
                "attribute_exists(pk) AND attribute_not_exists(sealed)",
                values={":sealed": sealed},
                new_item=False,
            )
        except ConditionFailed as exc:
            if exc.item is None or "sealed" not in exc.item:
                raise
            return str(exc.item["sealed"])
        return sealed

    def finish(self, import_id: str, chunk_no: int, outcome: dict[str, Any]) -> bool:
        """The chunk's outcome (`state`, `created`, `errors`, …) and the job's progress in
        one transaction, once: False when the chunk had already finished (a retry, or a
        second delivery)."""
        state = str(outcome["state"])
        rows = len(outcome["created"]) + len(outcome["errors"])
        try:
            self.store.transact(
                [
                    {
                        "Update": {
                            "Key": chunk_key(import_id, chunk_no),
                            "UpdateExpression": "SET #state = :state",
                            "ConditionExpression": "#state = :pending",
                            "ExpressionAttributeNames": {"#state": "state"},
                            "ExpressionAttributeValues": {":state": state, ":pending": "pending"},
                        }
                    },
                    {
                        "Put": {
                            "Item": _pack({**outcome_key(import_id, chunk_no), **outcome}),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": {
                            "Key": job_key(import_id),
                            "UpdateExpression": "ADD #done :rows, chunks_done :one"
                            + (", chunks_failed :one" if state == "failed" else ""),
                            "ConditionExpression": "attribute_exists(pk)",
                            "ExpressionAttributeNames": {"#done": "done"},
                            "ExpressionAttributeValues": {":rows": rows, ":one": 1},
                        }
                    },
                ]
            )
        except TransactionCancelled:
            return False
        return True

    def registered_as(self, people: Sequence[tuple[str, str, str | None]]) -> list[str | None]:
        """For each (unit, name, phone): the student number it is registered under, if any."""
        keys = [dedupe_key(*person) for person in people]
        found = {
            item[PARTITION_KEY]: str(item.get("student_no", ""))
            for item in self.store.batch_get(keys, consistent=True)
        }
        return [found.get(key[PARTITION_KEY]) for key in keys]
