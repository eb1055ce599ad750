"""/exams/{year}/corrections (#28.2) through chalice.test.Client on moto: a question
voided and one more answer accepted between the exam's close and the year's, every
attempt that had it regraded by the reports function's shards, the best score moving to
another attempt, a newer correction's run superseding an older one, and the learner told
why their score rose. A closed year never changes.

As in the item analysis's test, the exams function only starts the run; its messages are
held here and delivered to the reports function's queue handler."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.api.conftest import call, code, json_of
from tests.api.conftest import get as get_as
from tests.api.test_exams_api import WINDOW_CLOSES, WINDOW_OPENS, YEAR_CLOSES, put_year
from tests.helpers import CITY_ADMIN, COUNTY_ADMIN, LEARNER, stored_paper
from xuefa import bootstrap
from xuefa.core.clock import local_date
from xuefa.corrections.job import ShardBudget
from xuefa.corrections.repository import ScoreRise
from xuefa.store.keys import Keys
from xuefa.store.store import Store

OTHER = ("530402000002", ["learners"], "530402-001")
AFTER = WINDOW_CLOSES + timedelta(minutes=90, seconds=60)  # no one can sit any more


@pytest.fixture
def api(city, client):
    put_year(
        exam_window={"opens_at": WINDOW_OPENS.isoformat(), "closes_at": WINDOW_CLOSES.isoformat()}
    )
    return client("exams").http


@pytest.fixture
def held() -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    bootstrap.services().corrections.dispatch = messages.extend
    return messages


def deliver(client: Any, messages: list[dict[str, Any]]) -> None:
    reports = client("reports")
    while messages:
        event = reports.events.generate_sqs_event([json.dumps(messages.pop(0))])
        reports.lambda_.invoke("report-shard", event)


def paper(store: Store, who: tuple, number: int) -> list[dict[str, Any]]:
    return stored_paper(store, who[0], 2026, number)


def wrong(question: dict[str, Any]) -> list[str]:
    return [next(o["key"] for o in question["options"] if o["key"] not in question["answer"])]


def sit(api: Any, store: Store, who: tuple, wrong_on: Any) -> tuple[int, list[dict[str, Any]]]:
    """An attempt started and submitted: right but for the questions `wrong_on(paper)`
    names by their bank ids."""
    number = int(json_of(call(api, "post", "/2026/attempts", who))["attempt_no"])
    questions = paper(store, who, number)
    missed = wrong_on(questions)
    answers = {
        q["question_id"]: wrong(q) if q["source_id"] in missed else list(q["answer"])
        for q in questions
    }
    done = call(api, "post", f"/2026/attempts/{number}/submit", who, {"answers": answers})
    assert done.status_code == 200, done.body
    return number, questions


def correct(api: Any, body: dict[str, Any], who: tuple = CITY_ADMIN) -> Any:
    return call(api, "post", "/2026/corrections", who, {"reason": "题目有误，经复核", **body})


def bank_key(store: Store, shown: dict[str, Any], label: str) -> str:
    """The bank's key of the option a paper showed under `label`."""
    question = store.get(Keys.question(2026, shown["source_id"]))
    assert question is not None
    text = next(o["text"] for o in shown["options"] if o["key"] == label)
    return next(str(o["key"]) for o in question["options"] if o["text"] == text)


def sheet(store: Store, who: tuple, number: int) -> dict[str, Any]:
    item = store.get(Keys.sheet(who[0], 2026, number))
    assert item is not None
    return item


def best(store: Store, who: tuple) -> Decimal:
    item = store.get(Keys.year_result(who[0], 2026))
    assert item is not None
    return Decimal(item["best_score"])


def test_before_no_one_can_sit_it_is_too_early(api, clock) -> None:
    clock.set(AFTER - timedelta(seconds=1))
    response = correct(api, {"question_id": "q-anything", "action": "void"})
    assert (response.status_code, code(response)) == (409, "TOO_EARLY")
    assert json_of(response)["error"]["details"] == {"opens_at": "2026-11-25T01:31:00+08:00"}


def test_a_closed_year_never_changes(api, city, clock) -> None:
    clock.set(YEAR_CLOSES)
    response = correct(api, {"question_id": "q-anything", "action": "void"})
    assert (response.status_code, code(response)) == (409, "YEAR_CLOSED")
    assert city.get(Keys.corrections(2026)) is None


@pytest.mark.parametrize("who", [LEARNER, COUNTY_ADMIN])
def test_only_city_administrators(api, clock, who: tuple) -> None:
    clock.set(AFTER)
    assert correct(api, {"question_id": "q-x", "action": "void"}, who).status_code == 403
    assert get_as(api, "/2026/corrections", who).status_code == 403


