"""Who looked at a learner's records (#29.4): one item per administrator's view, in the
learner's own partition (apart from privacy_repository: the directory records views and
must not import the roster's repository)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from xuefa.core.clock import iso
from xuefa.store.keys import Keys
from xuefa.store.store import Paging, Store
from xuefa.store.table import PARTITION_KEY

# An access record is kept three years (the table's TTL), past 等保's 180 days for
# audit records; the learner's departure deletes it with the rest, when that comes first.
ACCESS_KEPT = timedelta(days=3 * 366)


class AccessRecords:
    """One item per administrator's view of a learner's records, in the learner's own
    partition: one PutItem a view, one query for the learner's list."""

    def __init__(self, store: Store):
        self.store = store

    def record(self, student_no: str, by: str, by_unit: str, what: str, at: datetime) -> None:
        # The microseconds first: two views in one second still list newest first.
        access_id = f"{at.microsecond:06d}{secrets.token_hex(3)}"
        self.store.put(
            {
                **Keys.access(student_no, iso(at), access_id),
                "by": by,
                "by_unit": by_unit,
                "what": what,
                "at": iso(at),
                "expires_at": int((at + ACCESS_KEPT).timestamp()),  # the table's TTL
            },
            condition="attribute_not_exists(pk)",
        )

    def page(
        self, student_no: str, limit: int, start: Mapping[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Newest first."""
        page = self.store.query(
            Keys.learner(student_no)[PARTITION_KEY],
            Keys.access_prefix(),
            paging=Paging(limit, start, forward=False),
        )
        return page.items, page.last_key
