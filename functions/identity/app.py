"""Identity: sign-in for where Cognito user pools do not exist (the AWS China regions).

Sign-in, the first sign-in's new password, refresh, sign-out and password change; the
JWKS for anyone verifying our tokens. Another function of this app, the authorizer, checks
the ID token in front of the four APIs (`authorizer`, below).
"""

from __future__ import annotations

from typing import Any

from chalice import Chalice
from pydantic import BaseModel, Field

from xuefa.bootstrap import gate, services, token_verifier
from xuefa.identity.service import IdentityService
from xuefa.identity.views import KeySet, SignedOut, SignInAnswer
from xuefa_api import Api

app = Chalice(app_name="xuefa-identity")
api = Api(app, "identity")

Login = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
Password = Field(min_length=1, max_length=256)
DeviceToken = Field(None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")


def identity() -> IdentityService:
    """The service, built once per warm container by the composition root."""
    return services().identity


class SignIn(BaseModel):
    username: str = Login
    password: str = Password
    device_token: str | None = DeviceToken  # what this device's last right password earned


class NewPassword(BaseModel):
    username: str = Login
    session: str = Field(min_length=1, max_length=4096)
    new_password: str = Password


class RefreshToken(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=256)


class PasswordChange(BaseModel):
    old_password: str = Password
    new_password: str = Password


@api.route(
    "/sign-in", ["POST"], public=True, checks_credentials=True, body=SignIn, response="SignInAnswer"
)
def sign_in(body: SignIn) -> SignInAnswer:
    """Tokens, or the challenge to choose a password (a temporary one was right), and a
    device token. 401 for a wrong login or password alike; 429 after five failures (a
    lockout that grows) — of this device alone when its device token is sent."""
    answer = identity().sign_in(body.username, body.password, body.device_token)
    api.count("SignIns")  # the operators' dashboard: sign-ins a minute (a right password)
    return answer


@api.route(
    "/new-password",
    ["POST"],
    public=True,
    checks_credentials=True,
    body=NewPassword,
    response="SignInAnswer",
)
def new_password(body: NewPassword) -> SignInAnswer:
    """The first sign-in: the challenge's session and the learner's own password."""
    return identity().complete_new_password(body.username, body.session, body.new_password)


@api.route(
    "/refresh",
    ["POST"],
    public=True,
    checks_credentials=True,
    body=RefreshToken,
    response="SignInAnswer",
)
def refresh(body: RefreshToken) -> SignInAnswer:
    """New tokens and a new refresh token; the one sent is used up."""
    return identity().refresh(body.refresh_token)


@api.route("/sign-out", ["POST"], public=True, body=RefreshToken, response="SignedOut")
def sign_out(body: RefreshToken) -> SignedOut:
    """The refresh token is revoked (the ID token lives out its 15 minutes)."""
    identity().sign_out(body.refresh_token)
    return SignedOut(signed_out=True)


@api.route(
    "/password",
    ["POST"],
    public=True,
    checks_credentials=True,
    body=PasswordChange,
    response="SignInAnswer",
)
def change_password(body: PasswordChange) -> SignInAnswer:
    """Sent with the access token as Authorization; other devices are signed out, this
    one gets new tokens."""
    token = api.request().headers.get("authorization")
    return identity().change_password(token or "", body.old_password, body.new_password)


@api.route("/jwks.json", ["GET"], public=True, response="KeySet")
def jwks() -> KeySet:
    """The public keys that verify our tokens (the current one and the previous ones)."""
    return KeySet.model_validate(token_verifier().jwks())


@app.lambda_function(name="authorizer")
def authorizer(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """API Gateway's TOKEN authorizer for the four APIs: the same claims Cognito's
    authorizer passes, or "Unauthorized" (API Gateway answers 401)."""
    from xuefa.identity.authorizer import decide

    return decide(event, gate())
