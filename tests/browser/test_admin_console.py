"""Administrators at a desktop: a county admin reads the overview, adds and imports
learners, resets a password, transfers a learner and downloads last night's report; the
city admin imports questions and grants an override within the policy and is refused
beyond it; a unit admin cannot reach another unit's learner by URL."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser.conftest import PASSWORD, axe_violations, shot, sign_in
from tests.e2e.conftest import Stack
from xuefa.core.clock import study_year_of

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def admin_sign_in(page: Any, url: str, login: str) -> None:
    page.goto(url + "/admin/")
    page.fill("input[name=username]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-test=who]")


def menu(page: Any, name: str) -> None:
    page.click(f".el-menu-item:has-text('{name}')")


def unit(page: Any, name: str) -> None:
    page.click(f".el-tree-node__content:has-text('{name}')")


def confirm(page: Any) -> None:
    page.click(".el-message-box__btns .el-button--primary")


def shown_once(page: Any) -> dict[str, str]:
    table = page.wait_for_selector("[data-test=shown-once]")
    rows = table.query_selector_all("tr")
    values = {
        r.query_selector("th").inner_text(): r.query_selector("td").inner_text() for r in rows
    }
    page.click("[data-test=shown-once-ok]")
    return values


def test_a_county_admin_reads_the_overview(web_stack: Stack, desktop: Any) -> None:
    page = desktop.new_page()
    page.goto(web_stack.url + "/admin/")
    page.wait_for_selector("input[name=username]")
    assert (found := axe_violations(page)) == [], found
    admin_sign_in(page, web_stack.url, "county_530402")
    page.wait_for_selector("[data-test=summary] .el-table__row")
    assert page.inner_text("[data-test=learners] .el-statistic__number") == "30"
    rows = page.locator("[data-test=summary] .el-table__body .el-table__row")
    assert rows.count() == 3
    shot(page, "admin-01-overview")
    assert (found := axe_violations(page)) == [], found
    menu(page, "进度")
    page.wait_for_selector("[data-test=progress] .el-table__row")
    shot(page, "admin-02-progress")
    assert (found := axe_violations(page)) == [], found


def test_a_learner_added_by_an_admin_signs_in_with_the_temporary_password(
    web_stack: Stack, desktop: Any, phone: Any
) -> None:
    page = desktop.new_page()
    admin_sign_in(page, web_stack.url, "county_530402")
    unit(page, "红塔区教育体育局")
    menu(page, "学员")
    page.wait_for_selector("[data-test=learners] .el-table-v2__row")
    page.click("[data-test=add]")
    page.fill("input[name=name]", "控制台新人")
    page.click(".el-dialog button[type=submit]")
    once = shown_once(page)
    assert once["姓名"] == "控制台新人" and once["学号"].startswith("530402")
    learner = phone.new_page()
    sign_in(learner, web_stack.url, once["学号"], once["临时密码"])
    learner.wait_for_selector("text=首次登录需要设置自己的密码")


def test_a_csv_with_a_bad_line_writes_nothing_until_fixed(
    web_stack: Stack, desktop: Any, tmp_path: Path
) -> None:
    page = desktop.new_page()
    admin_sign_in(page, web_stack.url, "county_530402")
    unit(page, "红塔区财政局")
    menu(page, "学员")
    page.wait_for_selector("[data-test=learners] .el-table-v2__row")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "姓名,单位编号,手机号\n导入甲,530402-003,\n导入乙,530402-404,\n", encoding="utf-8"
    )
    page.click("[data-test=import]")
    page.set_input_files("[data-test=csv]", str(bad))
    page.wait_for_selector(".el-dialog .el-table__row")
    page.click("[data-test=import-now]")
    problem = page.wait_for_selector("[data-test=import-problem]").inner_text()
    assert "第 3 行" in problem
    shot(page, "admin-03-import-problem")
    good = tmp_path / "good.csv"
    good.write_text(
        "姓名,单位编号,手机号\n导入甲,530402-003,\n导入乙,530402-003,\n", encoding="utf-8"
    )
    page.set_input_files("[data-test=csv]", str(good))
    page.click("[data-test=import-now]")
    once = shown_once(page)
    assert len(once) == 2 and all(key.startswith("导入") for key in once)
    page.wait_for_selector("[data-test=learners][data-rows='12']")


def test_a_password_reset_and_a_transfer_from_the_learners_page(
    web_stack: Stack, desktop: Any
) -> None:
    page = desktop.new_page()
    admin_sign_in(page, web_stack.url, "county_530402")
    page.goto(web_stack.url + "/admin/learners/530402000015")
    page.wait_for_selector("[data-test=status]")
    assert page.locator("[data-test=attempts]").count() == 1
    assert page.locator("[data-test=ledger]").count() == 1
    page.click("[data-test=reset]")
    confirm(page)
    once = shown_once(page)
    assert once["学号"] == "530402000015" and len(once["临时密码"]) >= 8
    page.click("[data-test=unit-picker]")
    popper = ".el-tree-select__popper:visible"
    page.click(f"{popper} .el-tree-node__expand-icon >> nth=0")
    page.click(f"{popper} .el-tree-node__content:has-text('红塔区财政局')")
    page.click("[data-test=transfer]")
    confirm(page)
    page.wait_for_selector("text=红塔区财政局（530402-003）")
    shot(page, "admin-04-learner")
    assert (found := axe_violations(page)) == [], found
    profile = requests.get(
        f"{web_stack.url}/roster/learners/530402000015",
        headers={"Authorization": web_stack.sign_in("county_530402")},
        timeout=10,
    ).json()
    assert profile["unit_id"] == "530402-003" and profile["history"][-1]["event"] == "transfer"


def test_last_nights_report_is_downloaded_and_opens(web_stack: Stack, desktop: Any) -> None:
    yesterday = web_stack.yesterday()
    run = requests.post(
        f"{web_stack.url}/reports/runs",
        json={"date": yesterday},
        headers={"Authorization": web_stack.sign_in("city_admin")},
        timeout=120,
    )
    assert run.status_code == 202
    page = desktop.new_page()
    admin_sign_in(page, web_stack.url, "county_530402")
    menu(page, "报表")
    page.wait_for_selector("[data-test=files] .el-table__row")
    page.wait_for_selector("[data-test=bulletin] .el-table__row")
    shot(page, "admin-05-reports")
    link = page.locator("[data-test=files] [data-test=download][aria-label$='530402-001 csv']")
    with page.expect_download() as download:
        link.click()
    body = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(body)))
    assert header[:4] == ["学号", "姓名", "单位", "积分"]
    assert len(body.splitlines()) >= 11
    # The year that just ended (and 2017) were closed at seed time: the latest year-end set
    # comes first, for the county's subtree.
    page.wait_for_selector("[data-test=year-files] .el-table__row")
    ended = study_year_of(web_stack.today()) - 1
    assert f"{ended}年度" in page.inner_text("[data-test=closed-year]")
    page.locator("[data-test=year-files]").scroll_into_view_if_needed()
    shot(page, "admin-06-year-end")


def test_the_city_imports_questions_and_grants_overrides_within_the_policy(
    web_stack: Stack, desktop: Any
) -> None:
    page = desktop.new_page()
    admin_sign_in(page, web_stack.url, "city_admin")
    menu(page, "考试")
    page.fill(
        "textarea[data-test=bank]",
        '{"questions": [{"type": "judge", "stem": "宪法是国家的根本大法。", "options": '
        '[{"key": "A", "text": "正确"}, {"key": "B", "text": "错误"}], "answer": ["A"]}]}',
    )
    page.click("[data-test=import-questions]")
    page.wait_for_selector(".el-message--success:has-text('已导入 1 道题')")
    page.fill("#ovr-student", "530403000002")
    page.fill("#ovr-reason", "系统故障补考")
    page.fill("#ovr-extra", "2")
    page.click("[data-test=grant]")
    assert "最多 10 次" in page.wait_for_selector("[data-test=granted]").inner_text()
    page.fill("#ovr-extra", "1")
    page.click("[data-test=grant]")
    refused = page.wait_for_selector("[data-test=refused]").inner_text()
    assert "全年最多增加 2 次" in refused
    shot(page, "admin-06-override-refused")
    assert (found := axe_violations(page)) == [], found


def test_a_unit_admin_cannot_reach_another_units_learner_by_url(
    web_stack: Stack, desktop: Any
) -> None:
    page = desktop.new_page()
    admin_sign_in(page, web_stack.url, "unit_530402-001")
    assert page.locator(".el-menu-item:has-text('考试')").count() == 0
    page.goto(web_stack.url + "/admin/learners/530403000003")
    page.wait_for_selector(".el-alert--error")
    other = requests.get(
        f"{web_stack.url}/roster/learners/530403000003",
        headers={"Authorization": web_stack.sign_in("city_admin")},
        timeout=10,
    ).json()
    assert other["name"] not in page.inner_text("body")
    assert page.locator("[data-test=status]").count() == 0


def test_a_learner_cannot_use_the_console(web_stack: Stack, desktop: Any) -> None:
    page = desktop.new_page()
    page.goto(web_stack.url + "/admin/")
    page.fill("input[name=username]", "530402000022")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=该账号不是管理员账号")


def test_a_city_department_prints_its_2017_certificates(web_stack: Stack, desktop: Any) -> None:
    page = desktop.new_page()
    admin_sign_in(page, web_stack.url, "unit_530400-D01")  # 530400000001 passed 2017 there
    menu(page, "报表")
    page.wait_for_selector("[data-test=year-files] .el-table__row")
    page.click("[data-test=closed-year]")
    page.click(".el-select-dropdown__item:has-text('2017年度')")
    page.wait_for_selector("[data-test=year-files] .el-table__row")
    with page.expect_download() as download:
        page.click("[data-test=unit-certificates]")
    assert download.value.suggested_filename.endswith(".pdf")
    from pypdf import PdfReader

    text = PdfReader(download.value.path()).pages[0].extract_text()
    assert "合格证明" in text and "530400-D01" not in text and "玉溪市司法局" in text


def test_a_county_admin_renames_a_unit_with_a_slash_and_the_night_survives_it(
    web_stack: Stack, desktop: Any
) -> None:
    """The name that stopped a county's nightly set (`/`, and brackets) is a name like any
    other: renamed in the console, shown at once, and the next night's set holds it."""
    page = desktop.new_page()
    admin_sign_in(page, web_stack.url, "county_530423")
    unit(page, "通海县")
    page.wait_for_selector("[data-test=summary] .el-table__row")
    old_name = "财政局"  # 530423-003: no other test looks at it
    unit(page, old_name)
    page.wait_for_selector(f"h1:has-text('{old_name}')")
    page.click("[data-test=rename]")
    field = page.locator(".el-message-box input")
    field.fill("法宣\u200b科")  # a zero-width space: a format character
    confirm(page)
    assert page.locator(".el-message-box__errormsg").inner_text() == "单位名称不能含控制字符或换行"
    field.fill("法宣科/综合组 [一]")
    shot(page, "admin-unit-rename")
    confirm(page)
    page.wait_for_selector("h1:has-text('法宣科/综合组 [一]')")
    page.wait_for_selector(".el-tree-node__content:has-text('法宣科/综合组 [一]')")
    headers = {"Authorization": web_stack.sign_in("city_admin")}
    day = web_stack.yesterday()
    run = requests.post(
        f"{web_stack.url}/reports/runs", json={"date": day}, headers=headers, timeout=300
    )
    assert run.status_code == 202
    daily = requests.get(
        f"{web_stack.url}/reports/daily", params={"date": day}, headers=headers, timeout=30
    ).json()
    assert daily.get("whole", True) and not daily.get("failed_units")


