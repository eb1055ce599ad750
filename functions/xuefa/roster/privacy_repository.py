"""Personal data as PIPL asks (#29.4), on the table: who looked at a learner's records,
everything held in a learner's own partition (for their download), and the learners who
left, whose records the retention job deletes once they have been kept long enough."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xuefa.core.clock import iso
from xuefa.roster.access_repository import AccessRecords
from xuefa.roster.repository import dedupe_key
from xuefa.store.keys import Keys
from xuefa.store.store import Paging, Store
from xuefa.store.table import GSI_PARTITION_KEY, GSI_SORT_KEY, PARTITION_KEY, SORT_KEY

# An attempt's stored paper item -> its questions as shown (no keys).
PaperReader = Callable[[Mapping[str, Any]], list[dict[str, Any]]]


class DynamoPrivacy(AccessRecords):
    """The access records, a learner's whole partition by part, and the leavers."""

    def __init__(self, store: Store, papers: PaperReader | None = None):
        super().__init__(store)
        # A paper stored as what was drawn (#28) is shown as its learner saw it: the
        # exams rebuild it from their bank (the roster cannot read it; bootstrap joins).
        self.papers = papers

    def admins(self, usernames: Sequence[str]) -> dict[str, dict[str, Any]]:
        found = self.store.batch_get([Keys.admin(name) for name in usernames])
        return {str(item["username"]): item for item in found}

    def held(self, student_no: str) -> dict[str, list[dict[str, Any]]]:
        """Every item of the learner's own partition by part (`_PARTS`; `other` for a
        kind not named there), without the table's bookkeeping; a paper and its answer
        sheet are one attempt."""
        parts: dict[str, list[dict[str, Any]]] = {p: [] for p in {*_PARTS.values(), "other"}}
        attempts: dict[str, dict[str, Any]] = {}
        for item in self.store.query_all(Keys.learner(student_no)[PARTITION_KEY]):
            sort_key = str(item[SORT_KEY])
            part = _part(sort_key)
            plain = {k: v for k, v in item.items() if k not in _BOOKKEEPING}
            if part == "attempts":
                attempts.setdefault(sort_key.split("#", 1)[1], {}).update(plain)
            else:
                parts[part].append(plain)
        parts["attempts"] = [self._shown(attempts[key]) for key in sorted(attempts)]
        return parts

    def _shown(self, attempt: dict[str, Any]) -> dict[str, Any]:
        if "drawn" not in attempt or self.papers is None:
            return attempt
        kept = {k: v for k, v in attempt.items() if k != "drawn"}
        return {**kept, "paper": self.papers(attempt)}

    def account(self, student_no: str) -> dict[str, Any] | None:
        """Our own identity's account item (none with Cognito)."""
        item = self.store.get(Keys.account(student_no), consistent=False)
        return {k: v for k, v in item.items() if k not in _BOOKKEEPING} if item else None

    def leavers_before(self, cutoff: datetime, limit: int) -> list[Leaver]:
        """Learners who left before `cutoff`, earliest first (at most `limit`)."""
        page = self.store.query(Keys.leavers(), below=iso(cutoff), paging=Paging(limit))
        return [
            Leaver(str(item["student_no"]), str(item[SORT_KEY]).rsplit("#", 1)[0])
            for item in page.items
        ]

    def profile(self, student_no: str) -> dict[str, Any] | None:
        return self.store.get(Keys.learner(student_no))

    def drop_leaver(self, leaver: Leaver) -> None:
        self.store.batch_delete([Keys.leaver(leaver.left_at, leaver.student_no)])

    def forget(self, student_no: str, profile: Mapping[str, Any] | None) -> None:
        """Delete what is held on the learner: their partition, their own identity's
        account items, their certificates' codes, the same-person marker and the
        departure markers their transfers left; the profile last, so that a run cut
        short finds the learner again."""
        keys = self._keys(Keys.account(student_no)[PARTITION_KEY])
        held = list(self.store.query_all(Keys.learner(student_no)[PARTITION_KEY]))
        keys += [{PARTITION_KEY: str(i[PARTITION_KEY]), SORT_KEY: str(i[SORT_KEY])} for i in held]
        keys += [Keys.certificate(str(i["certificate"])) for i in held if i.get("certificate")]
        if profile is not None:
            unit_id, name = str(profile["unit_id"]), str(profile["name"])
            keys.append(dedupe_key(unit_id, name, profile.get("phone")))
            for event in profile.get("history", []):
                if event.get("event") == "transfer":
                    keys.append(
                        Keys.departure(str(event["from_unit_id"]), str(event["at"]), student_no)
                    )
        keys.sort(key=lambda k: k == Keys.learner(student_no))
        self.store.batch_delete(keys)

    def _keys(self, partition: str) -> list[dict[str, str]]:
        return [
            {PARTITION_KEY: str(item[PARTITION_KEY]), SORT_KEY: str(item[SORT_KEY])}
            for item in self.store.query_all(partition)
        ]


@dataclass(frozen=True)
class Leaver:
    student_no: str
    left_at: str


# The table's bookkeeping, none of it the learner's data.
_BOOKKEEPING = {PARTITION_KEY, SORT_KEY, GSI_PARTITION_KEY, GSI_SORT_KEY, "expires_at"}
# The learner's partition by what each sort key starts with.
_PARTS = {
    "PROFILE": "profile",
    "YEAR#": "year_results",
    "SESSION#": "study_sessions",
    "STUDYING#": "study_sessions",
    "CREDIT#": "ledger",
    "ATTEMPT#": "attempts",
    "SHEET#": "attempts",
    "PQ#": "practice",
    "PDAILY#": "practice",
    "ARCHIVE#": "archive",
    "ACCESS#": "access",
}


def _part(sort_key: str) -> str:
    for prefix, part in _PARTS.items():
        if sort_key.startswith(prefix):
            return part
    return "other"
