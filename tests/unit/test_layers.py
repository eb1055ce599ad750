"""The data-access layer is the only code that knows the table: no DynamoDB expression,
raw key, key builder or transaction outside `xuefa/dal`."""

from __future__ import annotations

import re
from pathlib import Path

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
TABLE_TALK = re.compile(
    r"ConditionExpression|UpdateExpression|KeyConditionExpression|attribute_(not_)?exists"
    r"|[\"'][A-Z]+#|\bKeys\.|\.transact\(|\bTransactionCancelled\b|\bConditionFailed\b"
)


def talkers() -> set[str]:
    found = set()
    for path in FUNCTIONS.rglob("*.py"):
        relative = path.relative_to(FUNCTIONS)
        if relative.parts[:2] == ("xuefa", "dal") or "egg-info" in str(relative):
            continue
        if TABLE_TALK.search(path.read_text(encoding="utf-8")):
            found.add(relative.name if relative.parts[0] == "xuefa" else str(relative))
    return found


def test_only_the_repositories_speak_dynamodb() -> None:
    assert talkers() == set()


def test_the_pattern_sees_what_it_looks_for() -> None:
    for line in (
        '"ConditionExpression": "attribute_not_exists(pk)"',
        'f"LEARNER#{student_no}"',
        "Keys.year_result(student_no, year)",
        "self.store.transact(operations)",
    ):
        assert TABLE_TALK.search(line), line
    assert not TABLE_TALK.search("self.records.award(award)")
