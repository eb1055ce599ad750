"""The wrong-answer notebook's schedule: one FSRS card (the `fsrs` package) per learner
and question. A wrong answer rates the card Again; a right answer of a notebook question
rates it Good. FSRS's learning and relearning steps are one day, not minutes (practice
is a daily habit, not a flashcard sitting): a wrong answer, first or after a lapse, is
due again the next day; right answers push it out (2, 6, 17 days with the default
parameters).

Mastered: answered right on three due reviews in a row, on three separate days (a
review counts only when the card was due, and once a Shanghai day, so the learning
steps of a single sitting cannot master a question). A mastered or removed question
leaves the notebook; a later wrong answer brings it back with its card.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from xuefa.core.clock import SHANGHAI, local_date

if TYPE_CHECKING:
    from fsrs import Scheduler

MASTERED_AFTER = 3


@dataclass(frozen=True)
class Card:
    """A notebook question's schedule: the FSRS card (as its JSON), when it is due, and
    the run of right answers on due reviews."""

    fsrs: str
    due: datetime
    streak: int = 0
    counted_on: date | None = None  # the day the streak last grew
    in_notebook: bool = True
    mastered: bool = False

    def is_due(self, now: datetime) -> bool:
        return self.in_notebook and self.due <= now


@lru_cache(maxsize=1)
def scheduler() -> Scheduler:
    """FSRS with its default parameters and retention 0.9, one-day (re)learning steps
    and no fuzz (so a schedule can be checked); imported when a notebook moves, never
    at a cold start."""
    from fsrs import Scheduler

    day = (timedelta(days=1),)
    return Scheduler(learning_steps=day, relearning_steps=day, enable_fuzzing=False)


def _review(fsrs_json: str | None, correct: bool, now: datetime) -> tuple[str, datetime]:
    from fsrs import Card as FsrsCard
    from fsrs import Rating

    at = now.astimezone(UTC)
    card = FsrsCard.from_json(fsrs_json) if fsrs_json else FsrsCard(card_id=1, due=at)
    moved, _ = scheduler().review_card(card, Rating.Good if correct else Rating.Again, at)
    return moved.to_json(), moved.due.astimezone(SHANGHAI)


def answered(card: Card | None, correct: bool, now: datetime) -> Card | None:
    """The card after a practice answer, or None when the notebook does not change (a
    right answer of a question that is not in it)."""
    if card is None or not card.in_notebook:
        if correct:
            return None
        fsrs, due = _review(card.fsrs if card else None, False, now)
        return Card(fsrs=fsrs, due=due)
    fsrs, due = _review(card.fsrs, correct, now)
    if not correct:
        return replace(card, fsrs=fsrs, due=due, streak=0, counted_on=None)
    today = local_date(now)
    counts = card.is_due(now) and card.counted_on != today
    streak = card.streak + 1 if counts else card.streak
    mastered = streak >= MASTERED_AFTER
    return replace(
        card,
        fsrs=fsrs,
        due=due,
        streak=streak,
        counted_on=today if counts else card.counted_on,
        in_notebook=not mastered,
        mastered=mastered,
    )
