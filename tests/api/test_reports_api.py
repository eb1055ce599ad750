"""/reports through chalice.test.Client on moto: the nightly set, downloads, bulletins."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

import boto3
import pytest

from tests.api.conftest import code, get, json_of, nightly, post
from tests.helpers import (
    BUCKET,
    CITY_ADMIN,
    COUNTY_ADMIN,
    LEARNER,
    OTHER_COUNTY_ADMIN,
    TABLE,
    UNIT_ADMIN,
    stored_paper,
)
from xuefa.core.clock import SHANGHAI
from xuefa.store.keys import Keys

LEARNER_B = ("530402000002", ["learners"], "530402-001")
LEARNER_C = ("530402000003", ["learners"], "530402-001")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def key_of(store: Any, student_no: str, attempt_no: int) -> dict[str, list[str]]:
    paper = stored_paper(store, student_no, 2026, attempt_no)
    return {q["question_id"]: list(q["answer"]) for q in paper}


def download(url: str) -> bytes:
    """What a browser would fetch: a signed, expiring URL for one object of the bucket."""
    from urllib.parse import parse_qs, unquote, urlparse

    parsed = urlparse(url)
    query = parse_qs(parsed.query)
    assert query["X-Amz-Expires"] == ["900"] and "X-Amz-Signature" in query
    key = unquote(parsed.path.lstrip("/").removeprefix(f"{BUCKET}/"))
    return bytes(boto3.client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read())


@pytest.fixture
def apps(city, client):
    return client("credits").http, client("exams").http, client("reports")


def earn(credits_api: Any, clock: Any, resource: str, who: tuple, minutes: int) -> None:
    session = json_of(post(credits_api, "/sessions", who, {"resource_id": resource}))["session_id"]
    clock.advance(minutes=minutes)
    assert post(credits_api, f"/sessions/{session}/complete", who).status_code == 200


def a_day_of_study(apps, city, clock) -> dict[str, Any]:
    """The evening of 19 November and the small hours of the 20th; what the APIs said at 23:59."""
    credits_api, exams_api, _ = apps
    clock.set(at("2026-11-19T21:00:00"))
    post(exams_api, "/2026/attempts", LEARNER_C)  # forgotten: deadline 22:30
    clock.set(at("2026-11-19T22:30:00"))
    earn(credits_api, clock, "c-xf-01", LEARNER, 21)  # 50 credits at 22:51
    clock.set(at("2026-11-19T23:00:00"))
    post(exams_api, "/2026/attempts", LEARNER)
    clock.advance(minutes=10)
    post(exams_api, "/2026/attempts/1/submit", LEARNER, {"answers": key_of(city, LEARNER[0], 1)})
    clock.set(at("2026-11-19T23:50:00"))
    post(exams_api, "/2026/attempts", LEARNER_B)  # still open at 01:00: deadline 01:20
    clock.set(at("2026-11-19T23:59:00"))
    said = {
        "credits": json_of(get(credits_api, "/me", LEARNER)),
        "exam": json_of(get(exams_api, "/2026", LEARNER)),
    }
    clock.set(at("2026-11-20T00:10:00"))
    earn(credits_api, clock, "signin", LEARNER, 0)  # after midnight: not in the 19th's report
    post(exams_api, "/2026/attempts", LEARNER)
    clock.advance(minutes=5)
    post(exams_api, "/2026/attempts/2/submit", LEARNER, {"answers": {}})
    clock.set(at("2026-11-20T01:00:00"))
    return said


def test_the_report_shows_exactly_what_was_true_at_midnight(apps, city, clock) -> None:
    said = a_day_of_study(apps, city, clock)
    reports = apps[2].http
    started = post(reports, "/runs", CITY_ADMIN, {"date": "2026-11-19"})
    assert started.status_code == 202, started.body
    assert json_of(started)["status"] == "complete"
    listing = json_of(get(reports, "/daily?date=2026-11-19&unit_id=530402-001", UNIT_ADMIN))
    assert listing["cutoff"] == "2026-11-20T00:00:00+08:00"
    by_format = {(f["unit_id"], f["kind"], f["format"]): f for f in listing["files"]}
    assert set(by_format) == {("530402-001", "learners", "csv"), ("530402-001", "learners", "xlsx")}

    csv_bytes = download(by_format[("530402-001", "learners", "csv")]["url"])
    assert csv_bytes.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    assert len(rows) == 10 == by_format[("530402-001", "learners", "csv")]["rows"]
    mine = next(r for r in rows if r["学号"] == LEARNER[0])
    assert list(rows[0]) == [
        "学号", "姓名", "单位", "积分", "学时", "日常学法成绩", "考试最高分",
        "考试次数", "考试成绩", "年度学法成绩", "是否合格",
    ]  # fmt: skip
    assert int(mine["积分"]) == said["credits"]["credits"] == 50
    assert float(mine["日常学法成绩"]) == said["credits"]["credit_score"]
    assert float(mine["考试最高分"]) == said["exam"]["best_score"] == 100
    assert int(mine["考试次数"]) == said["exam"]["attempts_used"] == 1
    assert mine["年度学法成绩"] == "50.83" and mine["是否合格"] == "不合格"
    assert mine["单位"] == "红塔区司法局"
    forgotten = next(r for r in rows if r["学号"] == LEARNER_C[0])
    assert int(forgotten["考试次数"]) == 1  # graded first, counted on its day
    still_open = next(r for r in rows if r["学号"] == LEARNER_B[0])
    assert int(still_open["考试次数"]) == 0 and still_open["考试最高分"] == ""

    from openpyxl import load_workbook

    xlsx = download(by_format[("530402-001", "learners", "xlsx")]["url"])
    sheet = load_workbook(io.BytesIO(xlsx), read_only=True).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][:4] == ("学号", "姓名", "单位", "积分")
    xlsx_mine = next(r for r in table[1:] if r[0] == LEARNER[0])
    assert xlsx_mine[3] == 50 and xlsx_mine[6] == 100 and isinstance(xlsx_mine[5], float)
    assert len(table) == 11

    county = json_of(get(reports, "/bulletin?date=2026-11-19&unit_id=530402", COUNTY_ADMIN))["rows"]
    justice = next(r for r in county if r["unit_id"] == "530402-001")
    assert (justice["learners"], justice["participants"], justice["exam_takers"]) == (10, 2, 2)
    city_rows = json_of(get(reports, "/bulletin?date=2026-11-19", CITY_ADMIN))["rows"]
    assert len(city_rows) == 13  # 9 counties and 4 city departments
    hongta = next(r for r in city_rows if r["unit_id"] == "530402")
    assert hongta["learners"] == 30 and hongta["participants"] == 2


def test_a_set_is_visible_whole_or_not_at_all(apps, city, clock, monkeypatch) -> None:
    from xuefa.store.objects import ReportBucket

    clock.set(at("2026-11-20T01:00:00"))
    reports_client = apps[2]
    real_upload = ReportBucket.upload
    calls = {"n": 0}

    def failing_upload(self, key, path, download_name=None):
        calls["n"] += 1
        if calls["n"] > 20:
            raise RuntimeError("injected: the function died mid-run")
        return real_upload(self, key, path, download_name)

    monkeypatch.setattr(ReportBucket, "upload", failing_upload)
    with pytest.raises(RuntimeError):
        nightly(reports_client, "2026-11-19T17:00:00Z")
    missing = get(reports_client.http, "/daily?date=2026-11-19", CITY_ADMIN)
    assert (missing.status_code, json_of(missing)["error"]["code"]) == (404, "NOT_FOUND")

    monkeypatch.setattr(ReportBucket, "upload", real_upload)
    clock.set(at("2026-11-20T02:00:00"))  # after the first run's lease? no: forced by an admin
    assert post(reports_client.http, "/runs", CITY_ADMIN, {"date": "2026-11-19"}).status_code == 202
    listing = json_of(get(reports_client.http, "/daily?date=2026-11-19", CITY_ADMIN))
    s3 = boto3.client("s3")
    manifest = json.loads(
        s3.get_object(Bucket=BUCKET, Key="reports/daily/2026-11-19/manifest.json")["Body"].read()
    )
    assert len(listing["files"]) == len(manifest["files"])
    import hashlib

    for entry in manifest["files"]:
        body = s3.get_object(Bucket=BUCKET, Key=entry["key"])["Body"].read()
        assert hashlib.sha256(body).hexdigest() == entry["sha256"]
        assert len(body) == entry["bytes"]
    units = {f["unit_id"] for f in manifest["files"] if f["kind"] == "learners"}
    assert len(units) == 41
    # Delivered twice, the schedule finds the date complete and leaves it alone.
    result = nightly(reports_client, "2026-11-19T17:00:00Z")
    assert result.payload["duplicate"] is True


def test_admins_list_only_their_subtree_and_learners_not_at_all(apps, city, clock) -> None:
    clock.set(at("2026-11-20T01:00:00"))
    reports = apps[2].http
    post(reports, "/runs", CITY_ADMIN, {"date": "2026-11-19"})
    unit_files = json_of(get(reports, "/daily?date=2026-11-19", UNIT_ADMIN))["files"]
    assert {f["unit_id"] for f in unit_files} == {"530402-001"}
    county_files = json_of(get(reports, "/daily?date=2026-11-19", COUNTY_ADMIN))["files"]
    assert {f["unit_id"] for f in county_files} == {
        "530402",
        "530402-001",
        "530402-002",
        "530402-003",
    }
    for who, unit in (
        (UNIT_ADMIN, "530402-002"),
        (COUNTY_ADMIN, "530403"),
        (OTHER_COUNTY_ADMIN, "530402-001"),
    ):
        response = get(reports, f"/daily?date=2026-11-19&unit_id={unit}", who)
        assert response.status_code == 403
        assert "files" not in json_of(response)
    assert get(reports, "/daily?date=2026-11-19", LEARNER).status_code == 403
    assert post(reports, "/runs", COUNTY_ADMIN, {"date": "2026-11-19"}).status_code == 403


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("date=2026-13-01", 400),
        ("date=19-11-2026", 400),
        ("date=2026-11-20", 404),  # no set yet: the day has not ended
        ("date=2027-01-01", 404),
        ("date=2026-11-18", 404),
        ("date=2026-11-19&unit_id=nope", 404),
    ],
)
def test_bad_report_requests(apps, city, clock, query: str, status: int) -> None:
    clock.set(at("2026-11-20T01:00:00"))
    reports = apps[2].http
    post(reports, "/runs", CITY_ADMIN, {"date": "2026-11-19"})
    response = get(reports, f"/daily?{query}", CITY_ADMIN)
    assert response.status_code == status
    assert set(json_of(response)) == {"error"}


def test_the_archive_lists_each_year(apps, city, clock) -> None:
    city.put(
        {
            **Keys.year_result(LEARNER[0], 2017),
            "student_no": LEARNER[0],
            "year": 2017,
            "credits": 3000,
            "best_score": 80,
        }
    )
    earn(apps[0], clock, "c-xf-01", LEARNER, 21)
    reports = apps[2].http
    mine = json_of(get(reports, "/me/archive", LEARNER))["items"]
    assert [(i["year"], i["credits"], i["total"], i["passed"]) for i in mine] == [
        (2026, 50, 0.83, False),
        (2017, 3000, 90.0, True),
    ]
    assert json_of(get(reports, f"/learners/{LEARNER[0]}/archive", UNIT_ADMIN))["items"] == mine
    assert get(reports, f"/learners/{LEARNER[0]}/archive", OTHER_COUNTY_ADMIN).status_code == 403
    assert get(reports, "/me/archive", UNIT_ADMIN).status_code == 403


def rows_of(reports: Any, day: str, unit_id: str) -> list[dict[str, str]]:
    listing = json_of(get(reports, f"/daily?date={day}&unit_id={unit_id}", CITY_ADMIN))
    url = next(
        f["url"] for f in listing["files"] if f["unit_id"] == unit_id and f["format"] == "csv"
    )
    return list(csv.DictReader(io.StringIO(download(url).decode("utf-8-sig"))))


def test_a_report_lists_a_units_learners_as_they_were_at_its_cutoff(
    apps, accounts, clock, client
) -> None:
    credits_api, _, reports_client = apps
    reports, roster = reports_client.http, client("roster").http
    clock.set(at("2026-11-20T01:00:00"))
    post(reports, "/runs", CITY_ADMIN, {"date": "2026-11-19"})
    first = rows_of(reports, "2026-11-19", "530402-001")
    # On the 20th: one learner studies and moves to another unit, one resigns, one is
    # registered.
    clock.set(at("2026-11-20T10:00:00"))
    earn(credits_api, clock, "c-xf-01", LEARNER, 21)
    moved = post(
        roster, f"/learners/{LEARNER[0]}/transfer", COUNTY_ADMIN, {"to_unit_id": "530402-002"}
    )
    assert moved.status_code == 200, moved.body
    status = {"status": "resigned", "reason": "辞职"}
    assert post(roster, f"/learners/{LEARNER_B[0]}/status", UNIT_ADMIN, status).status_code == 200
    new = {"name": "新来者", "unit_id": "530402-001"}
    assert post(roster, "/learners", UNIT_ADMIN, new).status_code == 201
    clock.set(at("2026-11-21T01:00:00"))
    post(reports, "/runs", CITY_ADMIN, {"date": "2026-11-19"})
    assert rows_of(reports, "2026-11-19", "530402-001") == first  # the same rows, re-run
    assert LEARNER[0] in {r["学号"] for r in first} and "新来者" not in {r["姓名"] for r in first}
    assert LEARNER[0] not in {r["学号"] for r in rows_of(reports, "2026-11-19", "530402-002")}
    post(reports, "/runs", CITY_ADMIN, {"date": "2026-11-20"})
    after = rows_of(reports, "2026-11-20", "530402-001")
    assert LEARNER[0] not in {r["学号"] for r in after} and "新来者" in {r["姓名"] for r in after}
    assert LEARNER_B[0] in {r["学号"] for r in after}  # resigned, still listed
    moved_rows = rows_of(reports, "2026-11-20", "530402-002")
    assert [r["积分"] for r in moved_rows if r["学号"] == LEARNER[0]] == ["50"]  # history kept


def test_a_night_of_a_year_nobody_configured_says_so_and_does_not_fail(
    apps, city, clock, monkeypatch
) -> None:
    """The rollover fails every night (here: the year cannot be written): the report
    still runs, and says that its year is not configured."""
    from xuefa import bootstrap

    def cannot_write(config: Any) -> bool:
        raise RuntimeError("injected: the table refused the new year")

    monkeypatch.setattr(bootstrap.services().years, "create", cannot_write)
    reports_client = apps[2]
    clock.set(at("2026-12-01T01:00:00"))
    # 1 December 01:00: the report for 30 November
    assert nightly(reports_client, "2026-11-30T17:00:00Z").payload["status"] == "complete"
    clock.set(at("2026-12-02T01:00:00"))
    second_night = "2026-12-01T17:00:00Z"  # the first day of 2027, not configured yet
    result = nightly(reports_client, second_night).payload
    assert result == {"date": "2026-12-01", "status": "year_not_configured"}
    listing = json_of(get(reports_client.http, "/daily?date=2026-12-01", CITY_ADMIN))
    assert listing["files"] == [] and "2027" in listing["note"]
    again = nightly(reports_client, second_night).payload
    assert again["duplicate"] is True  # a second delivery is left alone, not retried


def test_the_calendar_lists_the_days_that_have_a_set(apps, city, clock) -> None:
    reports = apps[2].http
    clock.set(at("2026-11-20T01:00:00"))
    post(reports, "/runs", CITY_ADMIN, {"date": "2026-11-19"})
    assert json_of(get(reports, "/dates?month=2026-11", UNIT_ADMIN)) == {
        "month": "2026-11",
        "dates": ["2026-11-19"],
    }
    assert json_of(get(reports, "/dates?month=2026-10", UNIT_ADMIN))["dates"] == []
    assert get(reports, "/dates?month=2026-13", UNIT_ADMIN).status_code == 400
    assert get(reports, "/dates?month=0000-01", UNIT_ADMIN).status_code == 400  # was a 500
    assert get(reports, "/dates?month=2026-11", LEARNER).status_code == 403


def test_the_archive_shows_a_best_score_as_every_screen_does(apps, city) -> None:
    from fractions import Fraction

    from xuefa.years.rules import stored_score

    city.put(
        {
            **Keys.year_result(LEARNER[0], 2017),
            "student_no": LEARNER[0],
            "year": 2017,
            "credits": 3000,
            "best_score": stored_score(Fraction(200, 3)),  # 66.666… as exams store it
        }
    )
    (year,) = [i for i in json_of(get(apps[2].http, "/me/archive", LEARNER))["items"]]
    assert year["exam_best"] == 66.66 and year["total"] == 83.33


def test_a_run_for_a_day_not_yet_ended_is_a_conflict(apps) -> None:
    reports = apps[2].http
    for day in ("2026-11-20", "2027-01-01"):  # today (the clock's), and later
        response = post(reports, "/runs", CITY_ADMIN, {"date": day})
        assert (response.status_code, code(response)) == (409, "CONFLICT"), day
    malformed = post(reports, "/runs", CITY_ADMIN, {"date": "000000000"})
    assert malformed.status_code == 400


# --- the night heals itself: Lambda's retry of the same event takes a dead start over ---


class Killed(BaseException):
    """The function's death (a timeout, the container gone): nothing in it catches this."""