def test_bad_corrections_are_refused_and_nothing_is_kept(api, city, clock) -> None:
    clock.set(AFTER)
    some = next(iter(city.query_all(Keys.bank(2026))))
    qid, keys = str(some["question_id"]), sorted(o["key"] for o in some["options"])
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"question_id": "q-nowhere", "action": "void"}, 404, "NOT_FOUND"),
        ({"question_id": qid, "action": "accept"}, 400, "BAD_REQUEST"),
        ({"question_id": qid, "action": "accept", "answer": ["Z"]}, 400, "BAD_REQUEST"),
        ({"question_id": qid, "action": "void", "answer": [keys[0]]}, 400, "BAD_REQUEST"),
        ({"question_id": qid, "action": "accept", "answer": list(some["answer"])}, 409, "CONFLICT"),
        ({"question_id": qid, "action": "remove"}, 400, "BAD_REQUEST"),
    ]
    for body, status, error in cases:
        response = correct(api, body)
        assert (response.status_code, code(response)) == (status, error), body
    no_reason = call(
        api, "post", "/2026/corrections", CITY_ADMIN, {"question_id": qid, "action": "void"}
    )
    assert no_reason.status_code == 400
    assert city.get(Keys.corrections(2026)) is None


def test_a_void_and_accepted_answers_raise_scores_and_move_the_best(
    api, city, clock, client, held
) -> None:
    theirs = sit(api, city, OTHER, lambda p: {q["source_id"] for q in p})[1]  # all wrong: 0
    their_ids = {q["source_id"] for q in theirs}
    # Attempt 1: four wrong, 92. Attempt 2: five wrong, 90, three of them corrected later.
    first = sit(api, city, LEARNER, lambda p: {q["source_id"] for q in p[:4]})[1]
    missed = {q["source_id"] for q in first[:4]}
    chosen: dict[str, dict[str, Any]] = {}

    def second_wrong(p: list[dict[str, Any]]) -> set[str]:
        fresh = [q for q in p if q["source_id"] not in missed]
        chosen["void"] = next(q for q in fresh if q["source_id"] in their_ids)
        others = [q for q in fresh if q is not chosen["void"]]
        chosen["accept"], chosen["later"] = others[0], others[1]
        return {q["source_id"] for q in [chosen["void"], *others[:4]]}

    number, second = sit(api, city, LEARNER, second_wrong)
    assert number == 2
    assert [sheet(city, LEARNER, n)["score"] for n in (1, 2)] == [Decimal(92), Decimal(90)]
    assert best(city, LEARNER) == Decimal(92)
    clock.set(AFTER)

    # 1. A void: everyone who was given it gets its points, whatever they answered.
    made = correct(api, {"question_id": chosen["void"]["source_id"], "action": "void"})
    assert made.status_code == 202, made.body
    body = json_of(made)
    assert body["correction"]["number"] == 1 and body["run"]["status"] == "running"
    assert len(held) == body["run"]["shards"] > 1
    deliver(client, held)
    state = json_of(get_as(api, "/2026/corrections", CITY_ADMIN))
    assert state["run"]["status"] == "complete"
    assert state["run"]["attempts_regraded"] == 2  # the learner's second, the other's only
    assert state["run"]["attempts_seen"] >= 3
    assert sheet(city, LEARNER, 2)["score"] == Decimal(92)
    assert sheet(city, OTHER, 1)["score"] == Decimal(2)
    assert best(city, OTHER) == Decimal(2)
    assert best(city, LEARNER) == Decimal(92)  # attempt 1 still is (and stays) as good
    assert sheet(city, LEARNER, 1).get("regraded") is None

    # 2. Two answers accepted; the second correction's run starts before the first's
    # shards arrive: it supersedes them, and applies both.
    for which in ("accept", "later"):
        question = chosen[which]
        label = wrong(question)[0]
        response = correct(
            api,
            {
                "question_id": question["source_id"],
                "action": "accept",
                "answer": [bank_key(city, question, label)],
            },
        )
        assert response.status_code == 202, response.body
    assert len(held) == 2 * body["run"]["shards"]
    deliver(client, held)  # the first run's are dropped: it is no longer the run
    state = json_of(get_as(api, "/2026/corrections", CITY_ADMIN))
    assert [c["number"] for c in state["items"]] == [1, 2, 3]
    assert state["run"]["corrections"] == 3 and state["run"]["status"] == "complete"
    assert sheet(city, LEARNER, 2)["score"] == Decimal(96)
    assert best(city, LEARNER) == Decimal(96)  # the best moved to attempt 2
    assert sheet(city, LEARNER, 2)["graded_score"] == Decimal(90)

    # 3. A slower run with fewer corrections never undoes a faster one with more.
    job = bootstrap.services().corrections
    stale = job.records.raise_score(
        ScoreRise(
            result=job.records.result(LEARNER[0], 2026),
            attempt_no=2,
            finished_day=local_date(clock.now()),
            old=Decimal(96),
            new=Decimal(98),
            count=2,
            notes=[],
            now=clock.now(),
        )
    )
    assert stale == "moved" and sheet(city, LEARNER, 2)["score"] == Decimal(96)

    # 4. The learner sees why: the first score, each correction, and the review.
    lines = json_of(get_as(api, "/2026/attempts", LEARNER))["items"]
    line = next(item for item in lines if item["attempt_no"] == 2)
    assert (line["score"], line["graded_score"]) == (96.0, 90.0)
    notes = sorted(line["corrections"], key=lambda n: n["number"])
    assert [(n["action"], n["number"], n["points"]) for n in notes] == [
        ("void", 1, 2),
        ("accept", 2, 2),
        ("accept", 3, 2),
    ]
    assert notes[0]["reason"] == "题目有误，经复核"
    positions = {q["question_id"]: i for i, q in enumerate(second, start=1)}
    assert notes[0]["position"] == positions[chosen["void"]["question_id"]]
    review = json_of(get_as(api, "/2026/attempts/2", LEARNER))
    assert review["graded_score"] == 90.0 and len(review["corrections"]) == 3
    void_review = review["review"][chosen["void"]["question_id"]]
    assert void_review["voided"] is True and void_review["correct"] is True
    accept_review = review["review"][chosen["accept"]["question_id"]]
    assert accept_review["correct"] is True
    assert accept_review["also_accepted"] == [wrong(chosen["accept"])]
    first_line = next(item for item in lines if item["attempt_no"] == 1)
    assert first_line.get("graded_score") is None and not first_line.get("corrections")

    # 5. Once the year has closed, nothing more changes.
    clock.set(YEAR_CLOSES)
    late = correct(api, {"question_id": chosen["later"]["source_id"], "action": "void"})
    assert (late.status_code, code(late)) == (409, "YEAR_CLOSED")
    assert len(json_of(get_as(api, "/2026/corrections", CITY_ADMIN))["items"]) == 3


