"""Study content in a real browser (#26): the city publishes an article and a video
lesson (through the API, as the console does); a learner on a 390-px phone, and one in
WeChat's in-app browser, reads the article by its contents at a larger font, comes back
to where they were, and watches the video inline with captions turned on; in the
console the city admin writes an article, sees it in the phone frame, and publishes it
for a learner to find."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser.conftest import PHONE, shot, sign_in
from tests.browser.test_admin_console import admin_sign_in
from tests.e2e.conftest import Stack
from xuefa.core.clock import study_year_of

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LEARNER = "530402000001"
WECHAT = (
    "Mozilla/5.0 (Linux; Android 12; V2055A Build/SP1A; wv) AppleWebKit/537.36 (KHTML, like"
    " Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023"
    " MMWEBSDK/20230303 MicroMessenger/8.0.34.2340(0x28002237) WeChat/arm64 Weixin"
    " NetType/WIFI Language/zh_CN ABI/arm64"
)
# Long enough that a section jumped to comes to the top of a phone's screen.
MORE = "\n\n".join(["宪法规定了国家的根本制度和根本任务，是国家工作人员依法履职的根本遵循。"] * 6)
ARTICLE = f"""## 为什么要学宪法

宪法是国家的根本法。国家工作人员行使的每一项权力，都来自宪法和法律的授权。

{MORE}

## 国家机构

### 第三条 民主集中制

国家机构实行民主集中制的原则。各级人大由民主选举产生，对人民负责，受人民监督。

{MORE}

### 第五条 依法治国

一切国家机关都必须遵守宪法和法律，任何组织或者个人都不得有超越宪法和法律的特权。

{MORE}

## 学以致用

起草文件不能与上位法冲突；作出决定要有法律依据。

{MORE}
"""
CHECKS = [
    {
        "check_id": f"c-{n}",
        "stem": stem,
        "options": [{"key": "A", "text": "对"}, {"key": "B", "text": "错"}],
        "answer": "A",
    }
    for n, stem in enumerate(
        ["宪法是国家的根本法。", "国家机构实行民主集中制。", "任何人都不得有超越宪法的特权。"]
    )
]
CAPTIONS = (
    "WEBVTT\n\n00:00.000 --> 00:06.000\n宪法是国家的根本法\n\n"
    "00:06.000 --> 00:12.000\n一切国家机关都必须遵守宪法\n"
)


class Author:
    """The city admin's calls, as the console's editor makes them."""

    def __init__(self, stack: Stack) -> None:
        self.url = stack.url + "/credits"
        self.headers = {"Authorization": stack.sign_in("city_admin")}
        self.year = study_year_of(stack.now())

    def call(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = requests.request(
            method, self.url + path, json=body, headers=self.headers, timeout=30
        )
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    def lesson(self, kind: str, title: str, course_id: str) -> str:
        made = self.call(
            "POST",
            "/lessons",
            {
                "year": self.year,
                "course_id": course_id,
                "kind": kind,
                "title": title,
                "credits": 20,
                "needed_seconds": 600,
            },
        )
        return str(made["lesson_id"])

    def upload(
        self, lesson_id: str, purpose: str, name: str, content_type: str, data: bytes
    ) -> str:
        plan = self.call(
            "POST",
            f"/lessons/{lesson_id}/media",
            {
                "year": self.year,
                "purpose": purpose,
                "filename": name,
                "content_type": content_type,
                "size": len(data),
            },
        )
        put = plan["upload"]
        sent = requests.put(put["url"], data=data, headers=put["headers"], timeout=60)
        assert sent.status_code == 200, sent.text
        return "/" + plan["key"]


def small_video(tmp: Path) -> bytes:
    """Twelve seconds of test picture at 360p, about 300 kbit/s (Debian's ffmpeg)."""
    if not shutil.which("ffmpeg"):
        pytest.fail("ffmpeg is missing: apt-get install ffmpeg")
    out = tmp / "360.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=640x360:rate=25:duration=12",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-b:v",
            "300k",
            "-movflags",
            "+faststart",
            str(out),
        ],
        check=True,
    )
    return out.read_bytes()


