"""Exams under real concurrency: one open attempt, never more than max_attempts, one
grading per attempt."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from tests.concurrency.conftest import run_parallel, wiring
from tests.helpers import stored_paper
from xuefa.core.auth import Actor
from xuefa.core.clock import FixedClock
from xuefa.core.errors import OverrideLimit, XuefaError
from xuefa.exams.bank_repository import BankReader
from xuefa.exams.repository import DynamoAttempts
from xuefa.exams.service import Exams, Override
from xuefa.exams.views import Outcome, OverrideView
from xuefa.store.keys import Keys
from xuefa.store.store import Store
from xuefa.years.repository import YearBook

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("moto-server")]

LEARNER = Actor("530402000001", frozenset({"learners"}), "530402-001")


def service(store: Store, clock: FixedClock) -> Exams:
    store, years, directory = wiring(store)
    return Exams(DynamoAttempts(store), years, BankReader(store), directory, clock)


def outcome(value: Any) -> str:
    return value.code if isinstance(value, XuefaError) else type(value).__name__


def test_a_hundred_concurrent_starts_open_exactly_one_attempt(
    table: Callable[[], Store], clock: FixedClock
) -> None:
    # 100 requests landing on 10 warm containers, each with its own client and caches.
    containers = [service(table(), clock) for _ in range(10)]
    for exams in containers:
        exams.bank.questions(2026)
    results = run_parallel(100, lambda i: containers[i % 10].start(LEARNER, 2026))
    counts = Counter(outcome(r) for r in results)
    assert counts == {"StartedAttempt": 1, "ATTEMPT_OPEN": 99}, counts
    store = table()
    attempts = list(store.query_all(f"LEARNER#{LEARNER.username}", Keys.attempt_prefix(2026)))
    assert [a["attempt_no"] for a in attempts] == [1]
    result = store.get(Keys.year_result(LEARNER.username, 2026))
    assert result is not None
    assert (result["attempts_used"], result["open_attempt"]) == (1, 1)


def test_racing_start_and_submit_loops_get_exactly_max_attempts(
    table: Callable[[], Store], clock: FixedClock
) -> None:
    def sit_until_refused(_: int) -> list[str]:
        exams = service(table(), clock)
        seen = []
        for _ in range(30):
            try:
                attempt_no = exams.start(LEARNER, 2026).attempt_no
            except XuefaError as error:
                seen.append(error.code)
                if error.code == "ATTEMPT_LIMIT":
                    return seen
                continue
            try:
                exams.submit(LEARNER, 2026, attempt_no, None)
            except XuefaError as error:
                seen.append(error.code)
            seen.append("sat")
        return seen

    results = run_parallel(4, sit_until_refused)
    assert all(isinstance(r, list) and r[-1] == "ATTEMPT_LIMIT" for r in results), results
    store = table()
    attempts = list(store.query_all(f"LEARNER#{LEARNER.username}", Keys.sheet_prefix(2026)))
    assert [a["attempt_no"] for a in attempts] == list(range(1, 9))
    assert {a["state"] for a in attempts} == {"submitted"}
    assert (store.get(Keys.year_result(LEARNER.username, 2026)) or {})["attempts_used"] == 8


def test_twenty_concurrent_submits_grade_once(
    table: Callable[[], Store], clock: FixedClock
) -> None:
    exams = service(table(), clock)
    exams.start(LEARNER, 2026)
    paper = stored_paper(table(), LEARNER.username, 2026, 1)
    key = {q["question_id"]: list(q["answer"]) for q in paper}
    # Every submitter sends a different number of right answers: one of them wins.
    answers = [dict(list(key.items())[: i + 1]) for i in range(20)]
    results = run_parallel(
        20, lambda i: service(table(), clock).submit(LEARNER, 2026, 1, answers[i])
    )
    assert all(isinstance(r, Outcome) for r in results), results
    scores = {r.score for r in results if isinstance(r, Outcome)}
    assert len(scores) == 1
    stored = table().get(Keys.sheet(LEARNER.username, 2026, 1))
    assert stored is not None and float(stored["score"]) in scores
    result = table().get(Keys.year_result(LEARNER.username, 2026))
    assert result is not None and float(result["best_score"]) in scores
    assert "open_attempt" not in result


def test_every_answer_saved_while_a_submit_races_is_graded(
    table: Callable[[], Store], clock: FixedClock
) -> None:
    """Eight devices autosave answers while a ninth submits. Whatever a save was told
    (saved, or ATTEMPT_CLOSED), the grade counts exactly the answers saved before it."""
    service(table(), clock).start(LEARNER, 2026)
    paper = stored_paper(table(), LEARNER.username, 2026, 1)
    key = [(q["question_id"], list(q["answer"])) for q in paper]
    per_saver = 5

    def device(i: int) -> Any:
        exams = service(table(), clock)
        if i == 8:
            return exams.submit(LEARNER, 2026, 1, None)
        told = []
        for question_id, answer in key[i * per_saver : (i + 1) * per_saver]:
            try:
                exams.save_answers(LEARNER, 2026, 1, {question_id: answer})
                told.append(question_id)
            except XuefaError as error:
                assert error.code == "ATTEMPT_CLOSED", error.code
        return told

    results = run_parallel(9, device)
    outcome = results[8]
    assert isinstance(outcome, Outcome), outcome
    saved = {q for told in results[:8] if isinstance(told, list) for q in told}
    graded = table().get(Keys.sheet(LEARNER.username, 2026, 1))
    assert graded is not None and graded["state"] == "submitted"
    assert set(graded["answers"]) == saved
    assert outcome.score == 2.0 * len(saved)


def test_overrides_in_parallel_never_grant_more_than_the_years_extra_attempts(
    table: Callable[[], Store], clock: FixedClock
) -> None:
    city_admin = Actor("city_admin", frozenset({"admins"}), "530400")

    def grant(i: int) -> object:
        terms = Override(
            override_id=f"race-{i}", student_no=LEARNER.username, extra_attempts=1, reason="故障"
        )
        return service(table(), clock).override(city_admin, 2026, terms)

    results = run_parallel(20, grant)
    granted = [r for r in results if isinstance(r, OverrideView)]
    refused = [r for r in results if isinstance(r, XuefaError)]
    assert len(granted) == 2 and len(refused) == 18, results
    assert all(isinstance(r, OverrideLimit) or r.code == "CONFLICT" for r in refused)
    result = table().get(Keys.year_result(LEARNER.username, 2026))
    assert result is not None and result["extra_attempts"] == 2


def test_parallel_later_closes_leave_the_years_latest_close_at_the_greatest(
    table: Callable[[], Store], clock: FixedClock
) -> None:
    """Ten admins grant ten learners later closes at once, in no order: the year's latest
    granted close (what keeps the key closed) ends at the greatest, never an earlier one
    written last."""
    from datetime import datetime, timedelta

    from xuefa.core.clock import SHANGHAI
    from xuefa.exams.repository import LATEST_CLOSE
    from xuefa.years.rules import YearConfig

    city_admin = Actor("city_admin", frozenset({"admins"}), "530400")
    years = YearBook(table())
    config = years.get(2026)
    closes = datetime(2026, 11, 25, tzinfo=SHANGHAI)  # a window that leaves room for overrides
    window = {"opens_at": config.exam_window.opens_at.isoformat(), "closes_at": closes.isoformat()}
    years.put(YearConfig.model_validate({**config.model_dump(mode="json"), "exam_window": window}))
    hours = [3, 9, 1, 10, 6, 2, 8, 4, 7, 5]

    def grant(i: int) -> object:
        terms = Override(
            override_id=f"late-{i}",
            student_no=f"5304020000{i + 1:02d}",
            closes_at=closes + timedelta(hours=hours[i]),
            reason="故障",
        )
        return service(table(), clock).override(city_admin, 2026, terms)

    results = run_parallel(10, grant)
    assert all(isinstance(r, OverrideView) for r in results), results
    item = table().get(Keys.year_config(2026))
    assert item is not None
    assert int(item[LATEST_CLOSE]) == int((closes + timedelta(hours=10)).timestamp())
