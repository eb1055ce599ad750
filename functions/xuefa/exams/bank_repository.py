"""The question bank: one item a question under its year, read whole once per warm
container and kept for a few minutes (a paper is drawn from it at every start)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from xuefa.exams.questions import BANK_CACHE_SECONDS, Question
from xuefa.store.keys import Keys
from xuefa.store.store import Store


def question_item(year: int, question: Question) -> dict[str, Any]:
    return {**Keys.question(year, question.question_id), **question.model_dump(), "year": year}


class BankReader:
    """A year's bank, read once per warm container and kept for a few minutes."""

    def __init__(self, store: Store, monotonic: Callable[[], float] = time.monotonic):
        self.store = store
        self._monotonic = monotonic
        self._cache: dict[int, tuple[float, list[Question]]] = {}

    def questions(self, year: int) -> list[Question]:
        cached = self._cache.get(year)
        now = self._monotonic()
        if cached and now - cached[0] < BANK_CACHE_SECONDS:
            return cached[1]
        questions = [
            Question.model_validate(item) for item in self.store.query_all(Keys.bank(year))
        ]
        self._cache[year] = (now, questions)
        return questions

    def forget(self, year: int) -> None:
        self._cache.pop(year, None)
