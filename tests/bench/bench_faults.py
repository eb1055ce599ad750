"""An exam evening with faults (#29): the evening's load on the local stack (learners
signing in, starting, saving and submitting, others studying alongside) while the stack's
injector (infra/local/faults.py) makes DynamoDB throttle, fail inside and cancel
transactions on conflicts, and KMS throttle sign-ins, at the rate printed. Then the night:
the report run with S3 answering 503 SlowDown and timing out on report writes, one shard
killed in the middle of its unit (the event delivered again, as Lambda retries it), and
the finished night's event delivered once more (EventBridge's duplicate).

The clients behave as the learners' app does: a 429 or 503 is tried again after its
`Retry-After`, with the same answers. Afterwards every invariant is checked from the
data (the table and the bucket on the stack's moto), and one table printed: faults
injected by kind, what clients saw by code, the invariants checked and held.

    .venv/bin/python -m tests.bench.bench_faults [--learners 60] [--rate 0.05]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

from tests.e2e.conftest import Stack, start_stack

RETRYABLE = (429, 503)
MAX_TRIES = 12  # a client's tries of one request, each after the Retry-After it was given


@dataclass
class Client:
    """What every simulated learner shares: what they saw, and what they were told."""

    stack: Stack
    seen: Counter[str] = field(default_factory=Counter)  # "503 UNAVAILABLE" → times
    gave_up: list[str] = field(default_factory=list)
    submitted: dict[tuple[str, int], Decimal] = field(default_factory=dict)  # the score told
    awarded: dict[str, int] = field(default_factory=dict)  # session id → credits told
    lock: threading.Lock = field(default_factory=threading.Lock)
    sent: int = 0  # requests sent, tries included

    def send(self, http: requests.Session, method: str, path: str, **kwargs: Any) -> Any:
        """One request, tried again on 429/503 after `Retry-After` (as the app does); the
        final answer. Every error answer on the way is counted by status and code."""
        for _ in range(MAX_TRIES):
            answer = http.request(method, self.stack.url + path, timeout=60, **kwargs)
            with self.lock:
                self.sent += 1
                if answer.status_code >= 400:
                    self.seen[_label(answer)] += 1
            if answer.status_code not in RETRYABLE:
                return answer
            time.sleep(min(float(answer.headers.get("Retry-After", "1")), 5.0))
        with self.lock:
            self.gave_up.append(f"{method} {path}")
        return answer


def _label(answer: requests.Response) -> str:
    try:
        code = answer.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = "?"
    retry = " +Retry-After" if "Retry-After" in answer.headers else ""
    return f"{answer.status_code} {code}{retry}"


def sign_in(client: Client, username: str, password: str) -> str:
    http = requests.Session()
    answer = client.send(
        http, "POST", "/identity/sign-in", json={"username": username, "password": password}
    )
    answer.raise_for_status()
    return str(answer.json()["id_token"])


def sit(client: Client, year: int, who: str, token: str, saves: int, rng: random.Random) -> None:
    """Start (or take up the open attempt), save answers one by one, submit."""
    http = requests.Session()
    http.headers.update({"Authorization": token, "Content-Type": "application/json"})
    base = f"/exams/{year}/attempts"
    started = client.send(http, "POST", base, json={})
    if started.status_code == 409 and started.json()["error"]["code"] == "ATTEMPT_OPEN":
        # A start that landed though its answer was lost: go on with that attempt.
        number = int(started.json()["error"]["details"]["open_attempt_no"])
        attempt = client.send(http, "GET", f"{base}/{number}").json()
    elif started.status_code == 201:
        attempt = started.json()
        number = int(attempt["attempt_no"])
    else:
        return  # the limit, or the window: nothing to sit
    answers: dict[str, list[str]] = {}
    for question in attempt["questions"][:saves]:
        answer = {question["question_id"]: [rng.choice(question["options"])["key"]]}
        answers.update(answer)
        client.send(http, "PUT", f"{base}/{number}/answers", json={"answers": answer})
    # The submit carries every answer, so a retried submit is the same request.
    done = client.send(http, "POST", f"{base}/{number}/submit", json={"answers": answers})
    if done.status_code == 200:
        with client.lock:
            client.submitted[(who, number)] = Decimal(str(done.json()["score"]))


def study(client: Client, token: str, resource_id: str) -> None:
    http = requests.Session()
    http.headers.update({"Authorization": token, "Content-Type": "application/json"})
    started = client.send(http, "POST", "/credits/sessions", json={"resource_id": resource_id})
    if started.status_code == 409 and "open_session_id" in (
        started.json()["error"].get("details") or {}
    ):
        session_id = started.json()["error"]["details"]["open_session_id"]
    elif started.status_code == 201:
        session_id = started.json()["session_id"]
    else:
        return
    done = client.send(http, "POST", f"/credits/sessions/{session_id}/complete", json={})
    if done.status_code == 200:
        with client.lock:
            client.awarded[session_id] = int(done.json()["awarded"])


def faults(stack: Stack, **settings: Any) -> dict[str, Any]:
    answer = requests.post(stack.url + "/_local/faults", json=settings, timeout=10)
    answer.raise_for_status()
    return dict(answer.json())


# --- the evening ------------------------------------------------------------------------


def evening(stack: Stack, client: Client, plan: Plan) -> None:
    from xuefa.core.clock import study_year_of

    year = study_year_of(stack.today())
    everyone = [u for u in stack.local["users"] if "learners" in u["groups"]]
    # From the end of the list on a shared stack: the learners other tests sign in as
    # are the first ones.
    people = everyone[-plan.learners :] if plan.last else everyone[: plan.learners]
    admin = sign_in(client, "city_admin", stack.local["users"][0]["password"])
    quick = requests.post(
        f"{stack.url}/credits/catalogue",
        json={"year": year, "title": "考前速览", "activity": "reading", "credits": 5,
              "min_seconds": 0},
        headers={"Authorization": admin},
        timeout=30,
    ).json()["resource_id"]  # fmt: skip
    plan.only = [u["username"] for u in people]  # a scan of the whole city is minutes
    faults(stack, rate=plan.rate, escape=plan.escape, seed=plan.seed)
    rng = random.Random(plan.seed)
    with ThreadPoolExecutor(plan.workers) as pool:
        tokens = dict(
            zip(
                [u["username"] for u in people],
                pool.map(lambda u: sign_in(client, u["username"], u["password"]), people),
                strict=True,
            )
        )
        jobs = []
        for round_no in range(plan.sittings):
            for who, token in tokens.items():
                seed = rng.random()
                jobs.append(
                    pool.submit(sit, client, year, who, token, plan.saves, random.Random(seed))
                )
                if round_no == 0 and len(jobs) % 4 == 0:  # one study session in four
                    jobs.append(pool.submit(study, client, token, quick))
            for job in jobs:
                job.result()
            jobs = []
    plan.year = year


# --- the night --------------------------------------------------------------------------


@contextmanager
def night_process(stack: Stack, at: datetime) -> Iterator[Any]:
    """This process as the reports function on the stack's moto, its clock at `at`, with
    an injector of its own (S3's faults are on the report writes made here)."""
    from infra.local.__main__ import configure_environment
    from infra.local.apps import load_module
    from infra.local.faults import FaultInjector
    from xuefa import bootstrap
    from xuefa.core.clock import FixedClock, use_clock

    configure_environment(stack.data_dir, stack.local["moto_endpoint"])
    use_clock(FixedClock(at))
    bootstrap.reset()
    injector = FaultInjector().install()
    try:
        yield load_module("reports"), injector
    finally:
        injector.uninstall()
        bootstrap.reset()


def night(stack: Stack, plan: Plan) -> dict[str, Any]:
    """The nightly event, then its shards off a queue as SQS hands them to the reports
    function: a shard whose invocation dies is delivered again (at most 5 times, then
    the dead-letter queue); the event is delivered a second time while the shards run
    and a third time once the set is done."""
    from chalice.local import LambdaContext

    from infra.local.faults import KINDS, ShardKilled
    from infra.local.schedule import scheduled_event
    from xuefa import bootstrap
    from xuefa.core.clock import SHANGHAI

    today = stack.today()
    due = datetime.combine(today + timedelta(days=1), datetime.min.time(), SHANGHAI)
    event = scheduled_event(due.replace(hour=1))
    outcome: dict[str, Any] = {"day": today.isoformat(), "deliveries": [], "injected": {}}
    with night_process(stack, due.replace(hour=1, minute=1)) as (reports, injector):
        queue: list[tuple[dict[str, Any], int]] = []
        bootstrap.services().report_job.dispatch = lambda messages: queue.extend(
            (message, 0) for message in messages
        )
        # The night's faults are S3's on the report writes (and the killed shard).
        quiet = {kind.name: 0.0 for kind in KINDS if kind.service != "s3"}
        injector.configure(rate=plan.rate, escape=plan.escape, seed=plan.seed, rates=quiet)
        injector.kill_shard(after_files=3)  # the first shard dies after its third file
        context = LambdaContext(function_name="xuefa-nightly-report", memory_size=1024)

        def deliver(label: str) -> dict[str, Any]:
            try:
                answer = dict(reports.nightly(event, context))
            except Exception as exc:  # Lambda would retry it: the next delivery says
                answer = {"status": f"died ({type(exc).__name__})"}
            outcome["deliveries"].append(f"{label}: {answer.get('status')}")
            return answer

        deliver("event")
        outcome["during"] = deliver("event again, shards not yet run")
        dead: list[dict[str, Any]] = []
        while queue:
            message, received = queue.pop(0)
            try:
                bootstrap.services().report_job.run_shard(**message)
            except (Exception, ShardKilled) as exc:
                outcome["deliveries"].append(f"shard {message['shard_id']}: {type(exc).__name__}")
                if received + 1 < 5:
                    queue.append((message, received + 1))  # SQS hands it out again
                else:
                    dead.append(message)
        outcome["dead_letters"] = len(dead)
        outcome["duplicate"] = deliver("event once more, set done")
        outcome["injected"] = injector.counts()
    return outcome


# --- the invariants ---------------------------------------------------------------------


def learner_items(stack: Stack, plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """Every item of each learner's partition, straight from the stack's table."""
    from boto3.dynamodb.types import TypeDeserializer

    from infra.local.signin import local_client

    table = local_client(stack.local, "dynamodb")
    de = TypeDeserializer()
    pages = (
        page
        for who in plan.only or []
        for page in table.get_paginator("query").paginate(
            TableName=stack.local["table"],
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"LEARNER#{who}"}},
        )
    )
    by_learner: dict[str, list[dict[str, Any]]] = {}
    for page in pages:
        for raw in page["Items"]:
            item = {k: de.deserialize(v) for k, v in raw.items()}
            if str(item["pk"]).startswith("LEARNER#"):
                by_learner.setdefault(str(item["pk"])[8:], []).append(item)
    return by_learner


