"""Report rows and files: per-learner rows as of a cut-off, rollups, and CSV/XLSX/JSON
rendering to disk in constant memory (rows are streamed; nothing holds a whole unit)."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from xuefa.core.clock import parse_iso
from xuefa.years.results import YearResult
from xuefa.years.rules import YearConfig, shown_score

STATUSES = ("active", "resigned", "retired")

# In the notice's own words: 积分 are the points a learner earns, 日常学法成绩 the score
# they convert to, 年度学法成绩 the annual total that must reach the pass mark.
LEARNER_COLUMNS = [
    ("student_no", "学号"),
    ("name", "姓名"),
    ("unit", "单位"),
    ("credits", "积分"),
    ("hours", "学时"),
    ("credit_score", "日常学法成绩"),
    ("exam_best", "考试最高分"),
    ("attempts", "考试次数"),
    ("exam_score", "考试成绩"),
    ("total", "年度学法成绩"),
    ("passed", "是否合格"),
]
ROLLUP_COLUMNS = [
    ("unit_id", "单位编号"),
    ("name", "单位"),
    ("learners", "学员数"),
    ("participants", "参学人数"),
    ("exam_takers", "参考人数"),
    ("passed", "合格人数"),
    ("pass_rate", "合格率(%)"),
    ("avg_total", "平均年度学法成绩"),
    ("rank", "名次"),
]


def ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A bulletin's rows with their rank: by pass rate, then average score (ties share a
    rank, as a bulletin reads: 1, 2, 2, 4), in the rows' own order."""
    key = [(row["pass_rate"], row["avg_total"]) for row in rows]
    return [
        {**row, "rank": 1 + sum(1 for other in key if other > mine)}
        for row, mine in zip(rows, key, strict=True)
    ]


def membership_at(profile: Mapping[str, Any], cutoff: datetime) -> tuple[str | None, str]:
    """The learner's unit and status just before `cutoff`, from the dated history on the
    profile: (None, …) if they were not yet registered. A profile without history is
    taken as it is now."""
    history = profile.get("history") or []
    if not history:
        return str(profile["unit_id"]), str(profile.get("status", "active"))
    unit: str | None = None
    status = "active"
    for event in sorted(history, key=lambda e: parse_iso(str(e["at"]))):
        if parse_iso(str(event["at"])) >= cutoff:
            break
        kind = event.get("event")
        if kind == "created":
            unit = str(event["unit_id"])
        elif kind == "transfer":
            unit = str(event["to_unit_id"])
        elif kind in STATUSES:
            status = str(kind)
    return unit, status


def learner_row(
    config: YearConfig,
    profile: Mapping[str, Any],
    unit_name: str,
    result: YearResult,
    day: date,
    status: str = "active",
) -> dict[str, Any]:
    """One learner's figures as of 24:00 of `day` (and their status then)."""
    credits = result.credits_as_of(day)
    best, attempts = result.exam_as_of(day)
    annual = result.standing(config, day)
    return {
        "student_no": profile["student_no"],
        "name": profile["name"],
        "unit": unit_name,
        "credits": credits,
        "hours": float(config.hours(credits)),
        "credit_score": float(annual.credit_score),
        "exam_best": shown_score(best),
        "attempts": attempts,
        "exam_score": float(annual.exam_score),
        "total": float(annual.total),
        "passed": annual.passed,
        "status": status,
    }


