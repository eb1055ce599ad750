"""The city's 试题分析 in a real browser (#28.1): the current year refused while its exam
can still be sat, then the closed demo year 2017 analysed: its figures, its score
distribution and every question with its flags; screenshot and axe."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations, shot
from tests.browser.test_admin_console import admin_sign_in, menu
from tests.e2e.conftest import Stack

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_city_analyses_the_2017_exam(web_stack: Stack, desktop: Any) -> None:
    page = desktop.new_page()
    admin_sign_in(page, web_stack.url, "city_admin")
    menu(page, "试题分析")
    page.wait_for_selector("[data-test=run-analysis]")
    page.click("[data-test=run-analysis]")  # this year's exam is still to be sat
    problem = page.wait_for_selector("[data-test=analysis-problem]")
    assert "考试尚未结束" in problem.inner_text()
    year = page.locator("[data-test=analysis-year] input")
    year.fill("2017")
    year.press("Enter")
    page.wait_for_selector("h1:has-text('2017年度')")
    page.click("[data-test=run-analysis]")
    page.wait_for_selector("[data-test=analysis-items] .el-table__row", timeout=60_000)
    papers = page.inner_text("[data-test=analysis-paper] .el-statistic__number")
    assert int(papers.replace(",", "")) > 0
    bars = page.locator("[data-test=histogram] .bin")
    assert bars.count() == 10
    assert page.locator("a.download").count() == 3
    shot(page, "admin-analysis-2017")
    assert (found := axe_violations(page)) == [], found
    page.click(".el-switch")  # only the flagged questions
    rows = page.locator("[data-test=analysis-items] .el-table__body .el-table__row")
    for n in range(min(rows.count(), 5)):
        assert rows.nth(n).locator(".el-tag").count() > 0
