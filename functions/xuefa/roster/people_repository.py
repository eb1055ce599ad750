"""Reading units and people: the unit tree, a unit's learners page by page with their
year results (the report job and the live progress both walk units this way), the
departure markers a transfer leaves, and a learner's year results across years."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from xuefa.store.keys import Keys
from xuefa.store.store import Paging, Store
from xuefa.store.table import GSI_NAME
from xuefa.years.result_repository import year_result_of
from xuefa.years.results import YearResult

PAGE = 100  # learners a page: one query of the unit index and one BatchGetItem


class DynamoPeople:
    def __init__(self, store: Store):
        self.store = store

    def unit(self, unit_id: str) -> dict[str, Any] | None:
        return self.store.get(Keys.unit(unit_id), consistent=False)

    def child_ids(self, unit_id: str) -> list[str]:
        """The units directly below, by unit id (the index's order)."""
        items = self.store.query_all(Keys.unit_children(unit_id), index=GSI_NAME)
        return [str(item["unit_id"]) for item in items]

    def profile(self, student_no: str) -> dict[str, Any] | None:
        return self.store.get(Keys.learner(student_no))

    def profiles(self, student_nos: Sequence[str]) -> list[dict[str, Any]]:
        return self.store.batch_get([Keys.learner(no) for no in student_nos])

    def account(self, username: str, admin: bool) -> dict[str, Any] | None:
        key = Keys.admin(username) if admin else Keys.learner(username)
        return self.store.get(key, consistent=False)

    def unit_profiles(self, unit_id: str) -> Iterator[dict[str, Any]]:
        """The unit's learners now, by student number, a page at a time."""
        start: dict[str, Any] | None = None
        while True:
            items, start = self.unit_page(unit_id, start)
            yield from items
            if not start:
                return

    def unit_page(
        self, unit_id: str, start: Mapping[str, Any] | None, limit: int = PAGE
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of the unit's learners (profiles) and the key to resume after."""
        page = self.store.query(
            Keys.unit_learners(unit_id), index=GSI_NAME, paging=Paging(limit, start)
        )
        return page.items, page.last_key

    def year_results(self, student_nos: Sequence[str], year: int) -> dict[str, YearResult]:
        """The year results of up to a page of learners who have one, by student number."""
        found = self.store.batch_get([Keys.year_result(no, year) for no in student_nos])
        return {
            str(r["student_no"]): year_result_of(r, str(r["student_no"]), year)
            for r in found
            if "student_no" in r
        }

    def year_result(self, student_no: str, year: int) -> YearResult:
        """The learner's year result (the empty one when there is none)."""
        found = self.store.get(Keys.year_result(student_no, year))
        return year_result_of(found, student_no, year)

    def every_year(self, student_no: str) -> Iterator[YearResult]:
        """The learner's year results, every study year."""
        for item in self.store.query_all(Keys.learner(student_no)["pk"], Keys.year_prefix()):
            yield year_result_of(item, student_no, int(item["year"]))

    def departures(self, unit_id: str) -> Iterator[dict[str, Any]]:
        """The markers of learners who left the unit: student number, when, where to."""
        return self.store.query_all(Keys.unit(unit_id)["pk"], Keys.departures_prefix())
