"""The local stack driven over HTTP like a client: real sign-in, real token checks."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.local.timing import read_server_timing
from tests.e2e.conftest import Stack, start_stack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

LEARNER = "530402000001"


def error_code(response: requests.Response) -> str:
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["message"]
    return str(body["error"]["code"])


def test_learner_signs_in_and_sees_their_unit(stack: Stack) -> None:
    token = stack.sign_in(LEARNER)
    response = requests.get(stack.url + "/roster/me", headers={"Authorization": token}, timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["student_no"] == LEARNER
    assert body["unit_id"] == "530402-001"
    assert body["unit_name"] == "红塔区司法局"


def test_each_response_says_how_long_it_waited_on_aws(stack: Stack) -> None:
    """Server-Timing: what `make bench` divides latency by, and what a developer reads."""
    token = stack.sign_in(LEARNER)
    response = requests.get(stack.url + "/credits/me", headers={"Authorization": token}, timeout=10)
    timing = read_server_timing(response.headers["Server-Timing"])
    assert 1 <= timing.aws_calls <= 2  # the balance is one read (and the year's rules, cold)
    assert 0 < timing.aws_ms < timing.total_ms
    health = read_server_timing(
        requests.get(stack.url + "/health", timeout=10).headers["Server-Timing"]
    )
    assert (health.aws_calls, health.aws_ms) == (0, 0.0)


def test_bearer_prefix_is_accepted_locally(stack: Stack) -> None:
    token = stack.sign_in(LEARNER)
    response = requests.get(
        stack.url + "/roster/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == 200


def _forged(stack: Stack, **overrides: object) -> str:
    """A token with the right claims, signed by a key that is not the pool's."""
    real = jwt.decode(stack.sign_in(LEARNER), options={"verify_signature": False})
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return jwt.encode({**real, **overrides}, pem, algorithm="RS256", headers={"kid": "dummy"})


@pytest.mark.parametrize(
    "header",
    ["garbage", "Bearer ", "a.b.c", "eyJhbGciOiJub25lIn0.eyJ4IjoxfQ."],
)
def test_malformed_authorization_is_401_json(stack: Stack, header: str) -> None:
    response = requests.get(stack.url + "/roster/me", headers={"Authorization": header}, timeout=10)
    assert response.status_code == 401
    assert error_code(response) == "UNAUTHORIZED"


def test_missing_token_is_401_json(stack: Stack) -> None:
    response = requests.get(stack.url + "/roster/me", timeout=10)
    assert response.status_code == 401
    assert error_code(response) == "UNAUTHORIZED"


@pytest.mark.parametrize("identity", ["own", "cognito"])
def test_token_signed_by_another_key_is_401(request, identity: str) -> None:
    running: Stack = request.getfixturevalue("stack" if identity == "own" else "cognito_stack")
    response = requests.get(
        running.url + "/roster/me", headers={"Authorization": _forged(running)}, timeout=10
    )
    assert response.status_code == 401
    assert error_code(response) == "UNAUTHORIZED"


def _signed_by_the_pool(stack: Stack, **overrides: object) -> str:
    """A token signed with the pool's own key (moto ships it), claims changed at will."""
    import gzip
    import json
    from importlib import resources

    real = jwt.decode(stack.sign_in(LEARNER), options={"verify_signature": False})
    packed = resources.files("moto.cognitoidp").joinpath("resources/jwks-private.json.gz")
    jwk = json.loads(gzip.decompress(packed.read_bytes()))
    key = jwt.PyJWK(jwk).key
    return jwt.encode({**real, **overrides}, key, algorithm="RS256", headers={"kid": "dummy"})


