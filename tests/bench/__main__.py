"""`make bench`: every benchmark, and one table of the figures against their targets."""

from __future__ import annotations

import math
import platform
from datetime import date

from tests.bench import (
    bench_analysis,
    bench_capacity,
    bench_cost,
    bench_credits,
    bench_evening,
    bench_exams,
    bench_faults,
    bench_latency,
    bench_regrade,
    bench_reports,
    bench_startup,
    bench_study,
    bench_web,
)


def main() -> None:
    rows: list[tuple[str, str, str]] = []
    for operation, (reads, writes) in bench_credits.count_requests().items():
        target = "1 write request" if operation == "complete session" else ""
        target = "1 read" if operation == "balance" else target
        rows.append(
            (f"DynamoDB requests: credits {operation}", f"{reads} read + {writes} write", target)
        )
    for operation, (reads, writes) in bench_exams.count_requests().items():
        target = "1 transaction + cached bank" if "start" in operation else ""
        target = "≤ 1 read + 1 transaction" if operation == "submit" else target
        rows.append(
            (f"DynamoDB requests: exams {operation}", f"{reads} read + {writes} write", target)
        )
    bills = bench_capacity.measure()
    for name, bill in bills.items():
        target = "≤ 2 WCU (issue #18)" if name == "exams: save one answer" else ""
        target = "1 write, no read before it" if name == "credits: complete session" else target
        target = "≤ 2 WCU (issue #27)" if name == "practice: answer one question" else target
        target = "1 query" if name == "practice: the notebook (due list)" else target
        rows.append(
            (
                f"DynamoDB capacity: {name}",
                f"{bill.requests} requests, {bill.read_units:.1f} RCU, {bill.write_units:.1f} WCU",
                target,
            )
        )
    study = bench_study.an_hour_of_study()
    rows.append(
        (
            "study content: requests for an hour's lesson (12 reports + 4 once a lesson)",
            f"{study['http']} requests, {study['dynamodb'][0]} read + {study['dynamodb'][1]} write",
            "≤ 12 an hour",
        )
    )
    session_kb = study["session_bytes"] / 1024
    rows.append(
        (
            "study content: one progress report",
            f"{study['report'][0]} read + {study['report'][1]} write, "
            f"{math.ceil(session_kb)} WCU ({session_kb:.2f} KB session)",
            "≤ 1 WCU",
        )
    )
    year = bench_capacity.projection(bills)
    rows.append(
        (
            "a province on demand (1.5M learners; assumptions in prices_cn_northwest_1.py)",
            f"{year['reads'] / 1e9:.1f} G RRU + {year['writes'] / 1e9:.1f} G WRU a year: "
            f"¥{year['yuan_a_month']:,.0f} a month (Ningxia)",
            "",
        )
    )
    evening = bench_evening.run()
    rows.append(
        (
            f"exam evening: {evening['learners']} learners start, save 50 answers, submit",
            f"{evening['requests']} requests, {evening['throughput']:.0f}/s, "
            f"{len(evening['errors'])} errors",
            "0 errors",
        )
    )
    for name, (count, p50, p95, p99) in evening["operations"].items():
        rows.append(
            (
                f"exam evening: {name} ({count})",
                f"p50 {p50:.0f} / p95 {p95:.0f} / p99 {p99:.0f} ms",
                "",
            )
        )
    peak = bench_evening.capacity_at_peak(bills)
    rows.append(
        (
            f"DynamoDB at {bench_evening.AN_HOUR:,} learners sitting an hour",
            f"{peak['read_units_s']:,.0f} RCU/s, {peak['write_units_s']:,.0f} WCU/s",
            "",
        )
    )
    faulted = bench_faults.run(bench_faults.Plan())
    print("\n".join(bench_faults.table(faulted)))
    fivehundreds = sum(n for code, n in faulted["seen"].items() if code.startswith("500"))
    held = sum(c.held for c in faulted["checks"])
    rows.append(
        (
            f"exam evening with faults at {faulted['plan'].rate:.0%} (bench_faults)",
            f"{fivehundreds} answers 500, {held} of {len(faulted['checks'])} invariants held",
            "0 × 500, all held",
        )
    )
    for app, (ms, ratio) in bench_startup.import_ratios().items():
        rows.append((f"import time: {app}", f"{ms:.0f} ms, ratio {ratio:.2f}", "ratio ≤ 1.5"))
    for app, mb in bench_startup.package_sizes().items():
        rows.append((f"package size: {app}", f"{mb:.2f} MB", "≤ 5 MB"))
    figures, (bare50, bare95) = bench_latency.run(samples=100)
    for f in figures:
        rows.append(
            (
                f"local stack: {f.operation}",
                f"p50 {f.total[0]:.1f} ms, p95 {f.total[1]:.1f} ms; "
                f"ratio to its {f.calls} AWS call(s) {f.ratio[0]:.2f} / {f.ratio[1]:.2f}",
                "ratio ≤ 2",
            )
        )
    rows.append(
        (
            "one bare TransactWriteItems (3 puts), for scale",
            f"p50 {bare50:.1f} ms, p95 {bare95:.1f} ms",
            "",
        )
    )
    complete = next(f for f in figures if f.operation == "credits: complete session")
    rows.append(
        (
            "credit completion / that one bare call",
            f"p50 {complete.total[0] / bare50:.2f}, p95 {complete.total[1] / bare95:.2f}"
            " (a read and a 4-item transaction, vs 3 plain puts)",
            "",
        )
    )
    # The province projection made whole (#29): every service, a learner-year, at Ningxia's
    # prices, Lambda from the durations just measured.
    session_wcu = float(max(1, math.ceil(study["session_bytes"] / 1024)))
    cost = bench_cost.project(
        bills,
        {f.operation: f.total[0] for f in figures},
        sign_in_ms=bench_cost.sign_in_ms(),
        report_units=(float(study["report"][0]), session_wcu),
    )
    for service, cny in cost.by_service().items():
        rows.append((f"a learner-year on AWS China (Ningxia): {service}", f"¥{cny:.4f}", ""))
    rows.append(
        (
            "a learner-year on AWS China (Ningxia), all five",
            f"¥{cost.total:.3f}; 1.5M learners ¥{cost.total * 1.5e6:,.0f} a year",
            "",
        )
    )
    plain, stratified = bench_exams.draw_time()
    rows.append(
        ("draw 50 of 5,000 questions", f"{plain:.2f} ms ({stratified:.2f} ms by quota)", "")
    )
    for count in (10_000, 100_000, 200_000):
        rendering = bench_reports.measure(count)
        rows.append(
            (
                f"report rendering, {count:,} learners",
                f"CSV {rendering['csv_rows_s']:,.0f} rows/s, "
                f"XLSX {rendering['xlsx_rows_s']:,.0f} rows/s (tracemalloc off), "
                f"peak {rendering['peak_mb']:.1f} MiB (its own traced run)",
                "flat memory",
            )
        )
        if count == 100_000:
            rows.append(
                (
                    "the largest county shard (100k learners), rendering CSV + XLSX",
                    f"{rendering['seconds']:.0f} s of Lambda's 900 s",
                    "far inside 900 s",
                )
            )
    analysis = bench_analysis.measure(100_000)
    rows.append(
        (
            "item analysis: fold 100k first attempts of 50 (spooled, unspooled, counted)",
            f"{analysis['fold_s'] + analysis['result_s']:.0f} s "
            f"(+ {analysis['spool_s']:.0f} s spooling), arrays {analysis['arrays_mb']:.0f} MiB, "
            f"peak {analysis['peak_mb']:.0f} MiB traced, max RSS {analysis['max_rss_mb']:.0f} MiB",
            "fits a 1 GB Lambda",
        )
    )
    regrade = bench_regrade.measure(100)
    share = regrade["raised"] / max(1, regrade["attempts"])
    rows.append(
        (
            "regrade after a void (moto, 100 attempts; projected to 100k)",
            f"{regrade['rcu_per_attempt']:.1f} RCU an attempt seen, "
            f"{regrade['wcu_per_raised']:.1f} WCU an attempt raised ({share:.0%} raised): "
            f"100k ≈ {100_000 * regrade['rcu_per_attempt']:,.0f} RCU + "
            f"{100_000 * share * regrade['wcu_per_raised']:,.0f} WCU",
            "scores only rise, one transaction a rise",
        )
    )
    loaded = bench_web.first_load()
    rows.append(
        (
            "learners' app, first load (gzipped)",
            f"JS {loaded['js'] / 1024:.1f} KB, CSS {loaded['css'] / 1024:.1f} KB; with 首页 "
            f"{bench_web.screen('index.html', 'src/learner/views/Home.vue') / 1024:.1f} KB JS",
            "JS ≤ 150 KB with the first screen",
        )
    )
    console = bench_web.first_load("admin.html")
    rows.append(
        (
            "admins' console, first load (gzipped)",
            f"JS {console['js'] / 1024:.1f} KB, CSS {console['css'] / 1024:.1f} KB; with 概览 "
            f"(ECharts) {bench_web.screen('admin.html', 'src/admin/views/Overview.vue') / 1024:.1f}"
            " KB JS",
            "JS ≤ 400 KB with the first screen",
        )
    )
    big = bench_web.big_unit_list(300)
    rows.append(
        (
            "console: a unit of 300 learners (学员)",
            f"all rows in {big['ms']:.0f} ms, long tasks {big['long_tasks_ms']:.0f} ms in all",
            "one table, no jank",
        )
    )
    for screen, score in bench_web.lighthouse().items():
        rows.append(
            (
                f"Lighthouse mobile: {screen}",
                f"performance {score['performance']}, accessibility {score['accessibility']}"
                f" (FCP {score['fcp_ms']} ms, LCP {score['lcp_ms']} ms, TBT {score['tbt_ms']} ms)",
                "performance ≥ 90, accessibility ≥ 95",
            )
        )
    width = max(len(r[0]) for r in rows)
    print(
        f"\nxuefa benchmarks — {date.today()} — {platform.machine()}, {platform.python_version()}"
    )
    print(f"{'figure':<{width}}  {'measured':<64}  target")
    for figure, value, target in rows:
        print(f"{figure:<{width}}  {value:<64}  {target}")


if __name__ == "__main__":
    main()