STORE_WRITES = {
    "put_item",
    "update_item",
    "delete_item",
    "transact_write_items",
    "batch_write_item",
}
BUCKET_WRITES = ("upload", "put_json", "put_json_once", "put_once", "delete")


class Writes:
    """Every write to the table, the bucket and the queue, in order; armed, the function
    dies right after its k-th write (or the first that starts with `kill_on`)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from xuefa.store.objects import ReportBucket
        from xuefa.store.store import Store

        self.log: list[str] = []
        self.kill_at: int | None = None
        self.kill_on: str | None = None
        real_call = Store._call

        def call(store: Any, operation: str, **kwargs: Any) -> Any:
            result = real_call(store, operation, **kwargs)
            if operation in STORE_WRITES:
                self.wrote(operation)
            return result

        monkeypatch.setattr(Store, "_call", call)
        for name in BUCKET_WRITES:
            real = getattr(ReportBucket, name)

            def write(bucket: Any, key: str, *args: Any, _real: Any = real, _name: str = name):
                result = _real(bucket, key, *args)
                self.wrote(f"s3.{_name} {key}")
                return result

            monkeypatch.setattr(ReportBucket, name, write)

    def wrote(self, what: str) -> None:
        self.log.append(what)
        if self.kill_at is not None and len(self.log) == self.kill_at:
            raise Killed(what)
        if self.kill_on is not None and what.startswith(self.kill_on):
            self.kill_on = None
            raise Killed(what)


@pytest.fixture
def night(city, clock, monkeypatch) -> Any:
    """The reports app with a queue between the start and its shards (as in AWS): the
    start sends, SQS's worker runs what was sent; and every write counted."""
    from chalice.test import Client

    from infra.local.apps import load_module

    module = load_module("reports")
    queue: list[dict[str, Any]] = []
    writes = Writes(monkeypatch)

    def send(messages: list[dict[str, Any]]) -> None:
        for message in messages:  # a message sent is a write the start may die after
            queue.append(message)
            writes.wrote(f"sqs {message['day']} {message['shard_id']}")

    module.job().dispatch = send
    return module, Client(module.app), queue, writes


