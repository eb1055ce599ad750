"""What API Gateway checks in front of every app's routes (the services themselves are
built in xuefa.bootstrap)."""

from __future__ import annotations

import os
from typing import Any

from chalice import CognitoUserPoolAuthorizer, CustomAuthorizer

from xuefa.core.settings import identity_provider


def authorizer() -> Any:
    """What API Gateway checks before any function runs: the Cognito ID token, or ours
    (the identity app's authorizer function). The pool's ARN and the function's URI are
    only known at deploy time: infra/ sets them; locally the stack checks tokens itself."""
    if identity_provider() == "own":
        return CustomAuthorizer(
            "xuefa-identity",
            header="Authorization",
            # infra/ writes the authorizer function's invocation URI over this placeholder.
            authorizer_uri="arn:aws:apigateway:local:lambda:path/authorizer",
            ttl_seconds=300,
        )
    return CognitoUserPoolAuthorizer(
        "xuefa-cognito",
        provider_arns=[
            os.environ.get(
                "XUEFA_USER_POOL_ARN", "arn:aws:cognito-idp:cn-north-1:000000000000:userpool/local"
            )
        ],
    )
