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


@contextmanager
def demo_city_on_moto() -> Iterator[tuple[Any, Any, Any]]:
    """The demo city's table on moto in this process: (boto3 client, store, clock at
    2026-11-20 10:00 Shanghai, inside the demo year's windows)."""
    import os
    from datetime import datetime

    import boto3
    from moto import mock_aws

    from infra.local import moto_patches, seed
    from tests.helpers import ENV, TABLE
    from xuefa.core.clock import SHANGHAI, FixedClock, local_date
    from xuefa.store.store import Store
    from xuefa.store.table import create_table_request

    os.environ.update(ENV)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    moto_patches.apply()
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(**create_table_request(TABLE))
        store = Store(TABLE, client_factory=lambda: client)
        clock = FixedClock(datetime(2026, 11, 20, 10, tzinfo=SHANGHAI))
        day = local_date(clock.now())
        seed.seed_table(store, day, seed.put_years(store, day, ended=False))
        yield client, store, clock
