"""Builds the objects a handler needs, once per warm container and only when first used,
so that importing an app stays cheap."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from chalice import CognitoUserPoolAuthorizer

from xuefa.clock import Clock, SystemClock
from xuefa.dal.table import Store
from xuefa.dal.years import YearBook
from xuefa.directory import Directory
from xuefa.settings import Settings, get_settings, responses_checked


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
        clock=SystemClock(),
        store=store,
        directory=Directory(store),
        years=YearBook(store),
    )


def reset() -> None:
    """Forget everything built so far (tests change the environment between apps)."""
    services.cache_clear()
    get_settings.cache_clear()
    responses_checked.cache_clear()


# API Gateway checks the Cognito ID token before any function runs. The pool's ARN is
# only known at deploy time; infra/ sets it, locally the stack verifies tokens itself.
COGNITO = CognitoUserPoolAuthorizer(
    "xuefa-cognito",
    provider_arns=[
        os.environ.get(
            "XUEFA_USER_POOL_ARN", "arn:aws:cognito-idp:cn-north-1:000000000000:userpool/local"
        )
    ],
)
