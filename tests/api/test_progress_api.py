"""/reports/progress…: live progress of a subtree, through chalice.test.Client on moto."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.api.conftest import code, get, json_of, post
from tests.api.test_reports_api import download
from tests.helpers import (
    CITY_ADMIN,
    COUNTY_ADMIN,
    LEARNER,
    OTHER_COUNTY_ADMIN,
    UNIT_ADMIN,
    stored_paper,
)

LEARNER_B = ("530402000002", ["learners"], "530402-001")


@pytest.fixture
def apps(city, client):
    return client("credits").http, client("exams").http, client("reports").http


def test_expected_credits_follow_the_days_gone(apps) -> None:
    # 20 November: 354 of 365 days of the 2026 credit window are gone → 2909 of 3000.
    body = json_of(get(apps[2], "/progress/summary?year=2026", UNIT_ADMIN))
    assert body["expected_credits"] == 3000 * 354 // 365
    assert body["as_of"].startswith("2026-11-20T10:00:00")


def test_the_summary_counts_each_child_unit_of_the_subtree(apps, clock) -> None:
    _, exams_api, reports = apps
    post(exams_api, "/2026/attempts", LEARNER)
    clock.advance(minutes=5)
    post(exams_api, "/2026/attempts/1/submit", LEARNER, {"answers": {}})
    rows = json_of(get(reports, "/progress/summary?unit_id=530402", COUNTY_ADMIN))["rows"]
    assert [r["unit_id"] for r in rows] == ["530402-001", "530402-002", "530402-003"]
    justice = rows[0]
    assert justice == {
        "unit_id": "530402-001",
        "name": "红塔区司法局",
        "learners": 10,
        "on_pace": 0,
        "behind": 10,
        "exam_takers": 1,
        "passing": 0,
        "credit_bands": [10, 0, 0, 0, 0, 0],
    }
    city = json_of(get(reports, "/progress/summary", CITY_ADMIN))["rows"]
    assert len(city) == 13 and next(r for r in city if r["unit_id"] == "530402")["learners"] == 30


def test_the_lists_say_why_each_learner_is_on_them_and_page(apps) -> None:
    reports = apps[2]
    first = json_of(get(reports, "/progress?unit_id=530402&filter=behind&limit=12", COUNTY_ADMIN))
    assert len(first["items"]) == 12 and first["cursor"]
    item = first["items"][0]
    assert item["credits"] < item["expected_credits"] == first["expected_credits"]
    rest = json_of(
        get(
            reports,
            f"/progress?unit_id=530402&filter=behind&limit=50&cursor={first['cursor']}",
            COUNTY_ADMIN,
        )
    )
    seen = [i["student_no"] for i in first["items"] + rest["items"]]
    assert len(seen) == len(set(seen)) == 30 and rest["cursor"] is None
    foreign = get(
        reports, f"/progress?unit_id=530402&filter=no_exam&cursor={first['cursor']}", COUNTY_ADMIN
    )
    assert code(foreign) == "BAD_REQUEST"


def test_no_exam_and_failing_follow_what_learners_did(apps, clock, city) -> None:
    _, exams_api, reports = apps
    from xuefa.store.keys import Keys

    post(exams_api, "/2026/attempts", LEARNER)
    right = {q["question_id"]: list(q["answer"]) for q in stored_paper(city, LEARNER[0], 2026, 1)}
    post(exams_api, "/2026/attempts/1/submit", LEARNER, {"answers": right})
    city.put({**city.get(Keys.year_result(LEARNER[0], 2026)), "credits": 3000})
    no_exam = json_of(get(reports, "/progress?unit_id=530402-001&filter=no_exam", UNIT_ADMIN))[
        "items"
    ]
    assert LEARNER[0] not in {i["student_no"] for i in no_exam} and len(no_exam) == 9
    failing = json_of(get(reports, "/progress?unit_id=530402-001&filter=failing", UNIT_ADMIN))[
        "items"
    ]
    assert LEARNER[0] not in {i["student_no"] for i in failing} and len(failing) == 9
    everyone = json_of(get(reports, "/progress?unit_id=530402-001", UNIT_ADMIN))["items"]
    mine = next(i for i in everyone if i["student_no"] == LEARNER[0])
    assert (mine["total"], mine["passed"], mine["exam_best"], mine["attempts"]) == (
        100.0,
        True,
        100.0,
        1,
    )


def test_resigned_learners_are_not_chased(apps, accounts, client) -> None:
    roster = client("roster").http
    post(
        roster,
        f"/learners/{LEARNER_B[0]}/status",
        UNIT_ADMIN,
        {"status": "resigned", "reason": "辞职"},
    )
    items = json_of(get(apps[2], "/progress?unit_id=530402-001&filter=behind", UNIT_ADMIN))["items"]
    assert LEARNER_B[0] not in {i["student_no"] for i in items} and len(items) == 9


def test_the_export_is_the_same_list_as_a_file(apps) -> None:
    reports = apps[2]
    answer = json_of(
        get(reports, "/progress/export?unit_id=530402-001&filter=behind&format=csv", UNIT_ADMIN)
    )
    assert answer["rows"] == 10 and answer["format"] == "csv"
    rows = list(csv.DictReader(io.StringIO(download(answer["url"]).decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "学号",
        "姓名",
        "单位",
        "积分",
        "应达积分",
        "考试最高分",
        "考试次数",
        "年度学法成绩",
        "是否合格",
    ]
    assert {r["学号"] for r in rows} == {f"53040200000{i}" for i in range(1, 10)} | {"530402000010"}
    xlsx = json_of(get(reports, "/progress/export?unit_id=530402-001&format=xlsx", UNIT_ADMIN))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(download(xlsx["url"])), read_only=True).active
    assert len(list(sheet.iter_rows(values_only=True))) == 11


@pytest.mark.parametrize(
    ("path", "who", "status"),
    [
        ("/progress/summary?unit_id=530403", COUNTY_ADMIN, 403),
        ("/progress?unit_id=530402-002", UNIT_ADMIN, 403),
        ("/progress/export?unit_id=530402", OTHER_COUNTY_ADMIN, 403),
        ("/progress/summary", LEARNER, 403),
        ("/progress?filter=lazy", UNIT_ADMIN, 400),
        ("/progress/export?format=pdf", UNIT_ADMIN, 400),
        ("/progress?limit=0", UNIT_ADMIN, 400),
        ("/progress/summary?year=2031", UNIT_ADMIN, 404),
        ("/progress?unit_id=nope", CITY_ADMIN, 404),
    ],
)
def test_progress_is_for_admins_in_scope(apps, path: str, who: Any, status: int) -> None:
    response = get(apps[2], path, who)
    assert response.status_code == status
    assert set(json_of(response)) == {"error"}
