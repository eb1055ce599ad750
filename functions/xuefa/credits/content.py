"""Study content (#26): courses and lessons the city (or, if the year allows, a county)
writes, publishes and retires; what learners read and watch; and served time that
means attention (the rule is attention.py's, held by the repository's condition).

A lesson is a catalogue resource, so a lesson's session is a credits session: one open
at a time, completed by `Credits.complete` within the caps, once a year. Only how its
time is served differs: by progress reports, not by the wall clock alone.
"""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta
from typing import Any

from xuefa.core.auth import Actor, in_subtree, require_admin, require_learner
from xuefa.core.clock import Clock, iso
from xuefa.core.errors import BadRequest, Conflict, Forbidden, NotFound, YearClosed
from xuefa.credits.articles import render
from xuefa.credits.attention import Attention, Report, account
from xuefa.credits.content_repository import ContentBucket, DynamoContent, content_prefix
from xuefa.credits.content_views import (
    MIN_CHECKS,
    MULTIPART_ABOVE,
    PART_SIZE,
    AskedCheck,
    AuthoredLessons,
    CompleteUpload,
    Course,
    CourseItem,
    CoursePatch,
    Courses,
    Draft,
    DraftRead,
    DraftSaved,
    DraftView,
    Lesson,
    LessonItem,
    LessonView,
    NewCourse,
    NewLesson,
    NewUpload,
    PresignedPut,
    ProgressAnswer,
    ProgressReport,
    Published,
    Retire,
    ReviewExport,
    Studying,
    Upload,
    Uploaded,
    UploadPart,
)
from xuefa.credits.review import Reviewer, review_file, session_signals
from xuefa.credits.service import Credits
from xuefa.credits.views import SESSION_ID, Resource, StudySession
from xuefa.roster.directory import Directory
from xuefa.years.repository import YearBook
from xuefa.years.rules import YearConfig

REPORT_EVERY_S = 300
REPORT_RETRIES = 3
EXPORT_SECONDS = 15 * 60
VIEWED = {"lesson_id", "course_id", "kind", "title", "credits", "needed_seconds"}
NEEDS = {"article": "body_markdown", "video": "media", "document": "document"}


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


