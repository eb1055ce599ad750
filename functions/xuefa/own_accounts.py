"""The roster's account operations (`xuefa.accounts.Accounts`) on our own identity
service's accounts, for where Cognito user pools do not exist."""

from __future__ import annotations

from xuefa.accounts import LEARNERS_GROUP, temporary_password
from xuefa.dal.identity import Account, IdentityRepository
from xuefa.passwords import hash_password


class OwnAccounts:
    def __init__(self, accounts: IdentityRepository):
        self.accounts = accounts

    def create_learner(self, student_no: str, unit_id: str) -> str:
        password = temporary_password()
        self.accounts.create(
            Account(
                username=student_no,
                password_hash=hash_password(password),
                groups=(LEARNERS_GROUP,),
                unit_id=unit_id,
                must_change=True,
            )
        )
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
            username, hash_password(password), must_change=True, version=None
        )
        return password
