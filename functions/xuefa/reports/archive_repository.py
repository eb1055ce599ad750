"""The personal study archive (个人学法档案): a learner's figures for a closed study year,
frozen at the close with the unit they were in, written once and never changed; and the
certificate codes by which anyone can check a passed year."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from xuefa.core.errors import Conflict
from xuefa.store.keys import Keys
from xuefa.store.store import Store, TransactionCancelled
from xuefa.store.table import GSI_NAME, GSI_PARTITION_KEY, GSI_SORT_KEY


class DynamoArchive:
    def __init__(self, store: Store):
        self.store = store

    def freeze(self, record: dict[str, Any], code: str | None) -> dict[str, Any]:
        """The record as frozen: this one, or the one an earlier run of the close froze
        (a close run again after a crash gives the same figures). A passed year's
        certificate code is written with it, in the same transaction."""
        student_no, year = str(record["student_no"]), int(record["year"])
        item = {
            **Keys.archive(student_no, year),
            **_numbers(record),
            GSI_PARTITION_KEY: Keys.unit_archive(str(record["unit_id"]), year),
            GSI_SORT_KEY: student_no,
        }
        writes: list[dict[str, Any]] = []
        if code is not None:
            item["certificate"] = code
            writes.append(
                {
                    "Put": {
                        "Item": {
                            **Keys.certificate(code),
                            "student_no": student_no,
                            "year": year,
                        },
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
        writes.insert(0, {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}})
        try:
            self.store.transact(writes)
        except TransactionCancelled as cancelled:
            if cancelled.failed(0):
                frozen = self.store.get(Keys.archive(student_no, year))
                if frozen is not None:
                    return _record(frozen)
            raise Conflict("a certificate code was drawn twice; the close will retry") from None
        return _record(item)

    def record(self, student_no: str, year: int) -> dict[str, Any] | None:
        item = self.store.get(Keys.archive(student_no, year), consistent=False)
        return _record(item) if item else None

    def every_year(self, student_no: str) -> list[dict[str, Any]]:
        items = self.store.query_all(Keys.learner(student_no)["pk"], Keys.archive_prefix())
        return [_record(item) for item in items]

    def unit_records(self, unit_id: str, year: int) -> Iterator[dict[str, Any]]:
        """The frozen records of the learners the unit had at the year's close."""
        for item in self.store.query_all(Keys.unit_archive(unit_id, year), index=GSI_NAME):
            yield _record(item)

    def certified(self, code: str) -> dict[str, Any] | None:
        """The learner and year a certificate code was issued for."""
        item = self.store.get(Keys.certificate(code), consistent=False)
        if item is None:
            return None
        return self.record(str(item["student_no"]), int(item["year"]))


def _numbers(record: dict[str, Any]) -> dict[str, Any]:
    """Scores as DynamoDB keeps numbers: exact decimals, as they were shown."""
    from decimal import Decimal

    return {k: Decimal(str(v)) if isinstance(v, float) else v for k, v in record.items()}


# Scores and hours are decimals; DynamoDB gives every number back as Decimal (9.0 as 9).
DECIMAL_FIELDS = {"hours", "credit_score", "exam_best", "exam_score", "total"}


def _record(item: dict[str, Any]) -> dict[str, Any]:
    """The record as the report rows have it: floats and ints, not Decimals."""
    from decimal import Decimal

    record: dict[str, Any] = {}
    for key, value in item.items():
        if key in ("pk", "sk", GSI_PARTITION_KEY, GSI_SORT_KEY):
            continue
        if isinstance(value, Decimal):
            value = float(value) if key in DECIMAL_FIELDS else int(value)
        record[key] = value
    record.setdefault("exam_best", None)  # never sat the exam: no attribute is stored
    return record
