"""The Lambda authorizer's decision, for our own identity service's ID tokens.

API Gateway caches the answer per token (5 minutes), so the policy allows the whole API
and the claims travel as the authorizer's context, under plain keys (`username`, `groups`
comma-joined: a context holds strings only; `unit_id`); `xuefa.core.auth.claims_of` reads them
back as the claims Cognito's authorizer passes.
"""

from __future__ import annotations

from typing import Any

from xuefa.core.errors import Unauthorized
from xuefa.identity.tokens import TokenVerifier


def api_arn(method_arn: str) -> str:
    """`arn:…:execute-api:region:account:api/stage/METHOD/path` → every route of that
    API and stage."""
    head, _, path = method_arn.partition(":execute-api:")
    parts = path.split("/")
    return f"{head}:execute-api:{'/'.join(parts[:2])}/*/*"


def context_of(claims: dict[str, Any]) -> dict[str, str]:
    return {
        "username": str(claims.get("cognito:username", "")),
        "groups": ",".join(str(g) for g in claims.get("cognito:groups") or []),
        "unit_id": str(claims.get("custom:unit_id", "")),
    }


def decide(event: dict[str, Any], verifier: TokenVerifier) -> dict[str, Any]:
    try:
        claims = verifier.claims(event.get("authorizationToken"), "id")
    except Unauthorized as exc:
        # This exact message makes API Gateway answer 401 (any other is a 500).
        raise Exception("Unauthorized") from exc
    return {
        "principalId": str(claims["sub"]),
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow",
                    "Resource": api_arn(str(event.get("methodArn", ""))),
                }
            ],
        },
        "context": context_of(claims),
    }
