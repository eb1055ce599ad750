"""A learner on a phone (and once on a desktop): signs in, studies, sits the exam and sees
the score, as a person would, in Debian's chromium against the local stack."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from tests.browser.conftest import PASSWORD, axe_violations, shot, sign_in
from tests.e2e.conftest import Stack

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Learners of 红塔区司法局 (530402-001), a unit the demo leaves untouched: one each per test.
UNIT = "530402-001"


def tab(page: Any, name: str) -> None:
    """A tab of the bottom bar."""
    page.click(f".van-tabbar-item:has-text('{name}')")


def as_admin(stack: Stack, login: str = "unit_530402-001") -> dict[str, str]:
    return {"Authorization": stack.sign_in(login)}


def test_a_demo_learner_signs_in_and_sees_the_year_at_a_glance(
    web_stack: Stack, phone: Any
) -> None:
    page = phone.new_page()
    page.goto(web_stack.url + "/")
    page.wait_for_selector("input[name=username]")
    shot(page, "learner-01-sign-in")
    assert (found := axe_violations(page)) == [], found
    sign_in(page, web_stack.url, "530402000001")
    page.wait_for_selector("[data-test=credits]")
    assert page.inner_text("[data-test=credits]") == "0"
    body = page.inner_text("body")
    for words in (
        "/ 3000 积分",
        "学时",
        "学习期剩余",
        "今日积分",
        "0 / 125",
        "剩余考试次数",
        "年度学法成绩",
    ):
        assert words in body, words
    shot(page, "learner-02-home")
    assert (found := axe_violations(page)) == [], found


def test_wrong_password_disabled_account_and_no_network_each_say_so(
    web_stack: Stack, phone: Any
) -> None:
    page = phone.new_page()
    sign_in(page, web_stack.url, "530402000002", "Wrong-Password-1")
    assert page.wait_for_selector("[role=alert]").inner_text() == "学号或密码错误"
    resigned = requests.post(
        f"{web_stack.url}/roster/learners/530402000003/status",
        json={"status": "resigned", "reason": "辞职"},
        headers=as_admin(web_stack),
        timeout=10,
    )
    assert resigned.status_code == 200
    sign_in(page, web_stack.url, "530402000003")
    page.wait_for_selector("text=该账号已停用")
    page.route("**/identity/**", lambda route: route.abort())  # the sign-in service's path
    sign_in(page, web_stack.url, "530402000002")
    page.wait_for_selector("text=网络连接失败")
    shot(page, "learner-03-sign-in-offline")


def test_a_new_learners_first_sign_in_sets_a_password(web_stack: Stack, phone: Any) -> None:
    created = requests.post(
        f"{web_stack.url}/roster/learners",
        json={"name": "浏览器新人", "unit_id": UNIT},
        headers=as_admin(web_stack),
        timeout=10,
    ).json()
    page = phone.new_page()
    sign_in(page, web_stack.url, created["student_no"], created["temporary_password"])
    page.wait_for_selector("text=首次登录需要设置自己的密码")
    page.fill("input[name=new-password]", "short")
    page.fill("input[name=new-password-again]", "short")
    page.click("button[type=submit]")
    page.wait_for_selector("text=密码至少8位")
    shot(page, "learner-11-new-password")
    page.fill("input[name=new-password]", "Browser-New-2026")
    page.fill("input[name=new-password-again]", "Browser-New-2026")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-test=credits]")
    tab(page, "我的")
    assert page.wait_for_selector("[data-test=name]").inner_text() == "浏览器新人"
    page.click("[data-test=sign-out]")
    page.click(".van-dialog__confirm")
    page.wait_for_selector("input[name=username]")
    sign_in(page, web_stack.url, created["student_no"], "Browser-New-2026")
    page.wait_for_selector("[data-test=credits]")


def test_a_learner_signs_in_for_the_day_and_studies_a_resource_to_completion(
    web_stack: Stack, phone: Any
) -> None:
    resource = requests.post(
        f"{web_stack.url}/credits/catalogue",
        json={
            "year": _year(web_stack),
            "title": "浏览器测试：三秒阅读",
            "activity": "reading",
            "credits": 20,
            "min_seconds": 3,
        },
        headers=as_admin(web_stack, "city_admin"),
        timeout=10,
    ).json()
    page = phone.new_page()
    sign_in(page, web_stack.url, "530402000004")
    page.wait_for_selector("[data-test=credits]")
    tab(page, "学习")
    page.click("[data-test=sign-in]")
    assert (
        page.wait_for_selector('[data-test=sign-in-note]:has-text("获得")').inner_text()
        == "签到成功，获得 5 积分"
    )
    page.wait_for_selector("[data-test=sign-in][disabled]")
    shot(page, "learner-04-study")
    assert (found := axe_violations(page)) == [], found
    page.click(f"button[aria-label='开始学习：{resource['title']}']")
    page.wait_for_selector("[data-test=time-left]")
    assert page.is_disabled("[data-test=complete]")
    shot(page, "learner-05-studying")
    page.reload()  # the timer comes back from the server's started_at
    page.wait_for_selector("[data-test=complete]:not([disabled])", timeout=10_000)
    page.click("[data-test=complete]")
    assert page.wait_for_selector("[data-test=awarded]").inner_text() == "获得 20 积分"
    page.click("text=返回学习列表")
    page.click("text=积分明细")
    page.wait_for_selector(".van-cell:has-text('+20')")
    page.wait_for_selector(".van-cell:has-text('+5')")
    shot(page, "learner-10-ledger")
    page.goto(web_stack.url + "/")
    assert page.wait_for_selector("[data-test=credits]").inner_text() == "25"


def test_an_exam_from_start_to_score_survives_a_reload(web_stack: Stack, phone: Any) -> None:
    page = phone.new_page()
    sign_in(page, web_stack.url, "530402000005")
    page.wait_for_selector("[data-test=credits]")
    tab(page, "考试")
    page.click("[data-test=start]")
    page.click(".van-dialog__confirm")
    page.wait_for_selector("[data-test=stem]")
    assert re.fullmatch(r"\d{2}:\d{2}|1:\d{2}:\d{2}", page.inner_text("[data-test=countdown]"))
    first_stem = page.inner_text("[data-test=stem]")
    for _ in range(3):
        page.click(".van-radio, .van-checkbox >> nth=0")
        page.wait_for_selector("[data-test=save-state]:has-text('已保存')")
        page.click("[data-test=next]")
    shot(page, "learner-06-exam-question")
    assert (found := axe_violations(page)) == [], found
    fourth_stem = page.inner_text("[data-test=stem]")
    page.reload()  # the open attempt comes back with its answers, at the first unanswered
    page.wait_for_selector("[data-test=stem]")
    assert page.inner_text("[data-test=stem]") == fourth_stem
    page.click("[data-test=grid]")
    assert page.locator(".cell.answered").count() == 3
    shot(page, "learner-07-answer-card")
    page.click("button[aria-label='第1题']")
    assert page.inner_text("[data-test=stem]") == first_stem
    assert (
        page.locator("[role=radio][aria-checked=true], [role=checkbox][aria-checked=true]").count()
        == 1
    )
    page.click("[data-test=grid]")
    page.click(".van-popup .van-button--danger")
    message = page.wait_for_selector(".van-dialog__message").inner_text()
    assert "还有未答题：第 4、5、6" in message
    page.click(".van-dialog__confirm")
    page.wait_for_selector("[data-test=score]")
    page.wait_for_selector(".van-overlay", state="hidden")
    for words in ("本次得分", "最高分", "年度学法成绩", "答案将于"):
        assert words in page.inner_text("body")
    shot(page, "learner-08-result")
    assert (found := axe_violations(page)) == [], found
    page.click("text=返回考试")
    page.wait_for_selector("text=已考 1 / 8 次")


def test_a_second_tab_submits_and_the_first_is_told(web_stack: Stack, phone: Any) -> None:
    first = phone.new_page()
    sign_in(first, web_stack.url, "530402000006")
    first.wait_for_selector("[data-test=credits]")
    tab(first, "考试")
    first.click("[data-test=start]")
    first.click(".van-dialog__confirm")
    first.wait_for_selector("[data-test=stem]")
    second = phone.new_page()  # the same phone, another tab: the same session
    second.goto(web_stack.url + "/exam")
    second.click("[data-test=resume]")
    second.wait_for_selector("[data-test=stem]")
    second.click("[data-test=grid]")
    second.click(".van-popup .van-button--danger")
    second.click(".van-dialog__confirm")
    second.wait_for_selector("[data-test=score]")
    first.click(".van-radio, .van-checkbox >> nth=0")
    first.wait_for_selector("text=本次考试已在其他页面或设备交卷")
    first.click(".van-dialog__confirm")
    first.wait_for_selector("[data-test=score]")


def test_archive_and_me_on_a_desktop(web_stack: Stack, desktop: Any) -> None:
    page = desktop.new_page()
    sign_in(page, web_stack.url, "530402000007")
    page.wait_for_selector("[data-test=credits]")
    shot(page, "learner-09-home-desktop")
    tab(page, "档案")
    page.wait_for_selector("text=个人学法档案")
    assert (found := axe_violations(page)) == [], found
    tab(page, "我的")
    assert page.wait_for_selector("[data-test=name]").inner_text()
    assert "530402000007" in page.inner_text("body")
    assert (found := axe_violations(page)) == [], found


def _year(stack: Stack) -> int:
    token = stack.sign_in("530402000009")
    return int(
        requests.get(
            stack.url + "/credits/me", headers={"Authorization": token}, timeout=10
        ).json()["year"]
    )


def test_the_password_is_never_kept_in_the_page(web_stack: Stack, phone: Any) -> None:
    page = phone.new_page()
    sign_in(page, web_stack.url, "530402000008")
    page.wait_for_selector("[data-test=credits]")
    stored = page.evaluate("() => JSON.stringify(localStorage)")
    assert PASSWORD not in stored and "idToken" in stored


def test_a_2017_certificate_from_the_archive_and_its_qr_page(web_stack: Stack, phone: Any) -> None:
    from infra.local.demo_closed_year import learners_of

    passed = next(
        learner
        for learner in learners_of(2017)
        if requests.get(
            web_stack.url + "/reports/me/certificates/2017",
            headers={"Authorization": web_stack.sign_in(learner.student_no)},
            timeout=30,
        ).status_code
        == 200
    )
    page = phone.new_page()
    sign_in(page, web_stack.url, passed.student_no)
    page.wait_for_selector("[data-test=credits]")
    tab(page, "档案")
    page.wait_for_selector("text=2017年度")
    assert "年度结束归档" in page.inner_text("body")
    with page.expect_download() as download:
        page.click("text=下载合格证明")
    assert download.value.suggested_filename.endswith(".pdf")
    code = page.wait_for_selector("text=/验证码 /").inner_text().removeprefix("验证码 ")
    shot(page, "learner-12-archive-certificate")
    page.evaluate("() => localStorage.clear()")  # anyone who scans the QR: not signed in
    stranger = phone.new_page()
    stranger.goto(f"{web_stack.url}/verify/{code}")
    stranger.wait_for_selector("text=证明真实有效")
    assert passed.name not in stranger.inner_text("body")  # masked
    assert (found := axe_violations(stranger)) == [], found
    shot(stranger, "learner-13-verify")
    stranger.goto(f"{web_stack.url}/verify/ABCD-EFGH-JKMN-PQRS-TVWX")
    stranger.wait_for_selector("text=没有找到这个验证码对应的合格证明")


def test_a_changed_password_signs_other_devices_out_but_not_this_one(
    web_stack: Stack, phone: Any
) -> None:
    from infra.local.signin import tokens

    login = "530423000005"
    other_device = tokens(web_stack.local, login)["RefreshToken"]  # a phone signed in earlier
    page = phone.new_page()
    sign_in(page, web_stack.url, login)
    page.wait_for_selector("[data-test=credits]")
    page.goto(web_stack.url + "/me/password")
    page.fill("input[name=current-password]", PASSWORD)
    page.fill("input[name=new-password]", "Changed-2026x")
    page.fill("input[name=new-password-again]", "Changed-2026x")
    page.click("button[type=submit]")
    page.wait_for_url("**/me")
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('xuefa.session')).refreshToken")
    refreshed = requests.post(
        web_stack.url + "/identity/refresh", json={"refresh_token": stored}, timeout=10
    )
    assert refreshed.status_code == 200  # this device carries on with the new tokens
    elsewhere = requests.post(
        web_stack.url + "/identity/refresh", json={"refresh_token": other_device}, timeout=10
    )
    assert elsewhere.status_code == 401  # the other one is signed out
    again = requests.post(
        web_stack.url + "/identity/sign-in",
        json={"username": login, "password": "Changed-2026x"},
        timeout=10,
    )
    assert again.status_code == 200