@pytest.fixture(scope="module")
def lessons(web_stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    author = Author(web_stack)
    course = author.call(
        "POST",
        "/courses",
        {
            "year": author.year,
            "title": "宪法基础",
            "summary": "宪法的地位与国家机构",
            "topic": "constitution",
            "order": 0,
        },
    )
    article = author.lesson("article", "宪法的地位与国家机构", course["course_id"])
    author.call(
        "PUT",
        f"/lessons/{article}/draft",
        {"year": author.year, "body_markdown": ARTICLE, "checks": CHECKS},
    )
    author.call("POST", f"/lessons/{article}/publish", {"year": author.year})

    video = author.lesson("video", "宪法宣誓制度讲解", course["course_id"])
    mp4 = small_video(tmp_path_factory.mktemp("video"))
    media = {
        "renditions": [
            {
                "url": author.upload(video, "video", "360.mp4", "video/mp4", mp4),
                "height": 360,
                "bitrate_kbps": 300,
            }
        ],
        "poster_url": None,
        "captions": [
            {
                "url": author.upload(video, "captions", "zh.vtt", "text/vtt", CAPTIONS.encode()),
                "lang": "zh-CN",
                "label": "中文",
            }
        ],
        "duration_s": 12,
    }
    author.call(
        "PUT", f"/lessons/{video}/draft", {"year": author.year, "checks": CHECKS, "media": media}
    )
    author.call("POST", f"/lessons/{video}/publish", {"year": author.year})
    return {"article": article, "video": video}


def wechat(browser: Any) -> Any:
    return browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,
        user_agent=WECHAT,
    )


def read_article(page: Any, url: str, lesson_id: str, name: str) -> None:
    sign_in(page, url, LEARNER)
    page.wait_for_selector(".van-tabbar")
    page.goto(url + "/study")
    page.click(f"[data-lesson={lesson_id}]")
    page.wait_for_selector("[data-test=article] h2")
    assert "宪法是国家的根本法" in page.inner_text("[data-test=article]")
    page.click("[data-test=larger]")
    page.click("[data-test=larger]")
    assert "120%" in page.inner_text("[role=toolbar]")
    page.click("[data-test=contents]")
    page.click("[data-anchor=art-5]")
    page.wait_for_function(
        "() => Math.abs(document.getElementById('art-5').getBoundingClientRect().top - 100) < 40"
    )
    page.wait_for_timeout(800)  # the smooth scroll settles
    shot(page, f"lesson-{name}-article")
    # Leaving sends the position; coming back (another visit) resumes there, font kept.
    page.goto(url + "/study")
    page.wait_for_selector(f"[data-lesson={lesson_id}]")
    page.click(f"[data-lesson={lesson_id}]")
    page.wait_for_selector("[data-test=article] h2")
    page.wait_for_function(
        "() => Math.abs(document.getElementById('art-5').getBoundingClientRect().top - 100) < 60"
    )
    assert "120%" in page.inner_text("[role=toolbar]")
    assert "已学" in page.inner_text("[data-test=finish]")


def test_a_learner_reads_an_article_by_its_contents_and_resumes_there(
    web_stack: Stack, phone: Any, lessons: dict[str, str]
) -> None:
    read_article(phone.new_page(), web_stack.url, lessons["article"], "phone")


def test_in_wechat_the_video_plays_inline_with_captions_by_choice(
    web_stack: Stack, browser: Any, lessons: dict[str, str]
) -> None:
    context = wechat(browser)
    try:
        page = context.new_page()
        sign_in(page, web_stack.url, LEARNER)
        page.wait_for_selector(".van-tabbar")
        page.goto(web_stack.url + f"/study/lesson/{lessons['video']}")
        # The article's session is still open (one at a time): the learner ends it here.
        page.wait_for_selector(".plyr, .van-dialog__confirm")
        if page.locator(".van-dialog__confirm").count():
            page.click(".van-dialog__confirm")
        page.wait_for_selector(".plyr")
        video = page.locator("video")
        attrs = video.evaluate(
            "v => ['playsinline', 'webkit-playsinline', 'x5-playsinline',"
            " 'x5-video-player-type', 'autoplay'].map(a => v.getAttribute(a))"
        )
        assert attrs == ["", "true", "true", "h5-page", None]
        assert video.evaluate("v => v.paused")  # never autoplayed
        page.click(".plyr__control--overlaid")
        page.click("button[data-plyr=captions]")
        page.wait_for_selector(".plyr__caption")
        assert "宪法" in page.inner_text(".plyr__captions")
        shot(page, "lesson-wechat-video")
    finally:
        context.close()


WRITTEN = """## 民主集中制

### 第三条 国家机构的组织原则

国家机构实行民主集中制的原则。

<script>alert(1)</script>各级人大对人民负责，受人民监督。
"""


