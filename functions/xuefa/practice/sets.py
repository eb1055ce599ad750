"""Which practice questions a set holds (plain rules over the pool and what the learner
has practised). 每日一练: five a day, the notebook's due reviews first (the longest due
first), then questions the learner has not seen, then the ones practised least. A
topic's set: up to ten, unseen first. A lesson's set: its questions, in the bank's order.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from xuefa.core.clock import SHANGHAI, local_date
from xuefa.exams.questions import Question
from xuefa.practice.schedule import Card

DAILY_SIZE = 5
TOPIC_SIZE = 10
LESSON_SIZE = 20
SET_HOURS = 24  # a lesson's or a topic's set may be answered for a day


@dataclass(frozen=True)
class Practised:
    """One learner's record of one practice question in a year."""

    question_id: str
    topic: str | None
    answered: int
    correct: int
    card: Card | None  # None: never in the notebook
    version: int  # the card's moves so far (the condition a move is written under)
    sets: frozenset[str] = frozenset()  # the sets whose answer was counted (each once)


@dataclass(frozen=True)
class GivenSet:
    """A set as stored: whose, which questions, until when, and the answers so far."""

    set_id: str
    owner: str
    year: int
    kind: str
    question_ids: tuple[str, ...]
    expires_at: datetime
    answered: int = 0
    subject: str | None = None  # the lesson's id or the topic a set of that kind is of


def _least_practised_first(
    pool: list[Question], practised: dict[str, Practised], rng: random.Random
) -> list[Question]:
    """Unseen questions in a random order, then the seen ones, practised least first."""
    unseen = [q for q in pool if q.question_id not in practised]
    rng.shuffle(unseen)
    seen = [q for q in pool if q.question_id in practised]
    seen.sort(key=lambda q: practised[q.question_id].answered)
    return unseen + seen


def daily(
    pool: list[Question], practised: dict[str, Practised], now: datetime, rng: random.Random
) -> list[Question]:
    def due_at(question: Question) -> datetime:
        card = practised[question.question_id].card
        assert card is not None
        return card.due

    due = [
        q
        for q in pool
        if (record := practised.get(q.question_id)) and record.card and record.card.is_due(now)
    ]
    due.sort(key=due_at)
    others = [q for q in pool if q not in due]
    return (due + _least_practised_first(others, practised, rng))[:DAILY_SIZE]


def for_topic(
    pool: list[Question], practised: dict[str, Practised], topic: str, rng: random.Random
) -> list[Question]:
    mine = [q for q in pool if q.topic == topic]
    return _least_practised_first(mine, practised, rng)[:TOPIC_SIZE]


def for_lesson(pool: list[Question], lesson_id: str) -> list[Question]:
    return [q for q in pool if q.lesson_id == lesson_id][:LESSON_SIZE]


def expiry(kind: str, now: datetime) -> datetime:
    """A daily set holds for its Shanghai day; the others for a day from now."""
    if kind == "daily":
        tomorrow = local_date(now) + timedelta(days=1)
        return datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=SHANGHAI)
    return now + timedelta(hours=SET_HOURS)


def topic_tallies(
    pool: Mapping[str, Question], answers: Mapping[str, bool]
) -> dict[str, tuple[int, int]]:
    """A set's answers and right answers per topic (questions without a topic aside)."""
    tallies: dict[str, tuple[int, int]] = {}
    for question_id, right in answers.items():
        question = pool.get(question_id)
        if question is None or question.topic is None:
            continue
        answered, correct = tallies.get(question.topic, (0, 0))
        tallies[question.topic] = (answered + 1, correct + int(right))
    return tallies
