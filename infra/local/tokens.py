"""The local API Gateway's authorizers: Cognito's (verifies the pool's ID tokens) and
our own identity's Lambda authorizer (the same decision the function makes on AWS). Each
answers what API Gateway puts in `requestContext.authorizer`.

Chalice's own local server decodes tokens without checking them and fails on anything
that is not a JWT; here every token is checked: RS256 signature against the pool's JWKS,
issuer, audience (the app client), expiry and `token_use`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import jwt
import requests

from xuefa.core.errors import Unauthorized
from xuefa.identity.authorizer import context_of
from xuefa.identity.tokens import TokenVerifier as OwnTokenVerifier

Authorize = Callable[[str | None], dict[str, Any]]


class TokenVerifier:
    def __init__(self, jwks_url: str, issuer: str, client_id: str, leeway_seconds: int = 0):
        self.jwks_url = jwks_url
        self.issuer = issuer
        self.client_id = client_id
        self.leeway = leeway_seconds
        self._keys: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _key(self, kid: str) -> Any:
        with self._lock:
            if kid not in self._keys:
                # Fetched with requests: PyJWKClient's urllib fetch misbehaves beside moto.
                document = requests.get(self.jwks_url, timeout=5).json()
                self._keys = {
                    key["kid"]: jwt.PyJWK(key).key
                    for key in document.get("keys", [])
                    if "kid" in key
                }
            key = self._keys.get(kid)
        if key is None:
            raise Unauthorized("the token was not signed by this user pool")
        return key

    def claims(self, authorization: str | None) -> dict[str, Any]:
        if not authorization or not authorization.strip():
            raise Unauthorized()
        token = authorization.strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != "RS256":
                raise Unauthorized("the token must be signed with RS256")
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key(str(header.get("kid", ""))),
                algorithms=["RS256"],
                audience=self.client_id,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "token_use"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("the token has expired; sign in again") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("the token is not valid") from exc
        if claims.get("token_use") != "id":
            raise Unauthorized("send the ID token, not the access token")
        return claims


def cognito_authorizer(verifier: TokenVerifier) -> Authorize:
    """Cognito's authorizer nests the token's claims under `claims`."""
    return lambda header: {"claims": verifier.claims(header)}


def own_authorizer(verifier: OwnTokenVerifier) -> Authorize:
    """A Lambda authorizer's context sits beside its `principalId`."""

    def authorize(header: str | None) -> dict[str, Any]:
        claims = verifier.claims(header, "id")
        return {"principalId": str(claims["sub"]), **context_of(claims)}

    return authorize
