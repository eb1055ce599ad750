"""The city keeps its question bank in the console (#27, #28): finds questions, uploads
a workbook with a wrong row and reads the errors by row, edits a practice question (a new
version) and retires one."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations, shot
from tests.browser.test_admin_console import admin_sign_in, confirm, menu
from tests.e2e.conftest import Stack
from xuefa.bank import xlsx

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def wrong_workbook() -> bytes:
    good = {
        "pool": "practice",
        "type": "single",
        "stem": "宪法是国家的什么法？",
        "options": [{"key": "A", "text": "根本法"}, {"key": "B", "text": "普通法"}],
        "answer": ["A"],
        "topic": "constitution",
        "explanation": "宪法是国家的根本法。",
    }
    return xlsx.workbook([good, {**good, "answer": ["C"]}, {**good, "stem": "", "topic": None}])


def test_the_city_finds_uploads_edits_and_retires_questions(web_stack: Stack, desktop: Any) -> None:
    page = desktop.new_page()
    admin_sign_in(page, web_stack.url, "city_admin")
    menu(page, "题库")
    page.wait_for_selector("[data-test=bank-table] .el-table__row")
    page.click("[data-test=bank-pool]")
    page.click(".el-select-dropdown__item:has-text('练习')")
    page.wait_for_selector("[data-test=bank-table] .el-table__row")
    page.set_input_files(
        "[data-test=bank-file]",
        files=[{"name": "题库.xlsx", "mimeType": xlsx.XLSX, "buffer": wrong_workbook()}],
    )
    errors = page.wait_for_selector("[data-test=bank-row-errors]").inner_text()
    assert "答案" in errors and "题干" in errors and "一道题也没有导入" in errors
    page.click("[data-test=bank-edit] >> nth=0")
    dialog = page.wait_for_selector("[data-test=bank-dialog]")
    stem = dialog.query_selector("textarea")
    assert stem is not None
    stem.fill(stem.input_value() + "（修订）")
    page.click("[data-test=bank-save]")
    page.wait_for_selector(".el-message--success:has-text('已保存为第 2 版')")
    page.click("[data-test=bank-retire] >> nth=1")
    confirm(page)
    page.wait_for_selector(".el-message--success:has-text('已停用')")
    page.wait_for_selector("[data-test=bank-table] .el-tag:has-text('已停用')")
    page.wait_for_selector(".el-message", state="detached")
    page.evaluate("() => document.querySelectorAll('*').forEach((e) => e.scrollTo?.(0, 0))")
    shot(page, "admin-bank")
    assert (found := axe_violations(page)) == [], found
