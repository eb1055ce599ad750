"""Practice under real concurrency (#27): parallel answers to one set count each question
once and pay the set once; sets completed at the same moment never pay past practice's
daily cap."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from infra.local import seed
from tests.concurrency.conftest import run_parallel, wiring
from xuefa.core.auth import Actor
from xuefa.core.clock import FixedClock
from xuefa.exams.bank_repository import BankReader
from xuefa.practice.credit_repository import DynamoPracticeCredits
from xuefa.practice.paying import SetPay
from xuefa.practice.repository import DynamoPractice
from xuefa.practice.service import Practice
from xuefa.practice.views import AnswerBody, Feedback, PracticeSet, SetQuery
from xuefa.store.keys import Keys
from xuefa.store.store import Store
from xuefa.years.repository import YearBook
from xuefa.years.rules import YearConfig

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("moto-server")]

LEARNER = Actor("530402000001", frozenset({"learners"}), "530402-001")
YEAR = 2026


def service(store: Store, clock: FixedClock, pool: BankReader | None = None) -> Practice:
    """A Practice as another container would have it: its own client and caches (the
    practice pool's reader may be a warm one's)."""
    store, years, _ = wiring(store)
    return Practice(
        DynamoPractice(store, pool=pool),
        SetPay(DynamoPracticeCredits(store), years),
        years,
        clock,
    )


def warm_pool(store: Store) -> BankReader:
    """The practice pool read once, as a warm container holds it. Forty cold reads of the
    whole pool, serialized by moto's server, took a minute on a loaded CI machine and its
    clients timed out: the race under test is between the answers' writes, not the reads."""
    reader = BankReader(store, pool="practice")
    reader.questions(YEAR)
    return reader


@pytest.fixture
def practice_pool(table: Callable[[], Store]) -> Callable[[], Store]:
    store = table()
    seed.put_bank(store, YearBook(store).get(YEAR), practice=True)
    return table


def credits_of(store: Store) -> int:
    return int((store.get(Keys.year_result(LEARNER.username, YEAR)) or {}).get("credits", 0))


def practice_entries(store: Store) -> list[str]:
    entries = store.query_all(f"LEARNER#{LEARNER.username}", Keys.ledger_prefix(YEAR))
    return [str(e["entry_id"]) for e in entries if e["activity"] == "practice"]


def right_answer(store: Store, question_id: str) -> list[str]:
    item = store.get(Keys.practice_question(YEAR, question_id)) or {}
    return sorted(item["answer"])


def test_forty_parallel_answers_to_one_set_count_each_question_once_and_pay_once(
    practice_pool: Callable[[], Store], clock: FixedClock
) -> None:
    store = practice_pool()
    before = credits_of(store)
    given = service(store, clock).give(LEARNER, SetQuery(kind="lesson", lesson_id="c-dn-01"))
    ids = [q.question_id for q in given.questions]
    keys = {q: right_answer(store, q) for q in ids}
    warm = warm_pool(store)

    def answer(i: int) -> Feedback:
        question = ids[i % len(ids)]
        body = AnswerBody(question_id=question, answer=keys[question])
        return service(practice_pool(), clock, warm).answer(LEARNER, given.set_id, body)

    results = run_parallel(40, answer)
    assert [r for r in results if not isinstance(r, Feedback)] == []
    # Which reply says `repeated` is the server's to tell (a retried request that landed
    # says so too); what counts is the data: each question counted once, the set paid once.
    paid = {r.awarded for r in results if isinstance(r, Feedback) and r.complete}
    assert paid == {10}  # every answer to the full set says the one payment
    after = practice_pool()
    assert credits_of(after) == before + 10
    assert practice_entries(after) == [given.set_id]
    records = service(after, clock).records.practised(LEARNER.username, YEAR)
    assert {q: records[q].answered for q in ids} == dict.fromkeys(ids, 1)


def test_sets_completed_at_once_never_pay_past_the_daily_cap(
    practice_pool: Callable[[], Store], clock: FixedClock
) -> None:
    store = practice_pool()
    years = YearBook(store)
    config = years.get(YEAR).model_dump(mode="json")
    config["caps"]["per_activity_daily_caps"] = {"sign_in": 5, "practice": 25}
    years.put(YearConfig.model_validate(config))
    before = credits_of(store)
    topics = ("constitution", "legal_system", "party_rules")  # 10 each: 30 asked, 25 fit
    warm = warm_pool(store)
    sets: list[PracticeSet] = [
        service(store, clock, warm).give(LEARNER, SetQuery(kind="topic", topic=t)) for t in topics
    ]
    for given in sets:  # all but the last answer of each
        for question in given.questions[:-1]:
            body = AnswerBody(question_id=question.question_id, answer=[question.options[0].key])
            service(store, clock, warm).answer(LEARNER, given.set_id, body)

    def last(i: int) -> Feedback:
        question = sets[i].questions[-1]
        body = AnswerBody(question_id=question.question_id, answer=[question.options[0].key])
        return service(practice_pool(), clock, warm).answer(LEARNER, sets[i].set_id, body)

    results = run_parallel(len(sets), last)
    assert [r for r in results if not isinstance(r, Feedback)] == []
    awarded = sorted(r.awarded or 0 for r in results if isinstance(r, Feedback))
    assert awarded == [5, 10, 10]
    after = practice_pool()
    assert credits_of(after) == before + 25
    assert len(practice_entries(after)) == len([a for a in awarded if a])
