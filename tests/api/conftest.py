"""API tests: each app through chalice.test.Client, on moto in this process."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from infra.local import demo_city, moto_patches, resources, seed
from infra.local.apps import load_app
from infra.local.moto_host import dump_backends, load_backends
from tests.helpers import BUCKET, CONTENT_BUCKET, ENV, TABLE, auth
from xuefa import bootstrap
from xuefa.core.clock import SHANGHAI, FixedClock, local_date
from xuefa.store.store import Store
from xuefa.store.table import create_table_request

# A fixed instant inside the demo year's windows: 2026-11-20 10:00, Shanghai.
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    moto_patches.apply()
    with mock_aws():
        boto3.client("dynamodb").create_table(**create_table_request(TABLE))
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        boto3.client("s3").create_bucket(Bucket=CONTENT_BUCKET)
        pool = resources.ensure_pool(boto3.client("cognito-idp"))
        monkeypatch.setenv("XUEFA_USER_POOL_ID", pool.pool_id)
        bootstrap.reset()
        yield
        bootstrap.reset()


@pytest.fixture
def clock(aws: None) -> FixedClock:
    fixed = FixedClock(NOW)
    bootstrap.services().clock = fixed
    return fixed


# The demo city as seeded, pickled once per worker: seeding took ~3 s a test (most of the
# API suite's time), putting it back takes a tenth of that. Every test still begins from
# the same data, in a moto of its own.
SEEDED: dict[str, bytes] = {}
SEEDED_SERVICES = ("dynamodb", "s3")


@pytest.fixture
def city(clock: FixedClock) -> Store:
    """The demo city's table (no Cognito accounts: API tests send claims directly)."""
    store = bootstrap.services().store
    today = local_date(clock.now())
    if today.isoformat() in SEEDED:
        load_backends(SEEDED[today.isoformat()])
        return store
    configs = seed.put_years(store, today, ended=False)
    seed.seed_table(store, today, configs, practice=False)
    SEEDED[today.isoformat()] = dump_backends(SEEDED_SERVICES)
    return store


@pytest.fixture
def accounts(city: Store) -> Any:
    """The demo city's sign-in accounts in moto's user pool."""
    cognito = boto3.client("cognito-idp")
    seed.seed_accounts(cognito, bootstrap.services().settings.user_pool_id)
    return cognito


@pytest.fixture
def client() -> Iterator[Callable[[str], Client]]:
    opened: list[Client] = []

    def open_app(name: str) -> Client:
        test_client = Client(load_app(name))
        opened.append(test_client)
        return test_client

    yield open_app


def nightly(reports: Any, time: str) -> Any:
    """The nightly function, as EventBridge invokes it at `time` (UTC)."""
    event = reports.events.generate_cw_event(
        source="aws.events",
        detail_type="Scheduled Event",
        detail={},
        resources=[],
        region="cn-north-1",
    )
    event["time"] = time
    return reports.lambda_.invoke("nightly-report", event)


def json_of(response: Any) -> Any:
    return json.loads(response.body)


def code(response: Any) -> str:
    """The contract's error code of a response."""
    return str(json_of(response)["error"]["code"])


def call(
    api: Any,
    method: str,
    path: str,
    who: tuple[str, list[str], str],
    body: Any = None,
    content_type: str = "application/json",
) -> Any:
    """A request as `who`, with a JSON body (or bytes/text sent as they are)."""
    payload = body if isinstance(body, str | bytes) else json.dumps({} if body is None else body)
    headers = {**auth(*who), "Content-Type": content_type}
    return getattr(api, method)(path, headers=headers, body=payload)


def post(api: Any, path: str, who: tuple[str, list[str], str], body: Any = None) -> Any:
    return call(api, "post", path, who, body)


def get(api: Any, path: str, who: tuple[str, list[str], str]) -> Any:
    return api.get(path, headers=auth(*who))


__all__ = ["demo_city"]
