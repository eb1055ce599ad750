"""What the identity service answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class SignInAnswer(BaseModel):
    """Either tokens, or (a temporary password was right) the challenge to set one's own."""

    challenge: Literal["NEW_PASSWORD_REQUIRED"] | None = Field(
        None, description="set when the first sign-in must choose a password"
    )
    session: str | None = Field(None, description="the challenge's session, for 5 minutes")
    username: str | None = None
    id_token: str | None = Field(None, description="send as Authorization to the APIs")
    access_token: str | None = Field(None, description="for the identity service itself")
    refresh_token: str | None = Field(None, description="used once: the answer carries the next")
    expires_in: int | None = Field(None, description="seconds the ID and access tokens live")
    device_token: str | None = Field(
        None,
        description="after a right password: send it with this login's next sign-in from this "
        "device, so that others' guesses cannot lock this device out (90 days)",
    )


class JsonWebKey(BaseModel):
    kty: str
    alg: str
    use: str
    kid: str
    n: str
    e: str


class KeySet(BaseModel):
    keys: list[JsonWebKey]


class SignedOut(BaseModel):
    signed_out: bool = True
