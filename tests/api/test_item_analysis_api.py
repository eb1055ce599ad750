"""/exams/{year}/analysis (#28.1) through chalice.test.Client on moto: refused before no
one can sit, then the statistics of a small seeded set of attempts, files on S3 with the
manifest last, and only city administrators.

The exams function only claims the run and sends its shards; the messages are held here
and delivered to the reports function's queue handler, as SQS and Lambda would, so each
function's AWS calls are its own (tests/infra checks them against its role)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest

from tests.api.conftest import call, code, json_of
from tests.api.conftest import get as get_as
from tests.api.test_exams_api import WINDOW_CLOSES, WINDOW_OPENS, put_year
from tests.helpers import BUCKET, CITY_ADMIN, COUNTY_ADMIN, LEARNER, stored_paper
from xuefa import bootstrap
from xuefa.core.clock import SHANGHAI
from xuefa.store.store import Store

OTHER_LEARNER = ("530402000002", ["learners"], "530402-001")
# The exam's close, a paper's 90 minutes and the grace: no one can sit any more.
AFTER = WINDOW_CLOSES + timedelta(minutes=90, seconds=60)


@pytest.fixture
def api(city, client):
    put_year(
        exam_window={"opens_at": WINDOW_OPENS.isoformat(), "closes_at": WINDOW_CLOSES.isoformat()}
    )
    return client("exams").http


@pytest.fixture
def held() -> list[dict[str, Any]]:
    """The shards' messages, held instead of sent."""
    messages: list[dict[str, Any]] = []
    bootstrap.services().item_analysis.dispatch = messages.extend
    return messages


def deliver(client: Any, held: list[dict[str, Any]]) -> None:
    """Each held message to the reports function's queue handler, one at a time."""
    reports = client("reports")
    while held:
        event = reports.events.generate_sqs_event([json.dumps(held.pop(0))])
        reports.lambda_.invoke("report-shard", event)


def sit(api: Any, who: tuple, answers: dict[str, list[str]]) -> int:
    started = json_of(call(api, "post", "/2026/attempts", who))
    number = int(started["attempt_no"])
    submitted = call(api, "post", f"/2026/attempts/{number}/submit", who, {"answers": answers})
    assert submitted.status_code == 200, submitted.body
    return number


def paper_of(store: Store, who: tuple, number: int) -> list[dict[str, Any]]:
    return stored_paper(store, who[0], 2026, number)


def wrong(question: dict[str, Any]) -> list[str]:
    return [next(o["key"] for o in question["options"] if o["key"] not in question["answer"])]


def test_before_no_one_can_sit_it_is_too_early(api, clock) -> None:
    clock.set(AFTER - timedelta(seconds=1))
    response = call(api, "post", "/2026/analysis", CITY_ADMIN)
    assert (response.status_code, code(response)) == (409, "TOO_EARLY")
    assert json_of(response)["error"]["details"] == {"opens_at": "2026-11-25T01:31:00+08:00"}
    assert get_as(api, "/2026/analysis", CITY_ADMIN).status_code == 404  # never run


@pytest.mark.parametrize("who", [LEARNER, COUNTY_ADMIN])
def test_only_city_administrators(api, clock, who: tuple) -> None:
    clock.set(AFTER)
    assert call(api, "post", "/2026/analysis", who).status_code == 403
    assert get_as(api, "/2026/analysis", who).status_code == 403


