"""Practice in a real browser (#27): a learner on a 390-px phone opens 每日一练 from 学习,
answers one question wrong on purpose and reads the key, the explanation and the lesson
section it comes from, answers the rest right and sees the set's summary; a day later
(the stack's clock moved on) the 错题本 shows that question due, and it can be taken out."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest

from tests.browser.conftest import axe_violations, shot, sign_in
from tests.e2e.conftest import ROOT, Stack

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LEARNER = "530423000003"  # 通海县: no other browser test signs in as them
POOL = {
    q["stem"]: q
    for q in json.loads((ROOT / "infra/local/demo_practice.json").read_text())["questions"]
}


def shown_question(page: Any) -> dict[str, Any]:
    """The demo pool's question on the screen (the set holds no keys: the pool file does)."""
    stem = page.wait_for_selector("[data-test=stem]").inner_text().strip()
    return POOL[stem]


def choose(page: Any, keys: list[str]) -> None:
    for key in keys:
        page.click(f".option[data-key={key}]")


def answer(page: Any, keys: list[str]) -> str:
    """Choose, submit, and wait for the feedback: its text."""
    choose(page, keys)
    page.click("[data-test=submit]")
    return str(page.wait_for_selector("[data-test=feedback]").inner_text())


def test_a_wrong_answer_is_explained_and_comes_back_due_in_the_notebook(
    web_stack: Stack, phone: Any
) -> None:
    page = phone.new_page()
    sign_in(page, web_stack.url, LEARNER)
    page.click(".van-tabbar-item:has-text('学习')")
    page.wait_for_selector("[data-test=practice-entry]")
    page.wait_for_selector("[data-test=courses]")
    shot(page, "learner-study-practice")
    page.click("[data-test=practice-more]")
    page.wait_for_selector("[data-test=notebook]")  # 练习's own, not 学习's 每日一练
    assert "每日一练" in page.inner_text("body") and "错题本" in page.inner_text("body")
    assert page.locator("[data-topic]").count() == 6
    assert page.locator("[data-test=due-badge]").count() == 0  # nothing wrong yet
    shot(page, "learner-practice")
    assert (found := axe_violations(page)) == [], found
    page.click("[data-test=daily]")

    # The first question answered wrong on purpose: an option that is not among the keys.
    wrong = shown_question(page)
    picked = next(o["key"] for o in wrong["options"] if o["key"] not in wrong["answer"])
    said = answer(page, [picked])
    assert "回答错误" in said and "正确答案" in said
    assert page.inner_text("[data-test=explanation]") == wrong["explanation"]
    link = page.get_attribute("[data-test=source]", "href") or ""
    anchor = f"#{wrong['anchor']}" if wrong["anchor"] else ""
    assert unquote(link) == f"/study/lesson/{wrong['lesson_id']}?from=practice{anchor}", link
    page.wait_for_selector(f".option.key[data-key={wrong['answer'][0]}]")
    shot(page, "learner-practice-feedback")
    assert (found := axe_violations(page)) == [], found

    # 查看课程原文 opens the lesson there; back, the question and its feedback are as left.
    page.click("[data-test=source]")
    page.wait_for_selector(".lesson .head .title")
    if wrong["anchor"] and page.locator("[data-test=article]").count():
        page.wait_for_selector(f"[data-test=article] #{wrong['anchor']}")
        shot(page, "learner-practice-source")
    page.go_back()
    page.wait_for_selector("[data-test=feedback]:has-text('回答错误')")

    # The rest answered right, one after the other, to the set's summary.
    page.click("[data-test=next]")
    for _ in range(4):
        right = shown_question(page)
        assert "回答正确" in answer(page, right["answer"])
        page.click("[data-test=next]")
    summary = page.wait_for_selector("[data-test=summary]").inner_text()
    assert "答对 4 题，共 5 题" in summary and "错题本" in summary
    assert "获得 10 积分" in summary  # the demo year pays a completed set 10
    shot(page, "learner-practice-summary")

    # The next day the notebook shows the question due, first.
    before = web_stack.now()
    web_stack.set_clock((before + timedelta(days=1, hours=1)).isoformat())
    try:
        page.goto(web_stack.url + "/study/practice")
        assert page.wait_for_selector("[data-test=due-badge]").inner_text().strip() == "1"
        standing = page.inner_text("[data-test=topics]")  # the five answers, by topic
        assert "已答" in standing and "正确率" in standing
        page.click("[data-test=notebook]")
        due = page.wait_for_selector("[data-test=due]").inner_text()
        assert "复习到期的 1 道错题" in due
        item = page.wait_for_selector(".item").inner_text()
        assert wrong["stem"] in item and "答错 1 次" in item and "已到期" in item
        shot(page, "learner-notebook")
        assert (found := axe_violations(page)) == [], found
        # 移出错题本 asks first; then the notebook is empty.
        page.click("[data-test=remove]")
        page.click(".van-dialog__confirm")
        page.wait_for_selector("text=错题本是空的")
    finally:
        web_stack.set_clock(before.isoformat())
