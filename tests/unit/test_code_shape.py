"""The product's shape (#17, #25): one package per part of the domain, arrows running
downward only; the store and each context's repositories are the only code that knows the
table (no DynamoDB expression, raw key, key builder or transaction anywhere else); and
every function can be read at once."""

from __future__ import annotations

import re
from pathlib import Path

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
TABLE_TALK = re.compile(
    r"ConditionExpression|UpdateExpression|KeyConditionExpression|attribute_(not_)?exists"
    r"|[\"'][A-Z]+#|\bKeys\.|\.transact\(|\bTransactionCancelled\b|\bConditionFailed\b"
)


XUEFA = FUNCTIONS / "xuefa"
# Who may import whom: contexts → years → store → core; a context may read the roster
# (the directory every scope check needs) and the roster our own identity's accounts.
MAY_IMPORT = {
    "core": set(),
    "store": {"core"},
    "years": {"core", "store"},
    "identity": {"core", "store", "years"},
    "roster": {"core", "store", "years", "identity"},
    **{name: {"core", "store", "years", "roster"} for name in ("credits", "exams", "reports")},
}


def is_repository(relative: Path) -> bool:
    """The store, and a context's `repository.py` / `*_repository.py`."""
    if relative.parts[0] != "xuefa":
        return False
    return relative.parts[1] == "store" or relative.stem.endswith("repository")


def product_files() -> list[Path]:
    return [
        path
        for path in FUNCTIONS.rglob("*.py")
        if "egg-info" not in str(path) and "vendor" not in path.parts
    ]


def talkers() -> set[str]:
    found = set()
    for path in product_files():
        relative = path.relative_to(FUNCTIONS)
        if is_repository(relative):
            continue
        if TABLE_TALK.search(path.read_text(encoding="utf-8")):
            found.add(str(relative))
    return found


def test_each_part_of_the_domain_is_a_package() -> None:
    modules = {p.name for p in XUEFA.glob("*.py")}
    packages = {p.name for p in XUEFA.iterdir() if (p / "__init__.py").exists()}
    assert modules <= {"__init__.py", "bootstrap.py"}, modules
    assert packages == set(MAY_IMPORT), packages


def test_arrows_run_downward_only() -> None:
    import ast

    wrong = []
    for path in XUEFA.rglob("*.py"):
        relative = path.relative_to(XUEFA)
        if len(relative.parts) < 2:
            continue
        home = relative.parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("xuefa."):
                other = (node.module or "").split(".")[1]
                if other != home and other not in MAY_IMPORT[home]:
                    wrong.append(f"{relative} imports {node.module}")
    assert wrong == []


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
    for path in product_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 50:
                    long.append(f"{path.relative_to(FUNCTIONS)}:{node.name} {length}")
    assert long == []
