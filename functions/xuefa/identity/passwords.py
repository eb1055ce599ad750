"""Passwords: the policy (as strong as the Cognito pool's: 8 or more characters with an
upper-case letter, a lower-case letter and a digit) and Argon2id hashes (argon2-cffi,
RFC 9106's low-memory profile: 64 MiB, 3 passes)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from xuefa.core.errors import BadRequest

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MIN_LENGTH = 8
MAX_LENGTH = 128  # hashing is deliberately slow: a megabyte of "password" is not a password


def check_policy(password: str) -> None:
    """Refuse a new password the pool would refuse, and say which rule it breaks."""
    broken = []
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        broken.append(f"{MIN_LENGTH} to {MAX_LENGTH} characters")
    if not any(c.isascii() and c.isupper() for c in password):
        broken.append("an upper-case letter")
    if not any(c.isascii() and c.islower() for c in password):
        broken.append("a lower-case letter")
    if not any(c.isdigit() for c in password):
        broken.append("a digit")
    if broken:
        raise BadRequest(
            "the new password needs " + ", ".join(broken),
            details={"reason": "password_policy", "needs": broken},
        )


@cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher  # here: the other apps never pay for its import

    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches. Without a stored hash (no such account) a hash is
    still computed, so that an unknown login takes as long as a wrong password."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(stored_hash or _unknown_hash(), password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _unknown_hash() -> str:
    import secrets

    return hash_password(secrets.token_urlsafe(16))


@cache
def _temporary_hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    # OWASP's Password Storage Cheat Sheet lists m=19 MiB, t=2, p=1 among its Argon2id
    # settings. A temporary password is 12 random characters from 56 (~70 bits), never
    # chosen by a person, and must be changed at the first sign-in (which hashes the new
    # one with the full parameters above): stretching a 70-bit secret further buys nothing,
    # while one full hash per learner (~0.1–0.9 s) made a department's import outlast the
    # request. `verify_password` reads the parameters from the hash itself.
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_temporary_password(password: str) -> str:
    """The hash of a temporary password we generated (`accounts.temporary_password`)."""
    return _temporary_hasher().hash(password)
