"""Helpers for the benchmarks: request counting and percentiles."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class RequestCounter:
    """Counts DynamoDB API calls made by a boto3 client, by operation name."""

    def __init__(self, client: Any):
        self.calls: Counter[str] = Counter()
        client.meta.events.register("before-call.dynamodb", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    @contextmanager
    def measure(self) -> Iterator[Counter[str]]:
        before = Counter(self.calls)
        result: Counter[str] = Counter()
        yield result
        result.update(self.calls - before)


READS = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def split(calls: Counter[str]) -> tuple[int, int]:
    reads = sum(n for name, n in calls.items() if name in READS)
    writes = sum(n for name, n in calls.items() if name in WRITES)
    return reads, writes


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return p50, p95
