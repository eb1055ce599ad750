"""/credits/practice, /credits/notebook and /credits/me/topics through chalice.test.Client
on moto (#27): the practice pool imported beside the exam's, never crossing it; sets,
answers with their feedback, the wrong-answer notebook and the standing per topic."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

import pytest

from tests.api.conftest import call, code, get, json_of, post
from tests.helpers import CITY_ADMIN, COUNTY_ADMIN, LEARNER, UNIT_ADMIN, stored_paper
from xuefa import bootstrap
from xuefa.core.clock import SHANGHAI
from xuefa.exams.papers import attempt_rng, make_paper
from xuefa.store.keys import Keys
from xuefa.store.store import Store
from xuefa.years.rules import YearConfig

OTHER_LEARNER = ("530402000002", ["learners"], "530402-001")
LEARNERS = [LEARNER, OTHER_LEARNER, ("530402000003", ["learners"], "530402-001")]
YEAR = 2026
TOPICS = ("constitution", "legal_system", "party_rules")
OPTIONS = ("根本法", "普通法", "地方法")
PRACTICE_IDS = {f"pr-{n:03d}" for n in range(30)}


def practice_question(n: int, **changes: Any) -> dict[str, Any]:
    """Single choice, A right; ten a topic; the first five from one lesson's sections."""
    return {
        "question_id": f"pr-{n:03d}",
        "pool": "practice",
        "type": "single",
        "stem": f"练习第{n}题：宪法是国家的什么法？",
        "options": [{"key": k, "text": t} for k, t in zip("ABC", OPTIONS, strict=True)],
        "answer": ["A"],
        "topic": TOPICS[n % 3],
        "difficulty": 1 + n % 3,
        "explanation": f"第{n}题解析：宪法是国家的根本法。",
        **({"lesson_id": "l-demo", "anchor": f"art-{n + 1}"} if n < 5 else {}),
        **changes,
    }


@pytest.fixture
def exams(city, client):
    years = bootstrap.services().years
    config = years.get(YEAR).model_dump(mode="json")
    config["exam_window"] = {
        "opens_at": datetime(2026, 11, 6, tzinfo=SHANGHAI).isoformat(),
        "closes_at": datetime(2026, 11, 25, tzinfo=SHANGHAI).isoformat(),
    }
    years.put(YearConfig.model_validate(config))
    return client("exams").http


@pytest.fixture
def api(exams, client):
    imported = post(exams, f"/{YEAR}/questions", CITY_ADMIN, {"questions": pool()})
    assert json_of(imported) == {"imported": 30, "errors": []}, imported.body
    return client("credits").http


def pool() -> list[dict[str, Any]]:
    return [practice_question(n) for n in range(30)]


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.body
    return json_of(response)


def practice(api: Any, query: str, who: tuple = LEARNER) -> Any:
    return ok(get(api, f"/practice?{query}", who))


def answer(api: Any, set_id: str, question_id: str, keys: list[str], who: tuple = LEARNER) -> Any:
    body = {"question_id": question_id, "answer": keys}
    return post(api, f"/practice/{set_id}/answers", who, body)


def exam_ids(store: Store) -> set[str]:
    return {str(i["question_id"]) for i in store.query_all(Keys.bank(YEAR))}


# --- two pools that never cross ---------------------------------------------------


def test_no_paper_holds_a_practice_question_and_practice_serves_none_of_the_exam(
    api, exams, city
) -> None:
    bank = bootstrap.services().storage.bank.questions(YEAR)
    assert bank and not {q.question_id for q in bank} & PRACTICE_IDS
    assert PRACTICE_IDS.isdisjoint(exam_ids(city))
    rules = bootstrap.services().years.get(YEAR).paper
    for start in range(300):  # a paper of every start a year's learners could make
        salt = f"salt{start}"
        paper = make_paper(bank, rules, attempt_rng(f"5304{start:08d}", YEAR, 1, salt), salt)
        assert not {q.bank_id for q in paper} & PRACTICE_IDS
    for who in LEARNERS:  # and the papers the exam really draws
        assert call(exams, "post", f"/{YEAR}/attempts", who).status_code == 201
        stored = stored_paper(city, who[0], YEAR, 1)
        assert not {q["source_id"] for q in stored} & PRACTICE_IDS
    served: set[str] = set()
    for who in LEARNERS:
        served |= {q["question_id"] for q in practice(api, "kind=daily", who)["questions"]}
        for topic in TOPICS:
            given = practice(api, f"kind=topic&topic={topic}", who)["questions"]
            served |= {q["question_id"] for q in given}
    assert served <= PRACTICE_IDS and served.isdisjoint(exam_ids(city))
    assert len(served) == 30  # every practice question, and only those


