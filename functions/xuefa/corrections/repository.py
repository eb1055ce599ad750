"""What corrections keep and change in the table (#28.2).

The year's corrections are one item (`YEAR#<y>` / `CORRECTIONS`): a list and its count.
A new one is appended in one transaction with the count it was read at, the year still
open, and its audit entry; two admins at once cannot both be the n-th.

A regrade raises one attempt at a time, in one transaction: its sheet (still the score it
was read at, not yet regraded with this many corrections: a slower run with fewer never
undoes a faster one with more), the year result's best score and that day's best when the
new score passes them (both as they were read), and the year still open."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from xuefa.core.audit import AuditEntry
from xuefa.core.auth import Actor
from xuefa.exams.corrected import Correction
from xuefa.exams.papers import PaperQuestion
from xuefa.exams.questions import Question
from xuefa.exams.repository import Attempt, AttemptReads
from xuefa.store.audit import audit_put
from xuefa.store.keys import Keys
from xuefa.store.store import Store, TransactionCancelled
from xuefa.store.table import GSI_NAME
from xuefa.years.repository import year_open_check
from xuefa.years.result_repository import (
    Change,
    Condition,
    best_attr,
    year_result_of,
    year_result_update,
)
from xuefa.years.results import YearResult


class YearHasClosed(Exception):
    """The year closed: a closed year never changes."""


@dataclass(frozen=True)
class ScoreRise:
    """One attempt's new score under `count` corrections, and what it was read as."""

    result: YearResult  # the learner's year result as read
    attempt_no: int
    finished_day: date
    old: Decimal
    new: Decimal
    count: int
    notes: list[dict[str, Any]]
    now: datetime


Outcome = Literal["raised", "moved"]


class DynamoCorrections:
    def __init__(self, store: Store):
        self.store = store
        self.attempts = AttemptReads(store)

    # --- the year's corrections ---------------------------------------------------------

    def corrections(self, year: int) -> list[Correction]:
        item = self.store.get(Keys.corrections(year)) or {}
        return [Correction.of(c) for c in item.get("corrections", [])]

    def exam_question(self, year: int, question_id: str) -> Question | None:
        """The exam pool's question, retired or not (papers may have it all the same)."""
        item = self.store.get(Keys.question(year, question_id))
        return Question.model_validate(item) if item else None

    def add(self, actor: Actor, year: int, correction: Correction, now: datetime) -> bool:
        """Append the year's `correction.number`-th correction; False if another came
        first, `YearHasClosed` if the year has closed."""
        record = correction.record()
        before = correction.number - 1
        entry = AuditEntry(
            action="exam_question_corrected",
            target=f"{year}/{correction.question_id}",
            at=now,
            after=record,
            reason=correction.reason,
        )
        operations = [
            {
                "Update": {
                    "Key": Keys.corrections(year),
                    "UpdateExpression": "SET #list = list_append(if_not_exists(#list, :none), "
                    ":one), #count = :count, #year = :year",
                    "ConditionExpression": "attribute_not_exists(#count)"
                    if before == 0
                    else "#count = :before",
                    "ExpressionAttributeNames": {
                        "#list": "corrections",
                        "#count": "count",
                        "#year": "year",
                    },
                    "ExpressionAttributeValues": {
                        ":none": [],
                        ":one": [record],
                        ":count": correction.number,
                        ":year": year,
                        **({":before": before} if before else {}),
                    },
                }
            },
            year_open_check(year, now),
            audit_put(actor, entry),
        ]
        try:
            self.store.transact(operations)
        except TransactionCancelled as exc:
            if exc.failed(1):
                raise YearHasClosed() from exc
            return False
        return True

    # --- what a regrade reads -----------------------------------------------------------

    def graded(self, unit_id: str, year: int) -> Iterator[YearResult]:
        """The year results of a unit's learners with a graded attempt (the unit-year
        index the nightly report reads; eventually consistent: each rise checks what it
        read)."""
        for item in self.store.query_all(Keys.unit_year(unit_id, year), index=GSI_NAME):
            result = year_result_of(item, str(item["student_no"]), year)
            if result.best is not None:
                yield result

    def result(self, student_no: str, year: int) -> YearResult:
        item = self.store.get(Keys.year_result(student_no, year))
        return year_result_of(item, student_no, year)

    def sheets(self, student_no: str, year: int, started: int) -> list[Attempt]:
        return self.attempts.sheets(student_no, year, started)

    def sheet(self, student_no: str, year: int, attempt_no: int) -> Attempt | None:
        item = self.store.get(Keys.sheet(student_no, year, attempt_no))
        return Attempt(item, []) if item else None

    def paper(self, student_no: str, year: int, attempt_no: int) -> list[PaperQuestion]:
        item = self.store.get(Keys.attempt(student_no, year, attempt_no), consistent=False)
        return self.attempts.paper_of(item) if item else []

    # --- a rise -------------------------------------------------------------------------

    def raise_score(self, rise: ScoreRise) -> Outcome:
        """'raised', or 'moved' when the sheet or the year result changed since they were
        read (read again and decide again); `YearHasClosed` once the year has closed."""
        result = rise.result
        operations: list[dict[str, Any]] = [_sheet_rise(rise)]
        day_best = result.best_on.get(rise.finished_day)
        sets: dict[str, Any] = {}
        if result.best is None or result.best < rise.new:
            sets["best_score"] = rise.new
        if day_best is None or day_best < rise.new:
            sets[best_attr(rise.finished_day)] = rise.new  # the reports' best as of that day
        if sets:
            names = {"#best": "best_score", "#day": best_attr(rise.finished_day)}
            values: dict[str, Any] = {}
            condition = "attribute_not_exists(#best) AND "
            if result.best is not None:
                condition, values[":best"] = "#best = :best AND ", result.best
            if day_best is None:
                condition += "attribute_not_exists(#day)"
            else:
                condition += "#day = :day"
                values[":day"] = day_best
            operations.append(
                year_result_update(
                    result.student_no,
                    result.year,
                    str(result.unit_id),
                    Change(sets=sets),
                    Condition(condition, names, values),
                )
            )
        operations.append(year_open_check(result.year, rise.now))
        try:
            self.store.transact(operations)
        except TransactionCancelled as exc:
            if exc.failed(len(operations) - 1):
                raise YearHasClosed() from exc
            return "moved"
        return "raised"


def _sheet_rise(rise: ScoreRise) -> dict[str, Any]:
    result = rise.result
    return {
        "Update": {
            "Key": Keys.sheet(result.student_no, result.year, rise.attempt_no),
            "UpdateExpression": "SET score = :new, graded_score = if_not_exists(graded_score, "
            ":old), regraded = :count, corrections = :notes",
            "ConditionExpression": "#state = :submitted AND score = :old AND "
            "(attribute_not_exists(regraded) OR regraded < :count)",
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": {
                ":new": rise.new,
                ":old": rise.old,
                ":count": rise.count,
                ":notes": rise.notes,
                ":submitted": "submitted",
            },
        }
    }
