"""Practice on the table (#27), the only module here that speaks DynamoDB.

- The year's practice pool: `PRACTICE#<y>` / `Q#<id>` (the exam bank is `BANK#<y>`; each
  reader queries its own partition only). Read whole and kept a few minutes per warm
  container, as the exam bank is.
- A set: `PSET#<set_id>` / `SET`: its learner, questions, expiry (epoch seconds, also
  the table's TTL) and a map of answers by question. An answer is one UpdateItem whose
  condition holds the set's learner, the question's membership, the expiry and that the
  question has no answer yet: a second answer writes nothing and reads the first back.
- 每日一练: `LEARNER#<no>` / `PDAILY#<yyyymmdd>` names the day's set; it and the set are
  written in one transaction whose condition is that the day has none yet.
- What a learner did with a question: `LEARNER#<no>` / `PQ#<y>#<id>`: answered and
  correct (ADDed, never read and rewritten), and the notebook's FSRS card, moved under
  the condition that its version is the one the move was computed from.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from xuefa.core.clock import SHANGHAI, iso, parse_iso
from xuefa.core.errors import Conflict
from xuefa.exams.bank_repository import BankReader
from xuefa.exams.questions import Question
from xuefa.practice.schedule import Card
from xuefa.practice.sets import GivenSet, Practised
from xuefa.store.keys import Keys
from xuefa.store.store import ConditionFailed, Store, TransactionCancelled

NEW_ONLY = "attribute_not_exists(pk)"
ANSWERABLE = (
    "attribute_exists(pk) AND attribute_not_exists(answers.#q) AND #owner = :me"
    " AND contains(question_ids, :q) AND expires_at > :now"
)


def _set_item(given: GivenSet) -> dict[str, Any]:
    return {
        **Keys.practice_set(given.set_id),
        "owner": given.owner,
        "year": given.year,
        "kind": given.kind,
        "question_ids": list(given.question_ids),
        "expires_at": int(given.expires_at.timestamp()),
        "answers": {},
        "answered": 0,
        **({"subject": given.subject} if given.subject else {}),
    }


def _given(item: Mapping[str, Any]) -> GivenSet:
    return GivenSet(
        set_id=str(item["pk"]).removeprefix("PSET#"),
        owner=str(item["owner"]),
        year=int(item["year"]),
        kind=str(item["kind"]),
        question_ids=tuple(str(q) for q in item["question_ids"]),
        expires_at=datetime.fromtimestamp(int(item["expires_at"]), SHANGHAI),
        answered=int(item.get("answered", 0)),
        subject=item.get("subject"),
    )


def _card(item: Mapping[str, Any]) -> Card | None:
    if not item.get("card"):
        return None
    return Card(
        fsrs=str(item["card"]),
        due=parse_iso(str(item["due_at"])),
        streak=int(item.get("streak", 0)),
        counted_on=date.fromisoformat(item["counted_on"]) if item.get("counted_on") else None,
        in_notebook=bool(item.get("in_notebook")),
        mastered=bool(item.get("mastered")),
    )


def _practised(item: Mapping[str, Any]) -> Practised:
    return Practised(
        question_id=str(item["question_id"]),
        topic=item.get("topic"),
        answered=int(item.get("answered", 0)),
        correct=int(item.get("correct", 0)),
        card=_card(item),
        version=int(item.get("version", 0)),
        sets=frozenset(str(s) for s in item.get("sets", ())),
    )


class DynamoPractice:
    """The practice pool, the sets given, and each learner's record per question."""

    def __init__(
        self,
        store: Store,
        monotonic: Callable[[], float] = time.monotonic,
        pool: BankReader | None = None,
    ):
        self.store = store
        # A reader may be shared, as one warm container's answers share its cache.
        self._pool = pool or BankReader(store, monotonic, pool="practice")

    # the pool ----------------------------------------------------------------------

    def pool(self, year: int) -> dict[str, Question]:
        """The year's practice questions by id, in the bank's order (kept a few minutes
        per warm container, as the exam's pool is)."""
        return {q.question_id: q for q in self._pool.questions(year)}

    # sets --------------------------------------------------------------------------

    def given(self, set_id: str) -> GivenSet | None:
        item = self.store.get(Keys.practice_set(set_id))
        return _given(item) if item else None

    def daily(self, student_no: str, day: date) -> GivenSet | None:
        pointer = self.store.get(Keys.daily_practice(student_no, day))
        return self.given(str(pointer["set_id"])) if pointer else None

    def give(self, given: GivenSet, daily_on: date | None = None) -> GivenSet:
        """Store a set; a day's second daily set is not stored: the first comes back."""
        if daily_on is None:
            self.store.put(_set_item(given), condition=NEW_ONLY)
            return given
        pointer = {
            **Keys.daily_practice(given.owner, daily_on),
            "set_id": given.set_id,
            "expires_at": int(given.expires_at.timestamp()),
        }
        try:
            self.store.transact(
                [
                    {"Put": {"Item": pointer, "ConditionExpression": NEW_ONLY}},
                    {"Put": {"Item": _set_item(given), "ConditionExpression": NEW_ONLY}},
                ]
            )
        except TransactionCancelled as cancelled:
            first = self.daily(given.owner, daily_on) if cancelled.failed(0) else None
            if first is None:
                raise Conflict("the day's practice set is being made; try again") from None
            return first
        return given

    def answer(
        self, given: GivenSet, question_id: str, outcome: dict[str, Any], now: datetime
    ) -> tuple[dict[str, Any], int, bool, dict[str, bool]]:
        """Record the first answer of a question of the set: (the outcome that counts, how
        many of the set's questions are answered, whether this one was answered before,
        every answer of the set so far: right or not, by question)."""
        try:
            item = self.store.update(
                Keys.practice_set(given.set_id),
                "SET answers.#q = :outcome ADD answered :one",
                condition=ANSWERABLE,
                names={"#q": question_id, "#owner": "owner"},
                values={
                    ":outcome": outcome,
                    ":one": 1,
                    ":me": given.owner,
                    ":q": question_id,
                    ":now": int(now.timestamp()),
                },
            )
        except ConditionFailed as failed:
            stored = failed.item or {}
            first = stored.get("answers", {}).get(question_id)
            if first is None:
                raise Conflict("this practice set can no longer be answered") from None
            return dict(first), int(stored.get("answered", 0)), True, _rights(stored)
        return outcome, int(item["answered"]), False, _rights(item)

    # what the learner did ----------------------------------------------------------

    def practised(self, student_no: str, year: int) -> dict[str, Practised]:
        """Every practice question the learner answered in the year: one Query."""
        prefix = Keys.practised_prefix(year)
        items = self.store.query_all(Keys.learner(student_no)["pk"], prefix)
        return {p.question_id: p for p in map(_practised, items)}

    def practised_one(self, student_no: str, year: int, question_id: str) -> Practised | None:
        item = self.store.get(Keys.practised(student_no, year, question_id))
        return _practised(item) if item else None

    def tally(
        self, given: GivenSet, question: Question, correct: bool, card: Card | None, version: int
    ) -> bool:
        """Count a set's answer once and, if the notebook moves, write the new card: one
        UpdateItem. False (nothing written) when another answer moved the card since
        `version`, or this set's answer was counted already (the set's id is kept)."""
        sets = ["question_id = :q", "topic = :topic"]
        values: dict[str, Any] = {
            ":q": question.question_id,
            ":topic": question.topic,
            ":one": 1,
            ":right": 1 if correct else 0,
            ":set": given.set_id,
            ":sets": {given.set_id},
        }
        once = "(attribute_not_exists(#sets) OR NOT contains(#sets, :set))"
        condition: str | None = None
        if card is not None:
            sets += ["card = :card", "due_at = :due", "streak = :streak", "version = :next"]
            sets += ["counted_on = :counted", "in_notebook = :in", "mastered = :mastered"]
            values.update(_card_values(card, version + 1))
            condition = "attribute_not_exists(version)" if version == 0 else "version = :seen"
            if version:
                values[":seen"] = version
        condition = f"{condition} AND {once}" if condition else once
        expression = f"SET {', '.join(sets)} ADD answered :one, correct :right, #sets :sets"
        key = Keys.practised(given.owner, given.year, question.question_id)
        try:
            self.store.update(
                key,
                expression,
                condition=condition,
                names={"#sets": "sets"},
                values=values,
                new_item=False,
            )
        except ConditionFailed:
            return False
        return True

    def remove(self, student_no: str, year: int, question_id: str) -> bool:
        """Take a question out of the notebook (its tallies stay); False if it is not in."""
        try:
            self.store.update(
                Keys.practised(student_no, year, question_id),
                "SET in_notebook = :out ADD version :one",
                condition="in_notebook = :in",
                values={":out": False, ":in": True, ":one": 1},
                new_item=False,
            )
        except ConditionFailed:
            return False
        return True


def _rights(item: Mapping[str, Any]) -> dict[str, bool]:
    return {str(q): bool(a.get("correct")) for q, a in item.get("answers", {}).items()}


def _card_values(card: Card, version: int) -> dict[str, Any]:
    return {
        ":card": card.fsrs,
        ":due": iso(card.due),
        ":streak": card.streak,
        ":next": version,
        ":counted": card.counted_on.isoformat() if card.counted_on else "",
        ":in": card.in_notebook,
        ":mastered": card.mastered,
    }
