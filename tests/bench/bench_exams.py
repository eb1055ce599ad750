"""Exams benchmark: DynamoDB requests per start and per submit, and the time to draw a
paper from a bank of 5,000 questions.

    .venv/bin/python -m tests.bench.bench_exams
"""

from __future__ import annotations

import random
import statistics
import time

from tests.bench.common import RequestCounter, demo_city_on_moto, split


def count_requests() -> dict[str, tuple[int, int]]:
    from xuefa.core.auth import Actor
    from xuefa.exams.bank_repository import BankReader
    from xuefa.exams.repository import DynamoAttempts
    from xuefa.exams.service import Exams
    from xuefa.roster.directory import Directory
    from xuefa.years.repository import YearBook

    figures: dict[str, tuple[int, int]] = {}
    with demo_city_on_moto() as (client, store, clock):
        exams = Exams(
            DynamoAttempts(store), YearBook(store), BankReader(store), Directory(store), clock
        )
        learner = Actor("530402000001", frozenset({"learners"}), "530402-001")
        counter = RequestCounter(client)
        with counter.measure() as calls:
            exams.start(learner, 2026)
        figures["start (cold container)"] = split(calls)
        exams.submit(learner, 2026, 1, None)
        with counter.measure() as calls:
            exams.start(learner, 2026)
        figures["start (warm container)"] = split(calls)
        with counter.measure() as calls:
            exams.submit(learner, 2026, 2, {})
        figures["submit"] = split(calls)
        with counter.measure() as calls:
            exams.summary(learner, 2026)
        figures["summary"] = split(calls)
    return figures


def draw_time(bank_size: int = 5000, runs: int = 200) -> tuple[float, float]:
    from xuefa.exams.papers import attempt_rng, make_paper
    from xuefa.exams.questions import Question
    from xuefa.years.rules import PaperRules

    rng = random.Random(5000)
    bank = []
    for i in range(bank_size):
        kind = rng.choice(["single", "multiple", "judge"])
        if kind == "judge":
            options = [{"key": "T", "text": "正确"}, {"key": "F", "text": "错误"}]
            answer = [rng.choice("TF")]
        else:
            options = [{"key": k, "text": f"选项{k}{i}"} for k in "ABCD"]
            answer = ["A", "C"] if kind == "multiple" else [rng.choice("ABCD")]
        bank.append(
            Question(
                question_id=f"q{i:05d}",
                type=kind,
                stem=f"第{i}题：……",
                options=options,
                answer=answer,
                category=rng.choice("甲乙丙丁"),
            )
        )
    rules = PaperRules()
    times = []
    for run in range(runs):
        t0 = time.perf_counter()
        make_paper(bank, rules, attempt_rng("530402000001", 2026, run, "bench"), "bench")
        times.append((time.perf_counter() - t0) * 1000)
    quota = PaperRules(category_quota={"甲": 15, "乙": 15, "丙": 10, "丁": 10})
    quota_times = []
    for run in range(runs):
        t0 = time.perf_counter()
        make_paper(bank, quota, attempt_rng("530402000001", 2026, run, "bench"), "bench")
        quota_times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), statistics.median(quota_times)


def main() -> None:
    print("exams: DynamoDB requests per operation (reads / writes)")
    for operation, (reads, writes) in count_requests().items():
        print(f"  {operation:<24} {reads} read, {writes} write")
    plain, stratified = draw_time()
    print("exams: drawing a 50-question paper from a bank of 5,000 (median)")
    print(f"  random draw        {plain:6.3f} ms")
    print(f"  by category quota  {stratified:6.3f} ms")


if __name__ == "__main__":
    main()