def test_a_re_signed_token_is_accepted_so_the_checks_below_are_meaningful(
    cognito_stack: Stack,
) -> None:
    stack = cognito_stack
    response = requests.get(
        stack.url + "/roster/me", headers={"Authorization": _signed_by_the_pool(stack)}, timeout=10
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("exp", int((datetime.now(UTC) - timedelta(minutes=5)).timestamp())),
        ("iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_another"),
        ("aud", "another-client"),
        ("token_use", "access"),
    ],
    ids=["expired", "foreign-issuer", "foreign-client", "access-token"],  # stable across workers
)
def test_expired_or_foreign_token_is_401(cognito_stack: Stack, claim: str, value: object) -> None:
    stack = cognito_stack
    response = requests.get(
        stack.url + "/roster/me",
        headers={"Authorization": _signed_by_the_pool(stack, **{claim: value})},
        timeout=10,
    )
    assert response.status_code == 401
    assert error_code(response) == "UNAUTHORIZED"


@pytest.mark.parametrize("identity", ["own", "cognito"])
def test_access_token_is_not_an_id_token(request, identity: str) -> None:
    from infra.local.signin import tokens

    running: Stack = request.getfixturevalue("stack" if identity == "own" else "cognito_stack")
    access = tokens(running.local, LEARNER)["AccessToken"]
    response = requests.get(
        running.url + "/roster/me", headers={"Authorization": access}, timeout=10
    )
    assert response.status_code == 401


def test_unknown_paths_are_404_json(stack: Stack) -> None:
    for path in ("/roster/nothing/here", "/credits/zzz"):
        response = requests.get(stack.url + path, timeout=10)
        assert response.status_code == 404, path
        assert error_code(response) == "NOT_FOUND"
    posted = requests.post(stack.url + "/nothing", json={}, timeout=10)
    assert (posted.status_code, error_code(posted)) == (404, "NOT_FOUND")