@dataclass
class Invariants:
    graded: Check = field(
        default_factory=lambda: Check(
            "each submitted attempt graded once, with the score its learner was told"
        )
    )
    limit: Check = field(default_factory=lambda: Check("no learner has more than 8 attempts"))
    credits: Check = field(
        default_factory=lambda: Check(
            "no credit counted twice or lost (ledger = balance; one entry a session)"
        )
    )
    best: Check = field(
        default_factory=lambda: Check("the best score is never lower than any attempt's score")
    )
    reports: Check = field(
        default_factory=lambda: Check(
            "every report set is whole (manifest last, every file as it says) or absent"
        )
    )
    duplicate: Check = field(
        default_factory=lambda: Check(
            "the night's event delivered again (running, done) builds no second set"
        )
    )

    def all(self) -> list[Check]:
        return [self.graded, self.limit, self.credits, self.best, self.reports, self.duplicate]


def check_learner(
    invariants: Invariants, client: Client, year: int, student_no: str, items: list[Any]
) -> None:
    from xuefa.years.result_repository import year_result_of

    sk = {str(i["sk"]): i for i in items}
    result = year_result_of(sk.get(f"YEAR#{year}"), student_no, year)
    sheets = [i for k, i in sk.items() if k.startswith(f"SHEET#{year}#")]
    closed = [s for s in sheets if s.get("state") != "open"]
    graded, limit, best, credits = (
        invariants.graded,
        invariants.limit,
        invariants.best,
        invariants.credits,
    )
    graded.count()
    finished = sum(result.finished_on.values())
    if finished != len(closed):
        graded.broken(f"{student_no}: {len(closed)} closed, {finished} counted as graded")
    for sheet in closed:
        number = int(str(sheet["sk"]).rsplit("#", 1)[1])
        told = client.submitted.get((student_no, number))
        if told is not None and Decimal(str(sheet.get("score"))) != told:
            graded.broken(f"{student_no} #{number}: told {told}, stored {sheet.get('score')}")
    limit.count()
    if len(sheets) > 8 or result.attempts_taken > 8 + result.extra_granted:
        limit.broken(f"{student_no}: {len(sheets)} attempts")
    best.count()
    scores = [Decimal(str(s["score"])) for s in closed if s.get("score") is not None]
    if scores and (result.best is None or result.best < max(scores)):
        best.broken(f"{student_no}: best {result.best} < {max(scores)}")
    credits.count()
    ledger = sum(int(i.get("credits", 0)) for k, i in sk.items() if k.startswith(f"CREDIT#{year}#"))
    if ledger != result.credits:
        credits.broken(f"{student_no}: ledger {ledger}, balance {result.credits}")


