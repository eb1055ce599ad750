"""The sign-in flows a learner goes through, over HTTP, with each identity provider: our
own service (China, and `make run`'s default) and Cognito (moto's user pool)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from infra.local.signin import local_client
from tests.e2e.conftest import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

UNIT_ADMIN = "unit_530402-001"


class Own:
    """`/identity` as the web app calls it."""

    def __init__(self, stack: Stack):
        self.url = stack.url + "/identity"

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = requests.post(f"{self.url}/{path}", json=body, timeout=30)
        if not answer.ok:
            raise PermissionError(answer.json()["error"].get("details", {}).get("reason"))
        return dict(answer.json())

    def sign_in(
        self, username: str, password: str, device_token: str | None = None
    ) -> dict[str, Any]:
        body = {"username": username, "password": password}
        if device_token:
            body["device_token"] = device_token
        return self._post("sign-in", body)

    def new_password(self, username: str, session: str, password: str) -> dict[str, Any]:
        body = {"username": username, "session": session, "new_password": password}
        return self._post("new-password", body)

    def refresh(self, token: str) -> dict[str, Any]:
        return self._post("refresh", {"refresh_token": token})


class Cognito:
    """The user pool as the web app calls it (InitiateAuth, RespondToAuthChallenge)."""

    def __init__(self, stack: Stack):
        self.local = stack.local
        self.idp = local_client(stack.local, "cognito-idp")

    def _tokens(self, answer: dict[str, Any]) -> dict[str, Any]:
        if "ChallengeName" in answer:
            return {"challenge": answer["ChallengeName"], "session": answer["Session"]}
        result = answer["AuthenticationResult"]
        return {"id_token": result["IdToken"], "refresh_token": result.get("RefreshToken")}

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        try:
            return self._tokens(getattr(self.idp, operation)(**kwargs))
        except self.idp.exceptions.NotAuthorizedException as exc:
            raise PermissionError(str(exc)) from exc

    def sign_in(self, username: str, password: str) -> dict[str, Any]:
        return self._call(
            "initiate_auth",
            ClientId=self.local["client_id"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )

    def new_password(self, username: str, session: str, password: str) -> dict[str, Any]:
        return self._call(
            "respond_to_auth_challenge",
            ClientId=self.local["client_id"],
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=session,
            ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": password},
        )

    def refresh(self, token: str) -> dict[str, Any]:
        return self._call(
            "initiate_auth",
            ClientId=self.local["client_id"],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": token},
        )


@pytest.fixture(params=["own", "cognito"])
def mode(request) -> tuple[Stack, Own | Cognito]:
    if request.param == "own":
        stack: Stack = request.getfixturevalue("own_stack")
        return stack, Own(stack)
    stack = request.getfixturevalue("cognito_stack")
    return stack, Cognito(stack)


def admin(stack: Stack, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    token = stack.sign_in(UNIT_ADMIN)
    answer = requests.request(
        method,
        stack.url + "/roster" + path,
        json=body,
        headers={"Authorization": token},
        timeout=30,
    )
    assert answer.ok, answer.text
    return dict(answer.json())


def me(stack: Stack, id_token: str) -> int:
    return requests.get(
        stack.url + "/roster/me", headers={"Authorization": id_token}, timeout=10
    ).status_code


def test_a_new_learner_chooses_a_password_then_refreshes(mode) -> None:
    stack, idp = mode
    created = admin(stack, "POST", "/learners", {"name": "赵新", "unit_id": "530402-001"})
    student, temporary = created["student_no"], created["temporary_password"]
    challenge = idp.sign_in(student, temporary)
    assert challenge["challenge"] == "NEW_PASSWORD_REQUIRED"
    tokens = idp.new_password(student, challenge["session"], "Zhaoxin-2026")
    assert me(stack, tokens["id_token"]) == 200
    tokens = idp.sign_in(student, "Zhaoxin-2026")
    refreshed = idp.refresh(tokens["refresh_token"])
    assert me(stack, refreshed["id_token"]) == 200


def test_a_resigned_learner_is_locked_out_and_their_refresh_token_with_them(mode) -> None:
    stack, idp = mode
    created = admin(stack, "POST", "/learners", {"name": "钱离", "unit_id": "530402-001"})
    student = created["student_no"]
    challenge = idp.sign_in(student, created["temporary_password"])
    tokens = idp.new_password(student, challenge["session"], "Qianli-2026x")
    admin(stack, "POST", f"/learners/{student}/status", {"status": "resigned", "reason": "辞职"})
    with pytest.raises(PermissionError):
        idp.sign_in(student, "Qianli-2026x")
    if isinstance(idp, Own):  # moto's user pool still refreshes a disabled user's token
        with pytest.raises(PermissionError):
            idp.refresh(tokens["refresh_token"])


def test_guessing_locks_the_login_even_in_parallel(own_stack: Stack) -> None:
    """Cognito locks out too, but moto does not act it out: our own service only."""
    from concurrent.futures import ThreadPoolExecutor

    idp = Own(own_stack)

    def guess(_: int) -> str:
        try:
            idp.sign_in("530402000020", "Wrong-Guess-1")
        except PermissionError as refused:
            return str(refused)
        return "signed in"

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(guess, range(20)))
    assert outcomes.count("wrong_credentials") == 5  # five were checked; the rest waited
    assert outcomes.count("locked") == 15
    with pytest.raises(PermissionError, match="locked"):
        idp.sign_in("530402000020", "Xuefa-Demo-2026")


def test_a_flood_of_guesses_cannot_keep_the_owner_out_of_their_device(own_stack: Stack) -> None:
    """OWASP's device cookies, over HTTP: an attacker floods one login with wrong guesses
    from elsewhere while its owner signs in from the phone they used before."""
    from concurrent.futures import ThreadPoolExecutor

    idp, owner, password = Own(own_stack), "530402000021", "Xuefa-Demo-2026"
    device = idp.sign_in(owner, password)["device_token"]

    def guess(_: int) -> str:
        try:
            idp.sign_in(owner, "Wrong-Guess-1")
        except PermissionError as refused:
            return str(refused)
        return "signed in"

    sent, owner_tries, owner_in = 120, 0, 0
    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(guess, range(sent // 2)))  # the login is locked by now
        flood = pool.map(guess, range(sent // 2))  # and the flood goes on
        for _ in range(4):  # while the owner signs in from their own device
            owner_tries += 1
            answer = idp.sign_in(owner, password, device)
            owner_in += bool(answer.get("id_token"))
            device = answer["device_token"]  # each sign-in renews it
        outcomes += list(flood)
    print(
        f"\nguesses sent {sent}: {outcomes.count('wrong_credentials')} checked, "
        f"{outcomes.count('locked')} refused unchecked, {outcomes.count('signed in')} got in; "
        f"the owner with the device token: {owner_in} of {owner_tries} sign-ins got through"
    )
    assert outcomes.count("wrong_credentials") == 5 and outcomes.count("locked") == sent - 5
    assert owner_in == owner_tries == 4
    with pytest.raises(PermissionError, match="locked"):  # without it, locked as before
        idp.sign_in(owner, password)
