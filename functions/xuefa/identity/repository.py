"""Our own identity service's items: accounts, the sign-in guard (failed guesses and the
lockout), the devices a login signed in from (each with a guard of its own), and refresh
tokens (device and refresh tokens kept as their SHA-256 only).

Every rule that a parallel request could break is a condition here: a guess is counted
before its password is checked, and only while the login is not locked and has guesses
left, so twenty guesses at once get five checks; a refresh token is used once; a password
or a status change bumps the account's version, which every refresh token must match.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from xuefa.core.audit import AuditEntry
from xuefa.core.auth import Actor
from xuefa.core.errors import Conflict, Duplicate
from xuefa.store.audit import audit_put
from xuefa.store.keys import Keys
from xuefa.store.store import ConditionFailed, Store, TransactionCancelled

GUARD_DAYS = 1  # a guard item nobody touched for a day is removed by the table's TTL
MISSING = "the sign-in account is missing; ask the city administrator"


@dataclass(frozen=True)
class Account:
    username: str
    password_hash: str
    groups: tuple[str, ...]
    unit_id: str
    enabled: bool = True
    must_change: bool = False  # a temporary password: the first sign-in sets the learner's own
    version: int = 0  # bumped by every password and status change; refresh tokens carry it


@dataclass(frozen=True)
class Guess:
    """A sign-in attempt, counted before its password is checked."""

    allowed: bool
    count: int = 0  # failed or pending guesses since the last success or lockout
    locked_until: int = 0  # epoch seconds
    lockouts: int = 0  # lockouts so far: each makes the next one longer
    device: str | None = None  # the device token's hash whose counter held it, if any


@dataclass(frozen=True)
class Device:
    """A device token a right password earned (stored as its hash), until `expires_at`."""

    token_hash: str
    expires_at: int  # epoch seconds; also the table's TTL attribute


@dataclass(frozen=True)
class RefreshGrant:
    username: str
    version: int
    expires_at: int
    used_at: int | None


class Rotation(Enum):
    ROTATED = "rotated"
    EXPIRED = "expired"  # unknown, expired, or already used
    REVOKED = "revoked"  # the account changed (password, status) or is gone


class IdentityRepository(Protocol):
    def account(self, username: str) -> Account | None: ...
    def create(self, account: Account) -> None: ...
    def delete(self, username: str) -> None: ...
    def set_enabled(self, username: str, enabled: bool) -> None: ...
    def move(self, username: str, unit_id: str) -> None: ...
    def set_password(
        self, username: str, password_hash: str, *, must_change: bool, version: int | None
    ) -> int: ...
    def guess(self, username: str, now: int, limit: int) -> Guess: ...
    def lock(self, username: str, until: int) -> None: ...
    def device_guess(
        self, username: str, token_hash: str, now: int, limit: int
    ) -> Guess | None: ...
    def lock_device(self, username: str, token_hash: str, until: int) -> None: ...
    def succeeded(
        self, account: Account, entry: AuditEntry, device: Device, replaced: str | None
    ) -> None: ...
    def record(self, actor: Actor, entry: AuditEntry) -> None: ...
    def grant(self, token_hash: str) -> RefreshGrant | None: ...
    def issue(self, token_hash: str, grant: RefreshGrant) -> None: ...
    def rotate(self, old_hash: str, new_hash: str, grant: RefreshGrant, now: int) -> Rotation: ...
    def revoke(self, token_hash: str, now: int) -> None: ...
    def revoke_all(self, username: str) -> None: ...


def account_item(account: Account) -> dict[str, Any]:
    return {
        **Keys.account(account.username),
        "username": account.username,
        "password_hash": account.password_hash,
        "groups": list(account.groups),
        "unit_id": account.unit_id,
        "enabled": account.enabled,
        "must_change": account.must_change,
        "version": account.version,
    }


def holder_actor(account: Account) -> Actor:
    return Actor(
        username=account.username, groups=frozenset(account.groups), unit_id=account.unit_id
    )


class DynamoIdentity:
    def __init__(self, store: Store):
        self.store = store

    # accounts ---------------------------------------------------------------------

    def account(self, username: str) -> Account | None:
        item = self.store.get(Keys.account(username))
        if item is None:
            return None
        return Account(
            username=item["username"],
            password_hash=item["password_hash"],
            groups=tuple(item.get("groups") or ()),
            unit_id=item["unit_id"],
            enabled=bool(item.get("enabled", True)),
            must_change=bool(item.get("must_change", False)),
            version=int(item.get("version", 0)),
        )

    def create(self, account: Account) -> None:
        try:
            self.store.put(account_item(account), "attribute_not_exists(pk)")
        except ConditionFailed as exc:
            raise Duplicate("an account with this username already exists") from exc

    def create_many(self, accounts: list[Account]) -> None:
        """Accounts written in batches, unconditionally (the demo's seed)."""
        self.store.batch_put([account_item(account) for account in accounts])

    def delete(self, username: str) -> None:
        self.store.delete(Keys.account(username))
        self.store.delete(Keys.sign_in_guard(username))

    def _change(self, username: str, expression: str, values: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.store.update(
                Keys.account(username), expression, "attribute_exists(pk)", values=values
            )
        except ConditionFailed as exc:
            raise Conflict(MISSING) from exc

    def set_enabled(self, username: str, enabled: bool) -> None:
        # Disabling also revokes every refresh token (the version moves on).
        self._change(
            username, "SET enabled = :on, version = version + :one", {":on": enabled, ":one": 1}
        )

    def move(self, username: str, unit_id: str) -> None:
        self._change(username, "SET unit_id = :unit", {":unit": unit_id})

    def set_password(
        self, username: str, password_hash: str, *, must_change: bool, version: int | None
    ) -> int:
        """The new hash; the version moves on (signing out every device). With `version`,
        only if the account is still at it and waiting for its first password."""
        condition = "attribute_exists(pk)"
        values: dict[str, Any] = {":hash": password_hash, ":must": must_change, ":one": 1}
        if version is not None:
            condition += " AND version = :version AND must_change = :yes"
            values |= {":version": version, ":yes": True}
        try:
            item = self.store.update(
                Keys.account(username),
                "SET password_hash = :hash, must_change = :must, version = version + :one",
                condition,
                values=values,
            )
        except ConditionFailed as exc:
            raise Conflict(MISSING if version is None else "the account changed meanwhile") from exc
        self.store.delete(Keys.sign_in_guard(username))  # a new password: no lockout
        return int(item["version"])

    # the sign-in guard --------------------------------------------------------------

    def guess(self, username: str, now: int, limit: int) -> Guess:
        try:
            item = self.store.update(
                Keys.sign_in_guard(username),
                "SET guesses = if_not_exists(guesses, :zero) + :one, expires_at = :expires",
                "(attribute_not_exists(locked_until) OR locked_until <= :now)"
                " AND (attribute_not_exists(guesses) OR guesses < :limit)",
                values={
                    ":zero": 0,
                    ":one": 1,
                    ":now": now,
                    ":limit": limit,
                    ":expires": now + GUARD_DAYS * 86400,
                },
            )
        except ConditionFailed as exc:
            held = exc.item or {}
            return Guess(allowed=False, locked_until=int(held.get("locked_until", 0)))
        return Guess(
            allowed=True, count=int(item["guesses"]), lockouts=int(item.get("lockouts", 0))
        )

    def lock(self, username: str, until: int) -> None:
        """Locked until then; the guesses start again from none after it (and the number
        of lockouts so far makes the next one longer)."""
        self.store.update(
            Keys.sign_in_guard(username),
            "SET guesses = :zero, locked_until = :until, lockouts = if_not_exists(lockouts, :zero)"
            " + :one, expires_at = :expires",
            values={":zero": 0, ":one": 1, ":until": until, ":expires": until + GUARD_DAYS * 86400},
        )

    # devices (OWASP's device cookies) ----------------------------------------------

    def device_guess(self, username: str, token_hash: str, now: int, limit: int) -> Guess | None:
        """A guess counted on the device's own item, as `guess` counts on the login's; None
        when the token is not a live device of this login (then the login's guard counts)."""
        try:
            item = self.store.update(
                Keys.device(username, token_hash),
                "SET guesses = guesses + :one",
                "attribute_exists(pk) AND expires_at > :now"
                " AND (attribute_not_exists(locked_until) OR locked_until <= :now)"
                " AND guesses < :limit",
                values={":one": 1, ":now": now, ":limit": limit},
            )
        except ConditionFailed as exc:
            held = exc.item
            if not held or int(held["expires_at"]) <= now:
                return None
            locked = int(held.get("locked_until", 0))
            return Guess(allowed=False, locked_until=locked, device=token_hash)
        lockouts = int(item.get("lockouts", 0))
        return Guess(allowed=True, count=int(item["guesses"]), lockouts=lockouts, device=token_hash)

    def lock_device(self, username: str, token_hash: str, until: int) -> None:
        """That device alone is locked until then; its expiry stays where it was."""
        with suppress(ConditionFailed):  # replaced meanwhile by a right password
            self.store.update(
                Keys.device(username, token_hash),
                "SET guesses = :zero, locked_until = :until,"
                " lockouts = if_not_exists(lockouts, :zero) + :one",
                "attribute_exists(pk)",
                values={":zero": 0, ":one": 1, ":until": until},
                new_item=False,
            )

    def succeeded(
        self, account: Account, entry: AuditEntry, device: Device, replaced: str | None
    ) -> None:
        """A right password, in one transaction: a new device token (the one it came with,
        if any, is used up); the login's guard forgets its failures unless the sign-in came
        through a device (an attack on the login goes on being held); the audit entry."""
        username = account.username
        forget = Keys.device(username, replaced) if replaced else Keys.sign_in_guard(username)
        self.store.transact(
            [
                {"Delete": {"Key": forget}},
                {
                    "Put": {
                        "Item": {
                            **Keys.device(username, device.token_hash),
                            "username": username,
                            "guesses": 0,
                            "expires_at": device.expires_at,
                        },
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                audit_put(holder_actor(account), entry),
            ]
        )

    def record(self, actor: Actor, entry: AuditEntry) -> None:
        self.store.transact([audit_put(actor, entry)])

    # refresh tokens -----------------------------------------------------------------

    def grant(self, token_hash: str) -> RefreshGrant | None:
        item = self.store.get(Keys.refresh_token(token_hash))
        if item is None:
            return None
        used = item.get("used_at")
        return RefreshGrant(
            username=item["username"],
            version=int(item["version"]),
            expires_at=int(item["expires_at"]),
            used_at=int(used) if used is not None else None,
        )

    def _grant_item(self, token_hash: str, grant: RefreshGrant) -> dict[str, Any]:
        return {
            **Keys.refresh_token(token_hash),
            "username": grant.username,
            "version": grant.version,
            "expires_at": grant.expires_at,  # also the table's TTL attribute
        }

    def issue(self, token_hash: str, grant: RefreshGrant) -> None:
        self.store.put(self._grant_item(token_hash, grant), "attribute_not_exists(pk)")

    def rotate(self, old_hash: str, new_hash: str, grant: RefreshGrant, now: int) -> Rotation:
        """Use the old token once and issue the new one, while the account still is at
        the grant's version and enabled: all or nothing."""
        try:
            self.store.transact(
                [
                    {
                        "Update": {
                            "Key": Keys.refresh_token(old_hash),
                            "UpdateExpression": "SET used_at = :now",
                            "ConditionExpression": "attribute_exists(pk)"
                            " AND attribute_not_exists(used_at) AND expires_at > :now",
                            "ExpressionAttributeValues": {":now": now},
                        }
                    },
                    {
                        "ConditionCheck": {
                            "Key": Keys.account(grant.username),
                            "ConditionExpression": "version = :version AND enabled = :yes",
                            "ExpressionAttributeValues": {
                                ":version": grant.version,
                                ":yes": True,
                            },
                        }
                    },
                    {
                        "Put": {
                            "Item": self._grant_item(new_hash, grant),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        except TransactionCancelled as cancelled:
            return Rotation.EXPIRED if cancelled.failed(0) else Rotation.REVOKED
        return Rotation.ROTATED

    def revoke(self, token_hash: str, now: int) -> None:
        with suppress(ConditionFailed):  # unknown or already used: signed out either way
            self.store.update(
                Keys.refresh_token(token_hash),
                "SET used_at = :now",
                "attribute_exists(pk) AND attribute_not_exists(used_at)",
                values={":now": now},
                new_item=False,
            )

    def revoke_all(self, username: str) -> None:
        with suppress(Conflict):  # no account, no tokens
            self._change(username, "SET version = version + :one", {":one": 1})
