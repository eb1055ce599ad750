"""Reports benchmark: rows per second for CSV and XLSX rendering, and peak Python memory
(tracemalloc) at 10k and 200k learners — it should stay flat as rows grow.

    .venv/bin/python -m tests.bench.bench_reports
"""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from xuefa.reporting import LEARNER_COLUMNS, replay, tee, write_csv, write_xlsx


def rows(count: int) -> Iterator[dict[str, Any]]:
    for i in range(count):
        credits = (i * 37) % 3600
        yield {
            "student_no": f"530402{i:06d}",
            "name": "王建国",
            "unit": "红塔区司法局",
            "credits": credits,
            "hours": credits / 100,
            "credit_score": round(min(credits, 3000) / 60, 2),
            "exam_best": None if i % 7 == 0 else float(60 + i % 40),
            "attempts": i % 9,
            "exam_score": float((60 + i % 40) / 2),
            "total": 75.5,
            "passed": i % 5 != 0,
            "status": "active",
        }


def measure(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        tracemalloc.start()
        t0 = time.perf_counter()
        spool = folder / "rows.jsonl"
        write_csv(folder / "u.csv", LEARNER_COLUMNS, tee(rows(count), spool))
        t1 = time.perf_counter()
        write_xlsx(folder / "u.xlsx", LEARNER_COLUMNS, replay(spool), "红塔区司法局")
        t2 = time.perf_counter()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        "csv_rows_s": count / (t1 - t0),
        "xlsx_rows_s": count / (t2 - t1),
        "peak_mb": peak / 2**20,
    }


def main() -> None:
    print("reports: rendering one unit's learner report (CSV then XLSX from the spooled rows)")
    for count in (10_000, 200_000):
        figures = measure(count)
        print(
            f"  {count:>7} learners  CSV {figures['csv_rows_s']:>9,.0f} rows/s"
            f"  XLSX {figures['xlsx_rows_s']:>8,.0f} rows/s  peak {figures['peak_mb']:.2f} MiB"
        )


if __name__ == "__main__":
    main()
