"""A study year's close on moto: the first nightly run after the credit window closes
freezes every learner's year into the archive, writes the year-end set once, and issues
certificates that anyone can check."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pytest

from infra.local.moto_host import dump_backends, load_backends
from tests.api.conftest import SEEDED_SERVICES, code, get, json_of, nightly
from tests.api.test_reports_api import download
from tests.helpers import COUNTY_ADMIN, LEARNER, OTHER_COUNTY_ADMIN, UNIT_ADMIN
from xuefa.core.clock import SHANGHAI
from xuefa.store.keys import Keys
from xuefa.store.store import Store

PASSED = LEARNER[0]  # 530402000001
FAILED = ("530402000002", ["learners"], "530402-001")
CLOSE_NIGHT = "2026-11-30T17:00:00Z"  # 01:00 on 1 December: the first run after the close


def studied(city: Store, student_no: str, credits: int, best: int | None = None) -> None:
    """A year's result as the services leave it: per-day counters of credits and exams."""
    result = {**Keys.year_result(student_no, 2026), "student_no": student_no, "year": 2026}
    result["unit_id"] = "530402-001"
    result |= {"credits": credits, "d_20261115": credits}
    if best is not None:
        result |= {"best_score": best, "n_20261116": 2, "b_20261116": best}
    city.put(result)


CLOSED: list[bytes] = []  # the closed year's state, taken once per worker (as `city`'s)


@pytest.fixture
def closed(city: Store, client: Any, clock: Any) -> Any:
    """2026 with one learner who passed and one who did not, closed by the nightly run."""
    reports = client("reports")
    if CLOSED:
        load_backends(CLOSED[0])
        clock.set(datetime(2026, 12, 1, 1, 0, tzinfo=SHANGHAI))
        return reports
    studied(city, PASSED, 3000, 85)
    studied(city, FAILED[0], 100)
    clock.set(datetime(2026, 12, 1, 1, 0, tzinfo=SHANGHAI))
    nightly(reports, CLOSE_NIGHT)
    CLOSED.append(dump_backends(SEEDED_SERVICES))
    return reports


def test_before_the_close_there_is_no_year_end_set(city, client) -> None:
    response = get(client("reports").http, "/years/2026", COUNTY_ADMIN)
    assert (response.status_code, code(response)) == (404, "NOT_FOUND")


def test_the_close_freezes_the_year_into_the_archive(closed, city) -> None:
    archive = json_of(get(closed.http, "/me/archive", LEARNER))["items"]
    year = next(i for i in archive if i["year"] == 2026)
    assert year["frozen"] and year["passed"] and year["certificate"]
    assert (year["credits"], year["attempts"], year["unit_id"]) == (3000, 2, "530402-001")
    assert year["unit_name"] == "红塔区司法局" and year["closed_at"] == "2026-12-01T00:00:00+08:00"
    # Whatever happens to the live figures afterwards, the archive stands.
    studied(city, PASSED, 1)
    again = json_of(get(closed.http, f"/learners/{PASSED}/archive", UNIT_ADMIN))["items"]
    assert next(i for i in again if i["year"] == 2026) == year


def test_the_year_end_set_lists_the_subtree_with_the_frozen_figures(closed) -> None:
    listing = json_of(get(closed.http, "/years/2026?unit_id=530402-001", UNIT_ADMIN))
    assert listing["cutoff"] == "2026-12-01T00:00:00+08:00"
    kinds = {(f["unit_id"], f["kind"], f["format"]) for f in listing["files"]}
    assert kinds == {("530402-001", "learners", "csv"), ("530402-001", "learners", "xlsx")}
    csv_file = next(f for f in listing["files"] if f["format"] == "csv")
    text = download(csv_file["url"]).decode("utf-8-sig")
    mine = next(line for line in text.splitlines() if line.startswith(PASSED))
    assert ",3000," in mine and mine.endswith("合格")
    county = json_of(get(closed.http, "/years/2026", COUNTY_ADMIN))["files"]
    bulletin = [f for f in county if f["kind"] == "rollup" and f["unit_id"] == "530402"]
    assert {f["format"] for f in bulletin} == {"csv", "xlsx", "json"}
    assert get(closed.http, "/years/2026?unit_id=530402", OTHER_COUNTY_ADMIN).status_code == 403


