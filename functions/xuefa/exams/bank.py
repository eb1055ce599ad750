"""The question bank of a year: imported by the city admin while the year is open, in
transactions with the year's open check, so a closed year's bank stays as it was."""

from __future__ import annotations

from typing import Any

from xuefa.core.auth import Actor
from xuefa.core.clock import Clock
from xuefa.core.errors import BadRequest, YearClosed
from xuefa.exams import views
from xuefa.exams.bank_repository import BankReader, question_item
from xuefa.exams.questions import validate_import
from xuefa.exams.repository import AttemptRepository
from xuefa.roster.directory import Directory
from xuefa.years.repository import YearBook

BANK_CHUNK = 99


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
        if errors:
            raise BadRequest(
                f"{len(errors)} of {len(raw)} questions are invalid; nothing was imported",
                {"errors": errors},
            )
        items = [question_item(year, question) for question in valid]
        # In transactions with the year's open check, so a closed year's bank stays as
        # it was; 99 puts and the check fill one transaction.
        for first in range(0, len(items), BANK_CHUNK):
            if not self.attempts.add_questions(year, items[first : first + BANK_CHUNK], now):
                raise YearClosed(f"study year {year} has closed")
        self.bank.forget(year)
        return views.Imported.model_validate({"imported": len(valid), "errors": []})
