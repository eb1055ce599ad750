"""What a learner-year costs on AWS China (Ningxia), service by service: API Gateway,
Lambda (memory x the durations the bench measured), DynamoDB (the request units billed from
item sizes, storage and its continuous backup), S3 and CloudFront. Every price and every
assumption is in tests/bench/prices_cn_northwest_1.py.

.venv/bin/python -m tests.bench.bench_cost [--samples 30]

The durations are the local stack's per-operation p50 (bench_latency): HTTP, the gateway's
token check, the app and moto's answers — more than Lambda bills for the same work on AWS
(DynamoDB answers in a few ms, moto in tens), so the Lambda line is an upper bound.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tests.bench import prices_cn_northwest_1 as p
from tests.bench.capacity import Bill

KB = 1024
GB = 1024**3

# What each kind of request does, a learner-year: (operation as bench_latency names it,
# how many, its DynamoDB bill as bench_capacity names it, or (RCU, WCU) where none measured).
IDENTITY_UNITS = {  # not measured: an account read, the guard, an audit record, a token
    "identity: sign-in": (1.0, 4.0),
    "identity: refresh": (1.0, 2.0),
    "roster: me": (1.0, 0.0),
}


@dataclass
class Line:
    service: str
    cny: float  # a learner-year
    what: str


@dataclass
class Projection:
    lines: list[Line] = field(default_factory=list)

    def by_service(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for line in self.lines:
            totals[line.service] = totals.get(line.service, 0.0) + line.cny
        return totals

    @property
    def total(self) -> float:
        return sum(line.cny for line in self.lines)


def requests(y: p.Year) -> dict[str, float]:
    """HTTP requests of a learner-year by operation."""
    answers = y.practice_sets * y.practice_answers_a_set
    return {
        "credits: start session": y.sessions + y.lessons,
        "credits: complete session": y.sessions + y.lessons,
        "credits: balance": y.balance_reads,
        "credits: ledger page": y.ledger_pages,
        "credits: progress report": y.study_hours_in_lessons * y.reports_an_hour,
        "exams: start attempt": y.attempts,
        "exams: save answers": y.attempts * y.saves_an_attempt,
        "exams: submit attempt": y.attempts,
        "exams: summary": y.attempts * y.summaries_an_attempt,
        "practice: set": y.practice_sets,
        "practice: answer": answers,
        "practice: notebook": y.notebook_reads,
        "roster: me": y.roster_reads,
        "identity: sign-in": y.sign_ins,
        "identity: refresh": y.refreshes,
    }


def units(
    bills: Mapping[str, Bill], y: p.Year, report_units: tuple[float, float]
) -> tuple[float, float]:
    """DynamoDB read and write request units of a learner-year."""
    measured = {
        "credits: start session": "credits: start session",
        "credits: complete session": "credits: complete session",
        "credits: balance": "credits: balance",
        "credits: ledger page": "credits: ledger page",
        "exams: start attempt": "exams: start attempt (warm)",
        "exams: save answers": "exams: save one answer",
        "exams: submit attempt": "exams: submit",
        "exams: summary": "exams: summary",
        "practice: set": "practice: 每日一练 (a new set)",
        "practice: notebook": "practice: the notebook (due list)",
    }
    reads = writes = 0.0
    for operation, times in requests(y).items():
        if operation in measured:
            bill = bills[measured[operation]]
            r, w = bill.read_units, bill.write_units
        elif operation == "practice: answer":  # the last answer of a set settles it
            plain, last = (
                bills["practice: answer one question"],
                bills["practice: the answer that completes a set"],
            )
            share = 1 / y.practice_answers_a_set
            r = plain.read_units * (1 - share) + last.read_units * share
            w = plain.write_units * (1 - share) + last.write_units * share
        elif operation == "credits: progress report":
            r, w = report_units
        else:
            r, w = IDENTITY_UNITS[operation]
        reads, writes = reads + r * times, writes + w * times
    # The nightly report reads each learner's profile and year result (eventually
    # consistent, ~1 KB each, 100 a request): about one read unit a learner a night.
    reads += y.report_nights * 1.0
    return reads, writes


def project(
    bills: Mapping[str, Bill],
    durations_ms: Mapping[str, float],
    *,
    sign_in_ms: float,
    report_units: tuple[float, float] = (1.0, 1.0),
    y: p.Year = p.YEAR,
) -> Projection:
    price = {name: entry.cny for name, entry in p.PRICES.items()}
    calls = requests(y)
    http = sum(calls.values())
    tokens = y.sign_ins + y.refreshes
    authorizer = tokens * y.authorizer_calls_a_token
    out = Projection()
    out.lines.append(
        Line("API Gateway", http * price["apigw_request"], f"{http:,.0f} REST requests")
    )

    def duration(operation: str) -> float:
        if operation == "identity: sign-in":
            return sign_in_ms
        return durations_ms[p.DURATION_PROXY.get(operation, operation)]

    seconds = sum(times * duration(op) for op, times in calls.items()) / 1000
    seconds += authorizer * y.authorizer_ms / 1000 + y.report_nights * y.nightly_ms / 1000
    invocations = http + authorizer
    out.lines.append(
        Line(
            "Lambda",
            invocations * price["lambda_request"]
            + seconds * p.LAMBDA_GB * price["lambda_gb_second"],
            f"{invocations:,.0f} invocations, {seconds:,.1f} s x {p.LAMBDA_GB:g} GB",
        )
    )
    reads, writes = units(bills, y, report_units)
    stored_gb_months = y.table_kb * KB / GB * 12
    out.lines.append(
        Line(
            "DynamoDB",
            reads * price["dynamodb_read_unit"] + writes * price["dynamodb_write_unit"],
            f"{reads:,.0f} read + {writes:,.0f} write request units",
        )
    )
    out.lines.append(
        Line(
            "DynamoDB",
            stored_gb_months
            * (price["dynamodb_storage_gb_month"] + price["dynamodb_pitr_gb_month"]),
            f"{y.table_kb:.0f} KB kept a year, with point-in-time recovery",
        )
    )
    report_kb = y.report_bytes_a_night * min(y.report_nights, y.report_days_kept) / KB
    s3_gb_months = (report_kb + y.certificate_kb) * KB / GB * 12
    puts = 2 * y.report_nights / y.learners_a_unit + 1  # a unit's two files a night; a PDF
    gets = puts  # an admin downloads about what was written
    out.lines.append(
        Line(
            "S3",
            s3_gb_months * price["s3_storage_gb_month"]
            + puts * price["s3_put"]
            + gets * price["s3_get"],
            f"{report_kb + y.certificate_kb:,.0f} KB of reports and a certificate, {puts:.0f} PUTs",
        )
    )
    static = y.app_loads * 8 + y.lessons * 4  # the app's files; a lesson's page and media
    video_mb = y.video_hours * y.video_mb_an_hour
    front_requests = http + static + video_mb  # a video is fetched in ~1 MB ranges
    front_gb = (
        y.app_loads * y.app_kb * KB
        + http * y.api_answer_kb * KB
        + y.lessons * y.lesson_article_kb * KB
        + video_mb * KB * KB
    ) / GB
    out.lines.append(
        Line(
            "CloudFront",
            front_gb * price["cloudfront_gb_out"]
            + front_requests * price["cloudfront_https_request"],
            f"{front_gb:.2f} GB out ({video_mb / 1024:.2f} GB of video), "
            f"{front_requests:,.0f} HTTPS requests",
        )
    )
    return out


def sign_in_ms(samples: int = 5) -> float:
    """One sign-in's Argon2id check (64 MiB, 3 passes: the identity app's), on this machine."""
    from xuefa.identity.passwords import hash_password, verify_password

    stored = hash_password("Bench-Password-2026")
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        verify_password(stored, "Bench-Password-2026")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def report(projection: Projection, y: p.Year = p.YEAR, say: Callable[[str], None] = print) -> None:
    say(f"a learner-year on AWS China (Ningxia), prices read {p.READ_ON} (CNY)")
    for line in projection.lines:
        say(f"  {line.service:<12} ¥{line.cny:8.4f}  {line.what}")
    say(f"  {'total':<12} ¥{projection.total:8.4f}")
    say(
        f"a province of {y.learners:,} learners: ¥{projection.total * y.learners:,.0f} a year "
        f"(¥{projection.total * y.learners / 12:,.0f} a month)"
    )


def main() -> None:
    from tests.bench import bench_capacity, bench_latency, bench_study

    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    bills = bench_capacity.measure()
    figures, _ = bench_latency.run(samples=args.samples)
    study = bench_study.an_hour_of_study()
    report_units = (float(study["report"][0]), float(max(1, -(-study["session_bytes"] // KB))))
    durations = {f.operation: f.total[0] for f in figures}
    report(project(bills, durations, sign_in_ms=sign_in_ms(), report_units=report_units))


if __name__ == "__main__":
    main()