def test_a_second_close_changes_nothing(closed, city, clock) -> None:
    first = json_of(get(closed.http, "/years/2026", COUNTY_ADMIN))
    frozen = city.get(Keys.archive(PASSED, 2026))
    clock.set(datetime(2026, 12, 2, 1, 0, tzinfo=SHANGHAI))
    nightly(closed, "2026-12-01T17:00:00Z")
    again = json_of(get(closed.http, "/years/2026", COUNTY_ADMIN))
    assert again["closed_at"] == first["closed_at"]
    assert [f["sha256"] for f in again["files"]] == [f["sha256"] for f in first["files"]]
    assert city.get(Keys.archive(PASSED, 2026)) == frozen


def test_a_close_that_crashed_midway_is_finished_whole(city, client, clock, monkeypatch) -> None:
    from xuefa.reports.service import LEASE, ReportJob

    studied(city, PASSED, 3000, 85)
    reports = client("reports")
    clock.set(datetime(2026, 12, 1, 1, 0, tzinfo=SHANGHAI))
    finalize = ReportJob._finalize

    def crash(job: ReportJob, report: Any, *shard_and_run: str) -> None:
        if report.closing_year == 2026:  # dies before its manifest; the rest is fine
            raise RuntimeError("the function timed out")
        finalize(job, report, *shard_and_run)

    monkeypatch.setattr(ReportJob, "_finalize", crash)
    nightly(reports, CLOSE_NIGHT)
    frozen = city.get(Keys.archive(PASSED, 2026))
    assert frozen is not None  # some rows were frozen before the crash
    assert get(reports.http, "/years/2026", COUNTY_ADMIN).status_code == 404  # no set yet
    monkeypatch.setattr(ReportJob, "_finalize", finalize)
    clock.set(datetime(2026, 12, 1, 1, 0, tzinfo=SHANGHAI) + LEASE * 2)
    nightly(reports, "2026-12-01T17:00:00Z")
    response = get(reports.http, "/years/2026", COUNTY_ADMIN)
    assert response.status_code == 200
    listing = json_of(response)
    assert {f["unit_id"] for f in listing["files"] if f["kind"] == "learners"} >= {"530402-001"}
    assert city.get(Keys.archive(PASSED, 2026)) == frozen  # the same certificate code


def test_a_passed_learner_downloads_a_certificate_anyone_can_check(closed) -> None:
    from pypdf import PdfReader

    answer = json_of(get(closed.http, "/me/certificates/2026", LEARNER))
    assert answer["year"] == 2026 and len(answer["code"]) == 24  # five groups of four
    text = PdfReader(io.BytesIO(download(answer["url"]))).pages[0].extract_text()
    for shown in ("合格证明", PASSED, "红塔区司法局", "2026年度", answer["code"], "玉溪市司法局"):
        assert shown in text, shown
    checked = closed.http.get(f"/verify/{answer['code']}")
    assert checked.status_code == 200
    verified = json_of(checked)
    assert verified == {
        "valid": True,
        "year": 2026,
        "name": verified["name"],
        "unit_name": "红塔区司法局",
        "total": verified["total"],
        "passed": True,
    }
    assert "*" in verified["name"] and verified["total"] >= 60
    assert closed.http.get(f"/verify/{answer['code'].lower().replace('-', '')}").status_code == 200
    by_admin = json_of(get(closed.http, f"/learners/{PASSED}/certificates/2026", UNIT_ADMIN))
    assert by_admin["code"] == answer["code"]


@pytest.mark.parametrize("forged", ["0000-0000-0000-0000-0000", "ABCD", "not a code at all"])
def test_a_forged_or_malformed_code_is_404(closed, forged) -> None:
    response = closed.http.get(f"/verify/{forged}")
    assert (response.status_code, code(response)) == (404, "NOT_FOUND")