class Content:
    def __init__(
        self,
        records: DynamoContent,
        bucket: ContentBucket,
        credits: Credits,
        years: YearBook,
        directory: Directory,
        clock: Clock,
    ):
        self.records = records
        self.bucket = bucket
        self.credits = credits
        self.years = years
        self.directory = directory
        self.clock = clock
        self.review = Reviewer(records, directory)

    # who may author -----------------------------------------------------------------

    def _reader(self, actor: Actor, config: YearConfig) -> tuple[str, str]:
        """The unit whose lessons an author may read (its id, its path): who may write
        them, but also once the year has closed (what was taught stays readable)."""
        require_admin(actor)
        unit = self.directory.unit(actor.unit_id)
        if "/" in unit.path and not (config.county_lessons and unit.kind == "county"):
            raise Forbidden("only the city (or, if the year allows, a county) writes lessons")
        return unit.unit_id, unit.path

    def _author(self, actor: Actor, config: YearConfig) -> tuple[str, str]:
        """The unit an author writes for (its id, its path): the city, or a county for
        its own subtree when the year allows county lessons."""
        unit_id, path = self._reader(actor, config)
        if config.closed(self.clock.now()):
            raise YearClosed(f"study year {config.year} has closed: its lessons are final")
        return unit_id, path

    def _own_lesson(
        self, actor: Actor, year: int, lesson_id: str, *, reading: bool = False
    ) -> Resource:
        config = self.years.get(year)
        _, path = (self._reader if reading else self._author)(actor, config)
        lesson = self.records.lesson(year, lesson_id)
        if lesson is None or not lesson.is_lesson:
            raise NotFound(f"no lesson {lesson_id} in {year}")
        if not in_subtree(lesson.owner_unit_path or "", path):
            raise Forbidden("that lesson belongs to another unit")
        return lesson

    # courses ------------------------------------------------------------------------

    def add_course(self, actor: Actor, new: NewCourse) -> Course:
        unit_id, path = self._author(actor, self.years.get(new.year))
        course = Course(course_id=f"k-{secrets.token_hex(4)}", owner_unit_id=unit_id,
                        **new.model_dump())  # fmt: skip
        self.records.add_course(actor, {**course.model_dump(), "owner_unit_path": path},
                                self.clock.now())  # fmt: skip
        return course

    def edit_course(self, actor: Actor, course_id: str, patch: CoursePatch) -> Course:
        _, path = self._author(actor, self.years.get(patch.year))
        before = self.records.course(patch.year, course_id)
        if before is None:
            raise NotFound(f"no course {course_id} in {patch.year}")
        if not in_subtree(str(before.get("owner_unit_path", "")), path):
            raise Forbidden("that course belongs to another unit")
        changes = patch.model_dump(exclude={"year"}, exclude_none=True)
        after = {**before, **changes}
        after.pop("pk"), after.pop("sk")
        self.records.replace_course(actor, before, after, self.clock.now())
        return Course.model_validate(after)

    # lessons ------------------------------------------------------------------------

    def add_lesson(self, actor: Actor, new: NewLesson) -> Lesson:
        unit_id, path = self._author(actor, self.years.get(new.year))
        if self.records.course(new.year, new.course_id) is None:
            raise NotFound(f"no course {new.course_id} in {new.year}")
        lesson = Resource(
            resource_id=f"l-{secrets.token_hex(4)}",
            title=new.title,
            activity="course",
            credits=new.credits,
            min_seconds=new.needed_seconds,
            once_per_year=True,
            kind=new.kind,
            course_id=new.course_id,
            version=0,
            lesson_state="draft",
            owner_unit_id=unit_id,
            owner_unit_path=path,
        )
        self.records.add_lesson(actor, new.year, lesson, self.clock.now())
        return lesson_of(lesson, new.year)

    def authored(self, actor: Actor, year: int) -> AuthoredLessons:
        """Every lesson in the author's subtree, drafts and retired ones too, with the
        courses of that subtree, in the courses' order."""
        _, path = self._reader(actor, self.years.get(year))
        courses = [
            Course.model_validate(c)
            for c in sorted(
                self.records.courses(year), key=lambda c: (c.get("order", 0), c["title"])
            )
            if in_subtree(str(c.get("owner_unit_path", "")), path)
        ]
        lessons = [
            lesson_of(r, year)
            for r in self.credits.records.catalogue(year)
            if r.is_lesson and in_subtree(r.owner_unit_path or "", path)
        ]
        return AuthoredLessons(courses=courses, items=lessons)

    def draft(self, actor: Actor, lesson_id: str, year: int) -> DraftRead:
        """The lesson's draft as its author wrote it, to edit it again."""
        self._own_lesson(actor, year, lesson_id, reading=True)
        item = self.records.draft(year, lesson_id)
        if item is None:
            raise NotFound(f"lesson {lesson_id} has no draft yet")
        return DraftRead(
            lesson_id=lesson_id,
            body_markdown=item.get("body_markdown") or "",
            draft=DraftView.model_validate(item),
        )

    def save_draft(self, actor: Actor, lesson_id: str, draft: Draft) -> DraftSaved:
        lesson = self._own_lesson(actor, draft.year, lesson_id)
        _check_draft(lesson, draft)
        rendered = render(draft.body_markdown or "")
        view = DraftView(
            html=rendered.html,
            sections=[s.__dict__ for s in rendered.sections],
            checks=draft.checks,
            media=draft.media,
            document=draft.document,
        )
        item = {**view.model_dump(exclude_none=True), "body_markdown": draft.body_markdown}
        self.records.save_draft(actor, draft.year, lesson_id, item, self.clock.now())
        return DraftSaved(lesson_id=lesson_id, draft=view)

    def publish(self, actor: Actor, lesson_id: str, year: int) -> Published:
        lesson = self._own_lesson(actor, year, lesson_id)
        draft = self.records.draft(year, lesson_id)
        if draft is None:
            raise Conflict("write the lesson's draft first", {"reason": "no_draft"})
        if len(draft.get("checks", [])) < MIN_CHECKS:
            raise BadRequest(
                f"a lesson is published with at least {MIN_CHECKS} checks",
                {"checks": f"at least {MIN_CHECKS}"},
            )
        number = lesson.version + 1
        version: dict[str, Any] = {
            "version": number,
            **{k: draft[k] for k in ("sections", "checks", "media", "document") if k in draft},
        }
        if lesson.kind == "article":
            key = content_prefix(year, lesson_id, number) + "body.html"
            self.bucket.put(key, str(draft["html"]).encode(), "text/html; charset=utf-8")
            version["body_url"] = "/" + key
        self.records.publish(actor, lesson, year, version, self.clock.now())
        return Published(lesson_id=lesson_id, version=number)

    def retire(self, actor: Actor, lesson_id: str, body: Retire) -> Lesson:
        lesson = self._own_lesson(actor, body.year, lesson_id)
        if lesson.lesson_state != "retired":
            self.records.retire(actor, body.year, lesson, body.reason, self.clock.now())
        return lesson_of(lesson.model_copy(update={"lesson_state": "retired"}), body.year)

    # uploads ------------------------------------------------------------------------

    def upload(self, actor: Actor, lesson_id: str, new: NewUpload) -> Upload:
        """A presigned PUT straight to the bucket, or for a big file a multipart upload
        (resumable: each part is its own PUT, retried alone)."""
        lesson = self._own_lesson(actor, new.year, lesson_id)
        prefix = content_prefix(new.year, lesson_id, lesson.version + 1)
        key = f"{prefix}{new.purpose}/{secrets.token_hex(4)}-{new.filename}"
        if new.size <= MULTIPART_ABOVE:
            url = self.bucket.presign_put(key, new.content_type)
            put = PresignedPut(url=url, headers={"Content-Type": new.content_type})
            return Upload(key=key, upload=put)
        count = math.ceil(new.size / PART_SIZE)
        upload_id, urls = self.bucket.start_multipart(key, new.content_type, count)
        parts = [UploadPart(part_number=n, url=u) for n, u in enumerate(urls, 1)]
        return Upload(key=key, upload_id=upload_id, part_size=PART_SIZE, parts=parts)

    def complete_upload(self, actor: Actor, lesson_id: str, done: CompleteUpload) -> Uploaded:
        year = int(done.key.split("/")[1]) if done.key.count("/") >= 3 else 0
        if not done.key.startswith(f"content/{year}/{lesson_id}/"):
            raise BadRequest("that key is not this lesson's", {"key": "foreign"})
        self._own_lesson(actor, year, lesson_id)
        parts = sorted((p.part_number, p.etag) for p in done.parts)
        self.bucket.complete_multipart(done.key, done.upload_id, parts)
        return Uploaded(key=done.key, url="/" + done.key)

    # review -------------------------------------------------------------------------

    def export_review(
        self, actor: Actor, year: int, unit_id: str | None, file_format: str
    ) -> ReviewExport:
        """The list as a file outside `content/` (never served by the CDN), linked for 15
        minutes, kept a day (the bucket's lifecycle)."""
        review = self.review.list(actor, year, unit_id)
        body, content_type = review_file(review, file_format)
        now = self.clock.now()
        key = f"exports/review/{year}/{secrets.token_hex(8)}.{file_format}"
        self.bucket.put(key, body, content_type, cache=False)
        return ReviewExport(
            format=file_format,
            rows=len(review.items),
            url=self.bucket.presign_get(key, EXPORT_SECONDS),
            expires_at=iso(now + timedelta(seconds=EXPORT_SECONDS)),
        )

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
        done = self.records.completed(actor.username, year, [r.resource_id for r in lessons])
        open_ = self.records.open_session(actor.username, year)
        items = []
        for course in sorted(
            self.records.courses(year), key=lambda c: (c.get("order", 0), c["title"])
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
        open_ = self.records.open_session(actor.username, year)
        session = open_ if open_ and open_.resource_id == lesson_id else None
        number = session.version if session and session.version else resource.version
        version = self.records.version(year, lesson_id, number) or {}
        done = bool(self.records.completed(actor.username, year, [lesson_id]))
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
            session = self.records.session(actor.username, year, held)
            assert session is not None
            return _studying(session), True
        match = SESSION_ID.match(started.session_id)
        assert match is not None
        session = self.records.session(actor.username, int(match["year"]), started.session_id)
        if session is None or not session.kind or session.kind == "task":
            raise NotFound(f"{lesson_id} is not a lesson")
        return _studying(session), False

    def progress(self, actor: Actor, session_id: str, report: ProgressReport) -> ProgressAnswer:
        require_learner(actor)
        match = SESSION_ID.match(session_id or "")
        if not match or match["student_no"] != actor.username:
            raise NotFound("no such session")
        year = int(match["year"])
        config = self.years.get(year)
        for _ in range(REPORT_RETRIES):
            session = self.records.session(actor.username, year, session_id)
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
            self.records.version(session.year, session.resource_id, session.version or 0) or {}
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
        if not self.records.report(session, outcome.state, position, extra):
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


def _check_draft(lesson: Resource, draft: Draft) -> None:
    """What a lesson of its kind needs, and checks whose answers are among their keys."""
    if getattr(draft, NEEDS[lesson.kind]) is None:
        raise BadRequest(
            f"a {lesson.kind} lesson needs its {NEEDS[lesson.kind]}",
            {NEEDS[lesson.kind]: "missing"},
        )
    ids = [c.check_id for c in draft.checks]
    if len(set(ids)) != len(ids):
        raise BadRequest("each check needs its own check_id", {"checks": "duplicate"})
    for check in draft.checks:
        if check.answer not in {o.key for o in check.options}:
            raise BadRequest(
                f"check {check.check_id}'s answer is not an option", {"checks": "answer"}
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
