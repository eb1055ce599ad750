"""The report runs: one item a set — a date's, or a closed year's (`key`: `2026-11-20`,
`year-2017`) — saying who runs it, its shards, which are done, its state; and one a shard
(its files and rollup). Claims and hand-overs are conditions, so two
schedulers, a retry and an admin's re-run never build two sets at once."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from datetime import date
from typing import Any

from xuefa.store.keys import Keys
from xuefa.store.store import ConditionFailed, Store, TransactionCancelled


class Superseded(Exception):
    """A newer run of the same set took over: this one's shard stops quietly."""


def run_key(key: str) -> dict[str, str]:
    return Keys.report_run(key)


class DynamoReportRuns:
    def __init__(self, store: Store):
        self.store = store

    def run(self, key: str) -> dict[str, Any] | None:
        return self.store.get(run_key(key))

    def runs(self, days: Sequence[date]) -> dict[date, dict[str, Any]]:
        found = self.store.batch_get([run_key(d.isoformat()) for d in days])
        return {date.fromisoformat(str(r["pk"]).removeprefix("RUN#")): r for r in found}

    def claim(self, key: str, run: dict[str, Any], previous: str | None) -> bool:
        """Start the date's run, if nobody has (or the run read is still the one there);
        False when another request claimed it first."""
        condition = "run_id = :previous" if previous else "attribute_not_exists(pk)"
        values = {":previous": previous} if previous else None
        try:
            self.store.put({**run_key(key), **run}, condition=condition, values=values)
        except ConditionFailed:
            return False
        return True

    def record(self, key: str, run: dict[str, Any]) -> None:
        """A run decided at once (a year nobody configured): written as it is."""
        self.store.put({**run_key(key), **run})

    def dispatched(self, key: str, run_id: str) -> None:
        """Every shard of the run is sent: a retry of the delivery that claimed it no
        longer takes it over (the shards' own retries carry it)."""
        with suppress(ConditionFailed):  # taken over already: the newer run says how far
            self.store.update(
                run_key(key),
                "SET dispatched = :yes",
                condition="run_id = :run",
                values={":yes": True, ":run": run_id},
                new_item=False,
            )

    def shard_written(self, key: str, shard_id: str, run_id: str, shard: dict[str, Any]) -> None:
        """The shard's files and rollup, only while its run is the set's run: a late shard
        of a run taken over never overwrites the newer run's (raises Superseded)."""
        try:
            self.store.transact(
                [
                    {
                        "ConditionCheck": {
                            "Key": run_key(key),
                            "ConditionExpression": "run_id = :run",
                            "ExpressionAttributeValues": {":run": run_id},
                        }
                    },
                    {
                        "Put": {
                            "Item": {**Keys.report_shard(key, shard_id), "run_id": run_id, **shard}
                        }
                    },
                ]
            )
        except TransactionCancelled as exc:
            if exc.failed(0):
                raise Superseded(key) from exc
            raise

    # The run's shards are counted while it runs, and by the shard that took the final
    # step when its message comes again (it died writing the manifest).
    _OURS = "run_id = :run AND (#status = :running OR (#status = :finalizing AND final_by = :by))"

    def shard_done(self, key: str, shard_id: str, run_id: str) -> bool:
        """Mark a shard done in its run; True when it was the last one (None of it if a
        newer run took over: its own shards finish it)."""
        try:
            run = self.store.update(
                run_key(key),
                "ADD done :shard",
                condition=self._OURS,
                names={"#status": "status"},
                values={
                    ":shard": {shard_id},
                    ":by": shard_id,
                    ":run": run_id,
                    ":running": "running",
                    ":finalizing": "finalizing",
                },
            )
        except ConditionFailed:
            return False
        return set(run.get("done", set())) >= set(run["shards"])

    def take_final(self, key: str, run_id: str, shard_id: str) -> bool:
        """Exactly one shard writes the manifest: the one that moves the run on (or the
        same one again, its message delivered again after it died doing so)."""
        try:
            self.store.update(
                run_key(key),
                "SET #status = :finalizing, final_by = :by",
                condition=self._OURS,
                names={"#status": "status"},
                values={
                    ":finalizing": "finalizing",
                    ":by": shard_id,
                    ":run": run_id,
                    ":running": "running",
                },
                new_item=False,
            )
        except ConditionFailed:
            return False
        return True

    def shards(self, key: str, run_id: str) -> list[dict[str, Any]]:
        items = self.store.query_all(Keys.run_prefix(key), Keys.shard_prefix())
        return [item for item in items if item.get("run_id") == run_id]

    def complete(self, key: str, at: str, status: str = "complete") -> None:
        """The run's end: `complete`, or `partial` (a year-end set with a unit left out,
        closed again the next night)."""
        self.store.update(
            run_key(key),
            "SET #status = :complete, completed_at = :at",
            names={"#status": "status"},
            values={":complete": status, ":at": at},
            new_item=False,
        )