def practise(stack: Stack, login: str, topic: str, knows: bool) -> None:
    """A learner's set of a topic over HTTP, all right or all wrong."""
    headers = {"Authorization": f"Bearer {stack.sign_in(login)}"}
    api = stack.url + "/credits"
    url = f"{api}/practice?kind=topic&topic={topic}"
    given = requests.get(url, headers=headers, timeout=30).json()
    pool = json.loads(Path("infra/local/demo_practice.json").read_text("utf-8"))["questions"]
    questions = {q["question_id"]: q for q in pool}
    for asked in given["questions"]:
        question = questions[asked["question_id"]]
        wrong = [o["key"] for o in question["options"] if o["key"] not in question["answer"]]
        keys = question["answer"] if knows else wrong[:1]
        body = {"question_id": asked["question_id"], "answer": keys}
        answered = requests.post(
            f"{api}/practice/{given['set_id']}/answers", json=body, headers=headers, timeout=30
        )
        assert answered.status_code == 200, answered.text


def test_the_city_sees_its_weakest_practice_topics_first(web_stack: Stack, desktop: Any) -> None:
    # Six learners of one office (530481-003: no other test looks at it) practise.
    for n in range(25, 31):
        practise(web_stack, f"530481{n:06d}", "constitution", knows=True)
        practise(web_stack, f"530481{n:06d}", "yunnan", knows=n % 3 == 0)
    page = desktop.new_page()
    admin_sign_in(page, web_stack.url, "city_admin")
    menu(page, "练习情况")
    page.wait_for_selector("[data-test=topics] .el-progress")
    rates = [
        int(text.rstrip("%"))
        for text in page.locator("[data-test=topics] .el-progress__text").all_inner_texts()
    ]
    assert rates and rates == sorted(rates)  # the weakest first
    assert "完成过练习" in page.inner_text("[data-test=topics-summary]")
    assert "学号" not in page.inner_text("[data-test=topics]")  # never one learner's rows
    shot(page, "admin-practice-topics")
    assert (found := axe_violations(page)) == [], found


