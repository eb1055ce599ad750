"""The product's shape (#17, #25): one package per part of the domain, arrows running
downward only; the store and each context's repositories are the only code that knows the
table (no DynamoDB expression, raw key, key builder or transaction anywhere else) and the
names it stores things under; every function can be read at once, every class holds one
job."""

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
# (the directory every scope check needs) and the roster our own identity's accounts;
# practice reads the bank's questions (exams) and pays a completed set's credits with the
# award's own conditions (credits), and neither of them imports practice; the bank the
# city keeps (#28) imports into and edits the exams' pools, above them.
MAY_IMPORT = {
    "core": set(),
    "store": {"core"},
    "years": {"core", "store"},
    "identity": {"core", "store", "years"},
    "roster": {"core", "store", "years", "identity"},
    **{name: {"core", "store", "years", "roster"} for name in ("credits", "exams", "reports")},
    "practice": {"core", "store", "years", "exams", "credits"},
    "bank": {"core", "store", "years", "roster", "exams"},
    # the item analysis reads the exams' attempts and bank, and renders files as reports do
    "analysis": {"core", "store", "years", "roster", "exams", "reports"},
    # corrections regrade the exams' attempts in runs as the item analysis's
    "corrections": {"core", "store", "years", "roster", "exams", "reports", "analysis"},
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


# The names the table stores a learner's year result, an attempt's sheet and the year's
# latest granted close under (#25.2): only the data layer reads or writes by them; the
# rest reads YearResult and Attempt. An answer model (views.py) may share a name: it is
# the contract's, not the table's.
STORAGE_NAMES = (
    "attempts_used",
    "open_attempt",
    "open_hard_close",
    "close_override",
    "extra_attempts",
    "last_submitted",
    "best_score",
    "hard_close",
    "answer_saves",
    "override_closes_max",
)
_NAME = "[\"'](?:" + "|".join(STORAGE_NAMES) + ")[\"']"
STORAGE_TALK = re.compile(
    rf"(?:(?<=[\w)\]])\[|\.get\(|\.pop\(|\.setdefault\()\s*{_NAME}"  # read by name
    rf"|{_NAME}\s+(?:not\s+)?in\b"  # asked whether it is there
    rf"|{_NAME}\s*:"  # written by name
    r"|(?<!\w)f?[\"'][djnba]_(?:\{|[0-9]{8})"  # a per-day counter: d_20260315, f"n_{day}"
)


def storage_talkers() -> list[str]:
    found = []
    for path in product_files():
        relative = path.relative_to(FUNCTIONS)
        if is_repository(relative) or relative.name == "views.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if STORAGE_TALK.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_only_the_data_layer_knows_the_stored_names() -> None:
    assert storage_talkers() == []


def test_the_stored_names_pattern_sees_what_it_looks_for() -> None:
    for line in (
        'used = int(result.get("attempts_used", 0))',
        'if "open_attempt" in result:',
        'late = now >= int(attempt.sheet["hard_close"])',
        'before = {"extra_attempts": extra, "close_override": close}',
        'total += result.get(f"d_{day:%Y%m%d}", 0)',
        'name == "n_20260315"',
    ):
        assert STORAGE_TALK.search(line), line
    for line in (
        "used = result.attempts_taken",
        "views.ExamSummary(attempts_used=used, best_score=best)",
        '{"required": ["extra_attempts"]}',
        'answer = {"grade_b": 1}',
    ):
        assert not STORAGE_TALK.search(line), line


MAX_CLASS_LINES = 250
# Classes over the limit, each at most as long as it was: they may shrink, never grow, and
# leave this list when split. #25.3 split all of them (Exams, ReportJob, ReportQueries,
# Credits, DynamoCredits, DynamoContent, DynamoAttempts, Roster, ImportJobs, DynamoRoster).
STILL_LONG: dict[str, int] = {}


def class_lengths() -> dict[str, int]:
    import ast

    lengths = {}
    for path in product_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                name = f"{path.relative_to(FUNCTIONS)}:{node.name}"
                lengths[name] = (node.end_lineno or node.lineno) - node.lineno + 1
    return lengths


def test_no_class_of_the_product_is_longer_than_250_lines() -> None:
    lengths = class_lengths()
    long = {
        name: length
        for name, length in lengths.items()
        if length > STILL_LONG.get(name, MAX_CLASS_LINES)
    }
    assert long == {}
    # A class split (or shortened enough) leaves the list: it holds no stale entry.
    assert {n for n in STILL_LONG if lengths.get(n, 0) <= MAX_CLASS_LINES} == set()
