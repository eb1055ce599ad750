"""Sign-in accounts in the Cognito user pool: the only module that talks to Cognito.

Learners sign in with their student number; a new account has a temporary password
that must be changed at first sign-in. Resigned and retired learners are disabled, so
they cannot sign in, while everything they earned stays in the table.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, Protocol

from xuefa.core.aws import LazyClient, aws_client
from xuefa.core.errors import Conflict, Duplicate, Throttled

LEARNERS_GROUP = "learners"


def temporary_password() -> str:
    """12 characters meeting the pool's policy: upper, lower and digits, none ambiguous."""
    upper = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    lower = "abcdefghijkmnpqrstuvwxyz"
    digits = "23456789"
    chars = [secrets.choice(upper), secrets.choice(lower), secrets.choice(digits)]
    chars += [secrets.choice(upper + lower + digits) for _ in range(9)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


class Accounts(Protocol):
    def create_learner(self, student_no: str, unit_id: str, password: str | None = None) -> str:
        """The account and its temporary password (`password`, when given, is an import's
        planned one: an account already there under this student number, from an earlier
        try of the same row, gets that password instead of a Duplicate)."""
        ...

    def delete(self, username: str) -> None: ...
    def set_enabled(self, username: str, enabled: bool) -> None: ...
    def move(self, username: str, unit_id: str) -> None: ...
    def reset_password(self, username: str) -> str: ...


COGNITO = aws_client("cognito-idp")


class CognitoAccounts(LazyClient):
    def __init__(self, user_pool_id: str, client_factory: Callable[[], Any] = COGNITO):
        super().__init__(client_factory)
        self.user_pool_id = user_pool_id

    def _call(self, operation: str, **kwargs: Any) -> Any:
        from botocore.exceptions import ClientError

        try:
            return getattr(self.client, operation)(UserPoolId=self.user_pool_id, **kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "UsernameExistsException":
                raise Duplicate("an account with this username already exists") from exc
            if code in ("TooManyRequestsException", "LimitExceededException"):
                raise Throttled() from exc
            if code == "UserNotFoundException":
                raise Conflict(
                    "the sign-in account is missing; ask the city administrator"
                ) from exc
            raise

    def create_learner(self, student_no: str, unit_id: str, password: str | None = None) -> str:
        planned = password is not None
        password = password or temporary_password()
        try:
            self._call(
                "admin_create_user",
                Username=student_no,
                TemporaryPassword=password,
                UserAttributes=[{"Name": "custom:unit_id", "Value": unit_id}],
                MessageAction="SUPPRESS",
            )
        except Duplicate:
            if not planned:
                raise
            # An import's row tried again: the number was reserved for this row alone.
            self._call(
                "admin_set_user_password", Username=student_no, Password=password, Permanent=False
            )
        self._call("admin_add_user_to_group", Username=student_no, GroupName=LEARNERS_GROUP)
        return password

    def delete(self, username: str) -> None:
        self._call("admin_delete_user", Username=username)

    def set_enabled(self, username: str, enabled: bool) -> None:
        self._call("admin_enable_user" if enabled else "admin_disable_user", Username=username)

    def move(self, username: str, unit_id: str) -> None:
        self._call(
            "admin_update_user_attributes",
            Username=username,
            UserAttributes=[{"Name": "custom:unit_id", "Value": unit_id}],
        )

    def reset_password(self, username: str) -> str:
        password = temporary_password()
        self._call("admin_set_user_password", Username=username, Password=password, Permanent=False)
        return password
