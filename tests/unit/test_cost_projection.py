"""The province projection (#29): each of the five services priced a learner-year from one
file of dated, sourced prices; Lambda follows the measured durations."""

from __future__ import annotations

from tests.bench import bench_cost
from tests.bench import prices_cn_northwest_1 as prices
from tests.bench.capacity import Bill

BILLS = {
    name: Bill(requests=1, read_units=1.0, write_units=2.0)
    for name in (
        "credits: start session",
        "credits: complete session",
        "credits: balance",
        "credits: ledger page",
        "exams: start attempt (warm)",
        "exams: save one answer",
        "exams: submit",
        "exams: summary",
        "practice: 每日一练 (a new set)",
        "practice: answer one question",
        "practice: the answer that completes a set",
        "practice: the notebook (due list)",
    )
}
DURATIONS = {
    name: 20.0
    for name in (
        "credits: start session",
        "credits: complete session",
        "credits: balance",
        "credits: ledger page",
        "exams: start attempt",
        "exams: save answers",
        "exams: submit attempt",
        "exams: summary",
        "roster: me",
    )
}


def test_every_price_is_in_yuan_with_its_source_and_the_date_it_was_read() -> None:
    assert prices.READ_ON == "2026-12-03"
    for name, price in prices.PRICES.items():
        assert price.cny > 0 and price.unit, name
        assert price.source, name
    found = {n for n, price in prices.PRICES.items() if not price.converted}
    # what the China pages gave us; the rest is flagged as converted from a global price
    assert {"dynamodb_write_unit", "cloudfront_gb_out", "cloudfront_https_request"} <= found


def test_a_learner_year_prices_all_five_services() -> None:
    projection = bench_cost.project(BILLS, DURATIONS, sign_in_ms=300)
    services = projection.by_service()
    assert set(services) == {"API Gateway", "Lambda", "DynamoDB", "S3", "CloudFront"}
    assert all(cny > 0 for cny in services.values())
    assert abs(projection.total - sum(services.values())) < 1e-9
    lines: list[str] = []
    bench_cost.report(projection, say=lines.append)
    assert lines[-1].startswith("a province of 1,500,000 learners: ¥")


def test_lambda_follows_the_measured_durations() -> None:
    slow = {name: ms * 2 for name, ms in DURATIONS.items()}
    quick = bench_cost.project(BILLS, DURATIONS, sign_in_ms=300).by_service()
    twice = bench_cost.project(BILLS, slow, sign_in_ms=300).by_service()
    assert twice["Lambda"] > quick["Lambda"]
    assert twice["DynamoDB"] == quick["DynamoDB"] and twice["API Gateway"] == quick["API Gateway"]