def deliver(module: Any, queue: list[dict[str, Any]]) -> None:
    """SQS: every message sent, each again until its shard returns."""
    while queue:
        message = queue.pop(0)
        try:
            module.job().run_shard(**message)
        except Killed:
            queue.append(message)  # not deleted: visible again after its timeout


def assert_whole(day: str, writes: Writes) -> None:
    """The set of `day` is complete, every file the one its manifest names, and the
    manifest was the last thing written to the bucket."""
    import hashlib

    s3 = boto3.client("s3")
    key = f"reports/daily/{day}/manifest.json"
    manifest = json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    assert manifest["whole"] is True
    assert len({f["unit_id"] for f in manifest["files"] if f["kind"] == "learners"}) == 41
    for entry in manifest["files"]:
        body = s3.get_object(Bucket=BUCKET, Key=entry["key"])["Body"].read()
        assert hashlib.sha256(body).hexdigest() == entry["sha256"], entry["key"]
    bucket_writes = [w for w in writes.log if w.startswith("s3.")]
    assert bucket_writes[-1] == f"s3.put_json {key}"  # the manifest last
    run = boto3.resource("dynamodb").Table(TABLE).get_item(Key=Keys.report_run(day))["Item"]
    assert run["status"] == "complete"


def scheduled(reports: Any, time: str, event_id: str) -> dict[str, Any]:
    """EventBridge's scheduled event at `time`, with its id (Lambda's retry sends the same)."""
    event = reports.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    return {**event, "time": time, "id": event_id}