def test_a_shard_past_its_budget_hands_its_remaining_units_on_with_its_counts(
    api, city, clock, client, held
) -> None:
    """A county of any size finishes inside the function's time: here every unit past a
    shard's first is its own message, and the run still ends whole and counts each
    attempt once."""
    job = bootstrap.services().corrections
    job.budget = ShardBudget(seconds=-1.0)  # spent at once
    sent: list[dict[str, Any]] = []

    def dispatch(messages: list[dict[str, Any]]) -> None:
        sent.extend(messages)
        held.extend(messages)

    job.dispatch = dispatch
    missed = sit(api, city, LEARNER, lambda p: {p[0]["source_id"]})[1][0]["source_id"]
    sit(api, city, OTHER, lambda p: set())  # all right: seen, not raised
    clock.set(AFTER)
    made = correct(api, {"question_id": missed, "action": "void"})
    assert made.status_code == 202, made.body
    shards = json_of(made)["run"]["shards"]
    deliver(client, held)  # continuations join the queue as they are sent
    handed = [m["corrections"] for m in sent if "from_unit" in m["corrections"]]
    county = [m for m in handed if m["shard_id"] == "530402"]
    assert county and [m["from_unit"] for m in county] == list(range(1, len(county) + 1))
    assert county[-1]["seen"] == 2 and county[-1]["raised"] == 1  # both sat in 530402-001
    run = json_of(get_as(api, "/2026/corrections", CITY_ADMIN))["run"]
    assert (run["status"], run["shards_done"], run["shards"]) == ("complete", shards, shards)
    assert (run["attempts_seen"], run["attempts_regraded"]) == (2, 1)
    assert sheet(city, LEARNER, 1)["score"] == Decimal(100)


def test_a_question_voided_twice_or_an_answer_accepted_twice_is_refused(
    api, city, clock, held
) -> None:
    clock.set(AFTER)
    some = next(q for q in city.query_all(Keys.bank(2026)) if q["type"] == "single")
    other = next(o["key"] for o in some["options"] if o["key"] not in some["answer"])
    accept = {"question_id": some["question_id"], "action": "accept", "answer": [other]}
    assert correct(api, accept).status_code == 202
    again = correct(api, accept)
    assert (again.status_code, code(again)) == (409, "CONFLICT")
    assert correct(api, {"question_id": some["question_id"], "action": "void"}).status_code == 202
    twice = correct(api, {"question_id": some["question_id"], "action": "void"})
    assert (twice.status_code, code(twice)) == (409, "CONFLICT")
    entries = city.query_all(f"AUDIT#2026#{local_date(clock.now()).isoformat()}")
    audited = [e for e in entries if e["action"] == "exam_question_corrected"]
    assert [(e["actor"], e["reason"]) for e in audited] == [("city_admin", "题目有误，经复核")] * 2
