"""Builds the objects a handler needs, once per warm container and only when first used,
so that importing an app stays cheap."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from chalice import CognitoUserPoolAuthorizer, CustomAuthorizer

from xuefa.core.auth import AdminUnits
from xuefa.core.clock import Clock, process_clock
from xuefa.core.settings import (
    Settings,
    get_settings,
    get_token_settings,
    identity_provider,
    responses_checked,
)
from xuefa.roster.directory import Directory
from xuefa.store.store import Store
from xuefa.years.repository import YearBook

if TYPE_CHECKING:
    from xuefa.identity.signing_keys import KmsSigningKeys
    from xuefa.identity.tokens import TokenVerifier


@dataclass
class Services:
    settings: Settings
    clock: Clock
    store: Store
    directory: Directory
    years: YearBook


@lru_cache(maxsize=1)
def services() -> Services:
    settings = get_settings()
    store = Store(settings.table_name)
    return Services(
        settings=settings,
        clock=process_clock(),
        store=store,
        directory=Directory(store),
        years=YearBook(store),
    )


@lru_cache(maxsize=1)
def admin_units() -> AdminUnits:
    """Admins' units from their ADMIN records, cached per warm container for a minute."""
    from xuefa.roster.people_repository import DynamoPeople

    people = DynamoPeople(services().store)

    def read(username: str) -> str | None:
        item = people.account(username, admin=True)
        return str(item["unit_id"]) if item and item.get("unit_id") else None

    return AdminUnits(read)


@lru_cache(maxsize=1)
def signing_keys() -> KmsSigningKeys:
    from xuefa.identity.signing_keys import KmsSigningKeys

    return KmsSigningKeys(get_token_settings().signing_keys)


@lru_cache(maxsize=1)
def token_verifier() -> TokenVerifier:
    """Our own identity's tokens, checked against the signing keys' public halves (read
    from KMS once per warm container)."""
    from xuefa.identity.tokens import TokenVerifier

    return TokenVerifier(signing_keys(), get_token_settings().token_issuer, services().clock)


def reset() -> None:
    """Forget everything built so far (tests change the environment between apps)."""
    services.cache_clear()
    admin_units.cache_clear()
    get_token_settings.cache_clear()
    signing_keys.cache_clear()
    token_verifier.cache_clear()
    get_settings.cache_clear()
    responses_checked.cache_clear()


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