def test_the_statistics_of_a_small_set_of_attempts(api, city, clock, client, held) -> None:
    started = json_of(call(api, "post", "/2026/attempts", LEARNER))
    first_paper = paper_of(city, LEARNER, started["attempt_no"])
    right_ones = {q["question_id"]: list(q["answer"]) for q in first_paper[:40]}
    wrong_ones = {q["question_id"]: wrong(q) for q in first_paper[40:]}
    submit = call(
        api, "post", "/2026/attempts/1/submit", LEARNER, {"answers": right_ones | wrong_ones}
    )
    assert json_of(submit)["score"] == 80.0
    number = sit(api, LEARNER, {})  # a second attempt, blank: 0, and not counted
    assert number == 2
    other = json_of(call(api, "post", "/2026/attempts", OTHER_LEARNER))
    other_paper = paper_of(city, OTHER_LEARNER, other["attempt_no"])
    answers = {q["question_id"]: wrong(q) for q in other_paper}
    call(api, "post", "/2026/attempts/1/submit", OTHER_LEARNER, {"answers": answers})

    clock.set(AFTER)
    response = call(api, "post", "/2026/analysis", CITY_ADMIN)
    assert response.status_code == 202, response.body
    run = json_of(response)
    assert (run["status"], run["shards_done"]) == ("running", 0)
    assert len(held) == run["shards"] > 1  # the city's own staff and each county
    running = json_of(get_as(api, "/2026/analysis", CITY_ADMIN))
    assert running["run"]["status"] == "running" and not running.get("items")
    again = json_of(call(api, "post", "/2026/analysis", CITY_ADMIN))
    assert again["run_id"] == run["run_id"] and again["duplicate"] is True
    deliver(client, held)

    body = json_of(get_as(api, "/2026/analysis", CITY_ADMIN))
    assert body["run"]["status"] == "complete"
    assert body["run"]["shards_done"] == run["shards"]
    assert body["run"]["run_id"] == run["run_id"]
    paper = body["paper"]
    assert (paper["papers"], paper["group_size"], paper["questions_per_paper"]) == (2, 1, 50)
    assert paper["mean_percent"] == 40.0
    assert [b["papers"] for b in paper["histogram"]] == [1, 0, 0, 0, 0, 0, 0, 0, 1, 0]
    items = {item["question_id"]: item for item in body["items"]}
    upper = {q["source_id"]: i < 40 for i, q in enumerate(first_paper)}  # right?
    lower = {q["source_id"] for q in other_paper}
    # a right answer picks the key's options (two or more on a multiple-choice question)
    picks = {q["source_id"]: len(q["answer"]) if i < 40 else 1 for i, q in enumerate(first_paper)}
    for question_id, item in items.items():
        drawn = (question_id in upper) + (question_id in lower)
        assert item["drawn"] == drawn, question_id
        assert item["right"] == int(upper.get(question_id, False))
        assert item["upper_drawn"] == int(question_id in upper)
        assert item["lower_drawn"] == int(question_id in lower)
        expected_picks = picks.get(question_id, 0) + (question_id in lower)
        assert sum(o["picked"] for o in item["options"]) == expected_picks
        if question_id in upper and question_id in lower:
            expected = 1.0 if upper[question_id] else 0.0
            assert item["discrimination"] == expected
        if drawn == 0:
            assert item["facility"] is None and item["flags"] == []
        if upper.get(question_id):
            key_picked = [o for o in item["options"] if o["is_key"] and o["upper"] == 1]
            assert key_picked, item
    assert len(items) >= len(set(upper) | lower)

    formats = {f["format"]: f for f in body["files"]}
    assert set(formats) == {"csv", "xlsx", "json"}
    assert formats["csv"]["rows"] == len(items)
    s3 = boto3.client("s3")
    manifest = s3.get_object(Bucket=BUCKET, Key="analysis/2026/manifest.json")
    assert manifest["ContentLength"] > 0
    csv_key = f"analysis/2026/{run['run_id']}/items.csv"
    text = s3.get_object(Bucket=BUCKET, Key=csv_key)["Body"].read().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("题号,题型")


def test_a_finished_run_can_be_run_again(api, city, clock, client, held) -> None:
    clock.set(AFTER)
    first = json_of(call(api, "post", "/2026/analysis", CITY_ADMIN))
    deliver(client, held)
    again = json_of(call(api, "post", "/2026/analysis", CITY_ADMIN))
    deliver(client, held)
    assert again["duplicate"] is False
    assert again["run_id"] != first["run_id"]
    body = json_of(get_as(api, "/2026/analysis", CITY_ADMIN))
    assert body["run"]["run_id"] == again["run_id"] and body["paper"]["papers"] == 0


def test_an_unknown_year_is_a_404(api, clock) -> None:
    clock.set(datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI))
    assert call(api, "post", "/2030/analysis", CITY_ADMIN).status_code == 404
