"""The demo study content (#26.6) holds together: every course's lessons exist and every
lesson is in one course, each lesson has at least three one-tap checks whose answer is in
range and can be read in the lesson itself, articles anchor at least one 第X条, the video's
files are there, small, and as the spec describes them."""

from __future__ import annotations

import json
import re

import pytest

from infra.local import content, seed
from infra.local.content import ContentError, chinese_number

CONTENT = content.load()
LESSONS = CONTENT.lessons
MB = 1024 * 1024


def lesson_text(lesson: content.Lesson) -> str:
    """What a learner has in front of them: the body, the video's captions, the PDF's text."""
    text = lesson.body_markdown
    if lesson.video:
        text += lesson.video.captions.read_text(encoding="utf-8")
    if lesson.document_source:
        text += lesson.document_source.read_text(encoding="utf-8")
    return text


def test_at_least_twelve_lessons_across_every_content_area() -> None:
    assert len(LESSONS) >= 12
    assert {course.topic for course in CONTENT.courses} == set(content.TOPICS)
    kinds = [lesson.kind for lesson in LESSONS.values()]
    assert kinds.count("video") >= 1 and kinds.count("document") >= 1


def test_every_course_lists_lessons_that_exist_and_every_lesson_is_in_one_course() -> None:
    listed = [lesson_id for course in CONTENT.courses for lesson_id in course.lessons]
    assert sorted(listed) == sorted(LESSONS)
    for course in CONTENT.courses:
        assert course.title and course.summary
        for lesson_id in course.lessons:
            assert LESSONS[lesson_id].course_id == course.course_id


@pytest.mark.parametrize("lesson_id", sorted(LESSONS))
def test_each_lesson_has_three_checks_answerable_from_its_own_text(lesson_id: str) -> None:
    lesson = LESSONS[lesson_id]
    assert len(lesson.checks) >= 3
    text = lesson_text(lesson)
    for check in lesson.checks:
        assert 3 <= len(check.options) <= 4 and 0 <= check.answer < len(check.options)
        assert len(set(check.options)) == len(check.options), check.stem
        assert check.options[check.answer] in text, check.stem


def test_every_check_has_its_own_id() -> None:
    ids = [check.check_id for lesson in LESSONS.values() for check in lesson.checks]
    assert all(ids) and len(ids) == len(set(ids))
    assert LESSONS["c-xf-01"].checks[0].check_id == "c-xf-01-1"


@pytest.mark.parametrize("lesson_id", sorted(LESSONS))
def test_lessons_carry_credits_and_a_study_time(lesson_id: str) -> None:
    lesson = LESSONS[lesson_id]
    assert lesson.title and lesson.credits > 0 and lesson.needed_seconds > 0


ARTICLES = sorted(i for i, lesson in LESSONS.items() if lesson.kind == "article")


@pytest.mark.parametrize("lesson_id", ARTICLES)
def test_articles_are_worth_reading_and_anchor_legal_articles(lesson_id: str) -> None:
    body = LESSONS[lesson_id].body_markdown
    assert content.article_numbers(body), "no 第X条 heading to anchor"
    assert re.search(r"^## ", body, re.MULTILINE), "no section headings"
    hanzi = len(re.findall(r"[\u4e00-\u9fff]", body))
    assert 800 <= hanzi <= 2000, hanzi


@pytest.mark.parametrize("lesson_id", ARTICLES)
def test_an_articles_anchors_are_unique(lesson_id: str) -> None:
    """Each 第X条 heading becomes art-<n>; two of one number would give two equal anchors."""
    numbers = content.article_numbers(LESSONS[lesson_id].body_markdown)
    assert len(numbers) == len(set(numbers)), numbers


def test_todays_catalogue_becomes_these_lessons() -> None:
    """Every course, video and reading of the demo catalogue is a lesson of the same id (the
    sign-in and practice sets stay tasks), so seeding replaces resources, never doubles them."""
    studied = {
        r.resource_id for r in seed.catalogue(2017) if r.activity in {"course", "video", "reading"}
    }
    assert set(LESSONS) == studied


