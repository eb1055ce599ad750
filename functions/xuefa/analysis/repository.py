"""What the item analysis reads of the table: the learners of a unit who have a graded
attempt in the year (the unit-year index the nightly report reads), each one's first
graded attempt with its paper, and the latest close any override of the year granted.
Its runs are the report runs' items (`RUN#analysis-<year>`: claims, shards, the final
step), through `reports.run_repository`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from xuefa.exams.papers import PaperQuestion
from xuefa.exams.repository import LATEST_CLOSE, AttemptReads
from xuefa.store.keys import Keys
from xuefa.store.store import Store
from xuefa.store.table import GSI_NAME
from xuefa.years.result_repository import year_result_of


@dataclass(frozen=True)
class GradedPaper:
    """A learner's paper as they were given it, and the answers it was graded on."""

    paper: list[PaperQuestion]
    answers: dict[str, list[str]]


class DynamoAnalysisReads:
    def __init__(self, store: Store):
        self.store = store
        self.attempts = AttemptReads(store)

    def latest_granted_close(self, year: int) -> int | None:
        config = self.store.get(Keys.year_config(year)) or {}
        latest = config.get(LATEST_CLOSE)
        return int(latest) if latest is not None else None

    def graded_learners(self, unit_id: str, year: int) -> Iterator[tuple[str, int]]:
        """(student number, attempts started) of each learner of the unit whose year
        has a best score, i.e. at least one graded attempt."""
        for item in self.store.query_all(Keys.unit_year(unit_id, year), index=GSI_NAME):
            result = year_result_of(item, str(item["student_no"]), year)
            if result.best is not None:
                yield result.student_no, result.attempts_taken

    def first_graded(self, student_no: str, year: int, started: int) -> GradedPaper | None:
        """The learner's first graded attempt (its sheet, then its paper: two reads)."""
        sheets = self.attempts.sheets(student_no, year, started)
        graded = next((s for s in sheets if not s.is_open and s.score is not None), None)
        if graded is None:
            return None
        whole = self.store.get(Keys.attempt(student_no, year, graded.number), consistent=False)
        if whole is None:
            return None
        return GradedPaper(self.attempts.paper_of(whole), graded.answers)