def test_the_city_and_a_county_see_the_exams_days_of_their_units(
    web_stack: Stack, desktop: Any
) -> None:
    """分批次 (#28.4): once the year gives a county and a city department days of their
    own, the city's 考试 page lists both batches and the county's overview says its days."""
    headers = {"Authorization": web_stack.sign_in("city_admin")}
    url = f"{web_stack.url}/roster/years/{study_year_of(web_stack.now())}"
    config = requests.get(url, headers=headers, timeout=30).json()
    opens = datetime.fromisoformat(config["exam_window"]["opens_at"])
    closes = opens + timedelta(days=2)  # the county's; the department's two days after
    days = [
        {"unit_id": "530423", "opens_at": opens.isoformat(), "closes_at": closes.isoformat()},
        {
            "unit_id": "530400-D01",
            "opens_at": closes.isoformat(),
            "closes_at": (closes + timedelta(days=2)).isoformat(),
        },
    ]
    put = requests.put(url, json={**config, "exam_days": days}, headers=headers, timeout=30)
    assert put.status_code == 200, put.text
    try:
        page = desktop.new_page()
        admin_sign_in(page, web_stack.url, "city_admin")
        menu(page, "考试")
        batches = page.wait_for_selector("[data-test=batches] .el-table__body").inner_text()
        first = shown_day(opens)
        assert "通海县" in batches and first in batches
        assert batches.index("通海县") < batches.index(department_name(web_stack))
        shot(page, "admin-exam-days")
        assert (found := axe_violations(page)) == [], found
        page.evaluate("() => { localStorage.clear(); sessionStorage.clear() }")  # signed out
        admin_sign_in(page, web_stack.url, "county_530423")  # its overview says them too
        own = page.wait_for_selector("[data-test=own-days]:has-text('年')").inner_text()
        last = shown_day(closes - timedelta(microseconds=1))  # a close is exclusive
        assert own.startswith("通海县") and f"{first} – {last}" in own
        shot(page, "admin-exam-days-county")
    finally:
        back = requests.put(url, json=config, headers=headers, timeout=30)
        assert back.status_code == 200, back.text


def shown_day(at: datetime) -> str:
    return f"{at.year}年{at.month}月{at.day}日"


def department_name(stack: Stack) -> str:
    headers = {"Authorization": stack.sign_in("city_admin")}
    unit = requests.get(f"{stack.url}/roster/units/530400-D01", headers=headers, timeout=30)
    return str(unit.json()["name"])
