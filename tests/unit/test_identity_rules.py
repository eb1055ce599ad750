"""Our own identity's rules without AWS: the password policy, tokens signed by a local key
(standing in for KMS) and checked as the authorizer checks them, the lockout's back-off,
device tokens under a guessing attack (on a fixed clock, the items in memory), and
certificate codes and masked names."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.fakes.identity import FakeIdentity
from xuefa.core.clock import SHANGHAI, FixedClock
from xuefa.core.errors import BadRequest, Forbidden, Throttled, Unauthorized
from xuefa.identity.authorizer import api_arn, context_of
from xuefa.identity.passwords import check_policy, hash_password, verify_password
from xuefa.identity.repository import Account
from xuefa.identity.service import IdentityService, lock_seconds, masked_login
from xuefa.identity.tokens import Holder, TokenIssuer, TokenVerifier
from xuefa.reports.certificates import canonical_code, certificate_code, masked_name, shown_code

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


# --- device tokens: guesses from elsewhere cannot keep the owner out --------------------

OWNER, PASSWORD, WRONG = "530402000007", "Owner-2026a", "Guess-2026a"


@pytest.fixture(scope="module")
def owner_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def idp(owner_hash: str) -> tuple[IdentityService, FakeIdentity, FixedClock]:
    store = FakeIdentity(Account(OWNER, owner_hash, ("learners",), "530402-001"))
    key, clock = LocalKey("k1"), FixedClock(NOW)
    issuer = TokenIssuer(key, "urn:xuefa:test")
    return (
        IdentityService(store, issuer, TokenVerifier(key, "urn:xuefa:test", clock), clock),
        store,
        clock,
    )


def guesses(service: IdentityService, n: int, device: str | None = None) -> list[str]:
    """What n wrong guesses got: "wrong" (checked) or "locked" (not even checked)."""
    outcomes = []
    for _ in range(n):
        try:
            service.sign_in(OWNER, WRONG, device)
        except Unauthorized:
            outcomes.append("wrong")
        except Throttled:
            outcomes.append("locked")
    return outcomes


def test_guesses_from_elsewhere_lock_the_login_but_not_the_owners_device(idp) -> None:
    service, _, _ = idp
    mine = service.sign_in(OWNER, PASSWORD).device_token
    assert mine
    assert guesses(service, 12) == ["wrong"] * 5 + ["locked"] * 7
    with pytest.raises(Throttled):  # without the token the owner waits like anyone
        service.sign_in(OWNER, PASSWORD)
    answer = service.sign_in(OWNER, PASSWORD, mine)
    assert answer.id_token and answer.device_token and answer.device_token != mine
    with pytest.raises(Throttled):  # the token is used up: the next one carries on
        service.sign_in(OWNER, PASSWORD, mine)
    assert service.sign_in(OWNER, PASSWORD, answer.device_token).id_token
    with pytest.raises(Throttled):  # and the attack on the login is still held
        service.sign_in(OWNER, PASSWORD)


def test_a_device_counts_its_own_failures_with_the_same_back_off(idp) -> None:
    service, store, clock = idp
    mine = service.sign_in(OWNER, PASSWORD).device_token
    assert guesses(service, 6, mine) == ["wrong"] * 5 + ["locked"]
    with pytest.raises(Throttled) as held:
        service.sign_in(OWNER, PASSWORD, mine)  # the device waits, even with the password
    assert (held.value.details or {})["retry_after_seconds"] == 60
    assert store.guards.get(OWNER, {}).get("guesses", 0) == 0  # the login's guard untouched
    assert service.sign_in(OWNER, PASSWORD).id_token  # from elsewhere: the login's counter
    clock.advance(seconds=61)
    assert service.sign_in(OWNER, PASSWORD, mine).id_token
    audited = [(action, after) for action, _, after in store.actions()]
    assert ("sign_in_locked", {"seconds": 60, "device": True}) in audited
    assert audited[-1] == ("sign_in", {"device": True})


def test_a_device_token_is_bound_to_its_login_and_expires(idp, owner_hash) -> None:
    service, store, clock = idp
    store.accounts["530402000008"] = Account("530402000008", owner_hash, ("learners",), "x")
    theirs = service.sign_in("530402000008", PASSWORD).device_token
    assert guesses(service, 6, theirs) == ["wrong"] * 5 + ["locked"]  # the login's guard
    clock.advance(seconds=61)
    mine = service.sign_in(OWNER, PASSWORD).device_token
    clock.advance(days=90, seconds=1)
    guesses(service, 5)
    with pytest.raises(Throttled):  # 90 days on, the token no longer outranks the lockout
        service.sign_in(OWNER, PASSWORD, mine)


def test_a_disabled_account_stays_out_even_with_its_device(idp) -> None:
    service, store, _ = idp
    first = service.sign_in(OWNER, PASSWORD)
    store.set_enabled(OWNER, False)
    with pytest.raises(Forbidden) as refused:
        service.sign_in(OWNER, PASSWORD, first.device_token)
    assert (refused.value.details or {})["reason"] == "disabled"
    with pytest.raises(Unauthorized):
        service.refresh(first.refresh_token or "")


def test_an_unknown_login_is_audited_masked_a_known_one_by_name(idp) -> None:
    service, store, _ = idp
    typed = "My-Password-2026"  # typed into the login's field
    for login in (typed, OWNER):
        with pytest.raises(Unauthorized):
            service.sign_in(login, WRONG)
    (unknown, known) = store.audit
    assert unknown[1].target == unknown[0].username == "M***************"
    assert typed not in repr(unknown)
    assert known[1].target == known[0].username == OWNER
    assert masked_login("ab") == "a*" and masked_login("") == ""
