"""The exam evening, simulated on loopback: N learners (default 200) each start an attempt,
save 50 answers at a compressed human pace and submit, while others study in the
background. It stops by itself and prints throughput, p50/p95/p99 per operation, the
errors (there must be none), and what the same load would consume on DynamoDB each second
at 100k learners an hour (from the per-operation bills of `bench_capacity`).

    .venv/bin/python -m tests.bench.bench_evening [--learners 200] [--workers 24]
"""

from __future__ import annotations

import argparse
import random
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

from tests.bench.bench_latency import local_stack
from tests.e2e.conftest import Stack

SAVES = 50
PACE_SECONDS = (0.0, 0.02)  # between two answers: a learner's minute, compressed
AN_HOUR = 100_000  # learners sitting the exam in the busiest hour, for the capacity figure


@dataclass
class Evening:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, operation: str, send: Callable[[], requests.Response]) -> Any:
        t0 = time.perf_counter()
        response = send()
        elapsed = (time.perf_counter() - t0) * 1000
        with self.lock:
            self.times[operation].append(elapsed)
            if response.status_code >= 300:
                self.errors.append(f"{operation}: {response.status_code} {response.text[:200]}")
                return None
        return response.json()


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def sit(stack: Stack, evening: Evening, year: int, token: str, rng: random.Random) -> None:
    http = requests.Session()
    headers = {"Authorization": token, "Content-Type": "application/json"}
    base = f"{stack.url}/exams/{year}/attempts"
    attempt = evening.timed("exams: start", lambda: http.post(base, json={}, headers=headers))
    if attempt is None:
        return
    number = attempt["attempt_no"]
    for question in attempt["questions"][:SAVES]:
        time.sleep(rng.uniform(*PACE_SECONDS))
        answer = {question["question_id"]: [rng.choice(question["options"])["key"]]}
        evening.timed(
            "exams: save one answer",
            lambda a=answer: http.put(  # type: ignore[misc]
                f"{base}/{number}/answers", json={"answers": a}, headers=headers
            ),
        )
    evening.timed(
        "exams: submit", lambda: http.post(f"{base}/{number}/submit", json={}, headers=headers)
    )


def study(stack: Stack, evening: Evening, token: str, resource_id: str) -> None:
    http = requests.Session()
    headers = {"Authorization": token, "Content-Type": "application/json"}
    started = evening.timed(
        "credits: start session",
        lambda: http.post(
            f"{stack.url}/credits/sessions", json={"resource_id": resource_id}, headers=headers
        ),
    )
    if started is not None:
        evening.timed(
            "credits: complete session",
            lambda: http.post(
                f"{stack.url}/credits/sessions/{started['session_id']}/complete",
                json={},
                headers=headers,
            ),
        )


def run(learners: int = 200, workers: int = 24) -> dict[str, Any]:
    from xuefa.core.clock import study_year_of

    with local_stack() as stack:
        year = study_year_of(stack.today())  # the stack's clock, not the machine's
        people = [u["username"] for u in stack.local["users"] if "learners" in u["groups"]]
        sitters = people[:learners]
        readers = people[learners:] or people
        tokens = {who: stack.sign_in(who) for who in {*sitters, *readers}}
        admin = stack.sign_in("city_admin")
        quick = requests.post(
            f"{stack.url}/credits/catalogue",
            json={
                "year": year,
                "title": "考前速览",
                "activity": "reading",
                "credits": 5,
                "min_seconds": 0,
            },
            headers={"Authorization": admin, "Content-Type": "application/json"},
            timeout=30,
        ).json()["resource_id"]
        evening = Evening()
        rng = random.Random(2017)
        t0 = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            jobs = [
                pool.submit(sit, stack, evening, year, tokens[who], random.Random(rng.random()))
                for who in sitters
            ]
            # In the background, one study session for every four learners sitting.
            jobs += [
                pool.submit(study, stack, evening, tokens[readers[i % len(readers)]], quick)
                for i in range(len(sitters) // 4)
            ]
            for job in jobs:
                job.result()
        seconds = time.perf_counter() - t0
    requests_made = sum(len(t) for t in evening.times.values())
    return {
        "learners": len(sitters),
        "seconds": seconds,
        "requests": requests_made,
        "throughput": requests_made / seconds,
        "errors": evening.errors,
        "operations": {
            name: (
                len(t),
                statistics.median(t),
                percentile(t, 0.95),
                percentile(t, 0.99),
            )
            for name, t in sorted(evening.times.items())
        },
    }


def capacity_at_peak(bills: dict[str, Any]) -> dict[str, float]:
    """Read and write units a second when AN_HOUR learners each start, save 50 answers
    and submit within the hour, with one study session for every four of them."""
    per_second = AN_HOUR / 3600
    mix = {
        "exams: start attempt (warm)": per_second,
        "exams: save one answer": per_second * SAVES,
        "exams: submit": per_second,
        "credits: start session": per_second / 4,
        "credits: complete session": per_second / 4,
    }
    reads = sum(bills[name].read_units * rate for name, rate in mix.items())
    writes = sum(bills[name].write_units * rate for name, rate in mix.items())
    return {"read_units_s": reads, "write_units_s": writes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--workers", type=int, default=24)
    args = parser.parse_args()
    report(run(args.learners, args.workers))


def report(figures: dict[str, Any]) -> None:
    from tests.bench import bench_capacity

    print(
        f"exam evening: {figures['learners']} learners, {figures['requests']} requests in "
        f"{figures['seconds']:.1f} s ({figures['throughput']:.0f} requests/s), "
        f"{len(figures['errors'])} errors"
    )
    for error in figures["errors"][:10]:
        print("  error:", error)
    for name, (count, p50, p95, p99) in figures["operations"].items():
        print(f"  {name:28} {count:6}  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms")
    peak = capacity_at_peak(bench_capacity.measure())
    print(
        f"  at {AN_HOUR:,} learners an hour: {peak['read_units_s']:,.0f} read units/s, "
        f"{peak['write_units_s']:,.0f} write units/s"
    )


if __name__ == "__main__":
    main()
