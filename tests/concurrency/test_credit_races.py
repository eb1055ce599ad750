"""Credits under real concurrency: a credit recorded once stays recorded once, and the
daily cap holds exactly."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.concurrency.conftest import run_parallel, wiring
from xuefa.auth import Actor
from xuefa.clock import FixedClock
from xuefa.credits import Completion, Credits
from xuefa.dal.credits import DynamoCredits, day_attr
from xuefa.dal.table import Keys, Store
from xuefa.errors import XuefaError

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


def test_thirty_parallel_sessions_over_the_cap_fill_it_exactly(
    table: Callable[[], Store], clock: FixedClock
) -> None:
    # 30 practice sessions of 20 credits (600 in all) against a daily cap of 125.
    starter = service(table(), clock)
    sessions = [starter.start(LEARNER, "p-lx-01").session_id for _ in range(30)]
    clock.advance(minutes=6)
    results = run_parallel(30, lambda i: service(table(), clock).complete(LEARNER, sessions[i]))
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == [] or all(isinstance(e, XuefaError) for e in errors), errors
    awarded = sum(r.awarded for r in results if isinstance(r, Completion))
    result = table().get(Keys.year_result(LEARNER.username, 2026))
    assert result is not None
    assert result[day_attr(clock.now().date())] == 125
    assert result["credits"] == 125
    assert awarded == 125
    ledger = list(table().query_all(f"LEARNER#{LEARNER.username}", Keys.ledger_prefix(2026)))
    assert sum(int(e["credits"]) for e in ledger) == 125


def test_the_cap_is_enforced_by_dynamodb_even_if_the_arithmetic_is_wrong(
    table: Callable[[], Store], clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Break the Python side on purpose: the transaction's condition still holds the cap."""
    import xuefa.credits

    monkeypatch.setattr(xuefa.credits, "award_and_limit", lambda *args: (50, None))
    credits = service(table(), clock)
    sessions = [credits.start(LEARNER, r).session_id for r in ("c-xf-02", "c-xf-03", "c-xz-01")]
    clock.advance(minutes=21)
    outcomes: list[int | str] = []
    for session_id in sessions:
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
