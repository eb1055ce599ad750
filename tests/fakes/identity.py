"""Our own identity's items in memory: accounts, the login's guard, the devices' guards,
refresh grants and the audit, with the conditions `xuefa.identity.repository` writes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from xuefa.core.audit import AuditEntry
from xuefa.core.auth import Actor
from xuefa.core.errors import Conflict, Duplicate
from xuefa.identity.repository import (
    MISSING,
    Account,
    Device,
    Guess,
    RefreshGrant,
    Rotation,
)


class FakeIdentity:
    def __init__(self, *accounts: Account) -> None:
        self.accounts = {a.username: a for a in accounts}
        self.guards: dict[str, dict[str, int]] = {}
        self.devices: dict[tuple[str, str], dict[str, int]] = {}
        self.grants: dict[str, RefreshGrant] = {}
        self.audit: list[tuple[Actor, AuditEntry]] = []

    def account(self, username: str) -> Account | None:
        return self.accounts.get(username)

    def create(self, account: Account) -> None:
        if account.username in self.accounts:
            raise Duplicate("an account with this username already exists")
        self.accounts[account.username] = account

    def _held(self, username: str) -> Account:
        """The account a change is made to: a missing one is a Conflict, as the table's."""
        if username not in self.accounts:
            raise Conflict(MISSING)
        return self.accounts[username]

    def delete(self, username: str) -> None:
        self.accounts.pop(username, None)
        self.guards.pop(username, None)

    def move(self, username: str, unit_id: str) -> None:
        self.accounts[username] = replace(self._held(username), unit_id=unit_id)

    def set_password(
        self, username: str, password_hash: str, *, must_change: bool, version: int | None
    ) -> int:
        old = self._held(username)
        if version is not None and (old.version != version or not old.must_change):
            raise Conflict("the account changed meanwhile")
        new = replace(old, password_hash=password_hash, must_change=must_change)
        self.accounts[username] = replace(new, version=old.version + 1)
        self.guards.pop(username, None)
        return old.version + 1

    def set_enabled(self, username: str, enabled: bool) -> None:
        old = self._held(username)
        self.accounts[username] = replace(old, enabled=enabled, version=old.version + 1)

    @staticmethod
    def _count(held: dict[str, int], now: int, limit: int) -> bool:
        if held.get("locked_until", 0) > now or held.get("guesses", 0) >= limit:
            return False
        held["guesses"] = held.get("guesses", 0) + 1
        return True

    def guess(self, username: str, now: int, limit: int) -> Guess:
        held = self.guards.setdefault(username, {})
        if not self._count(held, now, limit):
            return Guess(allowed=False, locked_until=held.get("locked_until", 0))
        return Guess(allowed=True, count=held["guesses"], lockouts=held.get("lockouts", 0))

    def lock(self, username: str, until: int) -> None:
        held = self.guards.setdefault(username, {})
        held |= {"guesses": 0, "locked_until": until, "lockouts": held.get("lockouts", 0) + 1}

    def device_guess(self, username: str, token_hash: str, now: int, limit: int) -> Guess | None:
        held = self.devices.get((username, token_hash))
        if held is None or held["expires_at"] <= now:
            return None
        if not self._count(held, now, limit):
            return Guess(allowed=False, locked_until=held.get("locked_until", 0), device=token_hash)
        count, lockouts = held["guesses"], held.get("lockouts", 0)
        return Guess(allowed=True, count=count, lockouts=lockouts, device=token_hash)

    def lock_device(self, username: str, token_hash: str, until: int) -> None:
        held = self.devices.get((username, token_hash))
        if held is not None:
            held |= {"guesses": 0, "locked_until": until, "lockouts": held.get("lockouts", 0) + 1}

    def succeeded(
        self, account: Account, entry: AuditEntry, device: Device, replaced: str | None
    ) -> None:
        if replaced:
            self.devices.pop((account.username, replaced), None)
        else:
            self.guards.pop(account.username, None)
        self.devices[(account.username, device.token_hash)] = {
            "guesses": 0,
            "expires_at": device.expires_at,
        }
        self.record(Actor(account.username, frozenset(account.groups), account.unit_id), entry)

    def record(self, actor: Actor, entry: AuditEntry) -> None:
        self.audit.append((actor, entry))

    def issue(self, token_hash: str, grant: RefreshGrant) -> None:
        self.grants[token_hash] = grant

    def grant(self, token_hash: str) -> RefreshGrant | None:
        return self.grants.get(token_hash)

    def rotate(self, old_hash: str, new_hash: str, grant: RefreshGrant, now: int) -> Rotation:
        held = self.grants.get(old_hash)
        if held is None or held.used_at is not None or held.expires_at <= now:
            return Rotation.EXPIRED
        account = self.accounts.get(grant.username)
        if account is None or not account.enabled or account.version != grant.version:
            return Rotation.REVOKED
        self.grants[old_hash] = replace(held, used_at=now)
        self.grants[new_hash] = grant
        return Rotation.ROTATED

    def revoke(self, token_hash: str, now: int) -> None:
        held = self.grants.get(token_hash)
        if held is not None and held.used_at is None:
            self.grants[token_hash] = replace(held, used_at=now)

    def revoke_all(self, username: str) -> None:
        if username in self.accounts:
            old = self.accounts[username]
            self.accounts[username] = replace(old, version=old.version + 1)

    def actions(self) -> list[tuple[str, str, Any]]:
        return [(entry.action, entry.target, entry.after) for _, entry in self.audit]
