"""The analysis as files: one row a question (CSV and XLSX, as the reports render them),
the whole result as JSON for the console, and the papers a shard folds, spooled as gzip
JSON lines (one paper a line, no learner named) for the final step to fold again."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from xuefa.analysis.statistics import Analysis, ItemStatistics, Response
from xuefa.reports.rows import WrittenFile, write_csv, write_json, write_xlsx

FLAG_NAMES = {
    "too_easy": "过易",
    "too_hard": "过难",
    "low_discrimination": "区分度低",
    "negative_discrimination": "区分度为负",
    "unused_option": "有无人选的选项",
    "key_suspect": "高分组偏选错误选项(答案有误?)",
}
TYPE_NAMES = {"single": "单选", "multiple": "多选", "judge": "判断"}
COLUMNS = [
    ("question_id", "题号"),
    ("type", "题型"),
    ("category", "类别"),
    ("drawn", "抽中次数"),
    ("right", "答对次数"),
    ("facility", "通过率"),
    ("upper_facility", "高分组通过率"),
    ("lower_facility", "低分组通过率"),
    ("discrimination", "区分度(27%)"),
    ("point_biserial", "点二列相关"),
    ("options", "选项(全部/高分组/低分组)"),
    ("flags", "标记"),
]


def row_of(item: ItemStatistics) -> dict[str, Any]:
    options = " ".join(
        f"{o.key}{'*' if o.is_key else ''} {o.picked}/{o.upper}/{o.lower}" for o in item.options
    )
    return {
        "question_id": item.question_id,
        "type": TYPE_NAMES.get(item.type, item.type),
        "category": item.category,
        "drawn": item.drawn,
        "right": item.right,
        "facility": _rounded(item.facility),
        "upper_facility": _rounded(item.upper_facility),
        "lower_facility": _rounded(item.lower_facility),
        "discrimination": _rounded(item.discrimination),
        "point_biserial": _rounded(item.point_biserial),
        "options": options,
        "flags": "、".join(FLAG_NAMES[f] for f in item.flags),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def payload(analysis: Analysis) -> dict[str, Any]:
    """The result as the console reads it (rounded, as the files show it)."""
    paper = asdict(analysis.paper)
    for name in ("mean_percent", "sd_percent", "kr20", "questions_per_paper"):
        paper[name] = _rounded(paper[name])
    items = []
    for item in analysis.items:
        shown = asdict(item)
        for name in ("facility", "upper_facility", "lower_facility"):
            shown[name] = _rounded(shown[name])
        shown["discrimination"] = _rounded(item.discrimination)
        shown["point_biserial"] = _rounded(item.point_biserial)
        shown["flags"] = list(item.flags)
        shown["options"] = [asdict(o) for o in item.options]
        items.append(shown)
    paper["histogram"] = [asdict(b) for b in analysis.paper.histogram]
    return {"paper": paper, "items": items}


def write_result(analysis: Analysis, work: Path, title: str) -> dict[str, WrittenFile]:
    """The CSV, XLSX and JSON of one result, on disk."""
    count = len(analysis.items)
    rows = [row_of(item) for item in analysis.items]  # one a question: the pool, not papers
    return {
        "csv": write_csv(work / "items.csv", COLUMNS, rows),
        "xlsx": write_xlsx(work / "items.xlsx", COLUMNS, rows, title),
        "json": write_json(work / "items.json", payload(analysis), count),
    }


def spool(papers: Iterator[list[Response]], path: Path) -> int:
    """Papers to a gzip JSON-lines file; how many."""
    count = 0
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for responses in papers:
            line = [[r.question_id, "".join(r.chosen), int(r.right), r.points] for r in responses]
            handle.write(json.dumps(line, separators=(",", ":")) + "\n")
            count += 1
    return count


def unspool(body: bytes) -> Iterator[list[Response]]:
    """A spooled part's papers, a line at a time (never the whole part unpacked)."""
    with gzip.open(io.BytesIO(body), "rt", encoding="utf-8") as handle:
        for line in handle:
            yield [
                Response(question_id, tuple(chosen), bool(right), int(points))
                for question_id, chosen, right, points in json.loads(line)
            ]
