"""Study content (#26): courses and lessons the city (or, if the year allows, a county)
writes, publishes and retires; what learners read and watch; and served time that
means attention (the rule is attention.py's, held by the repository's condition).

A lesson is a catalogue resource, so a lesson's session is a credits session: one open
at a time, completed by `Credits.complete` within the caps, once a year. Only how its
time is served differs: by progress reports, not by the wall clock alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from xuefa.core.auth import Actor, in_subtree, require_learner
from xuefa.core.errors import Conflict, Forbidden, NotFound
from xuefa.credits.attention import Attention, Report, account
from xuefa.credits.content_views import (
    AskedCheck,
    CourseItem,
    Courses,
    Lesson,
    LessonItem,
    LessonView,
    ProgressAnswer,
    ProgressReport,
    Studying,
)
from xuefa.credits.library import Library
from xuefa.credits.review import session_signals
from xuefa.credits.views import SESSION_ID, Resource, StudySession
from xuefa.years.rules import YearConfig

REPORT_EVERY_S = 300
# A report loses its conditional write only to another that won: ten tries let ten
# reports of one session at once all be counted (more than that is no person's study).
REPORT_RETRIES = 10
VIEWED = {"lesson_id", "course_id", "kind", "title", "credits", "needed_seconds"}


def lesson_of(resource: Resource, year: int) -> Lesson:
    return Lesson(
        lesson_id=resource.resource_id,
        year=year,
        course_id=resource.course_id or "",
        kind=resource.kind,
        title=resource.title,
        credits=resource.credits,
        needed_seconds=resource.min_seconds,
        version=resource.version,
        state=resource.lesson_state,
        owner_unit_id=resource.owner_unit_id or "",
    )


def attention_of(session: StudySession) -> Attention:
    assert session.needed_seconds is not None and session.last_report_ms is not None
    return Attention(
        served_seconds=session.served_seconds,
        needed_seconds=session.needed_seconds,
        last_report_ms=session.last_report_ms,
        video=session.kind == "video",
        played=tuple(session.played),
        pending_check=session.pending_check,
        next_check_at=session.next_check_at,
        checks_issued=session.checks_issued,
    )


def asked(checks: list[dict[str, Any]], check_id: str | None) -> AskedCheck | None:
    """The pending check as a learner sees it: without its answer."""
    for check in checks:
        if check["check_id"] == check_id:
            return AskedCheck(check_id=check_id, stem=check["stem"], options=check["options"])
    return None


class Content(Library):
    # learners -----------------------------------------------------------------------

    def _visible(self, actor: Actor, year: int) -> tuple[dict[str, Any], list[Resource]]:
        require_learner(actor)
        self.years.get(year)
        profile = self.directory.learner(actor.username)
        path = str(profile.get("unit_path", ""))
        lessons = [
            r
            for r in self.credits.records.catalogue(year)
            if r.is_lesson
            and r.lesson_state == "published"
            and in_subtree(path, r.owner_unit_path or path)
        ]
        return profile, lessons

    def courses(self, actor: Actor, year: int) -> Courses:
        profile, lessons = self._visible(actor, year)
        path = str(profile.get("unit_path", ""))
        done = self.records.study.completed(actor.username, year, [r.resource_id for r in lessons])
        open_ = self.records.study.open_session(actor.username, year)
        items = []
        for course in sorted(
            self.records.courses.of_year(year), key=lambda c: (c.get("order", 0), c["title"])
        ):
            if not in_subtree(path, str(course.get("owner_unit_path") or path)):
                continue
            mine = [r for r in lessons if r.course_id == course["course_id"]]
            if mine:
                items.append(_course_item(course, mine, done, open_))
        return Courses(items=items)

    def lesson(self, actor: Actor, lesson_id: str, year: int) -> LessonView:
        _, lessons = self._visible(actor, year)
        resource = next((r for r in lessons if r.resource_id == lesson_id), None)
        if resource is None:
            raise NotFound(f"lesson {lesson_id} is not open for study")
        open_ = self.records.study.open_session(actor.username, year)
        session = open_ if open_ and open_.resource_id == lesson_id else None
        number = session.version if session and session.version else resource.version
        version = self.records.lessons.version(year, lesson_id, number) or {}
        done = bool(self.records.study.completed(actor.username, year, [lesson_id]))
        return LessonView(
            **lesson_of(resource, year).model_dump(include=VIEWED),
            version=number,
            sections=version.get("sections", []),
            body_url=version.get("body_url"),
            media=version.get("media"),
            document=version.get("document"),
            position=session.position if session else "",
            served_seconds=_served(resource, done, session),
            completed=done,
        )

    def study(self, actor: Actor, lesson_id: str) -> tuple[Studying, bool]:
        """Start (or, while it is open, reopen) the lesson's session: (it, reopened)."""
        try:
            started = self.credits.start(actor, lesson_id)
        except Conflict as exc:
            held = (exc.details or {}).get("open_session_id")
            if (exc.details or {}).get("resource_id") != lesson_id or not held:
                raise
            year = int(SESSION_ID.match(held)["year"])  # type: ignore[index]
            session = self.records.study.session(actor.username, year, held)
            assert session is not None
            return _studying(session), True
        match = SESSION_ID.match(started.session_id)
        assert match is not None
        session = self.records.study.session(actor.username, int(match["year"]), started.session_id)
        if session is None or not session.kind or session.kind == "task":
            raise NotFound(f"{lesson_id} is not a lesson")
        return _studying(session), False

    def progress(self, actor: Actor, session_id: str, report: ProgressReport) -> ProgressAnswer:
        require_learner(actor)
        match = SESSION_ID.match(session_id or "")
        if not match:
            raise NotFound("no such session")
        if match["student_no"] != actor.username:  # as completing one: the same answer
            raise Forbidden("that session belongs to another learner")
        year = int(match["year"])
        config = self.years.get(year)
        for _ in range(REPORT_RETRIES):
            session = self.records.study.session(actor.username, year, session_id)
            _check_reportable(session, self.clock.now())
            assert session is not None
            answer = self._account(session, config, report)
            if answer is not None:
                return answer
        raise Conflict("too many reports at once for this session; try again")

    def _account(
        self, session: StudySession, config: YearConfig, report: ProgressReport
    ) -> ProgressAnswer | None:
        """Count one report and write it over the state it was counted from; None when
        another report landed first (the caller reads again and counts afresh)."""
        version = (
            self.records.lessons.version(session.year, session.resource_id, session.version or 0)
            or {}
        )
        checks = version.get("checks", [])
        now_ms = int(self.clock.now().timestamp() * 1000)
        answered = report.check_answer.check_id if report.check_answer else None
        outcome = account(
            attention_of(session),
            Report(visible_ms=report.visible_ms, played=report.played or (), answered=answered),
            now_ms,
            config.attention_check_every_s,
            [c["check_id"] for c in checks],
        )
        extra, signals = session_signals(session, outcome, now_ms, report.device_id, self.clock)
        # A report without a position (a hidden page's last word) keeps the last one.
        position = report.position or session.position
        if not self.records.study.report(session, outcome.state, position, extra):
            return None
        self.review.record(session, signals, report.device_id)
        state = outcome.state
        return ProgressAnswer(
            served_seconds=state.served_seconds,
            needed_seconds=state.needed_seconds,
            ready=state.served_seconds >= state.needed_seconds,
            paused=state.pending_check is not None,
            check=asked(checks, state.pending_check),
        )