def test_an_id_of_the_other_pool_or_a_practice_question_without_a_explanation_is_refused(
    api, exams, city
) -> None:
    taken = sorted(exam_ids(city))[0]
    before = len(list(city.query_all(Keys.practice_pool(YEAR))))
    rows = [
        practice_question(40),
        practice_question(41, question_id=taken),
        practice_question(42, explanation=None),
        practice_question(43, topic=None),
        practice_question(44, anchor="section-1"),
    ]
    bad = post(exams, f"/{YEAR}/questions", CITY_ADMIN, {"questions": rows})
    assert (bad.status_code, code(bad)) == (400, "BAD_REQUEST")
    errors = json_of(bad)["error"]["details"]["errors"]
    assert [e["index"] for e in errors] == [1, 2, 3, 4]
    assert "exam pool" in errors[0]["message"]
    assert len(list(city.query_all(Keys.practice_pool(YEAR)))) == before
    # An exam question may not take a practice question's id either.
    exam_row = {**practice_question(0), "pool": "exam"}
    again = post(exams, f"/{YEAR}/questions", CITY_ADMIN, {"questions": [exam_row]})
    assert "practice pool" in json_of(again)["error"]["details"]["errors"][0]["message"]


# --- sets and answers ---------------------------------------------------------------


def test_a_set_has_no_keys_and_each_answer_teaches_at_once(api, city) -> None:
    given = practice(api, "kind=lesson&lesson_id=l-demo")
    assert given["kind"] == "lesson" and len(given["questions"]) == 5
    assert set(given["questions"][0]) == {"question_id", "type", "stem", "options"}
    assert "answer" not in str(given["questions"])
    first = given["questions"][0]["question_id"]
    feedback = ok(answer(api, given["set_id"], first, ["B"]))
    assert feedback == {
        "correct": False,
        "key": ["A"],
        "explanation": f"第{int(first[3:])}题解析：宪法是国家的根本法。",
        "source": {"lesson_id": "l-demo", "anchor": f"art-{int(first[3:]) + 1}"},
        "answered": 1,
        "of": 5,
        "repeated": False,
        "complete": False,
        "awarded": None,
        "limit": None,
    }
    # One answer a question and set: the second (right this time) gets the first outcome.
    again = ok(answer(api, given["set_id"], first, ["A"]))
    assert (again["correct"], again["answered"], again["repeated"]) == (False, 1, True)
    assert (
        ok(get(api, "/me/topics", LEARNER))["topics"][0]["answered"]
        + sum(t["answered"] for t in ok(get(api, "/me/topics", LEARNER))["topics"][1:])
        == 1
    )


def test_the_daily_set_is_five_and_the_same_all_day(api, clock) -> None:
    first = practice(api, "kind=daily")
    assert len(first["questions"]) == 5
    assert practice(api, "kind=daily") == first
    assert practice(api, "kind=daily", OTHER_LEARNER)["set_id"] != first["set_id"]
    clock.advance(days=1)
    assert practice(api, "kind=daily")["set_id"] != first["set_id"]


def test_a_topic_set_is_up_to_ten_of_its_topic_unseen_first(api) -> None:
    given = practice(api, "kind=topic&topic=constitution")
    ids = [q["question_id"] for q in given["questions"]]
    assert len(ids) == 10 and all(int(i[3:]) % 3 == 0 for i in ids)
    for question_id in ids[:4]:
        ok(answer(api, given["set_id"], question_id, ["A"]))
    # The next set holds the six it has not seen first.
    later = [q["question_id"] for q in practice(api, "kind=topic&topic=constitution")["questions"]]
    assert set(later[:6]) == set(ids[4:])


# --- the notebook ---------------------------------------------------------------------


def test_a_wrong_answer_enters_the_notebook_and_is_due_the_next_day(api, clock) -> None:
    given = practice(api, "kind=daily")
    wrong = given["questions"][0]["question_id"]
    ok(answer(api, given["set_id"], wrong, ["C"]))
    ok(answer(api, given["set_id"], given["questions"][1]["question_id"], ["A"]))
    book = ok(get(api, "/notebook", LEARNER))
    assert [i["question_id"] for i in book["items"]] == [wrong] and book["due"] == []
    assert book["items"][0]["wrong"] == 1 and book["items"][0]["stem"].startswith("练习")
    first_due = datetime.fromisoformat(book["items"][0]["due_at"])
    assert (first_due - clock.now()).total_seconds() <= 86400  # soon after a wrong answer
    clock.advance(days=1)
    book = ok(get(api, "/notebook", LEARNER))
    assert [i["question_id"] for i in book["due"]] == [wrong]
    # The day's set brings the due review first; a right answer moves it days ahead.
    today = practice(api, "kind=daily")
    assert today["questions"][0]["question_id"] == wrong
    ok(answer(api, today["set_id"], wrong, ["A"]))
    book = ok(get(api, "/notebook", LEARNER))
    assert book["due"] == [] and book["items"][0]["streak"] == 1
    assert (datetime.fromisoformat(book["items"][0]["due_at"]) - clock.now()).days >= 1
    assert ok(call(api, "delete", f"/notebook/{wrong}", LEARNER)) == {
        "question_id": wrong,
        "removed": True,
    }
    assert ok(get(api, "/notebook", LEARNER))["items"] == []
    assert call(api, "delete", f"/notebook/{wrong}", LEARNER).status_code == 404
    topics = {t["topic"]: t for t in ok(get(api, "/me/topics", LEARNER))["topics"]}
    assert sum(t["answered"] for t in topics.values()) == 3
    assert sum(t["correct"] for t in topics.values()) == 2


