"""FakeIdentity and DynamoIdentity: accounts, the login's and the devices' guards, and
refresh tokens used once, with the same outcomes."""

from __future__ import annotations

import pytest

from tests.contract.conftest import EXAM_DAY, World
from tests.fakes.directory import UNIT
from xuefa.core.audit import AuditEntry
from xuefa.core.errors import Conflict, Duplicate
from xuefa.identity.repository import Account, Device, Guess, RefreshGrant, Rotation

pytestmark = pytest.mark.contract

NOW = int(EXAM_DAY.timestamp())
LIMIT = 5
ACCOUNT = Account(
    username="530402000001",
    password_hash="hash-0",
    groups=("learners",),
    unit_id=UNIT,
    must_change=True,
)
SIGNED_IN = AuditEntry("identity.sign_in", ACCOUNT.username, EXAM_DAY)


def made(world: World, account: Account = ACCOUNT) -> World:
    world.identity.create(account)
    return world


def guesses(world: World, times: int, now: int = NOW) -> list[Guess]:
    return [world.identity.guess(ACCOUNT.username, now, LIMIT) for _ in range(times)]


def grant(version: int = 0, expires: int = NOW + 3600) -> RefreshGrant:
    return RefreshGrant(ACCOUNT.username, version, expires, None)


# accounts -----------------------------------------------------------------------------


def test_an_account_is_created_once_and_read(world: World) -> None:
    made(world)
    with pytest.raises(Duplicate):
        world.identity.create(ACCOUNT)
    assert world.identity.account(ACCOUNT.username) == ACCOUNT
    assert world.identity.account("nobody") is None


def test_a_password_set_moves_the_version_on_and_forgets_the_failures(world: World) -> None:
    made(world)
    guesses(world, LIMIT)

    first = world.identity.set_password(ACCOUNT.username, "hash-1", must_change=False, version=0)
    with pytest.raises(Conflict):  # the first password again, from the same (stale) read
        world.identity.set_password(ACCOUNT.username, "hash-2", must_change=False, version=0)
    reset = world.identity.set_password(ACCOUNT.username, "hash-3", must_change=True, version=None)
    assert (first, reset) == (1, 2)

    account = world.identity.account(ACCOUNT.username)
    assert (account.password_hash, account.must_change, account.version) == ("hash-3", True, 2)
    assert guesses(world, 1)[0] == Guess(allowed=True, count=1)


def test_a_first_password_needs_one_still_to_change(world: World) -> None:
    made(world, Account("admin-1", "hash-0", ("admins",), UNIT))
    with pytest.raises(Conflict):
        world.identity.set_password("admin-1", "hash-1", must_change=False, version=0)
    assert world.identity.account("admin-1").password_hash == "hash-0"


def test_changes_to_a_missing_account_are_a_conflict(world: World) -> None:
    with pytest.raises(Conflict):
        world.identity.set_password("nobody", "hash-1", must_change=True, version=None)
    with pytest.raises(Conflict):
        world.identity.set_enabled("nobody", False)
    with pytest.raises(Conflict):
        world.identity.move("nobody", UNIT)
    world.identity.revoke_all("nobody")  # no account, no tokens: nothing to do
    world.identity.delete("nobody")
    assert world.identity.account("nobody") is None


def test_disabling_moving_and_deleting_an_account(world: World) -> None:
    made(world)
    world.identity.set_enabled(ACCOUNT.username, False)
    world.identity.move(ACCOUNT.username, "530402-002")

    account = world.identity.account(ACCOUNT.username)
    assert (account.enabled, account.version, account.unit_id) == (False, 1, "530402-002")
    world.identity.delete(ACCOUNT.username)
    assert world.identity.account(ACCOUNT.username) is None


# the guards ---------------------------------------------------------------------------


def test_a_login_takes_so_many_guesses_then_a_lockout(world: World) -> None:
    counted = guesses(world, LIMIT + 1)
    assert [g.count for g in counted[:LIMIT]] == [1, 2, 3, 4, 5]
    assert counted[LIMIT] == Guess(allowed=False)

    world.identity.lock(ACCOUNT.username, NOW + 600)
    assert guesses(world, 1, NOW + 599) == [Guess(allowed=False, locked_until=NOW + 600)]
    assert guesses(world, 1, NOW + 600) == [Guess(allowed=True, count=1, lockouts=1)]


