"""Our own identity's rules without AWS: the password policy, tokens signed by a local key
(standing in for KMS) and checked as the authorizer checks them, the lockout's back-off,
and certificate codes and masked names."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from xuefa.authorizer import api_arn, context_of
from xuefa.certificates import canonical_code, certificate_code, masked_name, shown_code
from xuefa.clock import SHANGHAI, FixedClock
from xuefa.errors import BadRequest, Unauthorized
from xuefa.identity import lock_seconds
from xuefa.passwords import check_policy, hash_password, verify_password
from xuefa.tokens import Holder, TokenIssuer, TokenVerifier

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)
HOLDER = Holder("530402000001", ("learners",), "530402-001")


class LocalKey:
    """KMS's part, played by a key in memory: signs RS256, hands out its public half."""

    def __init__(self, kid: str):
        self.kid = kid
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def key_id(self) -> str:
        return self.kid

    def sign(self, message: bytes) -> bytes:
        return self.key.sign(message, padding.PKCS1v15(), hashes.SHA256())

    def public_keys(self) -> Mapping[str, bytes]:
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {self.kid: der}


@pytest.mark.parametrize(
    ("password", "needs"),
    [
        ("Short1a", "8 to 128 characters"),
        ("alllower123", "an upper-case letter"),
        ("ALLUPPER123", "a lower-case letter"),
        ("NoDigitsHere", "a digit"),
    ],
)
def test_a_weak_password_is_refused_with_the_rule_it_breaks(password: str, needs: str) -> None:
    with pytest.raises(BadRequest) as refused:
        check_policy(password)
    assert needs in (refused.value.details or {})["needs"]


def test_argon2id_hashes_check_the_password_and_nothing_else() -> None:
    check_policy("Xuefa-2026a")
    stored = hash_password("Xuefa-2026a")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "Xuefa-2026a")
    assert not verify_password(stored, "xuefa-2026a")
    assert not verify_password(None, "Xuefa-2026a")  # no account: a hash is still checked


def test_tokens_carry_cognitos_claims_and_expire_after_15_minutes() -> None:
    key, clock = LocalKey("k1"), FixedClock(NOW)
    tokens = TokenIssuer(key, "urn:xuefa:test").tokens(HOLDER, NOW)
    verifier = TokenVerifier(key, "urn:xuefa:test", clock)
    claims = verifier.claims(f"Bearer {tokens.id_token}", "id")
    assert claims["cognito:username"] == "530402000001"
    assert claims["cognito:groups"] == ["learners"] and claims["custom:unit_id"] == "530402-001"
    assert context_of(claims) == {
        "username": "530402000001",
        "groups": "learners",
        "unit_id": "530402-001",
    }
    with pytest.raises(Unauthorized):
        verifier.claims(tokens.access_token, "id")  # the access token is not an ID token
    clock.advance(minutes=15, seconds=6)
    with pytest.raises(Unauthorized, match="expired"):
        verifier.claims(tokens.id_token, "id")


def test_a_token_of_another_key_or_issuer_is_refused() -> None:
    ours, theirs, clock = LocalKey("k1"), LocalKey("k2"), FixedClock(NOW)
    verifier = TokenVerifier(ours, "urn:xuefa:test", clock)
    foreign = TokenIssuer(theirs, "urn:xuefa:test").tokens(HOLDER, NOW).id_token
    with pytest.raises(Unauthorized):
        verifier.claims(foreign, "id")
    elsewhere = TokenIssuer(ours, "urn:xuefa:other").tokens(HOLDER, NOW).id_token
    with pytest.raises(Unauthorized):
        verifier.claims(elsewhere, "id")
    assert [k["kid"] for k in verifier.jwks()["keys"]] == ["k1"]


def test_the_lockout_doubles_up_to_a_quarter_of_an_hour() -> None:
    assert [lock_seconds(n) for n in range(6)] == [60, 120, 240, 480, 900, 900]
    assert timedelta(seconds=lock_seconds(1000)) == timedelta(minutes=15)


def test_the_authorizers_policy_covers_the_whole_api_and_stage() -> None:
    arn = "arn:aws-cn:execute-api:cn-north-1:123456789012:abc/credits/POST/sessions/x/complete"
    assert api_arn(arn) == "arn:aws-cn:execute-api:cn-north-1:123456789012:abc/credits/*/*"


def test_certificate_codes_are_100_random_bits_read_forgivingly() -> None:
    code = certificate_code()
    assert len(code) == 20 and len({certificate_code() for _ in range(50)}) == 50
    shown = shown_code(code)
    assert shown.count("-") == 4
    assert canonical_code(shown.lower()) == code
    assert canonical_code("O1IL-0000-0000-0000-0000") == "0111" + "0" * 16  # misread letters
    assert canonical_code("ABCD") is None and canonical_code("UUUU-0000-0000-0000-0000") is None


@pytest.mark.parametrize(
    ("name", "masked"), [("张三", "张*"), ("马晓东", "马*东"), ("欧阳娜娜", "欧**娜"), ("李", "*")]
)
def test_a_verified_name_is_masked(name: str, masked: str) -> None:
    assert masked_name(name) == masked
