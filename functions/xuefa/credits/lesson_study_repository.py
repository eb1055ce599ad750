"""A learner's lesson sessions on the table: the open one, the lessons already paid,
and the progress reports.

A progress report is one conditional UpdateItem on the session (1 write unit on the
common path): it lands only if the session's `last_report_ms` is still the one the
report was counted from, so parallel reports for one session count once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from xuefa.credits.attention import Attention
from xuefa.credits.views import StudySession
from xuefa.store.keys import Keys
from xuefa.store.store import ConditionFailed, Store


class DynamoLessonStudy:
    def __init__(self, store: Store):
        self.store = store

    def open_session(self, student_no: str, year: int) -> StudySession | None:
        """The learner's open lesson session (what its lock names), if any."""
        lock = self.store.get(Keys.open_session(student_no, year))
        if not lock or not lock.get("session_id"):
            return None
        return self.session(student_no, year, str(lock["session_id"]))

    def session(self, student_no: str, year: int, session_id: str) -> StudySession | None:
        item = self.store.get(Keys.session(student_no, year, session_id))
        return StudySession.model_validate(item) if item else None

    def completed(self, student_no: str, year: int, lesson_ids: Sequence[str]) -> set[str]:
        """The lessons already paid to the learner this year (their once-a-year marks)."""
        keys = [Keys.idempotency(f"resource-{year}-{student_no}", i) for i in lesson_ids]
        found = self.store.batch_get(keys) if keys else []
        return {str(item["pk"]).rsplit("#", 1)[-1] for item in found}

    def report(
        self,
        session: StudySession,
        after: Attention,
        position: str,
        extra: dict[str, Any],
    ) -> bool:
        """Write the report's outcome, only over the state it was counted from; False
        when another report landed first (nothing written)."""
        assert session.last_report_ms is not None
        values = {
            ":served": after.served_seconds,
            ":last": after.last_report_ms,
            ":position": position,
            ":played": [[math.ceil(a), math.floor(b)] for a, b in after.played],
            ":next": after.next_check_at,
            ":issued": after.checks_issued,
            ":before": session.last_report_ms,
            ":open": "open",
            **{f":{k}": v for k, v in extra.items()},
        }
        sets = ", ".join(f"{k} = :{k}" for k in extra)
        expression = (
            "SET served_seconds = :served, last_report_ms = :last, #position = :position, "
            "played = :played, next_check_at = :next, checks_issued = :issued"
            + (f", {sets}" if sets else "")
        )
        if after.pending_check is None:
            expression += " REMOVE pending_check"
        else:
            expression = expression.replace("SET ", "SET pending_check = :pending, ", 1)
            values[":pending"] = after.pending_check
        try:
            self.store.update(
                Keys.session(session.student_no, session.year, session.session_id),
                expression,
                "#state = :open AND last_report_ms = :before",
                names={"#state": "state", "#position": "position"},
                values=values,
                new_item=False,
            )
        except ConditionFailed:
            return False
        return True
