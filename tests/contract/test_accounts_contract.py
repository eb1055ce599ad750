"""FakeAccounts and what it stands for: the roster's sign-in accounts in Cognito's user
pool (CognitoAccounts, on moto) and in our own identity's items (OwnAccounts over
DynamoIdentity). The same calls give the same passwords, refusals and errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from infra.local import resources
from tests.contract.conftest import LEARNER
from tests.fakes.directory import OTHER_UNIT, UNIT
from tests.fakes.roster import FakeAccounts
from xuefa.core.errors import Conflict, Duplicate
from xuefa.identity.repository import DynamoIdentity
from xuefa.roster.accounts import CognitoAccounts
from xuefa.roster.own_accounts import OwnAccounts
from xuefa.store.store import Store

pytestmark = pytest.mark.contract

PLANNED = "Plan-Pass-2345"


@dataclass
class Pool:
    """The accounts, and what a sign-in would find of one: enabled, and its unit."""

    accounts: Any
    held: Callable[[str], tuple[bool, str] | None]


def fake_pool() -> Pool:
    fake = FakeAccounts()

    def held(username: str) -> tuple[bool, str] | None:
        if username not in fake.enabled:
            return None
        return fake.enabled[username], fake.units[username]

    return Pool(fake, held)


def own_pool(store: Store) -> Pool:
    identity = DynamoIdentity(store)

    def held(username: str) -> tuple[bool, str] | None:
        account = identity.account(username)
        return None if account is None else (account.enabled, account.unit_id)

    return Pool(OwnAccounts(identity), held)


def cognito_pool(cognito: Any, name: str) -> Pool:
    """A user pool of the test's own, as infra/ declares the pool."""
    pool_id = cognito.create_user_pool(
        PoolName=name,
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 8,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": False,
            }
        },
        Schema=[{"Name": "unit_id", "AttributeDataType": "String", "Mutable": True}],
    )["UserPool"]["Id"]
    for group in resources.GROUPS:
        cognito.create_group(UserPoolId=pool_id, GroupName=group)

    def held(username: str) -> tuple[bool, str] | None:
        try:
            user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
        except cognito.exceptions.UserNotFoundException:
            return None
        unit = {a["Name"]: a["Value"] for a in user["UserAttributes"]}["custom:unit_id"]
        return bool(user["Enabled"]), unit

    return Pool(CognitoAccounts(pool_id, lambda: cognito), held)


@pytest.fixture(params=["fake", "own", "cognito"])
def pool(request: pytest.FixtureRequest, dynamodb: Any) -> Pool:
    if request.param == "fake":
        return fake_pool()
    if request.param == "own":
        return own_pool(request.getfixturevalue("table"))
    import boto3

    return cognito_pool(boto3.client("cognito-idp"), request.node.name)


def test_an_account_is_created_with_a_temporary_password_once(pool: Pool) -> None:
    password = pool.accounts.create_learner(LEARNER, UNIT)
    assert len(password) >= 8
    assert pool.held(LEARNER) == (True, UNIT)
    with pytest.raises(Duplicate):
        pool.accounts.create_learner(LEARNER, UNIT)
    assert pool.accounts.create_learner("530402000002", UNIT, PLANNED) == PLANNED


def test_an_import_row_tried_again_gets_its_planned_password(pool: Pool) -> None:
    assert pool.accounts.create_learner(LEARNER, UNIT, PLANNED) == PLANNED
    assert pool.accounts.create_learner(LEARNER, UNIT, PLANNED) == PLANNED
    assert pool.held(LEARNER) == (True, UNIT)


def test_an_account_is_disabled_moved_reset_and_deleted(pool: Pool) -> None:
    first = pool.accounts.create_learner(LEARNER, UNIT)
    pool.accounts.set_enabled(LEARNER, False)
    pool.accounts.move(LEARNER, OTHER_UNIT)
    assert pool.held(LEARNER) == (False, OTHER_UNIT)
    pool.accounts.set_enabled(LEARNER, True)
    assert pool.held(LEARNER) == (True, OTHER_UNIT)
    assert pool.accounts.reset_password(LEARNER) != first

    pool.accounts.delete(LEARNER)
    assert pool.held(LEARNER) is None
    pool.accounts.create_learner(LEARNER, UNIT)  # the number is free again
    assert pool.held(LEARNER) == (True, UNIT)


def test_changes_to_a_missing_account_are_a_conflict(pool: Pool) -> None:
    with pytest.raises(Conflict):
        pool.accounts.set_enabled(LEARNER, False)
    with pytest.raises(Conflict):
        pool.accounts.move(LEARNER, OTHER_UNIT)
    with pytest.raises(Conflict):
        pool.accounts.reset_password(LEARNER)
    assert pool.held(LEARNER) is None
