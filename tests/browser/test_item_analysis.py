"""The city's 试题分析 in a real browser (#28.1): the current year refused while its exam
can still be sat, then the closed demo year 2017 analysed: its figures, its score
distribution and every question with its flags; screenshot and axe. Then a question of
the demo year voided after its window (#28.2), and a learner's score following it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from tests.browser.conftest import axe_violations, shot, sign_in
from tests.browser.test_admin_console import admin_sign_in, menu
from tests.e2e.conftest import Stack
from xuefa.core.clock import SHANGHAI, study_year_of

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


def test_the_city_voids_a_question_and_a_learners_score_follows(
    web_stack: Stack, desktop: Any, phone: Any
) -> None:
    """#28.2's demo: a learner sits the demo year's exam over HTTP, the stack's clock moves
    past its close, the city analyses the year, voids a question the learner got wrong
    from its row, watches the regrade finish; the learner's review says why the score rose."""
    learner = "530403000030"
    token = web_stack.sign_in(learner)
    auth = {"Authorization": f"Bearer {token}"}
    year = study_year_of(web_stack.today())
    summary = requests.get(f"{web_stack.url}/exams/{year}", headers=auth, timeout=10).json()
    del summary
    started = requests.post(
        f"{web_stack.url}/exams/{year}/attempts", json={}, headers=auth, timeout=10
    )
    assert started.status_code == 201, started.text
    attempt = started.json()
    questions = attempt["questions"]
    # Every answer the first option: some right, some wrong; the first wrong one is voided.
    answers = {q["question_id"]: [q["options"][0]["key"]] for q in questions}
    number = attempt["attempt_no"]
    submit = requests.post(
        f"{web_stack.url}/exams/{year}/attempts/{number}/submit",
        json={"answers": answers},
        headers=auth,
        timeout=10,
    )
    assert submit.status_code == 200, submit.text
    before = submit.json()["score"]
    assert before < 100
    # Corrections open once no one can sit (the close, or an override's, with a paper's
    # time): when the review opens.
    closed = requests.get(
        f"{web_stack.url}/exams/{year}/attempts/{number}", headers=auth, timeout=10
    ).json()
    after = datetime.fromisoformat(closed["review_opens_at"]) + timedelta(minutes=1)
    if after >= datetime(year, 12, 1, tzinfo=SHANGHAI):  # from mid-November on
        pytest.skip("the demo year's exam closes with the year: no time left to correct it")
    back = web_stack.now()
    web_stack.set_clock(after.isoformat())
    try:
        auth = {"Authorization": f"Bearer {web_stack.sign_in(learner)}"}  # days later
        review = requests.get(
            f"{web_stack.url}/exams/{year}/attempts/{number}", headers=auth, timeout=10
        ).json()
        wrong = next(qid for qid, right in review["correct"].items() if not right)
        bank_id = review["review"][wrong]["bank_question_id"]

        page = desktop.new_page()
        admin_sign_in(page, web_stack.url, "city_admin")
        menu(page, "试题分析")
        field = page.locator("[data-test=analysis-year] input")
        field.fill(str(year))
        field.press("Enter")
        page.wait_for_selector(f"h1:has-text('{year}年度')")
        page.click("[data-test=run-analysis]")
        row = page.locator(f"[data-test=analysis-items] .el-table__row:has-text('{bank_id}')")
        row.first.wait_for(timeout=60_000)
        row.first.locator("[data-test=correct-question]").click()
        page.locator(
            "textarea[data-test=correction-reason], [data-test=correction-reason] textarea"
        ).first.fill("题干表述有歧义，经复核作废")
        shot(page, "admin-correction-dialog")
        page.click("[data-test=save-correction]")
        done = page.wait_for_selector(
            "[data-test=regrade-progress]:has-text('已按')", timeout=60_000
        )
        assert "1 项更正" in done.inner_text()
        assert page.locator("[data-test=corrections-list] .el-table__row").count() >= 1
        shot(page, "admin-corrections")
        assert (found := axe_violations(page)) == [], found

        screen = phone.new_page()
        sign_in(screen, web_stack.url, learner)
        screen.wait_for_selector(".van-tabbar")  # signed in, before going anywhere
        screen.goto(f"{web_stack.url}/exam/{year}/attempts/{number}")
        note = screen.wait_for_selector("[data-test=regraded]")
        assert f"原 {before:g}" in note.inner_text().replace(".00", "")
        assert "作废" in screen.inner_text("[data-test=correction-note]")
        screen.locator("[data-test=voided]").first.scroll_into_view_if_needed()
        shot(screen, "learner-corrected-review")
    finally:
        web_stack.set_clock(back.isoformat())
