"""The tokens of our own identity service: JWTs signed RS256 by a key that never leaves
KMS, with Cognito's claim names (`cognito:username`, `cognito:groups`, `custom:unit_id`),
so the apps, the authorizer's claims and the web apps cannot tell the providers apart.

ID tokens (sent to the APIs) and access tokens (sent to the identity service itself) live
15 minutes; a challenge (first sign-in: set your own password) lives 5. Every token names
the key that signed it (`kid`): the JWKS lists the current key and the previous ones, so
a new key signs from its first deploy while tokens signed by the old one stay valid.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from xuefa.core.clock import Clock
from xuefa.core.errors import Unauthorized

TOKEN_MINUTES = 15
CHALLENGE_MINUTES = 5
AUDIENCE = "xuefa"
Use = Literal["id", "access", "challenge"]


class Signer(Protocol):
    """Signs with the current key (RSASSA-PKCS1-v1_5 with SHA-256: JWT's RS256)."""

    def key_id(self) -> str: ...
    def sign(self, message: bytes) -> bytes: ...


class PublicKeys(Protocol):
    """Every key a valid token may name: `kid` → DER SubjectPublicKeyInfo."""

    def public_keys(self) -> Mapping[str, bytes]: ...


@dataclass(frozen=True)
class Holder:
    """Whom a token speaks for."""

    username: str
    groups: tuple[str, ...]
    unit_id: str


@dataclass(frozen=True)
class IssuedTokens:
    id_token: str
    access_token: str
    expires_in: int  # seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def encode(claims: Mapping[str, Any], signer: Signer) -> str:
    header = {"alg": "RS256", "typ": "JWT", "kid": signer.key_id()}
    signing_input = ".".join(
        _b64(json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
        for part in (header, claims)
    )
    return f"{signing_input}.{_b64(signer.sign(signing_input.encode('ascii')))}"


class TokenIssuer:
    def __init__(self, signer: Signer, issuer: str):
        self.signer = signer
        self.issuer = issuer

    def _claims(self, holder: Holder, use: Use, now: datetime, minutes: int) -> dict[str, Any]:
        issued = int(now.timestamp())
        return {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": holder.username,
            "token_use": use,
            "iat": issued,
            "exp": issued + minutes * 60,
            "jti": secrets.token_hex(12),
        }

    def tokens(self, holder: Holder, now: datetime) -> IssuedTokens:
        identity = self._claims(holder, "id", now, TOKEN_MINUTES) | {
            "cognito:username": holder.username,
            "cognito:groups": list(holder.groups),
            "custom:unit_id": holder.unit_id,
        }
        access = self._claims(holder, "access", now, TOKEN_MINUTES) | {"username": holder.username}
        return IssuedTokens(
            id_token=encode(identity, self.signer),
            access_token=encode(access, self.signer),
            expires_in=TOKEN_MINUTES * 60,
        )

    def challenge(self, holder: Holder, version: int, now: datetime) -> str:
        """The first sign-in's session: proves the temporary password was right, for 5
        minutes and only while the account's version (bumped by every password) holds."""
        claims = self._claims(holder, "challenge", now, CHALLENGE_MINUTES) | {"ver": version}
        return encode(claims, self.signer)


class TokenVerifier:
    """Checks a token as the authorizer does: RS256 by one of our keys, issuer, audience,
    expiry and what it is for."""

    def __init__(self, keys: PublicKeys, issuer: str, clock: Clock, leeway_seconds: int = 5):
        self.keys = keys
        self.issuer = issuer
        self.clock = clock
        self.leeway = leeway_seconds
        self._loaded: dict[str, Any] = {}

    def _key(self, kid: str) -> Any:
        """The public key a token names, parsed once per warm container (the authorizer
        checks every uncached request with it)."""
        if kid not in self._loaded:
            der = self.keys.public_keys().get(kid)
            if der is None:
                return None
            from cryptography.hazmat.primitives.serialization import load_der_public_key

            self._loaded[kid] = load_der_public_key(der)
        return self._loaded[kid]

    def claims(self, token: str | None, use: Use) -> dict[str, Any]:
        import jwt

        token = _bare(token)
        try:
            header = jwt.get_unverified_header(token)
            key = self._key(str(header.get("kid", "")))
            if key is None or header.get("alg") != "RS256":
                raise Unauthorized("the token was not signed by this service")
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=AUDIENCE,
                issuer=self.issuer,
                # Expiry is checked below against our clock (tests move it), not time.time.
                options={
                    "require": ["exp", "iat", "iss", "aud", "sub", "token_use"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized("the token is not valid") from exc
        now = self.clock.now().timestamp()
        if not claims["iat"] - self.leeway <= now < claims["exp"] + self.leeway:
            raise Unauthorized("the token has expired; sign in again")
        if claims.get("token_use") != use:
            raise Unauthorized(f"this needs the {use} token")
        return claims

    def jwks(self) -> dict[str, Any]:
        """The public keys as a JSON Web Key Set, for anyone who verifies our tokens."""
        from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
        from cryptography.hazmat.primitives.serialization import load_der_public_key

        keys = []
        for kid, der in self.keys.public_keys().items():
            key = load_der_public_key(der)
            if not isinstance(key, RSAPublicKey):
                continue
            numbers = key.public_numbers()
            keys.append(
                {
                    "kty": "RSA",
                    "alg": "RS256",
                    "use": "sig",
                    "kid": kid,
                    "n": _b64(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
                    "e": _b64(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")),
                }
            )
        return {"keys": keys}


def _bare(token: str | None) -> str:
    """The token without a `Bearer ` prefix (clients should send it bare)."""
    token = (token or "").strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    if not token:
        raise Unauthorized()
    return token
