"""How long each request through the local gateway waited on its AWS calls (moto), sent
back as a `Server-Timing` header and written in the access log.

The apps make their calls on the thread that serves the request, with clients from boto3's
default session, so hooks on that session's events, registered before any app creates a
client, see every call of a request: from the start of parameter building to the parsed
response, i.e. the whole of a bare boto3 call. `make bench` divides a request's latency by
this figure: what the gateway, the token check, Chalice, Powertools and the domain code
add on top of the storage work the operation needs.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any


@dataclass
class Spent:
    calls: int = 0
    seconds: float = 0.0
    started: float | None = None


class AwsCallTiming:
    def __init__(self) -> None:
        self._local = threading.local()

    def install(self) -> None:
        import boto3

        events = boto3._get_default_session().events
        events.register("before-parameter-build", self._start)
        events.register("after-call", self._stop)
        events.register("after-call-error", self._stop)

    def _spent(self) -> Spent:
        spent: Spent | None = getattr(self._local, "spent", None)
        if spent is None:
            spent = self._local.spent = Spent()
        return spent

    def _start(self, **_: Any) -> None:
        self._spent().started = time.perf_counter()

    def _stop(self, **_: Any) -> None:
        spent = self._spent()
        if spent.started is not None:
            spent.seconds += time.perf_counter() - spent.started
            spent.calls += 1
            spent.started = None

    def begin(self) -> None:
        """Start counting for the request this thread is about to serve."""
        self._local.spent = Spent()

    def spent(self) -> Spent:
        """The calls this thread made since `begin`."""
        return self._spent()


def server_timing(total_ms: float, spent: Spent) -> str:
    return (
        f'aws;dur={spent.seconds * 1000:.2f};desc="{spent.calls} calls", total;dur={total_ms:.2f}'
    )


@dataclass(frozen=True)
class ServerTiming:
    aws_ms: float
    aws_calls: int
    total_ms: float


def read_server_timing(header: str) -> ServerTiming:
    """What a client reads back from `server_timing`."""
    parts = dict(part.strip().split(";", 1) for part in header.split(","))
    aws, total = parts["aws"], parts["total"]
    return ServerTiming(
        aws_ms=float(aws.split("dur=")[1].split(";")[0]),
        aws_calls=int(aws.split('desc="')[1].split(" ")[0]),
        total_ms=float(total.split("dur=")[1]),
    )
