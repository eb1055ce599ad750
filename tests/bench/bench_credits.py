"""Credits benchmark: DynamoDB requests per operation (latency: bench_latency).

.venv/bin/python -m tests.bench.bench_credits
"""

from __future__ import annotations

from tests.bench.common import RequestCounter, demo_city_on_moto, split


def count_requests() -> dict[str, tuple[int, int]]:
    """Requests per operation, with the domain code on moto in this process."""
    from xuefa.core.auth import Actor
    from xuefa.credits.repository import DynamoCredits
    from xuefa.credits.service import Credits
    from xuefa.roster.directory import Directory
    from xuefa.years.repository import YearBook

    figures: dict[str, tuple[int, int]] = {}
    with demo_city_on_moto() as (client, store, clock):
        records = DynamoCredits(store)
        credits = Credits(
            records, YearBook(store), Directory(store), clock, "bench-secret-0123456789"
        )
        learner = Actor("530402000001", frozenset({"learners"}), "530402-001")
        counter = RequestCounter(client)
        credits.balance(learner, 2026)  # warm the year-config cache, as a warm container
        with counter.measure() as calls:
            session_id = credits.start(learner, "c-xf-01").session_id
        figures["start session"] = split(calls)
        clock.advance(minutes=21)
        with counter.measure() as calls:
            credits.complete(learner, session_id)
        figures["complete session"] = split(calls)
        with counter.measure() as calls:
            credits.balance(learner, 2026)
        figures["balance"] = split(calls)
        with counter.measure() as calls:
            credits.ledger(learner, 2026, 20, None)
        figures["ledger page"] = split(calls)
    return figures


def main() -> None:
    print("credits: DynamoDB requests per operation (reads / writes)")
    for operation, (reads, writes) in count_requests().items():
        print(f"  {operation:<18} {reads} read, {writes} write")


if __name__ == "__main__":
    main()
