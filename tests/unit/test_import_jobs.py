"""What keeps an import's temporary passwords safe: sealed at rest, bound to their chunk;
hashed with OWASP's lighter Argon2id profile, which sign-in verifies like any other."""

from __future__ import annotations

from xuefa.identity.passwords import hash_temporary_password, verify_password
from xuefa.roster.accounts import temporary_password
from xuefa.roster.imports import Sealer

SECRET = "test-cursor-secret-0123456789"


def test_sealed_passwords_open_only_for_their_own_chunk_and_secret() -> None:
    passwords = [temporary_password() for _ in range(3)]
    sealed = Sealer(SECRET).seal("job#0", passwords)
    assert not any(p in sealed for p in passwords)
    assert Sealer(SECRET).open("job#0", sealed) == passwords
    assert Sealer(SECRET).open("job#1", sealed) is None  # another chunk's
    assert Sealer("another-secret-0123456789").open("job#0", sealed) is None
    tampered = sealed[:-4] + ("AAAA" if sealed[-4:] != "AAAA" else "BBBB")
    assert Sealer(SECRET).open("job#0", tampered) is None


def test_a_temporary_password_hash_is_verified_as_any_other() -> None:
    password = temporary_password()
    stored = hash_temporary_password(password)
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(stored, password)
    assert not verify_password(stored, password.swapcase())