def test_a_device_counts_its_own_guesses_while_it_lives(world: World) -> None:
    made(world)
    device = Device("dev-1", NOW + 3600)
    assert world.identity.device_guess(ACCOUNT.username, "dev-1", NOW, LIMIT) is None
    guesses(world, 2)
    world.identity.succeeded(ACCOUNT, SIGNED_IN, device, None)

    assert guesses(world, 1)[0].count == 1  # a sign-in without a device forgets the login's
    first = world.identity.device_guess(ACCOUNT.username, "dev-1", NOW, LIMIT)
    assert first == Guess(allowed=True, count=1, device="dev-1")
    world.identity.lock_device(ACCOUNT.username, "dev-1", NOW + 600)
    locked = world.identity.device_guess(ACCOUNT.username, "dev-1", NOW + 1, LIMIT)
    assert locked == Guess(allowed=False, locked_until=NOW + 600, device="dev-1")
    after = world.identity.device_guess(ACCOUNT.username, "dev-1", NOW + 600, LIMIT)
    assert after == Guess(allowed=True, count=1, lockouts=1, device="dev-1")
    assert world.identity.device_guess(ACCOUNT.username, "dev-1", NOW + 3600, LIMIT) is None
    world.identity.lock_device(ACCOUNT.username, "dev-2", NOW + 600)  # not a device: nothing
    assert world.identity.device_guess(ACCOUNT.username, "dev-2", NOW, LIMIT) is None


def test_a_sign_in_through_a_device_replaces_it_and_keeps_the_logins_guard(
    world: World,
) -> None:
    made(world)
    world.identity.succeeded(ACCOUNT, SIGNED_IN, Device("dev-1", NOW + 3600), None)
    guesses(world, 3)
    world.identity.succeeded(ACCOUNT, SIGNED_IN, Device("dev-2", NOW + 3600), "dev-1")

    assert world.identity.device_guess(ACCOUNT.username, "dev-1", NOW, LIMIT) is None
    assert world.identity.device_guess(ACCOUNT.username, "dev-2", NOW, LIMIT) is not None
    assert guesses(world, 1)[0].count == 4


# refresh tokens -----------------------------------------------------------------------


def test_a_refresh_token_is_used_once(world: World) -> None:
    made(world)
    world.identity.issue("r-1", grant())
    assert world.identity.grant("r-1") == grant()
    assert world.identity.grant("r-0") is None

    assert world.identity.rotate("r-1", "r-2", grant(), NOW) is Rotation.ROTATED
    assert world.identity.rotate("r-1", "r-3", grant(), NOW) is Rotation.EXPIRED
    assert world.identity.grant("r-1").used_at == NOW
    assert world.identity.grant("r-3") is None  # the refused rotation issued nothing
    assert world.identity.rotate("r-0", "r-4", grant(), NOW) is Rotation.EXPIRED


def test_an_expired_token_or_a_changed_account_rotates_nothing(world: World) -> None:
    made(world)
    world.identity.issue("r-1", grant(expires=NOW))
    world.identity.issue("r-2", grant())
    assert world.identity.rotate("r-1", "r-3", grant(), NOW) is Rotation.EXPIRED

    world.identity.revoke_all(ACCOUNT.username)
    assert world.identity.rotate("r-2", "r-4", grant(), NOW) is Rotation.REVOKED
    assert world.identity.grant("r-2").used_at is None  # all or nothing: not used up
    assert world.identity.grant("r-4") is None
    assert world.identity.rotate("r-2", "r-5", grant(version=1), NOW) is Rotation.ROTATED

    world.identity.issue("r-6", grant(version=2))
    world.identity.set_enabled(ACCOUNT.username, False)
    assert world.identity.rotate("r-6", "r-7", grant(version=2), NOW) is Rotation.REVOKED
    gone = RefreshGrant("nobody", 0, NOW + 3600, None)
    world.identity.issue("r-8", gone)
    assert world.identity.rotate("r-8", "r-9", gone, NOW) is Rotation.REVOKED


def test_a_revoked_token_keeps_its_first_use(world: World) -> None:
    made(world)
    world.identity.issue("r-1", grant())
    world.identity.revoke("r-1", NOW)
    world.identity.revoke("r-1", NOW + 60)
    world.identity.revoke("r-0", NOW)  # unknown: signed out either way

    assert world.identity.grant("r-1").used_at == NOW
    assert world.identity.rotate("r-1", "r-2", grant(), NOW) is Rotation.EXPIRED
