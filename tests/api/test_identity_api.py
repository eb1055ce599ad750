"""Our own identity service (/identity) through chalice.test.Client on moto: accounts in
the table, tokens signed by a KMS key on moto, the authorizer's decision, and the
roster's account operations (create, disable, reset) through the same interface."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import boto3
import jwt
import pytest

from infra.local import resources, seed
from infra.local.apps import load_app
from tests.api.conftest import call as send
from tests.api.conftest import code, json_of
from tests.helpers import UNIT_ADMIN
from xuefa import bootstrap
from xuefa.identity.authorizer import decide
from xuefa.store.keys import Keys
from xuefa.store.store import Store

PASSWORD = "Xuefa-Demo-2026"
STUDENT = "530402000001"
ISSUER = "xuefa-test"
METHOD_ARN = "arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/api/GET/me"


@pytest.fixture
def own(aws: None, monkeypatch: pytest.MonkeyPatch) -> str:
    key = resources.ensure_signing_key(boto3.client("kms"))
    monkeypatch.setenv("XUEFA_IDENTITY", "own")
    monkeypatch.setenv("XUEFA_SIGNING_KEYS", key)
    monkeypatch.setenv("XUEFA_TOKEN_ISSUER", ISSUER)
    bootstrap.reset()
    return key


@pytest.fixture
def idp(own: str, city: Store, client: Any) -> Any:
    seed.seed_own_accounts(city)
    return client("identity").http


@pytest.fixture
def roster(idp: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The roster app, its accounts ours. chalice's test client decodes only a Cognito
    authorizer's token, so the app is imported with that authorizer in front; the own
    authorizer's decision is tested below and on the local stack."""
    monkeypatch.setenv("XUEFA_IDENTITY", "cognito")
    from chalice.test import Client

    app = load_app("roster")
    monkeypatch.setenv("XUEFA_IDENTITY", "own")
    return Client(app).http


