"""DynamoDB capacity per operation, billed from the items read and written (see
capacity.py), and what a province's year would cost on demand.

.venv/bin/python -m tests.bench.bench_capacity
"""

from __future__ import annotations

from typing import Any

from tests.bench.capacity import Bill, CapacityMeter
from tests.bench.common import demo_city_on_moto
from tests.bench.prices_cn_northwest_1 import PRICES, YEAR, Year


def measure() -> dict[str, Bill]:
    from xuefa.core.auth import Actor
    from xuefa.credits.repository import DynamoCredits
    from xuefa.credits.service import Credits
    from xuefa.exams.bank_repository import BankReader
    from xuefa.exams.repository import DynamoAttempts
    from xuefa.exams.service import Exams
    from xuefa.practice.credit_repository import DynamoPracticeCredits
    from xuefa.practice.paying import SetPay
    from xuefa.practice.repository import DynamoPractice
    from xuefa.practice.service import Practice
    from xuefa.practice.views import SetQuery
    from xuefa.reports.progress import Progress
    from xuefa.roster.directory import Directory
    from xuefa.years.repository import YearBook

    bills: dict[str, Bill] = {}
    with demo_city_on_moto() as (client, store, clock):
        from tests.helpers import TABLE

        years, directory = YearBook(store), Directory(store)
        credits = Credits(DynamoCredits(store), years, directory, clock, "bench-secret-0123456789")
        exams = Exams(DynamoAttempts(store), years, BankReader(store), directory, clock)
        progress = Progress(store, years, directory, clock, "bench-secret-0123456789")
        learner = Actor("530402000001", frozenset({"learners"}), "530402-001")
        admin = Actor("unit_530402-001", frozenset({"admins"}), "530402-001")
        meter = CapacityMeter(client, TABLE)
        credits.balance(learner, 2026)  # a warm container: config cached
        exams.summary(learner, 2026)
        with meter.measure() as bills["credits: start session"]:
            session_id = credits.start(learner, "c-xf-01").session_id
        clock.advance(minutes=21)
        with meter.measure() as bills["credits: complete session"]:
            credits.complete(learner, session_id)
        with meter.measure() as bills["credits: balance"]:
            credits.balance(learner, 2026)
        with meter.measure() as bills["credits: ledger page"]:
            credits.ledger(learner, 2026, 20, None)
        exams.start(learner, 2026)  # the first start loads the bank into the container
        exams.submit(learner, 2026, 1, None)
        with meter.measure() as bills["exams: start attempt (warm)"]:
            started = exams.start(learner, 2026)
        first = started.questions[0]
        answer = {first.question_id: [first.options[0].key]}
        with meter.measure() as bills["exams: save one answer"]:
            exams.save_answers(learner, 2026, 2, answer)
        with meter.measure() as bills["exams: submit"]:
            exams.submit(learner, 2026, 2, None)
        with meter.measure() as bills["exams: summary"]:
            exams.summary(learner, 2026)
        with meter.measure() as bills["reports: progress page (a unit of 10)"]:
            progress.page(admin, "530402-001", 2026, "behind", 50, None)
        pay = SetPay(DynamoPracticeCredits(store), years)
        practice = Practice(DynamoPractice(store), pay, years, clock)
        practice.give(learner, SetQuery(kind="topic", topic="legal_system"))  # a warm pool
        with meter.measure() as bills["practice: 每日一练 (a new set)"]:
            given = practice.give(learner, SetQuery(kind="daily"))
        for question in given.questions[:-2]:
            practice.answer(learner, given.set_id, _wrong(question))
        with meter.measure() as bills["practice: answer one question"]:
            practice.answer(learner, given.set_id, _wrong(given.questions[-2]))
        with meter.measure() as bills["practice: the answer that completes a set"]:
            practice.answer(learner, given.set_id, _wrong(given.questions[-1]))
        with meter.measure() as bills["practice: the notebook (due list)"]:
            practice.notebook(learner, 2026)
    return bills


def _wrong(question: Any) -> Any:
    from xuefa.practice.views import AnswerBody

    return AnswerBody(question_id=question.question_id, answer=[question.options[-1].key])


def projection(bills: dict[str, Bill], a: Year = YEAR) -> dict[str, float]:
    """A year of a province on demand: request units by kind, and yuan at Ningxia's prices
    (the assumptions and prices: tests/bench/prices_cn_northwest_1.py)."""

    def units(name: str, times: float) -> tuple[float, float]:
        bill = bills[name]
        return bill.read_units * times, bill.write_units * times

    parts = [
        units("credits: start session", a.sessions),
        units("credits: complete session", a.sessions),
        units("credits: balance", a.balance_reads),
        units("exams: start attempt (warm)", a.attempts),
        units("exams: save one answer", a.attempts * a.saves_an_attempt),
        units("exams: submit", a.attempts),
        units("exams: summary", a.attempts * a.summaries_an_attempt),
        units("practice: 每日一练 (a new set)", a.practice_sets),
        units("practice: answer one question", a.practice_sets * (a.practice_answers_a_set - 1)),
        units("practice: the answer that completes a set", a.practice_sets),
        units("practice: the notebook (due list)", a.notebook_reads),
    ]
    reads = sum(r for r, _ in parts) * a.learners
    writes = sum(w for _, w in parts) * a.learners
    # The nightly report reads each learner's profile and year result (~1 KB each,
    # eventually consistent, 100 a request): half a unit each.
    reads += a.learners * a.report_nights * 1.0
    yuan = reads * PRICES["dynamodb_read_unit"].cny + writes * PRICES["dynamodb_write_unit"].cny
    return {"reads": reads, "writes": writes, "yuan_a_year": yuan, "yuan_a_month": yuan / 12}


def main() -> None:
    bills = measure()
    print("DynamoDB per operation (billed from item sizes): requests, read units, write units")
    for name, bill in bills.items():
        print(
            f"  {name:<40} {bill.requests:>2} req  {bill.read_units:>5.1f} RCU"
            f"  {bill.write_units:>5.1f} WCU"
        )
    a = YEAR
    p = projection(bills, a)
    print(
        f"\nprojection, on demand: {a.learners:,} learners (tests/bench/prices_cn_northwest_1.py)"
    )
    print(
        f"  {p['reads'] / 1e9:.1f} G read units, {p['writes'] / 1e9:.1f} G write units a year: "
        f"¥{p['yuan_a_year']:,.0f} a year, ¥{p['yuan_a_month']:,.0f} a month on average"
    )


if __name__ == "__main__":
    main()