def test_other_pages_are_the_learners_app_with_its_config(stack: Stack) -> None:
    # The app routes on the client (/exam, /study/ledger …): any other GET is its page.
    page = requests.get(stack.url + "/study/ledger", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    config = requests.get(stack.url + "/config.json", timeout=10).json()
    assert config == {"api_base": "", "identity": "own", "identity_endpoint": "/identity"}


def test_with_cognito_the_config_names_the_user_pools_client(cognito_stack: Stack) -> None:
    config = requests.get(cognito_stack.url + "/config.json", timeout=10).json()
    assert config["identity"] == "cognito"
    assert config["client_id"] == cognito_stack.local["client_id"]
    assert config["cognito_endpoint"] == "/cognito/"


def test_body_over_one_megabyte_is_413(stack: Stack) -> None:
    token = stack.sign_in(LEARNER)
    response = requests.post(
        stack.url + "/roster/me",
        headers={"Authorization": token, "Content-Type": "application/json"},
        data=b"[" + b"1," * 600_000 + b"1]",
        timeout=30,
    )
    assert response.status_code == 413
    assert error_code(response) == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize(
    ("identity", "keys"),
    [("own", ("identity_url",)), ("cognito", ("cognito_endpoint", "user_pool_id", "client_id"))],
)
def test_local_json_lists_what_a_client_needs(request, identity: str, keys: tuple[str]) -> None:
    running: Stack = request.getfixturevalue("stack" if identity == "own" else "cognito_stack")
    local = running.local
    assert local["identity"] == identity
    for key in ("api_url", "region", "moto_endpoint", "users", *keys):
        assert local[key], key
    groups = {g for u in local["users"] for g in u["groups"]}
    assert groups == {"learners", "admins"}
    assert len(local["users"]) >= 300


def test_restart_keeps_data_and_fresh_starts_anew(tmp_path) -> None:
    first = start_stack(tmp_path, fresh=True)
    try:
        token = first.sign_in(LEARNER)
        assert requests.get(
            first.url + "/roster/me", headers={"Authorization": token}, timeout=10
        ).ok
        first_key = _kid(first)
    finally:
        assert first.stop() == 0
    assert any(line.startswith("stopped") for line in first.output)
    started = time.monotonic()
    second = start_stack(tmp_path, fresh=False)
    print(f"restart with kept data ready in {time.monotonic() - started:.1f} s")
    try:
        assert any("kept data restored" in line for line in second.output)
        assert _kid(second) == first_key  # the same signing key: signed-in devices stay in
        token = second.sign_in(LEARNER)
        assert requests.get(
            second.url + "/roster/me", headers={"Authorization": token}, timeout=10
        ).ok
    finally:
        assert second.stop() == 0
    third = start_stack(tmp_path, fresh=True)
    try:
        assert any("fresh data" in line for line in third.output)
        assert _kid(third) != first_key
    finally:
        third.stop()


def _kid(stack: Stack) -> str:
    return str(requests.get(stack.url + "/identity/jwks.json", timeout=10).json()["keys"][0]["kid"])


def test_invalid_json_is_400_and_changes_nothing(stack: Stack) -> None:
    token = stack.sign_in("530402000009")
    headers = {"Authorization": token, "Content-Type": "application/json"}
    for body in (b"{not json", b"\xff\xfe", b"[1, 2]"):
        response = requests.post(
            stack.url + "/credits/sessions", data=body, headers=headers, timeout=10
        )
        assert response.status_code == 400, body
        assert error_code(response) == "BAD_REQUEST"
    balance = requests.get(stack.url + "/credits/me", headers=headers, timeout=10).json()
    assert balance["credits"] == 0


def test_a_learner_studies_and_sits_the_exam_over_http(stack: Stack) -> None:
    token = stack.sign_in("530402000008")
    headers = {"Authorization": token}
    session = requests.post(
        stack.url + "/credits/sessions", json={"resource_id": "signin"}, headers=headers, timeout=10
    ).json()
    done = requests.post(
        f"{stack.url}/credits/sessions/{session['session_id']}/complete",
        json={},
        headers=headers,
        timeout=10,
    ).json()
    assert done["awarded"] == 5 and done["balance"]["credits"] == 5
    year = done["balance"]["year"]
    attempt = requests.post(
        f"{stack.url}/exams/{year}/attempts", json={}, headers=headers, timeout=10
    )
    assert attempt.status_code == 201
    paper = attempt.json()["questions"]
    first = paper[0]
    saved = requests.put(
        f"{stack.url}/exams/{year}/attempts/1/answers",
        json={"answers": {first["question_id"]: [first["options"][0]["key"]]}},
        headers=headers,
        timeout=10,
    )
    assert saved.status_code == 200
    result = requests.post(
        f"{stack.url}/exams/{year}/attempts/1/submit", json={}, headers=headers, timeout=10
    )
    assert result.status_code == 200
    body = result.json()
    assert body["attempt_no"] == 1 and body["score"] in (0, 2)
    assert body["annual"]["credit_score"] == 0.08


def test_the_demo_city_comes_with_weeks_of_study(stack: Stack) -> None:
    """`make run` shows a city that has been studying, not an empty one."""
    admin = {"Authorization": stack.sign_in("city_admin")}
    learners = [u for u in stack.local["users"] if "learners" in u["groups"]]
    balances = [
        requests.get(
            f"{stack.url}/credits/learners/{u['username']}", headers=admin, timeout=10
        ).json()
        for u in learners[:60]
    ]
    assert sum(1 for b in balances if b["credits"] > 0) >= 5
    untouched = requests.get(
        f"{stack.url}/credits/learners/530402000005", headers=admin, timeout=10
    )
    assert untouched.json()["credits"] == 0


def test_an_encoded_hash_is_part_of_the_path_as_api_gateway_routes_it(stack: Stack) -> None:
    """schemathesis found `GET /roster/years/%23%F4%8C%B0%9A%20` answered with the list of
    years: the decoded `#` cut the path. API Gateway hands `{year}` over whole: a 400."""
    headers = {"Authorization": stack.sign_in("city_admin")}
    answer = requests.get(
        stack.url + "/roster/years/%23%F4%8C%B0%9A%20", headers=headers, timeout=10
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["details"]["year"].startswith("#")
    assert requests.get(stack.url + "/roster/years/2017", headers=headers, timeout=10).ok