def test_the_city_writes_previews_and_publishes_an_article_a_learner_then_finds(
    web_stack: Stack, desktop: Any, phone: Any, lessons: dict[str, str]
) -> None:
    author = Author(web_stack)
    course = author.call(
        "POST",
        "/courses",
        {"year": author.year, "title": "国家机构", "summary": "", "topic": "constitution"},
    )
    lesson_id = author.lesson("article", "民主集中制原则", course["course_id"])
    page = desktop.new_page()
    admin_sign_in(page, web_stack.url, "city_admin")
    page.goto(web_stack.url + f"/admin/lessons/{lesson_id}")
    # Typing waits for the saved draft to be read (it would overwrite what was typed).
    page.wait_for_selector(".editor[data-loaded=true]")
    page.fill("#body", WRITTEN)
    # The live preview, before any check is written: the server's sanitized HTML.
    page.wait_for_selector("[data-test=preview] h3#art-3:has-text('第三条')")
    assert page.locator("[data-test=preview] script").count() == 0
    assert "第三条" in page.inner_text(".preview .toc")
    shot(page, "lesson-editor-preview")
    # Publishing without checks says what is missing, and publishes nothing.
    page.click("[data-test=publish]")
    page.wait_for_selector(".el-message:has-text('3 道')")
    for i, check in enumerate(CHECKS):
        page.fill(f"[data-check='{i}'] input[maxlength='300']", check["stem"])
        options = page.locator(f"[data-check='{i}'] .option input.el-input__inner")
        options.nth(0).fill("对")
        options.nth(1).fill("错")
    page.click("[data-test=publish]")
    page.click(".el-message-box .el-button--primary")
    page.wait_for_selector(".el-message:has-text('已发布第 1 版')")
    learner = phone.new_page()
    sign_in(learner, web_stack.url, LEARNER)
    learner.wait_for_selector(".van-tabbar")
    learner.goto(web_stack.url + "/study")
    learner.wait_for_selector(f"[data-lesson={lesson_id}]")
    assert "民主集中制原则" in learner.inner_text(f"[data-lesson={lesson_id}]")


NEWCOMER = "530403000004"  # 江川区: no other browser test signs in as them
DEMO_LESSON = "中国共产党纪律处分条例学习"  # a demo article: 50 credits for 20 minutes


def test_a_newcomer_studies_a_demo_lesson_answers_its_check_and_is_credited(
    web_stack: Stack, phone: Any
) -> None:
    """The demo as a new learner finds it (#26, done when): 学习, a course, a lesson; the
    page reports every five minutes; after ten minutes a one-tap check stops the count
    until it is answered; at twenty the lesson can be completed and its credits arrive.
    The phone's clock and the stack's move together, five minutes at a time."""
    headers = {"Authorization": web_stack.sign_in(NEWCOMER)}
    before = requests.get(f"{web_stack.url}/credits/me", headers=headers, timeout=10).json()
    page = phone.new_page()
    page.clock.install()
    sign_in(page, web_stack.url, NEWCOMER)
    page.click(".van-tabbar-item:has-text('学习')")
    page.click(f"[data-test=courses] .van-cell:has-text('{DEMO_LESSON}')")
    page.wait_for_selector("[data-test=finish]:has-text('已学 0 / 20 分钟')")

    def five_minutes_of_reading() -> dict[str, Any]:
        """The stack's clock, then the phone's: its report is sent; the server's answer."""
        web_stack.set_clock((web_stack.now() + timedelta(minutes=5)).isoformat())
        with page.expect_response(lambda r: r.url.endswith("/progress")) as report:
            page.clock.run_for(5 * 60 * 1000)
        assert report.value.status == 200, report.value.text()
        answer: dict[str, Any] = report.value.json()
        return answer

    def minutes_shown() -> str:
        return str(page.inner_text("[data-test=finish]")).split("/")[0]

    answer = five_minutes_of_reading()
    assert 290 <= answer["served_seconds"] <= 300 and not answer["check"]
    page.wait_for_selector(
        "[data-test=finish]:has-text('已学 4 /'), [data-test=finish]:has-text('已学 5 /')"
    )
    while not answer["check"]:  # the year asks once in ten minutes served
        assert answer["served_seconds"] < 900, answer
        answer = five_minutes_of_reading()
    check = page.wait_for_selector(".check[role=dialog]")
    assert answer["check"]["stem"] in check.inner_text()
    shot(page, "lesson-attention-check")
    held = minutes_shown()
    answer = five_minutes_of_reading()  # left unanswered: these five minutes are not counted
    assert answer["paused"] and page.is_visible("[data-test=paused]")
    assert minutes_shown() == held
    with page.expect_response(lambda r: r.url.endswith("/progress")):
        page.click(".check[role=dialog] .option >> nth=0")  # right or wrong, the count goes on
    page.wait_for_selector("[data-test=paused]", state="detached")
    while not answer["ready"]:
        assert answer["served_seconds"] < 1200, answer
        answer = five_minutes_of_reading()
        assert not answer["paused"], answer  # no second check before the lesson is done
    page.wait_for_selector("[data-test=finish]:has-text('学习时间已满')")
    page.click("[data-test=complete]")
    assert "获得 50 积分" in page.wait_for_selector("[data-test=awarded]").inner_text()
    shot(page, "lesson-credited")
    headers = {"Authorization": web_stack.sign_in(NEWCOMER)}  # the first is older now
    after = requests.get(f"{web_stack.url}/credits/me", headers=headers, timeout=10).json()
    assert after["credits"] == before["credits"] + 50, after
