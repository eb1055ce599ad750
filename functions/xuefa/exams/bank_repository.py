"""The question bank: one item a question under its year and pool. The exam's pool is
read whole once per warm container and kept for a few minutes (a paper is drawn from it
at every start); the practice pool lies in a partition of its own, which this reader
never reads (#27). An edit or a retirement (#28) is seen once the cache is renewed."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xuefa.exams.questions import BANK_CACHE_SECONDS, Pool, Question
from xuefa.store.keys import Keys
from xuefa.store.store import Store


@dataclass(frozen=True)
class Held:
    """A question as the pool holds it now."""

    question: Question
    version: int
    retired: bool


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
    a few minutes; it reads its own pool's partition only. It also gives the version of
    a question a paper was given (#28): the held one from the same read, an older one
    from the bank's log (kept for good: a version never changes)."""

    def __init__(
        self,
        store: Store,
        monotonic: Callable[[], float] = time.monotonic,
        pool: Pool = "exam",
    ):
        self.store = store
        self.pool = pool
        self._monotonic = monotonic
        self._cache: dict[int, tuple[float, list[Held]]] = {}
        self._index: dict[int, dict[tuple[str, int], Question]] = {}
        self._older: dict[tuple[int, str, int], Question] = {}

    def _held(self, year: int) -> list[Held]:
        cached = self._cache.get(year)
        now = self._monotonic()
        if cached and now - cached[0] < BANK_CACHE_SECONDS:
            return cached[1]
        partition = Keys.practice_pool(year) if self.pool == "practice" else Keys.bank(year)
        held = [
            Held(
                Question.model_validate(item),
                int(item.get("version") or 1),
                bool(item.get("retired")),
            )
            for item in self.store.query_all(partition)
        ]
        # Only this pool's partition is read; each question's pool is checked all the same.
        held = [one for one in held if one.question.pool == self.pool]
        self._cache[year] = (now, held)
        self._index[year] = {(one.question.question_id, one.version): one.question for one in held}
        return held

    def questions(self, year: int) -> list[Question]:
        # A retired question (#28) is never drawn nor served again; papers keep theirs.
        return [one.question for one in self._held(year) if not one.retired]

    def versions(self, year: int) -> dict[str, int]:
        """The version held of each question of the pool."""
        return {one.question.question_id: one.version for one in self._held(year)}

    def version(self, year: int, question_id: str, version: int) -> Question | None:
        """The question as it was in `version`: held now (retired or not), or logged."""
        held = self._held_now(year, question_id, version)
        if held is not None:
            return held
        key = (year, question_id, version)
        if key not in self._older:
            item = self.store.get(Keys.question_version(year, question_id, version))
            if item is None:  # a version newer than this container's copy: read again
                self.forget(year)
                return self._held_now(year, question_id, version)
            self._older[key] = Question.model_validate(item)
        return self._older[key]

    def _held_now(self, year: int, question_id: str, version: int) -> Question | None:
        self._held(year)
        return self._index[year].get((question_id, version))

    def taken(self, year: int, pool: Pool, question_ids: list[str]) -> set[str]:
        """Which of these ids the year's `pool` already holds (one id, one pool)."""
        keys = [question_key(year, pool, question_id) for question_id in question_ids]
        return {str(item["question_id"]) for item in self.store.batch_get(keys, consistent=True)}

    def forget(self, year: int) -> None:
        self._cache.pop(year, None)