def check(stack: Stack, client: Client, plan: Plan, night_outcome: dict[str, Any]) -> list[Check]:
    invariants = Invariants()
    by_learner = learner_items(stack, plan)
    for student_no, items in by_learner.items():
        check_learner(invariants, client, plan.year, student_no, items)
    ledger_ids = Counter(
        str(i.get("session_id") or i.get("entry_id"))
        for items in by_learner.values()
        for i in items
        if str(i["sk"]).startswith(f"CREDIT#{plan.year}#")
    )
    for session_id, awarded in client.awarded.items():
        if awarded and ledger_ids[session_id] != 1:
            entries = ledger_ids[session_id]
            invariants.credits.broken(f"session {session_id}: told {awarded}, {entries} entries")
    if night_outcome["day"]:
        check_reports(stack, invariants.reports, night_outcome["day"])
    for again in (night_outcome["during"], night_outcome["duplicate"]):
        invariants.duplicate.count()
        if not again.get("duplicate"):
            invariants.duplicate.broken(f"a later delivery ran again: {again}")
    if night_outcome["dead_letters"]:
        invariants.reports.broken(f"{night_outcome['dead_letters']} shards went to dead letters")
    return invariants.all()


def check_reports(stack: Stack, check: Check, day: str) -> None:
    import hashlib

    from infra.local.signin import local_client

    s3 = local_client(stack.local, "s3")
    bucket = stack.local["bucket"]
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="reports/daily/").get("Contents", [])
    manifests = [o for o in listed if o["Key"].endswith("manifest.json")]
    modified = {o["Key"]: o["LastModified"] for o in listed}
    for entry in manifests:
        check.count()
        manifest = json.loads(s3.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read())
        if not manifest.get("whole", True):
            check.broken(f"{entry['Key']} is not whole: {manifest.get('failed_units')}")
        for file in manifest.get("files", []):
            if file["key"] not in modified:
                check.broken(f"{entry['Key']} names {file['key']}, which is missing")
                continue
            body = s3.get_object(Bucket=bucket, Key=file["key"])["Body"].read()
            if hashlib.sha256(body).hexdigest() != file["sha256"]:
                check.broken(f"{file['key']}: not the file {entry['Key']} describes")
            if modified[file["key"]] > entry["LastModified"]:
                check.broken(f"{file['key']} written after its manifest")
    if not any(m["Key"].startswith(f"reports/daily/{day}/") for m in manifests):
        check.note = f"the set of {day} is absent"