def test_a_start_that_dies_after_any_of_its_writes_is_finished_by_lambdas_retry(night, clock):
    """Kill the nightly start after its 1st write, then (another night) after its 2nd, …:
    each time Lambda's retry of the same event (a minute later) completes the set, whole,
    without a person."""
    from datetime import date, timedelta

    module, reports, queue, writes = night
    killed_after: list[str] = []
    refused: list[int] = []
    k = 0
    while True:
        k += 1
        day = date(2026, 11, 19) - timedelta(days=k)  # a fresh night for each kill point
        clock.set(at(f"{day + timedelta(days=1)}T01:00:00"))
        event = scheduled(reports, f"{day.isoformat()}T17:00:00Z", f"event-{k}")
        writes.log.clear()
        writes.kill_at = k
        try:
            first = reports.lambda_.invoke("nightly-report", event).payload
        except Killed as death:
            killed_after.append(str(death))
        else:  # the start made fewer than k writes: every kill point is done
            assert "duplicate" not in first
            whole_start = [w for w in writes.log]
            break
        writes.kill_at = None
        clock.advance(minutes=1)  # Lambda's first retry: the same event
        if reports.lambda_.invoke("nightly-report", event).payload.get("duplicate"):
            refused.append(k)
        deliver(module, queue)
        assert_whole(day.isoformat(), writes)
    # It died after its claim, the old manifest's removal, each shard sent and the mark
    # that all were sent; only after that mark is the retry refused (the shards carry on).
    assert whole_start[-1] == "update_item" and sum(w.startswith("sqs") for w in whole_start) == 13
    assert len(killed_after) == len(whole_start) and refused == [len(whole_start)]