def test_the_standing_per_topic(api) -> None:
    given = practice(api, "kind=topic&topic=legal_system")
    for n, question in enumerate(given["questions"][:4]):
        ok(answer(api, given["set_id"], question["question_id"], ["A"] if n else ["B"]))
    topics = {t["topic"]: t for t in ok(get(api, "/me/topics", LEARNER))["topics"]}
    assert topics["legal_system"] == {
        "topic": "legal_system",
        "answered": 4,
        "correct": 3,
        "rate": 0.75,
    }
    assert topics["constitution"] == {
        "topic": "constitution",
        "answered": 0,
        "correct": 0,
        "rate": None,
    }


# --- refusals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["kind=weekly", "kind=topic", "kind=topic&topic=cooking", "kind=lesson", "kind=daily&year=1"],
)
def test_bad_set_queries_are_refused(api, query: str) -> None:
    assert get(api, f"/practice?{query}", LEARNER).status_code == 400


def test_refusals_change_nothing(api, city) -> None:
    given = practice(api, "kind=daily")
    set_id, question_id = given["set_id"], given["questions"][0]["question_id"]
    for keys in (["Z"], [], ["a"], ["A", "A"]):
        assert answer(api, set_id, question_id, keys).status_code == 400
    assert answer(api, set_id, "pr-999", ["A"]).status_code == 400  # not in the set
    mine = random.choice(sorted(PRACTICE_IDS - {q["question_id"] for q in given["questions"]}))
    assert answer(api, set_id, mine, ["A"]).status_code == 400
    stored = city.get(Keys.practice_set(set_id))
    assert stored is not None and stored["answered"] == 0 and stored["answers"] == {}
    refused = answer(api, set_id, question_id, ["A"], OTHER_LEARNER)
    assert (refused.status_code, code(refused)) == (403, "FORBIDDEN")
    assert answer(api, "p" + "0" * 20, question_id, ["A"]).status_code == 404
    assert answer(api, "nonsense", question_id, ["A"]).status_code == 404
    for path in ("/practice?kind=daily", "/notebook", "/me/topics"):
        assert get(api, path, UNIT_ADMIN).status_code == 403
    assert answer(api, set_id, question_id, ["A"], CITY_ADMIN).status_code == 403
    assert call(api, "delete", f"/notebook/{question_id}", UNIT_ADMIN).status_code == 403
    assert list(city.query_all(f"LEARNER#{LEARNER[0]}", Keys.practised_prefix(YEAR))) == []


def test_an_expired_set_is_answered_no_more(api, clock) -> None:
    given = practice(api, "kind=topic&topic=party_rules")
    clock.advance(days=2)
    late = answer(api, given["set_id"], given["questions"][0]["question_id"], ["A"])
    assert (late.status_code, code(late)) == (409, "CONFLICT")


# --- credits for a completed set ------------------------------------------------------


def finish(api: Any, given: dict[str, Any], who: tuple = LEARNER) -> list[dict[str, Any]]:
    return [
        ok(answer(api, given["set_id"], q["question_id"], ["A"], who)) for q in given["questions"]
    ]


def balance(api: Any, who: tuple = LEARNER) -> int:
    return int(ok(get(api, "/me", who))["credits"])


def set_caps(caps: dict[str, Any]) -> None:
    years = bootstrap.services().years
    config = years.get(YEAR).model_dump(mode="json")
    config["caps"] = caps
    years.put(YearConfig.model_validate(config))


