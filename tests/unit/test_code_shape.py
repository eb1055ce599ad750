"""The product's shape (#17): the data-access layer is the only code that knows the
table (no DynamoDB expression, raw key, key builder or transaction outside `xuefa/dal`),
and every function can be read at once."""

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


def test_no_function_of_the_product_is_longer_than_fifty_lines() -> None:
    """Read at once (#17); complexity and argument counts are ruff's (C90, PLR0913)."""
    import ast

    long = []
    for path in FUNCTIONS.rglob("*.py"):
        if "vendor" in path.parts or "egg-info" in str(path):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 50:
                    long.append(f"{path.relative_to(FUNCTIONS)}:{node.name} {length}")
    assert long == []