def test_the_video_files_are_there_small_and_as_described() -> None:
    (video,) = [lesson.video for lesson in LESSONS.values() if lesson.video]
    files = [r.path for r in video.renditions] + [video.poster, video.captions]
    assert all(path.is_file() for path in files)
    assert sum(path.stat().st_size for path in files) <= 3 * MB
    heights = sorted(r.height for r in video.renditions)
    assert heights == [360, 720]
    lowest = min(video.renditions, key=lambda r: r.height)
    assert lowest.bitrate_kbps <= 400
    # the whole file, audio included, within the 360p budget
    assert lowest.path.stat().st_size * 8 / 1000 / video.duration_s <= 400
    assert 60 <= video.duration_s <= 120


def test_the_captions_are_webvtt_within_the_video() -> None:
    (lesson,) = [lesson for lesson in LESSONS.values() if lesson.video]
    assert lesson.video is not None
    vtt = lesson.video.captions.read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT")
    ends = re.findall(r"--> (\d\d):(\d\d):(\d\d)\.(\d\d\d)", vtt)
    assert len(ends) >= 5
    last = max(int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 for h, m, s, ms in ends)
    assert last <= lesson.video.duration_s + 1
    # the lesson can be finished by watching it: it needs no more than the video plays
    assert lesson.needed_seconds <= lesson.video.duration_s


def test_chinese_and_arabic_article_numbers_read_alike() -> None:
    assert chinese_number("十") == 10
    assert chinese_number("十二") == 12
    assert chinese_number("三十三") == 33
    assert chinese_number("一百零五") == 105
    assert chinese_number("二百一十") == 210
    assert chinese_number("12") == 12
    assert content.article_numbers("## 第二十七条 宪法宣誓\n文中第五条不算\n第5条 也是") == [27, 5]
    with pytest.raises(ContentError):
        chinese_number("十x")


def write_folder(root, front: str, checks: str, topic: str = "constitution") -> None:
    (root / "lessons").mkdir()
    (root / "lessons" / "x-1.md").write_text(front + "\n正文\n", encoding="utf-8")
    (root / "checks.json").write_text(checks, encoding="utf-8")
    course = {"course_id": "k", "title": "t", "summary": "s", "topic": topic, "lessons": ["x-1"]}
    (root / "courses.json").write_text(json.dumps([course]), encoding="utf-8")


GOOD_FRONT = "---\ntitle: 课\nkind: article\ncourse: k\ncredits: 5\nneeded_seconds: 60\n---"
GOOD_CHECKS = '{"x-1": [{"stem": "问", "options": ["甲", "乙", "丙"], "answer": 2}]}'


@pytest.mark.parametrize(
    ("front", "checks", "topic", "says"),
    [
        ("title: 课", GOOD_CHECKS, "constitution", "front matter"),
        (GOOD_FRONT.replace("article", "podcast"), GOOD_CHECKS, "constitution", "bad kind"),
        (
            GOOD_FRONT,
            GOOD_CHECKS.replace('"answer": 2', '"answer": 3'),
            "constitution",
            "malformed",
        ),
        (GOOD_FRONT, GOOD_CHECKS.replace(', "丙"', ""), "constitution", "malformed"),
        (GOOD_FRONT, "{}", "constitution", "no list of checks"),
        (GOOD_FRONT, GOOD_CHECKS, "sport", "topic"),
    ],
)
def test_a_malformed_content_file_is_refused_by_name(tmp_path, front, checks, topic, says) -> None:
    write_folder(tmp_path, front, checks, topic)
    with pytest.raises(ContentError, match=says):
        content.load(tmp_path)


def test_a_well_formed_folder_loads(tmp_path) -> None:
    write_folder(tmp_path, GOOD_FRONT, GOOD_CHECKS)
    loaded = content.load(tmp_path)
    (lesson,) = loaded.lessons.values()
    assert (lesson.title, lesson.credits, lesson.needed_seconds) == ("课", 5, 60)
    assert lesson.checks[0].options[lesson.checks[0].answer] == "丙"
    assert loaded.courses[0].lessons == ("x-1",)