def test_no_certificate_for_a_failed_or_open_year_or_outside_ones_scope(closed) -> None:
    assert get(closed.http, "/me/certificates/2026", FAILED).status_code == 404
    assert get(closed.http, "/me/certificates/2027", LEARNER).status_code == 404
    outside = get(closed.http, f"/learners/{PASSED}/certificates/2026", OTHER_COUNTY_ADMIN)
    assert outside.status_code == 403


def test_a_unit_admin_prints_the_units_certificates_in_one_pdf(closed) -> None:
    from pypdf import PdfReader

    bundle = json_of(get(closed.http, "/units/530402-001/certificates/2026", UNIT_ADMIN))
    assert (bundle["unit_id"], bundle["certificates"]) == ("530402-001", 1)  # who passed
    pages = PdfReader(io.BytesIO(download(bundle["url"]))).pages
    assert len(pages) == 1 and PASSED in pages[0].extract_text()
    assert get(closed.http, "/units/530402-002/certificates/2026", UNIT_ADMIN).status_code == 403
    none = get(closed.http, "/units/530402-002/certificates/2026", COUNTY_ADMIN)
    assert none.status_code == 404  # nobody there passed


def test_a_certificate_is_rendered_once(closed, monkeypatch) -> None:
    import xuefa.reports.service

    first = json_of(get(closed.http, "/me/certificates/2026", LEARNER))
    bundle = get(closed.http, "/units/530402-001/certificates/2026", UNIT_ADMIN)
    assert bundle.status_code == 200

    def rendered_again(*_: Any) -> bytes:
        raise AssertionError("the stored certificate was rendered again")

    monkeypatch.setattr(xuefa.reports.service, "render_certificate", rendered_again)
    monkeypatch.setattr(xuefa.reports.service, "render_certificates", rendered_again)
    again = json_of(get(closed.http, "/me/certificates/2026", LEARNER))
    assert again["code"] == first["code"] and download(again["url"]) == download(first["url"])
    assert get(closed.http, "/units/530402-001/certificates/2026", UNIT_ADMIN).status_code == 200


def test_a_unit_that_fails_at_the_close_holds_up_no_other_and_is_closed_the_next_night(
    city, client, clock, monkeypatch
) -> None:
    from xuefa.reports.membership import Membership

    studied(city, PASSED, 3000, 85)  # in 530402-001
    reports = client("reports")
    real_rows = Membership._live_rows

    def broken(job: Membership, config: Any, day: Any, unit: Any) -> Any:
        if unit.unit_id == "530402-002" and config.year == 2026:
            raise ValueError("injected: this unit cannot be rendered")
        return real_rows(job, config, day, unit)

    monkeypatch.setattr(Membership, "_live_rows", broken)
    clock.set(datetime(2026, 12, 1, 1, 0, tzinfo=SHANGHAI))
    nightly(reports, CLOSE_NIGHT)
    first = json_of(get(reports.http, "/years/2026", COUNTY_ADMIN))
    assert first["whole"] is False and [u["unit_id"] for u in first["failed_units"]] == [
        "530402-002"
    ]
    assert "530402-001" in {f["unit_id"] for f in first["files"]}
    frozen = city.get(Keys.archive(PASSED, 2026))
    assert frozen is not None and frozen["certificate"]  # the other units closed all the same
    assert city.get(Keys.report_run("year-2026"))["status"] == "partial"

    monkeypatch.setattr(Membership, "_live_rows", real_rows)  # fixed by the next night
    clock.set(datetime(2026, 12, 2, 1, 0, tzinfo=SHANGHAI))
    nightly(reports, "2026-12-01T17:00:00Z")
    second = json_of(get(reports.http, "/years/2026", COUNTY_ADMIN))
    assert second["whole"] is True and second["failed_units"] == []
    assert "530402-002" in {f["unit_id"] for f in second["files"]}
    assert city.get(Keys.archive(PASSED, 2026)) == frozen  # the same certificate code
    assert city.get(Keys.report_run("year-2026"))["status"] == "complete"
