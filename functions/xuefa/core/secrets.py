"""Secrets Manager: the only module that reads it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xuefa.core.aws import aws_client

SECRETS = aws_client("secretsmanager")


def read_secret(arn: str, client_factory: Callable[[], Any] = SECRETS) -> str:
    """A secret's string value; called once per cold start (settings are cached)."""
    return str(client_factory().get_secret_value(SecretId=arn)["SecretString"])
