"""The roster's account operations (`xuefa.roster.accounts.Accounts`) on our own identity
service's accounts, for where Cognito user pools do not exist."""

from __future__ import annotations

from xuefa.core.errors import Duplicate
from xuefa.identity.passwords import hash_temporary_password
from xuefa.identity.repository import Account, IdentityRepository
from xuefa.roster.accounts import LEARNERS_GROUP, temporary_password


class OwnAccounts:
    def __init__(self, accounts: IdentityRepository):
        self.accounts = accounts

    def create_learner(self, student_no: str, unit_id: str, password: str | None = None) -> str:
        planned = password is not None
        password = password or temporary_password()
        password_hash = hash_temporary_password(password)
        try:
            self.accounts.create(
                Account(
                    username=student_no,
                    password_hash=password_hash,
                    groups=(LEARNERS_GROUP,),
                    unit_id=unit_id,
                    must_change=True,
                )
            )
        except Duplicate:
            if not planned:
                raise
            # An import's row tried again: the number was reserved for this row alone.
            self.accounts.set_password(student_no, password_hash, must_change=True, version=None)
        return password

    def delete(self, username: str) -> None:
        self.accounts.delete(username)

    def set_enabled(self, username: str, enabled: bool) -> None:
        """Disabled: no sign-in, and every refresh token revoked."""
        self.accounts.set_enabled(username, enabled)

    def move(self, username: str, unit_id: str) -> None:
        self.accounts.move(username, unit_id)

    def reset_password(self, username: str) -> str:
        """A temporary password to change at the next sign-in; every device signed out."""
        password = temporary_password()
        self.accounts.set_password(
            username, hash_temporary_password(password), must_change=True, version=None
        )
        return password
