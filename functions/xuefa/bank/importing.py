"""The question bank of a year (#27, #28): imported by the city admin while the year is open, in
transactions with the year's open check, so a closed year's bank stays as it was. Each
question says its pool (`exam`, drawn into papers, or `practice`, shown with its key at
once); an id lives in one pool only (#27). A question the bank already holds is updated
as a new version, by the rules of an edit (#28: an exam question only before its window
opens); an unchanged one is left as it is, so an exported bank imports back as a no-op."""

from __future__ import annotations

from typing import Any

from xuefa.bank.repository import BankRevisions, Refused, Revision, next_version
from xuefa.core.auth import Actor
from xuefa.core.clock import Clock
from xuefa.core.errors import BadRequest, Conflict, YearClosed
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
        # The bank's versions are kept on the table the reader reads.
        self.revisions = BankRevisions(bank.store)

    def import_questions(
        self, actor: Actor, year: int, raw: list[dict[str, Any]]
    ) -> views.Imported:
        self.directory.city_admin(actor)
        config = self.years.get(year)
        now = self.clock.now()
        if config.closed(now):
            raise YearClosed(f"study year {year} has closed: its question bank is final")
        valid, errors = validate_import(raw)
        errors += self._in_the_other_pool(year, raw, valid)
        new, revised, unchanged = self._sorted_out(actor, year, raw, valid, errors)
        errors.sort(key=_index)
        if errors:
            raise BadRequest(
                f"{len(errors)} of {len(raw)} questions are invalid; nothing was imported",
                {"errors": errors},
            )
        items = [question_item(year, question) for question in new]
        # In transactions with the year's open check, so a closed year's bank stays as
        # it was.
        for first in range(0, len(items), BANK_CHUNK):
            if not self.attempts.add_questions(year, items[first : first + BANK_CHUNK], now):
                raise YearClosed(f"study year {year} has closed")
        for revision in revised:
            try:
                self.revisions.revise(actor, year, revision, now, "import")
            except Refused as refused:
                question_id = revision.before["question_id"]
                raise Conflict(
                    f"question {question_id} changed meanwhile, or the year or its exam "
                    f"window opened: {len(items)} new questions were imported, import again",
                    {"question_id": question_id, "refused": refused.what},
                ) from None
        self.bank.forget(year)
        answer: dict[str, Any] = {"imported": len(new) + len(revised), "errors": []}
        if revised or unchanged:
            answer |= {"updated": len(revised), "unchanged": unchanged}
        return views.Imported.model_validate(answer)

    def _sorted_out(
        self,
        actor: Actor,
        year: int,
        raw: list[dict[str, Any]],
        valid: list[Question],
        errors: list[dict[str, Any]],
    ) -> tuple[list[Question], list[Revision], int]:
        """The new questions, the next versions of changed ones, how many are unchanged;
        an error by row for an exam question whose window has opened."""
        stored = self.revisions.stored(year, [(q.pool, q.question_id) for q in valid])
        opened = self.years.get(year).exam_window.opens_at <= self.clock.now()
        index_of = {e.get("question_id"): i for i, e in enumerate(raw) if isinstance(e, dict)}
        new, revised, unchanged = [], [], 0
        for question in valid:
            before = stored.get(question.question_id)
            if before is None:
                new.append(question)
            elif Question.model_validate(before) == question:
                unchanged += 1
            elif question.pool == "exam" and opened:
                message = (
                    f"question {question.question_id} is in the exam's pool and the exam "
                    "window has opened: it can no longer be changed (retire it instead)"
                )
                errors.append({"index": index_of.get(question.question_id, -1), "message": message})
            else:
                after = next_version(year, question, before, actor, self.clock.now())
                revised.append(Revision(before, after))
        return new, revised, unchanged

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