@dataclass
class Check:
    name: str
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    note: str = ""

    def count(self) -> None:
        self.checked += 1

    def broken(self, why: str) -> None:
        self.problems.append(why)

    @property
    def held(self) -> bool:
        return not self.problems


@dataclass
class Plan:
    learners: int = 60
    sittings: int = 2
    saves: int = 10
    workers: int = 16
    rate: float = 0.05
    escape: float = 0.25
    seed: int = 29
    last: bool = False  # the last learners of the demo city, not the first
    year: int = 0
    only: list[str] | None = None  # who sat: the learners the checks look at


def run(plan: Plan) -> dict[str, Any]:
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as data_dir:
        stack = start_stack(Path(data_dir), fresh=True, faults="{}")
        try:
            client = Client(stack)
            phases = {"start": time.perf_counter() - t0}
            evening(stack, client, plan)
            phases["evening"] = time.perf_counter() - t0 - sum(phases.values())
            injected = faults(stack, rate=0.0, rates={})["injected"]
            night_outcome = night(stack, plan)
            phases["night"] = time.perf_counter() - t0 - sum(phases.values())
            checks = check(stack, client, plan, night_outcome)
        finally:
            stack.stop()
    served = [line for line in stack.output if "Traceback" in line]
    return {
        "plan": plan,
        "seconds": time.perf_counter() - t0,
        "phases": phases,
        "requests": client.sent,
        "injected": injected,
        "night": night_outcome,
        "seen": dict(client.seen),
        "gave_up": client.gave_up,
        "submitted": len(client.submitted),
        "sessions": len(client.awarded),
        "checks": checks,
        "tracebacks": len(served),
    }


