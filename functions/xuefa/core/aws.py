"""One boto3 client per adapter, created at first use: importing a handler stays light,
and a warm container reuses the client (and its connections).

Every client retries what passes by itself (botocore's standard mode: throttling, 5xx,
timeouts), briefly: three attempts with jittered backoff stay far inside API Gateway's
29 s, where the legacy mode's ten DynamoDB attempts could sleep 25 s. What still fails
becomes a retryable answer (`backend_error`): 429 or 503 with `Retry-After`, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xuefa.core.errors import Throttled, Unavailable, XuefaError

MAX_ATTEMPTS = 3  # botocore's standard mode: the first try and two retries
CONNECT_TIMEOUT_S = 3
READ_TIMEOUT_S = 20  # between bytes: a report's PUT answers as soon as its body is sent

# The error codes of a backend that is asking us to slow down.
THROTTLING = frozenset(
    {
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "LimitExceededException",
        "Throttling",
    }
)
# Codes that pass, though their status is below 500.
TRANSIENT = frozenset(
    {
        "RequestTimeout",
        "RequestTimeoutException",
        "TransactionConflictException",
        "TransactionInProgressException",
    }
)
# A transaction cancelled by these alone decided nothing: the same one may go again.
PASSING_REASONS = frozenset(
    {"None", "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}
)


def aws_client(service: str, **options: Any) -> Callable[[], Any]:
    """A factory of one boto3 client for `service`, retrying in standard mode."""

    def make() -> Any:
        import boto3  # here, not at import: boto3 is most of a cold start's import time
        from botocore.config import Config

        retries = Config(
            retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
            connect_timeout=CONNECT_TIMEOUT_S,
            read_timeout=READ_TIMEOUT_S,
        )
        given = options.get("config")
        config = given.merge(retries) if given is not None else retries
        make_client: Any = boto3.client  # typed loosely: with or without boto3's stubs
        return make_client(service, **{**options, "config": config})

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


def backend_error(exc: BaseException) -> XuefaError | None:
    """The retryable answer for an AWS failure that outlasted botocore's retries (429 for
    throttling, 503 for the rest), following `raise … from`; None for anything else."""
    seen: BaseException | None = exc
    while seen is not None:
        answer = _retryable(seen)
        if answer is not None:
            return answer
        seen = seen.__cause__
    return None


def _retryable(exc: BaseException) -> XuefaError | None:
    try:
        from botocore.exceptions import ClientError, ConnectionError, HTTPClientError
    except ImportError:  # pragma: no cover - botocore is always there on Lambda
        return None
    if isinstance(exc, HTTPClientError | ConnectionError):  # timeouts, dropped connections
        return Unavailable()
    if not isinstance(exc, ClientError):
        return None
    response: dict[str, Any] = dict(exc.response)
    code = str(response.get("Error", {}).get("Code", ""))
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    if code in THROTTLING:
        return Throttled()
    if code in TRANSIENT or status >= 500:
        return Unavailable()
    if code == "TransactionCanceledException":
        reasons = {str(r.get("Code", "None")) for r in response.get("CancellationReasons") or []}
        if reasons and reasons <= PASSING_REASONS:
            return Unavailable()
    return None