def post(api: Any, path: str, body: dict[str, Any], token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = token
    return api.post(path, headers=headers, body=json.dumps(body))


def sign_in(api: Any, username: str = STUDENT, password: str = PASSWORD) -> Any:
    return post(api, "/sign-in", {"username": username, "password": password})


def verifier() -> Any:
    return bootstrap.token_verifier()


def test_sign_in_gives_tokens_the_authorizer_turns_into_cognitos_claims(idp, clock) -> None:
    answer = json_of(sign_in(idp))
    assert answer["expires_in"] == 900
    header = jwt.get_unverified_header(answer["id_token"])
    assert header["alg"] == "RS256" and header["kid"] in {k["kid"] for k in jwks(idp)}
    policy = decide({"authorizationToken": answer["id_token"], "methodArn": METHOD_ARN}, verifier())
    assert policy["principalId"] == STUDENT
    assert policy["context"] == {
        "username": STUDENT,
        "groups": "learners",
        "unit_id": "530402-001",
    }
    # Cached per token for five minutes: the policy allows the whole API and stage.
    statement = policy["policyDocument"]["Statement"][0]
    assert statement["Resource"] == "arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/api/*/*"


def jwks(idp: Any) -> list[dict[str, Any]]:
    return list(json_of(idp.get("/jwks.json"))["keys"])


@pytest.mark.parametrize("kind", ["access", "forged", "expired", "garbage", "other-key"])
def test_the_authorizer_refuses_what_is_not_a_live_id_token_of_ours(idp, clock, kind) -> None:
    answer = json_of(sign_in(idp))
    token = answer["id_token"]
    if kind == "access":
        token = answer["access_token"]
    elif kind == "forged":  # a city admin's unit written into a learner's token
        head, _, signature = token.split(".")
        claims = jwt.decode(token, options={"verify_signature": False})
        claims["custom:unit_id"] = "530400"
        body = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
        token = f"{head}.{body}.{signature}"
    elif kind == "expired":
        clock.advance(minutes=16)
    elif kind == "garbage":
        token = "not-a-token"
    elif kind == "other-key":
        other = boto3.client("kms").create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
        from xuefa.identity.signing_keys import KmsSigningKeys
        from xuefa.identity.tokens import Holder, TokenIssuer

        stranger = TokenIssuer(KmsSigningKeys([other["KeyMetadata"]["Arn"]]), ISSUER)
        holder = Holder(STUDENT, ("learners",), "530400")
        token = stranger.tokens(holder, clock.now()).id_token
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        decide({"authorizationToken": token, "methodArn": METHOD_ARN}, verifier())


def test_a_wrong_password_and_an_unknown_login_read_alike(idp, clock) -> None:
    wrong = sign_in(idp, STUDENT, "Wrong-Pass-1")
    unknown = sign_in(idp, "530499999999", "Wrong-Pass-1")
    assert wrong.status_code == unknown.status_code == 401
    assert json_of(wrong) == json_of(unknown)


def test_five_failures_lock_the_login_with_a_growing_back_off(idp, clock, city) -> None:
    for _ in range(5):
        assert sign_in(idp, STUDENT, "Wrong-Pass-1").status_code == 401
    locked = sign_in(idp)  # even the right password waits
    assert (locked.status_code, code(locked)) == (429, "THROTTLED")
    assert json_of(locked)["error"]["details"]["retry_after_seconds"] == 60
    clock.advance(seconds=61)
    for _ in range(5):
        sign_in(idp, STUDENT, "Wrong-Pass-1")
    assert json_of(sign_in(idp))["error"]["details"]["retry_after_seconds"] == 120
    clock.advance(seconds=121)
    assert sign_in(idp).status_code == 200  # and the guard forgets the failures
    assert city.get(Keys.sign_in_guard(STUDENT)) is None
    actions = [i["action"] for i in city.query_all(f"AUDIT#2026#{clock.now():%Y-%m-%d}")]
    assert actions.count("sign_in_locked") == 2 and actions.count("sign_in_failed") == 8
    assert actions[-1] == "sign_in"


def test_the_owners_device_token_gets_in_while_guesses_lock_the_login(idp, clock, city) -> None:
    mine = json_of(sign_in(idp))["device_token"]
    sent = 0
    for _ in range(8):  # an attacker who knows the student number
        sent += 1
        sign_in(idp, STUDENT, "Wrong-Pass-1")
    locked = sign_in(idp)
    assert (locked.status_code, json_of(locked)["error"]["details"]["reason"]) == (429, "locked")
    with_device = post(
        idp, "/sign-in", {"username": STUDENT, "password": PASSWORD, "device_token": mine}
    )
    assert with_device.status_code == 200, with_device.body
    renewed = json_of(with_device)["device_token"]
    assert renewed != mine and json_of(with_device)["id_token"]
    # Kept as its hash only, for 90 days, beside the login's guard (still locked).
    stored = list(city.query_all(f"ACCOUNT#{STUDENT}"))
    devices = [i for i in stored if i["sk"].startswith("DEVICE#")]
    assert [d["sk"] for d in devices] == [f"DEVICE#{hashlib.sha256(renewed.encode()).hexdigest()}"]
    assert devices[0]["expires_at"] == int(clock.now().timestamp()) + 90 * 86400
    assert mine not in json.dumps(stored, default=str) and renewed not in json.dumps(
        stored, default=str
    )
    assert sign_in(idp).status_code == 429 and sent == 8


def test_a_device_token_is_checked_not_trusted(idp, clock) -> None:
    bad = post(idp, "/sign-in", {"username": STUDENT, "password": PASSWORD, "device_token": "a b"})
    assert (bad.status_code, code(bad)) == (400, "BAD_REQUEST")
    made_up = {"username": STUDENT, "password": PASSWORD, "device_token": "x" * 43}
    assert post(idp, "/sign-in", made_up).status_code == 200  # as if none were sent
    for _ in range(5):
        post(idp, "/sign-in", {**made_up, "password": "Wrong-Pass-1"})
    assert post(idp, "/sign-in", made_up).status_code == 429  # held by the login's guard


def test_an_unknown_login_is_never_audited_as_typed(idp, clock, city) -> None:
    typed = "Mima-2026-secret"  # a password typed into the login's field
    assert sign_in(idp, typed, "Wrong-Pass-1").status_code == 401
    entries = list(city.query_all(f"AUDIT#2026#{clock.now():%Y-%m-%d}"))
    (entry,) = [e for e in entries if e["action"] == "sign_in_failed"]
    assert entry["target"] == entry["actor"] == "M" + "*" * (len(typed) - 1)
    assert typed not in json.dumps(entries, default=str)


def test_a_refresh_token_is_used_once_and_a_copy_signs_everyone_out(idp, clock) -> None:
    first = json_of(sign_in(idp))
    second = json_of(post(idp, "/refresh", {"refresh_token": first["refresh_token"]}))
    assert second["refresh_token"] != first["refresh_token"] and second["id_token"]
    again = post(idp, "/refresh", {"refresh_token": first["refresh_token"]})
    assert json_of(again)["error"]["details"]["reason"] == "session_expired"
    assert post(idp, "/refresh", {"refresh_token": second["refresh_token"]}).status_code == 200
    clock.advance(minutes=1)  # past the grace for two tabs: a copied token
    post(idp, "/refresh", {"refresh_token": first["refresh_token"]})
    other = json_of(sign_in(idp))
    assert post(idp, "/refresh", {"refresh_token": other["refresh_token"]}).status_code == 200


def test_sign_out_revokes_the_refresh_token(idp, clock) -> None:
    tokens = json_of(sign_in(idp))
    assert json_of(post(idp, "/sign-out", {"refresh_token": tokens["refresh_token"]})) == {
        "signed_out": True
    }
    assert post(idp, "/refresh", {"refresh_token": tokens["refresh_token"]}).status_code == 401


def test_a_new_learner_sets_a_password_at_first_sign_in(idp, roster, clock) -> None:
    created = json_of(
        send(roster, "post", "/learners", UNIT_ADMIN, {"name": "李建国", "unit_id": "530402-001"})
    )
    student, temporary = created["student_no"], created["temporary_password"]
    challenge = json_of(sign_in(idp, student, temporary))
    assert challenge["challenge"] == "NEW_PASSWORD_REQUIRED" and "id_token" not in challenge
    weak = post(
        idp,
        "/new-password",
        {"username": student, "session": challenge["session"], "new_password": "short"},
    )
    assert (weak.status_code, json_of(weak)["error"]["details"]["reason"]) == (
        400,
        "password_policy",
    )
    done = post(
        idp,
        "/new-password",
        {"username": student, "session": challenge["session"], "new_password": "Mine-2026x"},
    )
    assert done.status_code == 200 and json_of(done)["id_token"]
    replay = post(
        idp,
        "/new-password",
        {"username": student, "session": challenge["session"], "new_password": "Other-2026x"},
    )
    assert replay.status_code == 401  # the session is spent: the account moved on
    assert sign_in(idp, student, "Mine-2026x").status_code == 200


def test_a_resigned_learner_cannot_sign_in_or_refresh(idp, roster, clock) -> None:
    tokens = json_of(sign_in(idp))
    send(
        roster,
        "post",
        f"/learners/{STUDENT}/status",
        UNIT_ADMIN,
        {"status": "resigned", "reason": "辞职"},
    )
    refused = sign_in(idp)
    assert (refused.status_code, json_of(refused)["error"]["details"]["reason"]) == (
        403,
        "disabled",
    )
    assert post(idp, "/refresh", {"refresh_token": tokens["refresh_token"]}).status_code == 401
    send(roster, "post", f"/learners/{STUDENT}/status", UNIT_ADMIN, {"status": "active"})
    assert sign_in(idp).status_code == 200


def test_a_refresh_racing_a_resignation_is_refused_by_its_write(
    idp, roster, clock, monkeypatch
) -> None:
    """The refresh's read of the account may come before the resignation; the write that
    uses the refresh token up checks the account is still enabled, so nothing is issued."""
    from xuefa.identity.repository import DynamoIdentity

    tokens = json_of(sign_in(idp))
    before = DynamoIdentity.account
    read_early = {STUDENT: before(DynamoIdentity(bootstrap.services().store), STUDENT)}
    send(
        roster,
        "post",
        f"/learners/{STUDENT}/status",
        UNIT_ADMIN,
        {"status": "retired", "reason": "退休"},
    )
    monkeypatch.setattr(
        DynamoIdentity, "account", lambda self, name: read_early.get(name) or before(self, name)
    )
    refused = post(idp, "/refresh", {"refresh_token": tokens["refresh_token"]})
    assert (refused.status_code, json_of(refused)["error"]["details"]["reason"]) == (
        401,
        "session_expired",
    )


def test_an_admin_reset_signs_the_learner_out_and_asks_for_a_new_password(
    idp, roster, clock
) -> None:
    tokens = json_of(sign_in(idp))
    reset = json_of(send(roster, "post", f"/learners/{STUDENT}/password-reset", UNIT_ADMIN))
    assert post(idp, "/refresh", {"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert sign_in(idp).status_code == 401  # the old password is gone
    again = json_of(sign_in(idp, STUDENT, reset["temporary_password"]))
    assert again["challenge"] == "NEW_PASSWORD_REQUIRED"


def test_changing_ones_password_needs_the_old_one_and_the_access_token(idp, clock) -> None:
    tokens = json_of(sign_in(idp))
    body = {"old_password": PASSWORD, "new_password": "Changed-2026"}
    assert post(idp, "/password", body, tokens["id_token"]).status_code == 401
    wrong = post(idp, "/password", {**body, "old_password": "Nope-1234"}, tokens["access_token"])
    assert wrong.status_code == 401
    changed = post(idp, "/password", body, tokens["access_token"])
    assert changed.status_code == 200 and json_of(changed)["refresh_token"]
    # Every other device is signed out; this one carries on with the new tokens.
    assert post(idp, "/refresh", {"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert sign_in(idp, STUDENT, "Changed-2026").status_code == 200


def test_a_new_signing_key_keeps_tokens_of_the_old_one_valid(
    idp, own, clock, client, monkeypatch
) -> None:
    old_token = json_of(sign_in(idp))["id_token"]
    new_key = boto3.client("kms").create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    monkeypatch.setenv("XUEFA_SIGNING_KEYS", f"{new_key['KeyMetadata']['Arn']},{own}")
    bootstrap.reset()  # a deploy: new containers read the new list
    bootstrap.services().clock = clock
    idp = client("identity").http
    assert len(jwks(idp)) == 2
    new_token = json_of(sign_in(idp))["id_token"]
    assert (
        jwt.get_unverified_header(new_token)["kid"] != jwt.get_unverified_header(old_token)["kid"]
    )
    for token in (old_token, new_token):
        assert decide({"authorizationToken": token, "methodArn": METHOD_ARN}, verifier())


def test_bad_bodies_are_400_and_change_nothing(idp, city) -> None:
    for body in ({}, {"username": "a b", "password": "x"}, {"username": STUDENT, "password": ""}):
        response = post(idp, "/sign-in", body)
        assert (response.status_code, code(response)) == (400, "BAD_REQUEST")
    assert city.get(Keys.sign_in_guard(STUDENT)) is None


def test_the_authorizer_function_needs_only_the_public_keys(own, monkeypatch) -> None:
    """As deployed: its role reads the signing keys' public halves and nothing else (no
    table, no cursor key), and it checks expiry against the wall clock."""
    from infra.local.apps import load_module
    from xuefa.core.clock import SystemClock
    from xuefa.identity.signing_keys import KmsSigningKeys
    from xuefa.identity.tokens import Holder, TokenIssuer

    monkeypatch.delenv("XUEFA_CURSOR_SECRET")
    monkeypatch.delenv("XUEFA_TABLE")
    bootstrap.reset()
    token = TokenIssuer(KmsSigningKeys([own]), ISSUER).tokens(
        Holder(STUDENT, ("learners",), "530402-001"), SystemClock().now()
    )
    handler = load_module("identity").authorizer
    answer = handler({"authorizationToken": token.id_token, "methodArn": METHOD_ARN}, None)
    assert answer["context"]["username"] == STUDENT
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        handler({"authorizationToken": token.access_token, "methodArn": METHOD_ARN}, None)


def test_the_first_admin_of_a_deployment_sets_a_password_and_gets_in(idp, clock, city) -> None:
    from infra.first_admin import create

    password = create(city, "province_admin", "省管理员", "530400", "city")
    challenge = json_of(sign_in(idp, "province_admin", password))
    assert challenge["challenge"] == "NEW_PASSWORD_REQUIRED"
    body = {"username": "province_admin", "session": challenge["session"]}
    tokens = json_of(post(idp, "/new-password", {**body, "new_password": "Province-2026"}))
    claims = bootstrap.token_verifier().claims(tokens["id_token"], "id")
    assert claims["cognito:groups"] == ["admins"] and claims["custom:unit_id"] == "530400"
    assert city.get(Keys.admin("province_admin"))["level"] == "city"
