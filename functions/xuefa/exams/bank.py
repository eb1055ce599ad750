"""The question bank of a year: imported by the city admin while the year is open, in
transactions with the year's open check, so a closed year's bank stays as it was. Each
question says its pool (`exam`, drawn into papers, or `practice`, shown with its key at
once); an id lives in one pool only (#27)."""

from __future__ import annotations

from typing import Any

from xuefa.core.auth import Actor
from xuefa.core.clock import Clock
from xuefa.core.errors import BadRequest, YearClosed
from xuefa.exams import views
from xuefa.exams.bank_repository import BankReader, other_pool, question_item
from xuefa.exams.questions import Question, validate_import
from xuefa.exams.repository import AttemptRepository
from xuefa.roster.directory import Directory
from xuefa.years.repository import YearBook

# 49 puts, the 49 checks that the other pool lacks their ids and the year's open check
# fill one transaction (100 operations at most).
BANK_CHUNK = 49


class QuestionBank:
    def __init__(
        self,
        attempts: AttemptRepository,
        years: YearBook,
        bank: BankReader,
        directory: Directory,
        clock: Clock,
    ):
        self.attempts = attempts
        self.years = years
        self.bank = bank
        self.directory = directory
        self.clock = clock

    def import_questions(
        self, actor: Actor, year: int, raw: list[dict[str, Any]]
    ) -> views.Imported:
        self.directory.city_admin(actor)
        config = self.years.get(year)
        now = self.clock.now()
        if config.closed(now):
            raise YearClosed(f"study year {year} has closed: its question bank is final")
        valid, errors = validate_import(raw)
        errors = sorted(errors + self._in_the_other_pool(year, raw, valid), key=_index)
        if errors:
            raise BadRequest(
                f"{len(errors)} of {len(raw)} questions are invalid; nothing was imported",
                {"errors": errors},
            )
        items = [question_item(year, question) for question in valid]
        # In transactions with the year's open check, so a closed year's bank stays as
        # it was.
        for first in range(0, len(items), BANK_CHUNK):
            if not self.attempts.add_questions(year, items[first : first + BANK_CHUNK], now):
                raise YearClosed(f"study year {year} has closed")
        self.bank.forget(year)
        return views.Imported.model_validate({"imported": len(valid), "errors": []})

    def _in_the_other_pool(
        self, year: int, raw: list[dict[str, Any]], valid: list[Question]
    ) -> list[dict[str, Any]]:
        """An error by row for each id the other pool already holds."""
        index_of = {
            entry.get("question_id"): index
            for index, entry in enumerate(raw)
            if isinstance(entry, dict)
        }
        errors = []
        for pool in ("exam", "practice"):
            ids = [q.question_id for q in valid if q.pool == pool]
            elsewhere = other_pool(pool)
            for question_id in sorted(self.bank.taken(year, elsewhere, ids)) if ids else ():
                message = f"question_id {question_id} is already in the {elsewhere} pool"
                errors.append({"index": index_of.get(question_id, -1), "message": message})
        return errors


def _index(error: dict[str, Any]) -> int:
    return int(error["index"])
