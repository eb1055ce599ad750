"""Seeds the demo study content (#26.6) through the content service and its repository:
the folder's courses, and its lessons over today's catalogue resources of the same ids
(a course, video or reading becomes the lesson it names: replaced, never doubled), each
with its draft, its media in the content bucket and a published version 1.

As the city's administrator would: the drafts are rendered and sanitized by the
service, every change is audited (actor `seed`).
"""

from __future__ import annotations

from typing import Any

from infra.local import content as files
from xuefa.core.auth import Actor
from xuefa.core.clock import Clock
from xuefa.credits.authoring import Authoring
from xuefa.credits.content import Content
from xuefa.credits.content_repository import ContentBucket, DynamoContent, content_prefix
from xuefa.credits.content_views import Draft
from xuefa.credits.repository import DynamoCredits
from xuefa.credits.service import Credits
from xuefa.credits.views import Resource
from xuefa.roster.directory import Directory
from xuefa.store.store import Store
from xuefa.years.repository import YearBook

SEEDER = Actor("seed", frozenset({"admins"}), "530400")
KEYS = "ABCDEFGH"
TYPES = {".mp4": "video/mp4", ".jpg": "image/jpeg", ".vtt": "text/vtt", ".pdf": "application/pdf"}


def service(store: Store, bucket: ContentBucket, clock: Clock) -> Content:
    years, directory = YearBook(store), Directory(store)
    credits = Credits(DynamoCredits(store), years, directory, clock, "seed-cursor-secret-unused")
    return Content(DynamoContent(store), bucket, credits, years, directory, clock)


def authoring(store: Store, bucket: ContentBucket, clock: Clock) -> Authoring:
    content = service(store, bucket, clock)
    return Authoring(
        content.records, bucket, content.credits, content.years, content.directory, clock
    )


def seed(store: Store, bucket: ContentBucket, year: int, clock: Clock) -> int:
    """Every course and lesson of the folder, published for `year`; how many lessons."""
    content = authoring(store, bucket, clock)
    demo = files.load()
    now = clock.now()
    for order, course in enumerate(demo.courses):
        item = {
            "course_id": course.course_id, "year": year, "title": course.title,
            "summary": course.summary, "topic": course.topic, "owner_unit_id": "530400",
            "owner_unit_path": "530400", "order": order,
        }  # fmt: skip
        if content.records.courses.course(year, course.course_id) is None:
            content.records.courses.add_course(SEEDER, item, now)
    for course in demo.courses:
        for lesson_id in course.lessons:
            lesson = demo.lessons[lesson_id]
            _lesson(content, store, year, lesson)
    return sum(len(c.lessons) for c in demo.courses)


def _lesson(content: Authoring, store: Store, year: int, lesson: files.Lesson) -> None:
    today = content.records.lessons.lesson(year, lesson.lesson_id)
    activity = today.activity if today is not None else _activity(lesson)
    resource = Resource(
        resource_id=lesson.lesson_id, title=lesson.title, activity=activity,
        credits=lesson.credits, min_seconds=lesson.needed_seconds, once_per_year=True,
        kind=lesson.kind, course_id=lesson.course_id, version=0, lesson_state="draft",
        owner_unit_id="530400", owner_unit_path="530400",
    )  # fmt: skip
    content.records.lessons.seed_lesson(year, resource)
    draft: dict[str, Any] = {"year": year, "checks": _checks(lesson)}
    prefix = content_prefix(year, lesson.lesson_id, 1)
    if lesson.kind == "article":
        draft["body_markdown"] = lesson.body_markdown
    elif lesson.kind == "video" and lesson.video is not None:
        draft["media"] = _video(content.bucket, prefix, lesson.video)
    elif lesson.kind == "document":
        from infra.local.content import document

        rendered = document.render(lesson.lesson_id)
        content.bucket.put(prefix + "document.pdf", rendered.pdf, TYPES[".pdf"])
        draft["document"] = {"url": f"/{prefix}document.pdf", "pages": rendered.pages}
    content.save_draft(SEEDER, lesson.lesson_id, Draft.model_validate(draft))
    content.publish(SEEDER, lesson.lesson_id, year)


def _activity(lesson: files.Lesson) -> str:
    """Today's activities, so the year's per-activity caps still apply to them."""
    return {"video": "video", "document": "reading"}.get(lesson.kind, "course")


def _checks(lesson: files.Lesson) -> list[dict[str, Any]]:
    return [
        {
            "check_id": check.check_id,
            "stem": check.stem,
            "options": [{"key": KEYS[i], "text": text} for i, text in enumerate(check.options)],
            "answer": KEYS[check.answer],
        }
        for check in lesson.checks
    ]


def _video(bucket: ContentBucket, prefix: str, video: files.Video) -> dict[str, Any]:
    def put(path: Any) -> str:
        key = prefix + path.name
        bucket.put(key, path.read_bytes(), TYPES[path.suffix])
        return "/" + key

    return {
        "renditions": [
            {"url": put(r.path), "height": r.height, "bitrate_kbps": r.bitrate_kbps}
            for r in video.renditions
        ],
        "poster_url": put(video.poster),
        "captions": [{"url": put(video.captions), "lang": "zh-CN", "label": "中文"}],
        "duration_s": video.duration_s,
    }
