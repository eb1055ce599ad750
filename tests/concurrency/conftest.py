"""Real threads against moto's server (as the local stack runs it: requests serialized,
as DynamoDB applies each one atomically). Every thread has its own boto3 client, like
separate Lambda containers."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, TypeVar

import boto3
import pytest

from infra.local import seed
from infra.local.moto_host import MotoHost
from tests.helpers import ENV, TABLE
from xuefa.core.clock import SHANGHAI, FixedClock, local_date
from xuefa.roster.directory import Directory
from xuefa.store.store import Store
from xuefa.store.table import create_table_request
from xuefa.years.repository import YearBook

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
T = TypeVar("T")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    host = MotoHost("127.0.0.1", _free_port())
    host.start()
    yield host.endpoint
    host.stop()


@pytest.fixture
def table(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], Store]]:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    dynamodb = boto3.client("dynamodb")
    if TABLE in dynamodb.list_tables()["TableNames"]:
        dynamodb.delete_table(TableName=TABLE)
    dynamodb.create_table(**create_table_request(TABLE))
    store = Store(TABLE)
    configs = seed.put_years(store, local_date(NOW), ended=False)
    seed.seed_table(store, local_date(NOW), configs, practice=False)

    def new_store() -> Store:
        """A store with its own client, as another Lambda container would have."""
        return Store(TABLE, client_factory=lambda: boto3.client("dynamodb"))

    yield new_store


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def wiring(store: Store) -> tuple[Store, YearBook, Directory]:
    return store, YearBook(store), Directory(store)


def run_parallel(count: int, work: Callable[[int], T]) -> list[T | BaseException]:
    """Run `work(i)` on `count` threads released together; results or exceptions."""
    import threading

    barrier = threading.Barrier(count)

    def task(i: int) -> Any:
        barrier.wait()
        try:
            return work(i)
        except BaseException as exc:  # collected, asserted by the test
            return exc

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(task, range(count)))
