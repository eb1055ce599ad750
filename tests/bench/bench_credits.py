"""Credits benchmark: DynamoDB requests per operation, and completion latency through the
local stack against a bare moto TransactWriteItems in the same run.

    .venv/bin/python -m tests.bench.bench_credits [--completions 200]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from infra.local.signin import local_client
from tests.bench.common import RequestCounter, demo_city_on_moto, percentiles, split


def count_requests() -> dict[str, tuple[int, int]]:
    """Requests per operation, with the domain code on moto in this process."""
    from xuefa.auth import Actor
    from xuefa.credits import Credits
    from xuefa.directory import Directory
    from xuefa.years import YearBook

    figures: dict[str, tuple[int, int]] = {}
    with demo_city_on_moto() as (client, store, clock):
        credits = Credits(
            store, YearBook(store), Directory(store), clock, "bench-secret-0123456789"
        )
        learner = Actor("530402000001", frozenset({"learners"}), "530402-001")
        counter = RequestCounter(client)
        credits.balance(learner.username, 2026)  # warm the year-config cache, as a warm container
        with counter.measure() as calls:
            session_id = credits.start(learner, "c-xf-01")["session_id"]
        figures["start session"] = split(calls)
        clock.advance(minutes=21)
        with counter.measure() as calls:
            credits.complete(learner, session_id)
        figures["complete session"] = split(calls)
        with counter.measure() as calls:
            credits.balance(learner.username, 2026)
        figures["balance"] = split(calls)
        with counter.measure() as calls:
            credits.ledger(learner.username, 2026, 20, None)
        figures["ledger page"] = split(calls)
    return figures


def latency(
    completions: int,
) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
    """(through the stack, bare TransactWriteItems, the same completion called directly on
    moto) as (p50, p95) in ms."""
    from tests.e2e.conftest import start_stack

    with tempfile.TemporaryDirectory() as data_dir:
        stack = start_stack(Path(data_dir), fresh=True)
        try:
            local = stack.local
            learners = [u["username"] for u in local["users"] if "learners" in u["groups"]]
            via_stack: list[float] = []
            http = requests.Session()  # a client keeps its connection, as boto3 does
            per_learner = 20  # sign-in pays 5; the daily cap of 125 allows 25 a day
            for index in range(completions):
                if index % per_learner == 0:
                    token = stack.sign_in(learners[index // per_learner])
                    headers = {"Authorization": token, "Content-Type": "application/json"}
                started = http.post(
                    stack.url + "/credits/sessions", json={"resource_id": "signin"}, headers=headers
                ).json()
                t0 = time.perf_counter()
                response = http.post(
                    f"{stack.url}/credits/sessions/{started['session_id']}/complete",
                    json={},
                    headers=headers,
                )
                via_stack.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, response.text
            direct = _direct_completions(local, learners[-(completions // per_learner + 1) :])
            bare: list[float] = []
            client = local_client(local, "dynamodb")
            for index in range(completions):
                key = {"pk": {"S": f"BENCH#{index}"}}
                t0 = time.perf_counter()
                client.transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": local["table"],
                                "Item": {**key, "sk": {"S": "a"}},
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                        {
                            "Update": {
                                "TableName": local["table"],
                                "Key": {**key, "sk": {"S": "b"}},
                                "UpdateExpression": "ADD credits :n",
                                "ExpressionAttributeValues": {":n": {"N": "5"}},
                            }
                        },
                        {"Put": {"TableName": local["table"], "Item": {**key, "sk": {"S": "c"}}}},
                    ]
                )
                bare.append((time.perf_counter() - t0) * 1000)
        finally:
            stack.stop()
    return percentiles(via_stack), percentiles(bare), percentiles(direct)


def _direct_completions(local: dict[str, Any], learners: list[str]) -> list[float]:
    """The domain's completion against the same moto, without HTTP, tokens or Chalice:
    what the serving layers add is the difference."""
    from xuefa.auth import Actor
    from xuefa.clock import SystemClock
    from xuefa.credits import Credits
    from xuefa.directory import Directory
    from xuefa.store import Store
    from xuefa.years import YearBook

    client = local_client(local, "dynamodb")
    store = Store(local["table"], client_factory=lambda: client)
    credits = Credits(
        store, YearBook(store), Directory(store), SystemClock(), "bench-secret-0123456789"
    )
    samples = []
    for student_no in learners:
        actor = Actor(student_no, frozenset({"learners"}), "")
        for _ in range(20):
            session_id = credits.start(actor, "signin")["session_id"]
            t0 = time.perf_counter()
            credits.complete(actor, session_id)
            samples.append((time.perf_counter() - t0) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--completions", type=int, default=200)
    args = parser.parse_args()
    print("credits: DynamoDB requests per operation (reads / writes)")
    for operation, (reads, writes) in count_requests().items():
        print(f"  {operation:<18} {reads} read, {writes} write")
    (stack_p50, stack_p95), (bare_p50, bare_p95), (direct_p50, direct_p95) = latency(
        args.completions
    )
    print(f"credits: completion latency over {args.completions} completions")
    print(f"  local stack  p50 {stack_p50:6.2f} ms  p95 {stack_p95:6.2f} ms")
    print(f"  bare moto    p50 {bare_p50:6.2f} ms  p95 {bare_p95:6.2f} ms  (TransactWriteItems)")
    print(f"  ratio        p50 {stack_p50 / bare_p50:6.2f}     p95 {stack_p95 / bare_p95:6.2f}")
    print(
        f"  direct       p50 {direct_p50:6.2f} ms  p95 {direct_p95:6.2f} ms"
        "  (the same completion, no HTTP)"
    )
    print(f"  stack/direct p50 {stack_p50 / direct_p50:6.2f}     p95 {stack_p95 / direct_p95:6.2f}")


if __name__ == "__main__":
    main()