def test_a_completed_set_pays_the_years_credits_once_and_a_lesson_set_once_a_year(
    api, clock
) -> None:
    before = balance(api)
    given = practice(api, "kind=lesson&lesson_id=l-demo")
    feedback = finish(api, given)
    assert [f["complete"] for f in feedback] == [False] * 4 + [True]
    assert [f.get("awarded") for f in feedback] == [None] * 4 + [10]
    assert balance(api) == before + 10
    entries = ok(get(api, "/me/ledger", LEARNER))["items"]
    assert [(e["entry_id"], e["activity"], e["credits"]) for e in entries][:1] == [
        (given["set_id"], "practice", 10)
    ]
    # Answering the full set again pays nothing more and says what it paid.
    again = ok(answer(api, given["set_id"], given["questions"][-1]["question_id"], ["B"]))
    assert (again["repeated"], again["awarded"], again.get("limit")) == (True, 10, None)
    # The same lesson's set again, even days later, pays no more this year.
    clock.advance(days=2)
    repeat = finish(api, practice(api, "kind=lesson&lesson_id=l-demo"))[-1]
    assert (repeat["awarded"], repeat["limit"]) == (0, "already_paid")
    assert balance(api) == before + 10


def test_a_topic_set_pays_once_a_day_and_practice_stops_at_its_daily_cap(api, clock) -> None:
    set_caps({"daily_total": 125, "per_activity_daily_caps": {"sign_in": 5, "practice": 25}})
    before = balance(api)
    paid = [
        finish(api, practice(api, f"kind=topic&topic={topic}"))[-1]
        for topic in ("constitution", "constitution", "legal_system", "party_rules")
    ]
    assert [(f["awarded"], f.get("limit")) for f in paid] == [
        (10, None),
        (0, "already_paid"),  # the same topic twice in a day
        (10, None),
        (5, "activity_daily"),  # practice's cap of 25 a day cuts the third paying set
    ]
    daily = finish(api, practice(api, "kind=daily"))[-1]
    assert (daily["awarded"], daily["limit"]) == (0, "activity_daily")
    assert balance(api) == before + 25
    clock.advance(days=1)  # a new day: the topic pays again
    assert finish(api, practice(api, "kind=topic&topic=constitution"))[-1]["awarded"] == 10


def test_a_year_that_pays_no_practice_credits_says_so(api) -> None:
    years = bootstrap.services().years
    config = years.get(YEAR).model_dump(mode="json")
    years.put(YearConfig.model_validate({**config, "practice_set_credits": 0}))
    before = balance(api)
    last = finish(api, practice(api, "kind=lesson&lesson_id=l-demo"))[-1]
    assert (last["complete"], last.get("awarded")) == (True, None)
    assert balance(api) == before


# --- a unit's standing, aggregated --------------------------------------------------


def unit_learners(count: int) -> list[tuple[str, list[str], str]]:
    unit = "530402-001"
    people = bootstrap.services().storage.directory.active_learners(unit)
    return [(str(p["student_no"]), ["learners"], unit) for p in people[:count]]


def practise_lesson(api: Any, who: tuple) -> None:
    """Constitution questions (ids 0 and 3) wrong, the others right."""
    given = practice(api, "kind=lesson&lesson_id=l-demo", who)
    for q in given["questions"]:
        wrong = int(q["question_id"][3:]) % 3 == 0
        ok(answer(api, given["set_id"], q["question_id"], ["B" if wrong else "A"], who))


def test_admins_see_a_units_weakest_topics_summed_never_one_learners(api, client, clock) -> None:
    reports = client("reports").http
    learners = unit_learners(5)
    for who in learners[:4]:
        practise_lesson(api, who)
    few = ok(get(reports, "/topics?unit_id=530402-001", UNIT_ADMIN))
    constitution = next(t for t in few["topics"] if t["topic"] == "constitution")
    assert few["practising"] == 4 and few["min_learners"] == 5
    hidden = {"answered": None, "correct": None, "rate": None}
    assert constitution == {"topic": "constitution", "learners": 4, **hidden}
    practise_lesson(api, learners[4])
    shown = ok(get(reports, "/topics?unit_id=530402-001", UNIT_ADMIN))
    assert [t["topic"] for t in shown["topics"][:3]] == [
        "constitution",  # 0 of 10 right: the weakest first
        "legal_system",
        "party_rules",
    ]
    assert shown["topics"][0] == {
        "topic": "constitution",
        "learners": 5,
        "answered": 10,
        "correct": 0,
        "rate": 0.0,
    }
    assert shown["topics"][1]["rate"] == 1.0 and shown["practising"] == 5
    # The county sees its subtree's sum; no learner's own answers appear anywhere.
    county = ok(get(reports, "/topics?unit_id=530402", COUNTY_ADMIN))
    assert county["topics"][0]["answered"] == 10 and county["learners"] > shown["learners"]
    assert "530402" not in str(shown["topics"])
    refused = get(reports, "/topics?unit_id=530402-001", LEARNER)
    assert refused.status_code == 403