@dataclass
class Rollup:
    """Participation and pass figures for one unit's subtree."""

    unit_id: str
    name: str
    learners: int = 0
    participants: int = 0
    exam_takers: int = 0
    passed: int = 0
    total_sum: Decimal = field(default_factory=Decimal)

    def add(self, row: Mapping[str, Any]) -> None:
        if row["status"] != "active" and not row["credits"] and not row["attempts"]:
            return  # left before taking part: not counted
        self.learners += 1
        self.participants += 1 if row["credits"] > 0 or row["attempts"] > 0 else 0
        self.exam_takers += 1 if row["attempts"] > 0 else 0
        self.passed += 1 if row["passed"] else 0
        self.total_sum += Decimal(str(row["total"]))

    def merge(self, other: Rollup) -> None:
        self.learners += other.learners
        self.participants += other.participants
        self.exam_takers += other.exam_takers
        self.passed += other.passed
        self.total_sum += other.total_sum

    def row(self) -> dict[str, Any]:
        rate = Decimal(self.passed * 100) / self.learners if self.learners else Decimal(0)
        avg = self.total_sum / self.learners if self.learners else Decimal(0)
        return {
            "unit_id": self.unit_id,
            "name": self.name,
            "learners": self.learners,
            "participants": self.participants,
            "exam_takers": self.exam_takers,
            "passed": self.passed,
            "pass_rate": float(rate.quantize(Decimal("0.01"))),
            "avg_total": float(avg.quantize(Decimal("0.01"))),
        }

    def to_state(self) -> dict[str, Any]:
        counts = ("learners", "participants", "exam_takers", "passed")
        return {
            "unit_id": self.unit_id,
            "name": self.name,
            **{name: getattr(self, name) for name in counts},
            "total_sum": str(self.total_sum),
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Rollup:
        return cls(
            unit_id=state["unit_id"],
            name=state["name"],
            learners=int(state["learners"]),
            participants=int(state["participants"]),
            exam_takers=int(state["exam_takers"]),
            passed=int(state["passed"]),
            total_sum=Decimal(str(state["total_sum"])),
        )


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    rows: int
    bytes: int
    sha256: str


def _display(column: str, value: Any) -> Any:
    if column == "passed":
        return "合格" if value else "不合格"
    return "" if value is None else value


# A lone surrogate cannot be encoded (UTF-8 nor XML): it would fail the whole file.
_SURROGATE = re.compile("[\ud800-\udfff]")
# What a spreadsheet takes for the start of a formula (OWASP, CSV Injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return _SURROGATE.sub("\ufffd", value)


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet cannot run: text that starts like a formula gets a
    leading single quote (the text is otherwise kept); numbers stay numbers. Every CSV
    file we write goes through here."""
    if not isinstance(value, str):
        return value
    value = _text(value)
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


# Sheet names hold none of these (Excel's rule); their full-width forms read the same.
_SHEET_FORBIDDEN = str.maketrans(
    {"/": "／", "\\": "＼", "?": "？", "*": "＊", ":": "：", "[": "［", "]": "］"}
)
SHEET_UNITS = 31  # Excel counts UTF-16 units


def sheet_name(name: str, fallback: str = "报表") -> str:
    """The unit's name as a worksheet tab can hold it: forbidden characters in their
    full-width forms, no control characters, at most 31 characters, no apostrophe at
    either end, never the reserved 'History'; `fallback` when nothing is left."""
    shown = "".join(
        " " if unicodedata.category(ch)[0] == "C" or ch in "\u2028\u2029" else ch for ch in name
    ).translate(_SHEET_FORBIDDEN)
    shown = shown.strip()
    while len(shown.encode("utf-16-le")) > 2 * SHEET_UNITS:
        shown = shown[:-1]
    shown = shown.strip().strip("'").strip()
    if not shown:
        return fallback
    if shown.lower() == "history":
        return f"{shown}表"
    return shown


def _finish(path: Path, rows: int) -> WrittenFile:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return WrittenFile(path=path, rows=rows, bytes=path.stat().st_size, sha256=digest.hexdigest())


def write_csv(
    path: Path, columns: list[tuple[str, str]], rows: Iterable[Mapping[str, Any]]
) -> WrittenFile:
    """UTF-8 with a BOM and CRLF line ends: Excel opens it with the Chinese intact."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([csv_cell(title) for _, title in columns])
        for row in rows:
            writer.writerow([csv_cell(_display(key, row[key])) for key, _ in columns])
            count += 1
    return _finish(path, count)


def write_xlsx(
    path: Path,
    columns: list[tuple[str, str]],
    rows: Iterable[Mapping[str, Any]],
    sheet: str,
    created: datetime | None = None,
) -> WrittenFile:
    """A real workbook: bold frozen header, column widths, numbers as numbers, text as
    text; the tab named after `sheet` as far as a tab can hold it. XlsxWriter's
    constant-memory mode flushes each row to disk as it is written."""
    import xlsxwriter

    count = 0
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": str(path.parent)})
    if created is not None:
        # The same rows, the same bytes: a shard delivered again rewrites a file the
        # manifest already names by its digest.
        workbook.set_properties({"created": created})
    try:
        worksheet = workbook.add_worksheet(sheet_name(sheet))
        header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        decimal = workbook.add_format({"num_format": "0.00"})
        text_columns = {"student_no", "unit_id", "name", "unit"}
        for index, (key, title) in enumerate(columns):
            worksheet.set_column(index, index, 24 if key in ("unit", "name") else 12)
            worksheet.write_string(0, index, title, header)
        worksheet.freeze_panes(1, 0)
        for row in rows:
            count += 1
            for index, (key, _) in enumerate(columns):
                value = row[key]
                # Text is written as text (write_string): '=…' stays a string, never a
                # formula; write() would guess.
                if key in text_columns or isinstance(value, str):
                    worksheet.write_string(count, index, _text(str(_display(key, value))))
                elif key == "passed":
                    worksheet.write_string(count, index, _display(key, value))
                elif value is None:
                    worksheet.write_blank(count, index, None)
                elif isinstance(value, float):
                    worksheet.write_number(count, index, value, decimal)
                else:
                    worksheet.write_number(count, index, value)
    finally:
        workbook.close()
    return _finish(path, count)


def write_json(path: Path, payload: Mapping[str, Any], rows: int) -> WrittenFile:
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return _finish(path, rows)


def tee(rows: Iterator[dict[str, Any]], spool: Path) -> Iterator[dict[str, Any]]:
    """Yield rows while spooling them to a JSON-lines file, so that a second format can be
    rendered from disk without holding the rows in memory."""
    with spool.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            yield row


def replay(spool: Path) -> Iterator[dict[str, Any]]:
    with spool.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)
    os.unlink(spool)
