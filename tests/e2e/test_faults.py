"""The exam evening with faults, short (#29; `make bench` runs it longer): a few learners
sign in, sit the exam and study on the shared local stack while DynamoDB throttles,
fails inside and cancels transactions, and KMS throttles sign-ins. No client ever sees a
500; what they see is a 429 or 503 with `Retry-After`, which they try again after; and
every invariant holds in the data afterwards."""

from __future__ import annotations

import time

from tests.bench.bench_faults import Client, Plan, check, evening, faults
from tests.e2e.conftest import Stack


def test_an_exam_evening_with_faults_breaks_nothing(stack: Stack) -> None:
    t0 = time.perf_counter()
    plan = Plan(learners=4, sittings=1, saves=4, workers=4, rate=0.15, escape=0.3, last=True)
    client = Client(stack)
    try:
        evening(stack, client, plan)
    finally:
        injected = faults(stack, rate=0.0, rates={})["injected"]
    assert sum(n for where in injected.values() for n in where.values()) > 0, injected
    assert not [label for label in client.seen if label.startswith("5") and "503" not in label]
    retryable = [label for label in client.seen if label.split()[0] in ("429", "503")]
    assert all(label.endswith("+Retry-After") for label in retryable), client.seen
    assert client.gave_up == []
    assert len(client.submitted) == plan.learners
    quiet_night = {"day": "", "during": {"duplicate": True}, "duplicate": {"duplicate": True}}
    checks = check(stack, client, plan, {**quiet_night, "dead_letters": 0})
    broken = {c.name: c.problems[:3] for c in checks if not c.held}
    assert broken == {}
    assert time.perf_counter() - t0 < 60  # short: the long run is make bench's
