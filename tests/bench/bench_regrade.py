"""Regrade benchmark (#28.2): a question voided after the window, and every graded
attempt of the demo city's learners regraded by the job's own shards, on moto in this
process; its time and DynamoDB capacity per attempt seen and per attempt raised, and the
same projected to 100,000 graded attempts. Figures printed, never asserted.

    .venv/bin/python -m tests.bench.bench_regrade [learners]

moto is slower than DynamoDB (each request ~1-3 ms here, ~5-10 ms on AWS), so the time
is this machine's; the capacity is what DynamoDB would bill (capacity.py's rules)."""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta
from typing import Any

from tests.bench.capacity import CapacityMeter
from tests.bench.common import demo_city_on_moto
from tests.helpers import stored_paper

AT_SCALE = 100_000


def measure(learners: int = 300) -> dict[str, Any]:
    from infra.local import demo_city
    from tests.helpers import TABLE
    from xuefa.analysis.repository import DynamoAnalysisReads
    from xuefa.core.auth import Actor
    from xuefa.core.clock import SHANGHAI
    from xuefa.corrections.job import CorrectionJob, Sources
    from xuefa.corrections.repository import DynamoCorrections
    from xuefa.corrections.views import CorrectionRequest
    from xuefa.exams.bank_repository import BankReader
    from xuefa.exams.repository import DynamoAttempts
    from xuefa.exams.service import Exams
    from xuefa.reports.run_repository import DynamoReportRuns
    from xuefa.roster.directory import Directory
    from xuefa.years.repository import YearBook

    with demo_city_on_moto() as (client, store, clock):
        years, directory = YearBook(store), Directory(store)
        # The demo year's exam closes with the year on 20 November: close it sooner.
        config = years.get(2026)
        closes = datetime(2026, 11, 21, tzinfo=SHANGHAI)
        window = config.exam_window.model_copy(update={"closes_at": closes})
        years.put(config.model_copy(update={"exam_window": window}))
        exams = Exams(DynamoAttempts(store), YearBook(store), BankReader(store), directory, clock)
        sat = [p for p in demo_city.learners()][:learners]
        for person in sat:
            actor = Actor(person.student_no, frozenset({"learners"}), person.unit_id)
            paper = exams.start(actor, 2026)
            # The first option of each: some right, many wrong, as a hurried learner.
            answers = {q.question_id: [q.options[0].key] for q in paper.questions}
            exams.submit(actor, 2026, paper.attempt_no, answers)
        voided = str(stored_paper(store, sat[0].student_no, 2026, 1)[0]["source_id"])
        clock.set(closes + timedelta(hours=3))
        job = CorrectionJob(
            Sources(
                DynamoCorrections(store),
                DynamoAnalysisReads(store).latest_granted_close,
                years,
                directory,
            ),
            DynamoReportRuns(store),
            clock,
            demo_city.CITY[0],
        )
        city = Actor("city_admin", frozenset({"admins"}), demo_city.CITY[0])
        meter = CapacityMeter(client, TABLE)
        request = CorrectionRequest(question_id=voided, action="void", reason="基准测试：作废")
        began = time.perf_counter()
        with meter.measure() as bill:
            job.correct(city, 2026, request)
        seconds = time.perf_counter() - began
        run = job.state(city, 2026).run
        assert run is not None and run.status == "complete"
        seen, raised = run.attempts_seen, run.attempts_regraded
        return {
            "attempts": seen,
            "raised": raised,
            "seconds": seconds,
            "requests": bill.requests,
            "rcu": bill.read_units,
            "wcu": bill.write_units,
            "per_attempt_ms": 1000 * seconds / max(1, seen),
            "rcu_per_attempt": bill.read_units / max(1, seen),
            "wcu_per_raised": bill.write_units / max(1, raised),
        }


def main() -> None:
    learners = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    figures = measure(learners)
    share = figures["raised"] / max(1, figures["attempts"])
    print(
        f"regrade (void): {figures['attempts']} graded attempts, {figures['raised']} raised, "
        f"{figures['seconds']:.1f} s ({figures['per_attempt_ms']:.1f} ms an attempt), "
        f"{figures['requests']} requests, {figures['rcu']:.0f} RCU, {figures['wcu']:.0f} WCU"
    )
    print(
        f"at {AT_SCALE:,} attempts ({share:.0%} raised): "
        f"{AT_SCALE * figures['rcu_per_attempt']:,.0f} RCU, "
        f"{AT_SCALE * share * figures['wcu_per_raised']:,.0f} WCU; one shard in sequence "
        f"{AT_SCALE * figures['per_attempt_ms'] / 1000 / 60:.0f} min on this machine"
    )


if __name__ == "__main__":
    main()
