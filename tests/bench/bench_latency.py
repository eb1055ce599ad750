"""Latency through the local stack, per operation, as a ratio to the bare moto calls that
the same operation made.

Each request is timed by the client (HTTP to the gateway, token check, Chalice, Powertools,
the domain code, and the AWS calls). The gateway's `Server-Timing: aws` header says how
long the request spent inside its boto3 calls to moto — a bare call each, from parameter
building to the parsed response. The ratio is what our layers cost on top of the storage
work an operation needs. One bare TransactWriteItems of three puts is timed too, as the
scale of a single moto call on this machine.

    .venv/bin/python -m tests.bench.bench_latency [--samples 100]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from infra.local.signin import local_client
from infra.local.timing import read_server_timing
from tests.bench.common import percentiles
from tests.e2e.conftest import Stack, start_stack

WARM_UP = 6  # each app instance in the pool (2) serves a request or two before counting


@dataclass
class Timings:
    total_ms: list[float] = field(default_factory=list)
    aws_ms: list[float] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)

    def add(self, total_ms: float, response: requests.Response) -> None:
        timing = read_server_timing(response.headers["Server-Timing"])
        self.total_ms.append(total_ms)
        self.aws_ms.append(timing.aws_ms)
        self.calls.append(timing.aws_calls)


@dataclass
class Figure:
    operation: str
    total: tuple[float, float]  # p50, p95 (ms)
    aws: tuple[float, float]
    calls: int  # the most frequent count of AWS calls

    @property
    def ratio(self) -> tuple[float, float]:
        return self.total[0] / self.aws[0], self.total[1] / self.aws[1]


class Client:
    """One HTTP session per benchmark, as a browser or app keeps its connection."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.http = requests.Session()
        self.tokens: dict[str, str] = {}

    def headers(self, username: str) -> dict[str, str]:
        if username not in self.tokens:
            self.tokens[username] = self.stack.sign_in(username)
        return {"Authorization": self.tokens[username], "Content-Type": "application/json"}

    def call(
        self, method: str, path: str, who: str, timings: Timings | None = None, **kwargs: Any
    ) -> Any:
        headers = self.headers(who)  # a sign-in is not part of the operation
        t0 = time.perf_counter()
        response = self.http.request(
            method, self.stack.url + path, headers=headers, timeout=30, **kwargs
        )
        elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code < 300, (path, response.status_code, response.text)
        if timings is not None:
            timings.add(elapsed, response)
        return response.json()


def measure(stack: Stack, samples: int) -> list[Figure]:
    from xuefa.core.clock import study_year_of

    year = study_year_of(stack.today())  # the demo year is open on the stack's today
    client = Client(stack)
    learners = [u["username"] for u in stack.local["users"] if "learners" in u["groups"]]
    unit_admin = "unit_530402-001"
    named: dict[str, Timings] = {}

    def timings(operation: str, index: int) -> Timings | None:
        """Counted after the warm-up, so a cold container's first reads do not count."""
        return named.setdefault(operation, Timings()) if index >= WARM_UP else None

    # A quick reading that pays 5 credits each time (the sign-in pays once a day, courses
    # take minutes): at most 25 a learner a day under the cap, so spread over learners.
    quick = client.call(
        "POST",
        "/credits/catalogue",
        "city_admin",
        json={
            "year": year,
            "title": "基准测试：快速阅读",
            "activity": "reading",
            "credits": 5,
            "min_seconds": 0,
        },
    )["resource_id"]
    rounds = samples + WARM_UP
    for index in range(rounds):
        who = learners[index % len(learners)]
        session = client.call(
            "POST",
            "/credits/sessions",
            who,
            timings("credits: start session", index),
            json={"resource_id": quick},
        )
        client.call(
            "POST",
            f"/credits/sessions/{session['session_id']}/complete",
            who,
            timings("credits: complete session", index),
            json={},
        )
        client.call("GET", "/credits/me", who, timings("credits: balance", index))
        client.call("GET", "/credits/me/ledger", who, timings("credits: ledger page", index))
        attempt = client.call(
            "POST", f"/exams/{year}/attempts", who, timings("exams: start attempt", index), json={}
        )
        number, first = attempt["attempt_no"], attempt["questions"][0]
        client.call(
            "PUT",
            f"/exams/{year}/attempts/{number}/answers",
            who,
            timings("exams: save answers", index),
            json={"answers": {first["question_id"]: [first["options"][0]["key"]]}},
        )
        client.call(
            "POST",
            f"/exams/{year}/attempts/{number}/submit",
            who,
            timings("exams: submit attempt", index),
            json={},
        )
        client.call("GET", f"/exams/{year}", who, timings("exams: summary", index))
        client.call("GET", "/roster/me", who, timings("roster: me", index))
        client.call(
            "GET",
            "/roster/units/530402-001/learners?limit=50",
            unit_admin,
            timings("roster: a unit's learners (50)", index),
        )
        client.call(
            "GET",
            f"/credits/learners/{who}",
            "city_admin",
            timings("credits: an admin looks up a learner", index),
        )
    figures = []
    for operation, timed in named.items():
        calls = max(set(timed.calls), key=timed.calls.count)
        figures.append(
            Figure(operation, percentiles(timed.total_ms), percentiles(timed.aws_ms), calls)
        )
    return figures


def bare_transaction(stack: Stack, samples: int) -> tuple[float, float]:
    """p50/p95 (ms) of one TransactWriteItems of three puts, straight to moto."""
    local = stack.local
    dynamodb = local_client(local, "dynamodb")
    times = []
    for index in range(samples + WARM_UP):
        key = {"pk": {"S": f"BENCH#{index}"}}
        items = [
            {"Put": {"TableName": local["table"], "Item": {**key, "sk": {"S": sk}}}} for sk in "abc"
        ]
        t0 = time.perf_counter()
        dynamodb.transact_write_items(TransactItems=items)
        if index >= WARM_UP:
            times.append((time.perf_counter() - t0) * 1000)
    return percentiles(times)


@contextmanager
def local_stack() -> Iterator[Stack]:
    with tempfile.TemporaryDirectory() as data_dir:
        stack = start_stack(Path(data_dir), fresh=True)
        try:
            yield stack
        finally:
            stack.stop()


def run(samples: int) -> tuple[list[Figure], tuple[float, float]]:
    with local_stack() as stack:
        return measure(stack, samples), bare_transaction(stack, samples)


def main(report: Callable[[str], None] = print) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=100)
    args = parser.parse_args()
    figures, bare = run(args.samples)
    report(f"latency through the local stack, {args.samples} requests per operation (ms)")
    report(f"{'operation':<40} {'p50':>6} {'p95':>6}  {'aws p50':>7} {'calls':>5}  ratio p50/p95")
    for f in figures:
        report(
            f"{f.operation:<40} {f.total[0]:6.1f} {f.total[1]:6.1f}  {f.aws[0]:7.1f} "
            f"{f.calls:>5}  {f.ratio[0]:.2f} / {f.ratio[1]:.2f}"
        )
    report(f"one bare TransactWriteItems (3 puts): p50 {bare[0]:.1f} ms, p95 {bare[1]:.1f} ms")


if __name__ == "__main__":
    main()
