"""Practice's rules on plain objects (#27): the FSRS schedule of the notebook, which
questions a set holds, and what a bank question must say to be practised."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from xuefa.core.clock import SHANGHAI
from xuefa.exams.questions import Question, validate_import
from xuefa.practice import schedule, sets
from xuefa.practice.schedule import Card
from xuefa.practice.sets import Practised
from xuefa.practice.views import AnswerBody, SetQuery

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


def question(n: int, **changes: Any) -> Question:
    data = {
        "question_id": f"pr-{n:03d}",
        "pool": "practice",
        "type": "judge",
        "stem": f"第{n}题",
        "options": [{"key": "T", "text": "正确"}, {"key": "F", "text": "错误"}],
        "answer": ["T"],
        "topic": "constitution",
        "explanation": "解析",
        **changes,
    }
    return Question.model_validate(data)


# --- the schedule -------------------------------------------------------------------


def test_a_wrong_answer_enters_the_notebook_due_soon() -> None:
    card = schedule.answered(None, False, NOW)
    assert card is not None and card.in_notebook and card.streak == 0
    assert NOW < card.due <= NOW + timedelta(days=1)


def test_a_right_answer_outside_the_notebook_changes_nothing() -> None:
    assert schedule.answered(None, True, NOW) is None


def test_right_answers_push_the_card_out_and_a_wrong_one_brings_it_back() -> None:
    card = schedule.answered(None, False, NOW)
    assert card is not None
    at, intervals = NOW, []
    for _ in range(2):
        at = card.due
        moved = schedule.answered(card, True, at)
        assert moved is not None
        intervals.append(moved.due - at)
        card = moved
    assert intervals[0] > timedelta(days=1) and intervals[1] > intervals[0]  # later each time
    wrong = schedule.answered(card, False, at)
    assert wrong is not None and wrong.streak == 0 and wrong.in_notebook
    assert wrong.due - at <= timedelta(days=1) < intervals[0]  # soon after a wrong one


def test_three_right_due_reviews_on_three_days_master_a_question() -> None:
    card = schedule.answered(None, False, NOW)
    assert card is not None
    early = schedule.answered(card, True, NOW + timedelta(minutes=5))  # not due yet
    assert early is not None and early.streak == 0
    for review in range(1, 4):
        at = card.due
        moved = schedule.answered(card, True, at)
        again = schedule.answered(moved, True, at + timedelta(minutes=1)) if moved else None
        assert moved is not None and moved.streak == review
        assert again is None or again.streak <= review  # once a day at most
        card = moved
    assert card.mastered and not card.in_notebook
    back = schedule.answered(card, False, card.due)
    assert back is not None and back.in_notebook and back.streak == 0


# --- sets -----------------------------------------------------------------------------


def record(question_id: str, due: datetime | None = None, answered: int = 1) -> Practised:
    card = Card(fsrs="{}", due=due) if due else None
    return Practised(question_id, "constitution", answered, 0, card, 1)


def test_the_daily_set_is_due_reviews_first_then_unseen_then_least_practised() -> None:
    pool = [question(n) for n in range(10)]
    practised = {
        "pr-001": record("pr-001", due=NOW - timedelta(hours=1)),
        "pr-002": record("pr-002", due=NOW - timedelta(days=2)),
        "pr-003": record("pr-003", due=NOW + timedelta(days=1)),  # not due
        **{f"pr-{n:03d}": record(f"pr-{n:03d}", answered=n) for n in range(4, 10)},
    }
    chosen = [q.question_id for q in sets.daily(pool, practised, NOW, random.Random(1))]
    assert chosen[:3] == ["pr-002", "pr-001", "pr-000"]  # longest due first, then unseen
    assert len(chosen) == sets.DAILY_SIZE
    assert chosen[3:] == ["pr-003", "pr-004"]  # then the least practised


def test_a_topic_set_is_its_topic_unseen_first_and_at_most_ten() -> None:
    pool = [question(n, topic="yunnan" if n % 2 else "constitution") for n in range(30)]
    practised = {"pr-000": record("pr-000")}
    chosen = sets.for_topic(pool, practised, "constitution", random.Random(2))
    assert len(chosen) == sets.TOPIC_SIZE
    assert all(q.topic == "constitution" for q in chosen)
    assert "pr-000" not in [q.question_id for q in chosen]  # fourteen unseen come first


def test_a_lesson_set_is_its_questions() -> None:
    pool = [question(n, lesson_id="l-1" if n < 3 else "l-2") for n in range(6)]
    assert [q.question_id for q in sets.for_lesson(pool, "l-1")] == ["pr-000", "pr-001", "pr-002"]


def test_a_daily_set_holds_for_its_day_the_others_for_a_day() -> None:
    assert sets.expiry("daily", NOW) == datetime(2026, 11, 21, tzinfo=SHANGHAI)
    assert sets.expiry("topic", NOW) == NOW + timedelta(hours=24)


# --- validators -------------------------------------------------------------------


def test_todays_questions_stay_in_the_exam_pool() -> None:
    plain = question(1, pool="exam", topic=None, explanation=None)
    assert (plain.pool, plain.topic, plain.difficulty, plain.lesson_id) == ("exam", None, 2, None)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"topic": None}, "needs a topic"),
        ({"explanation": "  "}, "needs an explanation"),
        ({"explanation": None}, "needs an explanation"),
        ({"anchor": "art-5"}, "give its lesson_id"),
        ({"lesson_id": "l-1", "anchor": "section-5"}, "anchor"),
        ({"difficulty": 4}, "difficulty"),
        ({"topic": "cooking"}, "topic"),
        ({"pool": "quiz"}, "pool"),
    ],
)
def test_a_practice_question_must_teach(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        question(1, **changes)


def test_a_lesson_section_is_an_articles_anchor() -> None:
    for anchor in ("s-1", "art-33", "art-5-2"):
        assert question(1, lesson_id="l-1", anchor=anchor).anchor == anchor


def test_an_import_reports_practice_rows_by_index() -> None:
    rows = [question(1).model_dump(), {**question(2).model_dump(), "explanation": None}]
    valid, errors = validate_import(rows)
    assert [q.question_id for q in valid] == ["pr-001"]
    assert errors[0]["index"] == 1 and "explanation" in errors[0]["message"]


def test_a_set_query_names_its_lesson_or_topic() -> None:
    assert SetQuery(kind="daily").kind == "daily"
    for bad in ({"kind": "lesson"}, {"kind": "topic"}, {"kind": "weekly"}):
        with pytest.raises(ValidationError):
            SetQuery.model_validate(bad)


def test_an_answer_is_option_letters_sorted() -> None:
    assert AnswerBody(question_id="pr-001", answer=["C", "A"]).answer == ["A", "C"]
    for bad in (["a"], ["A", "A"], []):
        with pytest.raises(ValidationError):
            AnswerBody(question_id="pr-001", answer=bad)
