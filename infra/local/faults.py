"""Faults on purpose, for the local stack only (#29): DynamoDB throttling, internal errors
and transaction conflicts, S3 503 SlowDown and read timeouts on report writes, KMS
throttling on sign-in, and a report shard killed in the middle of its unit.

A hook on boto3's default session (registered before any client exists: clients copy the
session's hooks, as `timing.AwsCallTiming` does) answers some calls itself instead of
moto, at the rates it is given, and counts what it injected by kind. A fault lands either
on one HTTP attempt (`before-send`: botocore's standard retries see it and try again) or
on the whole call (`before-call`: as if every retry had failed too, so the code above
botocore must answer it). Under moto's in-process mock (`mock_aws`) an attempt's request
still reaches moto after this hook has answered it (moto's own hook runs too): tests
there fault writes by whole calls; on the local stack moto is a server and a faulted
attempt never reaches it. Nothing under functions/ imports this module: only
`python -m infra.local` with `XUEFA_FAULTS` set, the fault bench and tests install it.

    XUEFA_FAULTS='{"rate": 0.05, "escape": 0.25, "seed": 7}' python -m infra.local
    GET /_local/faults → {"config": …, "injected": {kind: {"attempt": n, "call": n}}}
    POST /_local/faults {"rate": 0.1} → the same, with the new rates from now on
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"})
TRANSACTION = frozenset({"TransactWriteItems"})
REPORTS_PREFIX = "/reports/"  # in a report write's URL path (`reports/daily/…`)


@dataclass(frozen=True)
class Kind:
    """One way a backend fails: on which service's operations, with which answer."""

    name: str
    service: str  # botocore's service id, hyphenized: dynamodb, s3, kms
    operations: frozenset[str]
    code: str  # the error code, or "ReadTimeout" for a timeout
    status: int = 400
    reports_only: bool = False  # S3: only report writes (under reports/)


KINDS: tuple[Kind, ...] = (
    Kind("dynamodb ThrottlingException (read)", "dynamodb", READS, "ThrottlingException"),
    Kind(
        "dynamodb ProvisionedThroughputExceeded (write)",
        "dynamodb",
        WRITES,
        "ProvisionedThroughputExceededException",
    ),
    Kind(
        "dynamodb ThrottlingException (transaction)",
        "dynamodb",
        TRANSACTION,
        "ThrottlingException",
    ),
    Kind(
        "dynamodb InternalServerError",
        "dynamodb",
        READS | WRITES | TRANSACTION,
        "InternalServerError",
        500,
    ),
    Kind(
        "dynamodb TransactionConflict (cancelled)",
        "dynamodb",
        TRANSACTION,
        "TransactionCanceledException",
    ),
    Kind("s3 503 SlowDown (report write)", "s3", frozenset({"PutObject"}), "SlowDown", 503, True),
    Kind("s3 read timeout (report write)", "s3", frozenset({"PutObject"}), "ReadTimeout", 0, True),
    Kind("kms ThrottlingException (sign-in)", "kms", frozenset({"Sign"}), "ThrottlingException"),
)
KILLED = "report shard killed mid-unit"


class ShardKilled(BaseException):
    """What Lambda's timeout does to a shard halfway through its unit: the invocation
    ends there, and SQS delivers its message again. A BaseException, as the function's
    death is no error its own code could catch (`except Exception` lets it through)."""


@dataclass
class FaultConfig:
    rate: float = 0.0  # of each matching call, the share that fails
    escape: float = 0.25  # of those, the share that fails every retry too (the whole call)
    seed: int = 29
    rates: dict[str, float] = field(default_factory=dict)  # a kind's own rate, by name

    def rate_of(self, kind: Kind) -> float:
        return self.rates.get(kind.name, self.rate)


