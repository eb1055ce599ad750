"""Credits under real concurrency: a credit recorded once stays recorded once, a learner
has one open study session however many starts race, and the daily cap holds exactly."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest

from tests.concurrency.conftest import run_parallel, wiring
from xuefa.core.auth import Actor
from xuefa.core.clock import FixedClock
from xuefa.core.errors import Conflict, XuefaError
from xuefa.credits.repository import DynamoCredits, day_attr
from xuefa.credits.service import Completion, Credits
from xuefa.credits.views import SessionStarted
from xuefa.store.keys import Keys
from xuefa.store.store import Store

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("moto-server")]

LEARNER = Actor("530402000001", frozenset({"learners"}), "530402-001")
SECRET = "concurrency-cursor-secret-0123"


def service(store: Store, clock: FixedClock) -> Credits:
    store, years, directory = wiring(store)
    return Credits(DynamoCredits(store), years, directory, clock, SECRET)


def test_fifty_parallel_completions_of_one_session_award_once(
    table: Callable[[], Store], clock: FixedClock
) -> None:
    session_id = service(table(), clock).start(LEARNER, "c-xf-01").session_id
    clock.advance(minutes=21)
    results = run_parallel(50, lambda _: service(table(), clock).complete(LEARNER, session_id))
    failures = [r for r in results if not isinstance(r, Completion)]
    assert failures == []
    completions = [r for r in results if isinstance(r, Completion)]
    assert {(c.awarded, c.capped) for c in completions} == {(50, False)}
    store = table()
    assert (store.get(Keys.year_result(LEARNER.username, 2026)) or {})["credits"] == 50
    ledger = list(store.query_all(f"LEARNER#{LEARNER.username}", Keys.ledger_prefix(2026)))
    assert [entry["entry_id"] for entry in ledger] == [session_id]


def complete(table: Callable[[], Store], clock: FixedClock, session_id: str, _: int) -> Completion:
    return service(table(), clock).complete(LEARNER, session_id)


def open_sessions(store: Store) -> list[str]:
    """The learner's sessions still open, as stored."""
    items = store.query_all(f"LEARNER#{LEARNER.username}", "SESSION#2026#")
    return [item["session_id"] for item in items if item["state"] == "open"]


@pytest.mark.parametrize("before", ["nothing", "an expired session"])
def test_ten_parallel_starts_leave_exactly_one_session_open(
    table: Callable[[], Store], clock: FixedClock, before: str
) -> None:
    forgotten: list[str] = []
    if before == "an expired session":
        # Abandoned: its lock item is still there (TTL is lazy) but counts as free.
        forgotten.append(service(table(), clock).start(LEARNER, "p-lx-02").session_id)
        clock.advance(minutes=5 + 120)
    resources = ["c-xf-01", "p-lx-01", "v-fz-01", "r-qw-01", "c-xz-01"]
    results = run_parallel(
        10, lambda i: service(table(), clock).start(LEARNER, resources[i % len(resources)])
    )
    started = [r for r in results if isinstance(r, SessionStarted)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(started) == 1, results
    assert len(refused) == 9, results
    winner = started[0].session_id
    assert {(r.details or {}).get("open_session_id") for r in refused} == {winner}
    store = table()
    # The forgotten one is stored as it was left (it can no longer complete).
    assert sorted(open_sessions(store)) == sorted([winner, *forgotten])
    lock = store.get(Keys.open_session(LEARNER.username, 2026))
    assert lock is not None and lock["session_id"] == winner


def test_sessions_one_after_another_fill_the_cap_exactly(
    table: Callable[[], Store], clock: FixedClock
) -> None:
    # Practice sets of 20 credits against a daily cap of 125. Each round, ten starts race
    # (one opens) and ten completions of it race (one pays): 7 rounds fill the cap.
    awarded = 0
    for _ in range(7):
        results = run_parallel(10, lambda _: service(table(), clock).start(LEARNER, "p-lx-01"))
        (started,) = [r.session_id for r in results if isinstance(r, SessionStarted)]
        clock.advance(minutes=6)
        completions = run_parallel(10, partial(complete, table, clock, started))
        assert all(isinstance(c, Completion) for c in completions), completions
        assert len({c.awarded for c in completions if isinstance(c, Completion)}) == 1
        first = completions[0]
        assert isinstance(first, Completion)
        awarded += first.awarded
    result = table().get(Keys.year_result(LEARNER.username, 2026))
    assert result is not None
    assert result[day_attr(clock.now().date())] == 125
    assert result["credits"] == 125
    assert awarded == 125
    ledger = list(table().query_all(f"LEARNER#{LEARNER.username}", Keys.ledger_prefix(2026)))
    assert sum(int(e["credits"]) for e in ledger) == 125
    assert open_sessions(table()) == []


def test_the_cap_is_enforced_by_dynamodb_even_if_the_arithmetic_is_wrong(
    table: Callable[[], Store], clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Break the Python side on purpose: the transaction's condition still holds the cap."""
    import xuefa.credits.service

    monkeypatch.setattr(xuefa.credits.service, "award_and_limit", lambda *args: (50, None))
    credits = service(table(), clock)
    outcomes: list[int | str] = []
    for resource_id in ("c-xf-02", "c-xf-03", "c-xz-01"):
        session_id = credits.start(LEARNER, resource_id).session_id
        clock.advance(minutes=21)
        try:
            outcomes.append(credits.complete(LEARNER, session_id).awarded)
        except XuefaError as error:
            outcomes.append(error.code)
    assert outcomes == [50, 50, "CONFLICT"]
    assert (table().get(Keys.year_result(LEARNER.username, 2026)) or {})["credits"] == 100


def test_thirty_parallel_sign_ins_of_one_day_pay_once(
    table: Callable[[], Store], clock: FixedClock
) -> None:
    # 30 sessions started before any completes (so none is refused at its start), then
    # completed together: the once-a-day marker in the award's transaction pays one.
    starter = service(table(), clock)
    sessions = [starter.start(LEARNER, "signin").session_id for _ in range(30)]
    results = run_parallel(30, lambda i: service(table(), clock).complete(LEARNER, sessions[i]))
    completions = [r for r in results if isinstance(r, Completion)]
    assert len(completions) == 30, [r for r in results if not isinstance(r, Completion)]
    assert sorted(c.awarded for c in completions) == [0] * 29 + [5]
    assert {c.limit for c in completions if c.awarded == 0} == {"once_per_day"}
    result = table().get(Keys.year_result(LEARNER.username, 2026))
    assert result is not None and result["credits"] == 5
    ledger = list(table().query_all(f"LEARNER#{LEARNER.username}", Keys.ledger_prefix(2026)))
    assert [int(e["credits"]) for e in ledger] == [5]
