"""Settings, read from the environment and validated once per cold start.

Nothing else in the package reads `os.environ`: handlers call `get_settings()` and pass
what the rules need as arguments.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field


class Settings(BaseModel):
    table_name: str = Field(min_length=3)
    bucket_name: str = Field(min_length=3)
    # Signs paging cursors so that a client can neither forge nor edit one.
    cursor_secret: str = Field(min_length=16)
    user_pool_id: str = ""
    report_queue_url: str = ""
    # A large roster import's chunks go there; without (local, tests) a thread runs them.
    import_queue_url: str = ""
    # The top of the unit tree the nightly report covers (a city, or a province).
    root_unit_id: str = "530400"
    # Where the public opens the site (a certificate's QR code points there).
    public_url: str = ""
    # Who signs people in: Cognito user pools, or (where they do not exist) our own
    # identity service.
    identity: Literal["cognito", "own"] = "cognito"
    # Lesson bodies and media (#26); empty: the report bucket, under content/ (tests).
    content_bucket: str = ""
    # How long the records of a learner who left (resigned, retired) are kept before the
    # retention job deletes them (#29.4): five years unless the stage says otherwise.
    leaver_retention_days: int = Field(5 * 365 + 1, ge=180)


class TokenSettings(BaseModel):
    """What checks and signs our own identity's tokens; apart from `Settings` so that
    the authorizer needs neither the table nor the cursor key."""

    signing_keys: list[str] = []  # KMS keys: the first signs, every one verifies
    token_issuer: str = "xuefa"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ
    return Settings(
        table_name=env.get("XUEFA_TABLE", ""),
        bucket_name=env.get("XUEFA_BUCKET", ""),
        cursor_secret=env.get("XUEFA_CURSOR_SECRET") or _cursor_secret(env),
        user_pool_id=env.get("XUEFA_USER_POOL_ID", ""),
        report_queue_url=env.get("XUEFA_REPORT_QUEUE_URL", ""),
        import_queue_url=env.get("XUEFA_IMPORT_QUEUE_URL", ""),
        root_unit_id=env.get("XUEFA_ROOT_UNIT", "530400"),
        public_url=env.get("XUEFA_PUBLIC_URL", ""),
        identity=identity_provider(),
        content_bucket=env.get("XUEFA_CONTENT_BUCKET", ""),
        leaver_retention_days=int(env.get("XUEFA_LEAVER_RETENTION_DAYS") or 5 * 365 + 1),
    )


@lru_cache(maxsize=1)
def get_token_settings() -> TokenSettings:
    env = os.environ
    return TokenSettings(
        signing_keys=[k for k in env.get("XUEFA_SIGNING_KEYS", "").split(",") if k],
        token_issuer=env.get("XUEFA_TOKEN_ISSUER", "xuefa"),
    )


def identity_provider() -> Literal["cognito", "own"]:
    """Read at import by the apps, to put the right authorizer in front of their routes."""
    return "own" if os.environ.get("XUEFA_IDENTITY", "cognito") == "own" else "cognito"


@lru_cache(maxsize=1)
def responses_checked() -> bool:
    """Validate every response against its documented model (tests, the local stack).
    Apart from `get_settings`: asking must not fetch the cursor key, so `/health` stays
    free of AWS calls."""
    return os.environ.get("XUEFA_CHECK_RESPONSES", "false").lower() == "true"


def _cursor_secret(env: Mapping[str, str]) -> str:
    """On AWS the key is a Secrets Manager secret named by its ARN; locally and in tests
    it is given directly (`XUEFA_CURSOR_SECRET`)."""
    arn = env.get("XUEFA_CURSOR_SECRET_ARN", "")
    if not arn:
        return ""  # no key at all: Settings refuses it (min_length)
    from xuefa.core.secrets import read_secret

    return read_secret(arn)
