"""The question bank: one item a question under its year and pool. The exam's pool is
read whole once per warm container and kept for a few minutes (a paper is drawn from it
at every start); the practice pool lies in a partition of its own, which this reader
never reads (#27). An edit or a retirement (#28) is seen once the cache is renewed."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from xuefa.exams.questions import BANK_CACHE_SECONDS, Pool, Question
from xuefa.store.keys import Keys
from xuefa.store.store import Store


def question_key(year: int, pool: Pool, question_id: str) -> dict[str, str]:
    if pool == "practice":
        return Keys.practice_question(year, question_id)
    return Keys.question(year, question_id)


def other_pool(pool: Pool) -> Pool:
    return "exam" if pool == "practice" else "practice"


def question_item(year: int, question: Question) -> dict[str, Any]:
    key = question_key(year, question.pool, question.question_id)
    return {**key, **question.model_dump(), "year": year, "version": 1}


class BankReader:
    """A year's pool (the exam's, unless told), read once per warm container and kept for
    a few minutes; it reads its own pool's partition only."""

    def __init__(
        self,
        store: Store,
        monotonic: Callable[[], float] = time.monotonic,
        pool: Pool = "exam",
    ):
        self.store = store
        self.pool = pool
        self._monotonic = monotonic
        self._cache: dict[int, tuple[float, list[Question]]] = {}

    def questions(self, year: int) -> list[Question]:
        cached = self._cache.get(year)
        now = self._monotonic()
        if cached and now - cached[0] < BANK_CACHE_SECONDS:
            return cached[1]
        partition = Keys.practice_pool(year) if self.pool == "practice" else Keys.bank(year)
        # A retired question (#28) is never drawn nor served again; papers keep their copy.
        read = (
            Question.model_validate(item)
            for item in self.store.query_all(partition)
            if not item.get("retired")
        )
        # Only this pool's partition is read; each question's pool is checked all the same.
        questions = [question for question in read if question.pool == self.pool]
        self._cache[year] = (now, questions)
        return questions

    def taken(self, year: int, pool: Pool, question_ids: list[str]) -> set[str]:
        """Which of these ids the year's `pool` already holds (one id, one pool)."""
        keys = [question_key(year, pool, question_id) for question_id in question_ids]
        return {str(item["question_id"]) for item in self.store.batch_get(keys, consistent=True)}

    def forget(self, year: int) -> None:
        self._cache.pop(year, None)