def _check_reportable(session: StudySession | None, now: datetime) -> None:
    if session is None or session.needed_seconds is None:
        raise NotFound("no such lesson session")
    if session.state != "open":
        raise Conflict("this study session is closed", {"reason": session.state})
    if session.expired(now):
        raise Conflict("this study session expired: start again", {"reason": "expired"})


def _studying(session: StudySession) -> Studying:
    return Studying(
        session_id=session.session_id,
        started_at=session.started_at,
        version=session.version or 0,
        served_seconds=session.served_seconds,
        needed_seconds=session.needed_seconds or session.min_seconds,
        report_every_s=REPORT_EVERY_S,
        position=session.position,
    )


def _course_item(
    course: dict[str, Any], lessons: list[Resource], done: set[str], open_: StudySession | None
) -> CourseItem:
    def served(r: Resource) -> int:
        if r.resource_id in done:
            return r.min_seconds
        return open_.served_seconds if open_ and open_.resource_id == r.resource_id else 0

    return CourseItem(
        course_id=course["course_id"],
        title=course["title"],
        summary=course.get("summary", ""),
        topic=course["topic"],
        lessons=[
            LessonItem(
                lesson_id=r.resource_id,
                kind=r.kind,
                title=r.title,
                credits=r.credits,
                needed_seconds=r.min_seconds,
                served_seconds=served(r),
                completed=r.resource_id in done,
            )
            for r in lessons
        ],
    )


def _served(resource: Resource, done: bool, session: StudySession | None) -> int:
    if done:
        return resource.min_seconds
    return session.served_seconds if session else 0
