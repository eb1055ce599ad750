"""Student numbers under real concurrency: 50 creations, 50 numbers, 50 accounts."""

from __future__ import annotations

from collections.abc import Callable

import boto3
import pytest

from infra.local import resources
from tests.concurrency.conftest import run_parallel, wiring
from xuefa.core.auth import Actor
from xuefa.core.clock import FixedClock
from xuefa.roster.accounts import CognitoAccounts
from xuefa.roster.repository import DynamoRoster
from xuefa.roster.service import NewLearner, Roster
from xuefa.store.store import Store

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("moto-server")]

UNIT_ADMIN = Actor("unit_530402-001", frozenset({"admins"}), "530402-001")


def test_fifty_concurrent_creations_get_fifty_distinct_numbers(
    table: Callable[[], Store], clock: FixedClock
) -> None:
    pool = resources.ensure_pool(boto3.client("cognito-idp"))

    def create(i: int) -> str:
        store, years, directory = wiring(table())
        accounts = CognitoAccounts(pool.pool_id, lambda: boto3.client("cognito-idp"))
        roster = Roster(
            DynamoRoster(store), directory, years, accounts, clock, "concurrency-secret-0123456"
        )
        new = NewLearner(name=f"新同事{i}", unit_id="530402-001", phone=f"139{i:08d}")
        return roster.create_learner(UNIT_ADMIN, new).student_no

    numbers = run_parallel(50, create)
    assert all(isinstance(n, str) for n in numbers), numbers
    assert len(set(numbers)) == 50
    assert sorted(str(n) for n in numbers) == [f"530402{seq:06d}" for seq in range(31, 81)]
    cognito = boto3.client("cognito-idp")
    users: set[str] = set()
    kwargs = {"UserPoolId": pool.pool_id, "Limit": 60}
    while True:
        page = cognito.list_users(**kwargs)
        users |= {u["Username"] for u in page["Users"]}
        if not page.get("PaginationToken"):
            break
        kwargs["PaginationToken"] = page["PaginationToken"]
    assert set(numbers) <= users