class FaultInjector:
    def __init__(self, config: FaultConfig | None = None):
        self.config = config or FaultConfig()
        self._random = random.Random(self.config.seed)
        self._lock = threading.Lock()
        self.injected: Counter[tuple[str, str]] = Counter()  # (kind, "attempt" | "call")
        self._kill_at: int | None = None  # the report file PUT (from now) that is killed

    # --- control -----------------------------------------------------------------------

    def install(self, events: Any = None) -> FaultInjector:
        """On `events` (a client's `meta.events`), or boto3's default session's."""
        if events is None:
            import boto3

            events = boto3._get_default_session().events
        # First: moto's in-process mock answers `before-send` too, and the first answer wins.
        events.register_first("before-call", self._before_call)
        events.register_first("before-send", self._before_send)
        return self

    def uninstall(self, events: Any = None) -> None:
        if events is None:
            import boto3

            events = boto3._get_default_session().events
        events.unregister("before-call", self._before_call)
        events.unregister("before-send", self._before_send)

    def configure(self, **changes: Any) -> None:
        with self._lock:
            known = {k: v for k, v in changes.items() if k in FaultConfig.__dataclass_fields__}
            self.config = FaultConfig(**{**asdict(self.config), **known})
            if "seed" in known:
                self._random = random.Random(self.config.seed)

    def kill_shard(self, after_files: int = 1) -> None:
        """The next report shard dies once it has written `after_files` more files."""
        with self._lock:
            self._kill_at = after_files

    def counts(self) -> dict[str, dict[str, int]]:
        with self._lock:
            out: dict[str, dict[str, int]] = {}
            for (kind, where), n in sorted(self.injected.items()):
                out.setdefault(kind, {"attempt": 0, "call": 0})[where] = n
            return out

    def state(self) -> dict[str, Any]:
        return {"config": asdict(self.config), "injected": self.counts()}

    # --- the hooks ---------------------------------------------------------------------

    def _pick(self, event_name: str, url: str, share: Callable[[float], float]) -> Kind | None:
        _, service, operation = [*event_name.split("."), "", ""][:3]
        with self._lock:
            for kind in KINDS:
                if kind.service != service or operation not in kind.operations:
                    continue
                if kind.reports_only and REPORTS_PREFIX not in url:
                    continue
                if self._random.random() < share(self.config.rate_of(kind)):
                    return kind
        return None

    def _before_call(self, event_name: str, params: dict[str, Any], **_: Any) -> Any:
        url = str(params.get("url_path", ""))
        self._maybe_kill(event_name, url)
        kind = self._pick(event_name, url, lambda rate: rate * self.config.escape)
        if kind is None:
            return None
        self._count(kind.name, "call")
        if kind.code == "ReadTimeout":
            from botocore.exceptions import ReadTimeoutError

            raise ReadTimeoutError(endpoint_url=str(params.get("url", url)))
        parsed: dict[str, Any] = {
            "Error": {"Code": kind.code, "Message": f"injected: {kind.name}"},
            "ResponseMetadata": {"HTTPStatusCode": kind.status, "HTTPHeaders": {}},
        }
        if kind.code == "TransactionCanceledException":
            parsed["CancellationReasons"] = _conflict_reasons(params.get("body"))
        return _Answer(kind.status), parsed

    def _before_send(self, event_name: str, request: Any, **_: Any) -> Any:
        url = str(getattr(request, "url", ""))
        kind = self._pick(event_name, url, lambda rate: rate * (1 - self.config.escape))
        if kind is None:
            return None
        self._count(kind.name, "attempt")
        if kind.code == "ReadTimeout":
            from botocore.exceptions import ReadTimeoutError

            raise ReadTimeoutError(endpoint_url=url)
        from botocore.awsrequest import AWSResponse

        body, content_type = _error_body(kind, getattr(request, "body", None))
        headers = {"Content-Type": content_type, "x-amzn-RequestId": "injected-fault"}
        return AWSResponse(url, kind.status, headers, _Raw(body))

    def _maybe_kill(self, event_name: str, url: str) -> None:
        if not event_name.endswith("s3.PutObject") or REPORTS_PREFIX not in url:
            return
        if url.endswith("manifest.json"):
            return
        with self._lock:
            if self._kill_at is None:
                return
            self._kill_at -= 1
            if self._kill_at > 0:
                return
            self._kill_at = None
        self._count(KILLED, "call")
        raise ShardKilled(f"injected: {KILLED} (before {url})")

    def _count(self, kind: str, where: str) -> None:
        with self._lock:
            self.injected[(kind, where)] += 1


class _Answer:
    """Enough of an HTTP response for botocore's client to raise the parsed error."""

    def __init__(self, status: int):
        self.status_code = status
        self.headers: dict[str, str] = {}
        self.content = b""


class _Raw:
    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def _items_of(body: Any) -> int:
    try:
        return len(json.loads(body or b"{}").get("TransactItems", [])) or 1
    except (ValueError, AttributeError, TypeError):
        return 1


def _conflict_reasons(body: Any) -> list[dict[str, str]]:
    """DynamoDB's answer to a transaction that met another on its first item."""
    count = _items_of(body)
    conflict = {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}
    return [conflict] + [{"Code": "None"} for _ in range(count - 1)]


def _error_body(kind: Kind, request_body: Any) -> tuple[bytes, str]:
    if kind.service == "s3":
        xml = f"<Error><Code>{kind.code}</Code><Message>injected</Message></Error>"
        return xml.encode(), "application/xml"
    payload: dict[str, Any] = {
        "__type": f"com.amazonaws.dynamodb.v20120810#{kind.code}",
        "message": f"injected: {kind.name}",
    }
    if kind.code == "TransactionCanceledException":
        payload["CancellationReasons"] = _conflict_reasons(request_body)
    return json.dumps(payload).encode(), "application/x-amz-json-1.0"


def from_environment(text: str) -> FaultInjector:
    """`XUEFA_FAULTS`: JSON of `FaultConfig`'s fields, or anything else for all rates 0
    (installed, quiet until `POST /_local/faults` says otherwise)."""
    try:
        given = json.loads(text)
    except ValueError:
        given = {}
    injector = FaultInjector()
    if isinstance(given, dict):
        injector.configure(**given)
    return injector


def fault_route(injector: FaultInjector) -> Callable[[Any], Any]:
    """GET: the config and what was injected; POST {rate?, escape?, rates?, seed?,
    kill_shard?}: new settings from now on."""
    from werkzeug.wrappers import Response

    def route(request: Any) -> Any:
        if request.method == "POST":
            try:
                body = json.loads(request.get_data(as_text=True) or "{}")
                injector.configure(**{k: v for k, v in body.items() if k != "kill_shard"})
                if body.get("kill_shard"):
                    injector.kill_shard(int(body["kill_shard"]))
            except (ValueError, TypeError, AttributeError):
                error = {"error": {"code": "BAD_REQUEST", "message": "need FaultConfig's fields"}}
                return Response(json.dumps(error), status=400, content_type="application/json")
        return Response(json.dumps(injector.state()), content_type="application/json")

    return route