def table(figures: dict[str, Any]) -> list[str]:
    plan: Plan = figures["plan"]
    lines = [
        f"exam evening with faults: {plan.learners} learners × {plan.sittings} sittings of "
        f"{plan.saves} saves, study alongside; fault rate {plan.rate:.0%} of matching calls "
        f"(of those {plan.escape:.0%} past every botocore retry), seed {plan.seed}",
        f"{figures['requests']} requests; {figures['seconds']:.0f} s in all ("
        + ", ".join(f"{name} {s:.0f} s" for name, s in figures["phases"].items())
        + "); "
        f"{figures['submitted']} attempts submitted, {figures['sessions']} study sessions "
        f"completed; the night's deliveries: {', '.join(figures['night']['deliveries'])}",
        "",
        "| fault injected | on an attempt (botocore retried) | on a call (past the retries) |",
        "|---|---:|---:|",
    ]
    merged: dict[str, dict[str, int]] = {}
    for source in (figures["injected"], figures["night"]["injected"]):
        for kind, where in source.items():
            total = merged.setdefault(kind, {"attempt": 0, "call": 0})
            for key, n in where.items():
                total[key] += n
    for kind, where in sorted(merged.items()):
        lines.append(f"| {kind} | {where['attempt']} | {where['call']} |")
    lines += ["", "| client-visible answer | times |", "|---|---:|"]
    for label, n in sorted(figures["seen"].items()):
        lines.append(f"| {label} | {n} |")
    fivehundreds = sum(n for label, n in figures["seen"].items() if label.startswith("500"))
    lines.append(f"| 500 (any) | {fivehundreds} |")
    lines.append(f"| requests given up after {MAX_TRIES} tries | {len(figures['gave_up'])} |")
    lines += ["", "| invariant | checked | held |", "|---|---:|---|"]
    for c in figures["checks"]:
        held = "yes" if c.held else f"NO: {'; '.join(c.problems[:3])}"
        note = f" ({c.note})" if c.note else ""
        lines.append(f"| {c.name}{note} | {c.checked} | {held} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=60)
    parser.add_argument("--sittings", type=int, default=2)
    parser.add_argument("--saves", type=int, default=10)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--rate", type=float, default=0.05)
    parser.add_argument("--escape", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=29)
    args = parser.parse_args()
    figures = run(Plan(**vars(args)))
    print("\n".join(table(figures)))


if __name__ == "__main__":
    main()
