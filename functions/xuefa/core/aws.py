"""One boto3 client per adapter, created at first use: importing a handler stays light,
and a warm container reuses the client (and its connections)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def aws_client(service: str, **options: Any) -> Callable[[], Any]:
    """A factory of one boto3 client for `service`."""

    def make() -> Any:
        import boto3  # here, not at import: boto3 is most of a cold start's import time

        make_client: Any = boto3.client  # typed loosely: with or without boto3's stubs
        return make_client(service, **options)

    return make


class LazyClient:
    def __init__(self, factory: Callable[[], Any]):
        self._factory = factory
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self._factory()
        return self._client
