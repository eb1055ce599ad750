"""Study-time accounting (#26, point 4): requests per hour of study per learner, and the
write units of one progress report (figures only, never asserted).

.venv/bin/python -m tests.bench.bench_study
"""

from __future__ import annotations

import math
from typing import Any

from tests.bench.common import RequestCounter, demo_city_on_moto, split

REPORT_EVERY_S = 300


def item_bytes(item: dict[str, Any]) -> int:
    """DynamoDB's item size, roughly: names and values as UTF-8, numbers ~ their digits."""

    def size(value: Any) -> int:
        if isinstance(value, str):
            return len(value.encode())
        if isinstance(value, bool) or value is None:
            return 1
        if isinstance(value, int | float) or hasattr(value, "as_tuple"):
            return len(str(value)) // 2 + 1
        if isinstance(value, dict):
            return 3 + sum(len(k.encode()) + size(v) + 1 for k, v in value.items())
        if isinstance(value, list | tuple | set | frozenset):
            return 3 + sum(size(v) + 1 for v in value)
        return len(str(value))

    return sum(len(k.encode()) + size(v) for k, v in item.items())


def an_hour_of_study() -> dict[str, Any]:
    """One learner reads an hour-long article: a report every 5 minutes, each check's
    answer carried by the next one, the lesson opened, started and completed once."""
    from infra.local.demo_content import SEEDER, authoring, service
    from xuefa.core.auth import Actor
    from xuefa.credits.content_views import Draft, NewCourse, NewLesson, ProgressReport
    from xuefa.store.keys import Keys

    class Bucket:
        def put(self, *_: Any, **__: Any) -> None:
            return None

    with demo_city_on_moto() as (client, store, clock):
        content = service(store, Bucket(), clock)  # type: ignore[arg-type]
        author = authoring(store, Bucket(), clock)  # type: ignore[arg-type]
        course = author.add_course(SEEDER, NewCourse(year=2026, title="宪法", topic="constitution"))
        lesson = author.add_lesson(SEEDER, NewLesson(
            year=2026, course_id=course.course_id, kind="article", title="一小时",
            credits=100, needed_seconds=3600))  # fmt: skip
        checks = [{"check_id": f"q{n}", "stem": "？", "answer": "A",
                   "options": [{"key": "A", "text": "是"}, {"key": "B", "text": "否"}]}
                  for n in range(3)]  # fmt: skip
        author.save_draft(SEEDER, lesson.lesson_id, Draft.model_validate(
            {"year": 2026, "checks": checks, "body_markdown": "# 一\n\n第一条 内容"}))  # fmt: skip
        author.publish(SEEDER, lesson.lesson_id, 2026)
        learner = Actor("530402000001", frozenset({"learners"}), "530402-001")
        content.credits.balance_now(learner.username, 2026)  # a warm container
        counter = RequestCounter(client)
        http = 0
        with counter.measure() as calls:
            content.lesson(learner, lesson.lesson_id, 2026)
            studying, _ = content.study(learner, lesson.lesson_id)
            http += 2
            report_calls = []
            pending = None
            for _ in range(3600 // REPORT_EVERY_S):
                clock.advance(seconds=REPORT_EVERY_S)
                body: dict[str, Any] = {"position": "s-1", "visible_ms": REPORT_EVERY_S * 1000}
                if pending is not None:
                    # The learner tapped the answer; the app carries it in its next report.
                    body["check_answer"] = {"check_id": pending.check_id, "key": "A"}
                with counter.measure() as one:
                    answer = content.progress(
                        learner, studying.session_id, ProgressReport.model_validate(body)
                    )
                report_calls.append(split(one))
                http += 1
                pending = answer.check
            clock.advance(seconds=REPORT_EVERY_S)
            content.progress(learner, studying.session_id, ProgressReport(visible_ms=300_000))
            content.credits.complete(learner, studying.session_id)
            http += 2
        session = store.get(Keys.session(learner.username, 2026, studying.session_id)) or {}
        return {
            "http": http,
            "served": answer.served_seconds,
            "dynamodb": split(calls),
            "report": report_calls[0],
            "session_bytes": item_bytes(session),
        }


def main() -> None:
    figures = an_hour_of_study()
    reads, writes = figures["dynamodb"]
    print("study-time accounting: an hour of an article, a report every 5 minutes")
    print(f"  requests for an hour's lesson           {figures['http']} (target ≤ 12 an hour):")
    print("    12 reports an hour; opening, starting, a last report and completing, once")
    print(f"  served in the hour                      {figures['served']} s")
    print(f"  DynamoDB per hour                       {reads} read, {writes} write requests")
    r, w = figures["report"]
    kb = figures["session_bytes"] / 1024
    print(f"  one progress report                     {r} read, {w} write request(s)")
    print(f"  WCU per report (session item {kb:.2f} KB)   {math.ceil(kb)} (target ≤ 1)")


if __name__ == "__main__":
    main()
