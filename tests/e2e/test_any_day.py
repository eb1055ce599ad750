"""Any day of the year, through the stack's clock: a stack started at 23:50 on 30 November
(`make run TODAY=…`) has the year that just ended as a whole cycle beside 2017, runs last
night's report at start, and lives through midnight and the 01:00 run that closes the
year — the moments when a calendar-bound test would break, on every day CI runs."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from infra.local.demo_closed_year import learners_of
from tests.e2e.conftest import Stack, start_stack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-any-day")]

EVE = "2027-11-30T23:50:00+08:00"


@pytest.fixture(scope="module")
def eve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(tmp_path_factory.mktemp("xuefa-eve"), fresh=True, today=EVE, nightly=True)
    try:
        yield running
    finally:
        running.stop()


def bearer(stack: Stack, login: str) -> dict[str, str]:
    return {"Authorization": stack.sign_in(login)}


def wait_for(check: object, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(1)
    pytest.fail("not within the time allowed")


def test_the_stack_runs_on_its_own_clock(eve: Stack) -> None:
    assert eve.today().isoformat() == "2027-11-30"
    answer = requests.get(eve.url + "/health", timeout=10)
    # The `Date` the apps' countdowns trust is the stack's, not the machine's.
    assert "2027" in answer.headers["Date"] and "30 Nov" in answer.headers["Date"]


def test_the_year_that_just_ended_is_a_whole_cycle_beside_2017(eve: Stack) -> None:
    years = requests.get(eve.url + "/roster/years", headers=bearer(eve, "city_admin"), timeout=10)
    by_year = {item["year"]: item for item in years.json()["items"]}
    assert by_year[2017]["closed"] and by_year[2026]["closed"]
    assert not by_year[2027]["closed"]
    listing = requests.get(
        eve.url + "/reports/years/2026", headers=bearer(eve, "county_530402"), timeout=30
    )
    assert listing.status_code == 200 and listing.json()["files"]
    certified = 0
    for learner in learners_of(2026)[:12]:
        answer = requests.get(
            eve.url + "/reports/me/certificates/2026",
            headers=bearer(eve, learner.student_no),
            timeout=30,
        )
        assert answer.status_code in (200, 404)
        certified += answer.status_code == 200
    assert certified >= 3  # most of the year's learners passed


def test_last_nights_report_was_run_at_start(eve: Stack) -> None:
    admin = bearer(eve, "city_admin")

    def written() -> bool:
        daily = requests.get(
            eve.url + "/reports/daily", params={"date": "2027-11-29"}, headers=admin, timeout=30
        )
        return daily.status_code == 200 and bool(daily.json()["files"])

    wait_for(written)


def test_midnight_and_the_night_that_closes_the_year(eve: Stack) -> None:
    learner = bearer(eve, "530402000001")
    assert requests.get(eve.url + "/credits/me", headers=learner, timeout=10).json()["year"] == 2027
    # 00:10 on 1 December: the next year is there (prepared by November's nightly runs).
    eve.set_clock("2027-12-01T00:10:00+08:00")
    learner = bearer(eve, "530402000001")  # a token of the new day
    balance = requests.get(eve.url + "/credits/me", headers=learner, timeout=10)
    assert balance.status_code == 200 and balance.json()["year"] == 2028
    # 01:00: the scheduled run closes 2027 and writes 30 November's report.
    eve.set_clock("2027-12-01T01:00:05+08:00")
    admin = bearer(eve, "city_admin")

    def closed_and_reported() -> bool:
        years = requests.get(eve.url + "/roster/years", headers=admin, timeout=10).json()
        done = {i["year"]: i["closed"] for i in years["items"]}.get(2027)
        year_end = requests.get(eve.url + "/reports/years/2027", headers=admin, timeout=30)
        daily = requests.get(
            eve.url + "/reports/daily", params={"date": "2027-11-30"}, headers=admin, timeout=30
        )
        return bool(done) and year_end.status_code == 200 and daily.status_code == 200

    wait_for(closed_and_reported, seconds=300)
    # The year is frozen: a learner's 2027 is in the archive, read-only from now on.
    learner = bearer(eve, "530402000001")  # 00:10's token expired at 00:25
    archive = requests.get(eve.url + "/reports/me/archive", headers=learner, timeout=10).json()
    assert any(item["year"] == 2027 and item.get("frozen") for item in archive["items"])
