"""Progress reports under real concurrency (#26): parallel reports for one session (two
tabs, or a script firing at once) count once, held by the write's condition on the
session's last report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tests.concurrency.conftest import run_parallel, wiring
from xuefa.core.auth import Actor
from xuefa.core.clock import FixedClock
from xuefa.credits.authoring import Authoring
from xuefa.credits.content import Content
from xuefa.credits.content_repository import DynamoContent
from xuefa.credits.content_views import (
    Draft,
    NewCourse,
    NewLesson,
    ProgressAnswer,
    ProgressReport,
)
from xuefa.credits.repository import DynamoCredits
from xuefa.credits.service import Credits
from xuefa.store.store import Store

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("moto-server")]

LEARNER = Actor("530402000001", frozenset({"learners"}), "530402-001")
CITY = Actor("city_admin", frozenset({"admins"}), "530400")
SECRET = "concurrency-cursor-secret-0123"


class Bucket:
    """The content bucket is not what this test is about."""

    def put(self, *_: Any, **__: Any) -> None:
        return None


def content(store: Store, clock: FixedClock) -> Content:
    store, years, directory = wiring(store)
    credits = Credits(DynamoCredits(store), years, directory, clock, SECRET)
    return Content(DynamoContent(store), Bucket(), credits, years, directory, clock)  # type: ignore[arg-type]


def author(store: Store, clock: FixedClock) -> Authoring:
    made = content(store, clock)
    return Authoring(made.records, made.bucket, made.credits, made.years, made.directory, clock)


def a_published_lesson(service: Authoring) -> str:
    course = service.add_course(CITY, NewCourse(year=2026, title="宪法", topic="constitution"))
    lesson = service.add_lesson(
        CITY,
        NewLesson(year=2026, course_id=course.course_id, kind="article", title="宪法总纲",
                  credits=50, needed_seconds=1200),
    )  # fmt: skip
    checks = [
        {"check_id": f"q{n}", "stem": "宪法是？", "answer": "A",
         "options": [{"key": "A", "text": "根本法"}, {"key": "B", "text": "普通法"}]}
        for n in (1, 2, 3)
    ]  # fmt: skip
    service.save_draft(
        CITY, lesson.lesson_id, Draft.model_validate({"year": 2026, "checks": checks,
                                                      "body_markdown": "# 总纲"})
    )  # fmt: skip
    service.publish(CITY, lesson.lesson_id, 2026)
    return lesson.lesson_id


def test_twenty_parallel_reports_for_one_session_count_once(
    table: Callable[[], Store], clock: FixedClock
) -> None:
    service = content(table(), clock)
    studying, _ = service.study(LEARNER, a_published_lesson(author(table(), clock)))
    clock.advance(seconds=300)
    report = ProgressReport(position="s-1", visible_ms=300_000)
    results = run_parallel(
        20, lambda _: content(table(), clock).progress(LEARNER, studying.session_id, report)
    )
    answers = [r for r in results if isinstance(r, ProgressAnswer)]
    assert len(answers) == len(results), [r for r in results if not isinstance(r, ProgressAnswer)]
    assert {a.served_seconds for a in answers} == {300}  # each sees the one that counted
    session = DynamoContent(table()).study.session(LEARNER.username, 2026, studying.session_id)
    assert session is not None and session.served_seconds == 300


def test_parallel_reports_from_clocks_a_second_apart_count_the_wall_clock_once(
    table: Callable[[], Store], clock: FixedClock
) -> None:
    """Each report is counted from the state it read; one whose state moved meanwhile
    is counted again from the new one: in all, the wall clock from the start to the
    latest report, never a report's 300 s once for each container."""
    service = content(table(), clock)
    studying, _ = service.study(LEARNER, a_published_lesson(author(table(), clock)))
    report = ProgressReport(visible_ms=600_000)

    def late(i: int) -> ProgressAnswer:
        own = FixedClock(clock.now() + timedelta(seconds=300 + i))
        return content(table(), own).progress(LEARNER, studying.session_id, report)

    results = run_parallel(10, late)
    answers = [r for r in results if isinstance(r, ProgressAnswer)]
    assert len(answers) == 10, results
    assert max(a.served_seconds for a in answers) == 309
    session = DynamoContent(table()).study.session(LEARNER.username, 2026, studying.session_id)
    assert session is not None and session.served_seconds == 309
