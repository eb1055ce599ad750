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

from xuefa.reports.rows import LEARNER_COLUMNS, replay, tee, write_csv, write_xlsx


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
    """Rendering speed with tracemalloc off (it slows rendering 3–6×), then peak memory
    in a run of its own with it on."""
    speed = _render(count, traced=False)
    memory = _render(count, traced=True)
    return {**speed, "peak_mb": memory["peak_mb"]}


def _render(count: int, traced: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        if traced:
            tracemalloc.start()
        t0 = time.perf_counter()
        spool = folder / "rows.jsonl"
        write_csv(folder / "u.csv", LEARNER_COLUMNS, tee(rows(count), spool))
        t1 = time.perf_counter()
        write_xlsx(folder / "u.xlsx", LEARNER_COLUMNS, replay(spool), "红塔区司法局")
        t2 = time.perf_counter()
        peak = 0
        if traced:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    return {
        "csv_rows_s": count / (t1 - t0),
        "xlsx_rows_s": count / (t2 - t1),
        "seconds": t2 - t1 + (t1 - t0),
        "peak_mb": peak / 2**20,
    }


def end_to_end(learners: int, units: int = 40) -> dict[str, float]:
    """A whole report run on moto for `learners` spread over `units` units in two
    counties, timing DynamoDB reads, rendering and uploads separately."""
    import os
    from datetime import date, datetime

    import boto3
    from moto import mock_aws

    from infra.local import moto_patches, seed
    from tests.helpers import BUCKET, ENV, TABLE
    from xuefa.core.clock import SHANGHAI, FixedClock
    from xuefa.reports import files as report_files
    from xuefa.reports import rows as reporting
    from xuefa.reports import service as reports
    from xuefa.reports.repository import ReportRecords
    from xuefa.roster.directory import Directory
    from xuefa.store.keys import Keys
    from xuefa.store.objects import ReportBucket
    from xuefa.store.store import Store
    from xuefa.store.table import create_table_request
    from xuefa.years.repository import YearBook

    os.environ.update(ENV)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    moto_patches.apply()
    spent = {"dynamodb": 0.0, "render": 0.0, "upload": 0.0, "requests": 0.0}
    inner: list[float] = []  # time spent in nested timed calls, per open call

    def timed(kind: str, function: Any) -> Any:
        """Exclusive time: a CSV writer pulling rows that read DynamoDB counts as reads."""

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if kind == "dynamodb":
                spent["requests"] += 1
            inner.append(0.0)
            t0 = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - t0
                nested = inner.pop()
                spent[kind] += elapsed - nested
                if inner:
                    inner[-1] += elapsed

        return wrapper

    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(**create_table_request(TABLE))
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        store = Store(TABLE, client_factory=lambda: client)
        day = date(2026, 11, 19)
        seed.put_years(store, day, ended=False)
        items: list[dict[str, Any]] = []
        counties = ("530402", "530403")
        for code in counties:
            items.append(
                {
                    **Keys.unit(code),
                    "unit_id": code,
                    "name": f"县{code}",
                    "parent_id": "530400",
                    "path": f"530400/{code}",
                    "gsi1pk": Keys.unit_children("530400"),
                    "gsi1sk": code,
                }
            )
        items.append(
            {**Keys.unit("530400"), "unit_id": "530400", "name": "玉溪市", "path": "530400"}
        )
        for u in range(units):
            code = counties[u % 2]
            unit_id = f"{code}-{u:03d}"
            items.append(
                {
                    **Keys.unit(unit_id),
                    "unit_id": unit_id,
                    "name": f"单位{u}",
                    "parent_id": code,
                    "path": f"530400/{code}/{unit_id}",
                    "gsi1pk": Keys.unit_children(code),
                    "gsi1sk": unit_id,
                }
            )
        for i in range(learners):
            u = i % units
            unit_id = f"{counties[u % 2]}-{u:03d}"
            no = f"{counties[u % 2]}{i:06d}"
            items.append(
                {
                    **Keys.learner(no),
                    "student_no": no,
                    "name": "王建国",
                    "unit_id": unit_id,
                    "status": "active",
                    "gsi1pk": Keys.unit_learners(unit_id),
                    "gsi1sk": no,
                }
            )
            items.append(
                {
                    **Keys.year_result(no, 2026),
                    "student_no": no,
                    "year": 2026,
                    "unit_id": unit_id,
                    "credits": 1500,
                    "d_20261118": 1500,
                    "n_20261118": 2,
                    "b_20261118": 80,
                }
            )
        store.batch_put(items)
        clock = FixedClock(datetime(2026, 11, 20, 1, tzinfo=SHANGHAI))
        bucket = ReportBucket(BUCKET, client_factory=lambda: boto3.client("s3"))
        store._call = timed("dynamodb", store._call)  # type: ignore[method-assign]
        bucket.upload = timed("upload", bucket.upload)  # type: ignore[method-assign]
        for name in ("write_csv", "write_xlsx", "write_json"):
            setattr(report_files, name, timed("render", getattr(reporting, name)))
        job = reports.ReportJob(
            ReportRecords.on(store),
            YearBook(store),
            Directory(store),
            bucket,
            clock,
            reports.Pipeline("530400", grade_expired=lambda *_: None),
        )
        t0 = time.perf_counter()
        job.start(day)
        spent["total"] = time.perf_counter() - t0
    return spent


def main() -> None:
    print("reports: rendering one unit's learner report (CSV then XLSX from the spooled rows)")
    for count in (10_000, 200_000):
        figures = measure(count)
        print(
            f"  {count:>7} learners  CSV {figures['csv_rows_s']:>9,.0f} rows/s"
            f"  XLSX {figures['xlsx_rows_s']:>8,.0f} rows/s  peak {figures['peak_mb']:.2f} MiB"
        )
    learners = 20_000
    spent = end_to_end(learners)
    other = spent["total"] - spent["dynamodb"] - spent["render"] - spent["upload"]
    per_shard_requests = spent["requests"] / learners * 11_500
    print(f"reports: a whole run for {learners:,} learners on moto (in process)")
    print(
        f"  total {spent['total']:.1f} s = DynamoDB {spent['dynamodb']:.1f} s + rendering "
        f"{spent['render']:.1f} s + S3 {spent['upload']:.1f} s + other {other:.1f} s"
    )
    per_learner_render = spent["render"] / learners
    print("  projection, 1.5M learners in ~130 county shards (~11.5k learners each):")
    print(
        f"    rendering ~{per_learner_render * 11_500:.0f} s per shard; DynamoDB requests "
        f"~{per_shard_requests:.0f} per shard ({spent['requests']:.0f} for {learners:,} here), "
        f"~{per_shard_requests * 0.02:.0f} s at 20 ms each; Lambda's limit is 900 s"
    )


if __name__ == "__main__":
    main()