def test_another_delivery_waits_and_a_late_shard_of_a_run_taken_over_is_dropped(night, clock):
    module, reports, queue, writes = night
    clock.set(at("2026-11-20T01:00:00"))
    first = scheduled(reports, "2026-11-19T17:00:00Z", "event-1")
    # The night's own set (not the close of 2017 the same night runs first): claimed, the
    # old manifest removed, one shard sent; then the function dies.
    writes.kill_on = "sqs 2026-11-19"
    with pytest.raises(Killed):
        reports.lambda_.invoke("nightly-report", first)
    stale = list(queue)
    twin = scheduled(reports, "2026-11-19T17:00:00Z", "event-2")  # EventBridge's second
    assert reports.lambda_.invoke("nightly-report", twin).payload["duplicate"] is True
    assert queue == stale  # it waits: nothing sent twice
    clock.advance(minutes=1)
    assert "duplicate" not in reports.lambda_.invoke("nightly-report", first).payload
    deliver(module, queue)
    assert_whole("2026-11-19", writes)
    before = len(writes.log)
    for message in stale:  # the dead run's message, delivered late: changes nothing
        module.job().run_shard(**message)
    assert len(writes.log) == before
    clock.advance(minutes=2)  # Lambda's second retry, and the twin's: the set is complete
    for event in (first, twin):
        assert reports.lambda_.invoke("nightly-report", event).payload["duplicate"] is True


def test_the_last_shard_dying_after_any_write_finishes_the_set_when_delivered_again(
    night, clock
) -> None:
    module, reports, queue, writes = night
    clock.set(at("2026-11-20T01:00:00"))
    reports.lambda_.invoke("nightly-report", scheduled(reports, "2026-11-19T17:00:00Z", "e-1"))
    *others, last = queue
    queue[:] = others
    deliver(module, queue)
    table = boto3.resource("dynamodb").Table(TABLE)
    waiting = table.get_item(Key=Keys.report_run("2026-11-19"))["Item"]
    k = 0
    while True:
        k += 1
        table.put_item(Item=waiting)  # each time from the moment the last shard begins
        writes.log.clear()
        writes.kill_at = k
        try:
            module.job().run_shard(**last)
        except Killed:
            writes.kill_at = None
            module.job().run_shard(**last)  # SQS delivers it again
            assert_whole("2026-11-19", writes)
            continue
        break
    # its files, its shard item, done, the final step, the city's files, manifest, complete
    assert k > 8 and writes.log[-1] == "update_item"
