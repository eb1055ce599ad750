"""Writing study content (#26, point 2): courses, lessons, drafts, uploads, publishing and
retiring, and the review list's export. The city writes; a county writes for its own
subtree when the year allows. Every change is audited by the repository."""

from __future__ import annotations

import math
import secrets
from datetime import timedelta
from typing import Any

from xuefa.core.auth import Actor, in_subtree, require_admin
from xuefa.core.clock import iso
from xuefa.core.errors import BadRequest, Conflict, Forbidden, NotFound, YearClosed
from xuefa.credits.articles import render
from xuefa.credits.content import lesson_of
from xuefa.credits.content_repository import content_prefix
from xuefa.credits.content_views import (
    MIN_CHECKS,
    MULTIPART_ABOVE,
    PART_SIZE,
    AuthoredLessons,
    CompleteUpload,
    Course,
    CoursePatch,
    Draft,
    DraftRead,
    DraftSaved,
    DraftView,
    Lesson,
    NewCourse,
    NewLesson,
    NewUpload,
    PresignedPut,
    Published,
    Retire,
    ReviewExport,
    Upload,
    Uploaded,
    UploadPart,
)
from xuefa.credits.library import Library
from xuefa.credits.review import review_file
from xuefa.credits.views import Resource
from xuefa.years.rules import YearConfig

EXPORT_SECONDS = 15 * 60  # how long the review list's export link holds
# What each kind of lesson must have written before it is published.
NEEDS = {"article": "body_markdown", "video": "media", "document": "document"}


class Authoring(Library):
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
        lesson = self.records.lessons.lesson(year, lesson_id)
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
        self.records.courses.add_course(actor, {**course.model_dump(), "owner_unit_path": path},
                                self.clock.now())  # fmt: skip
        return course

    def edit_course(self, actor: Actor, course_id: str, patch: CoursePatch) -> Course:
        _, path = self._author(actor, self.years.get(patch.year))
        before = self.records.courses.course(patch.year, course_id)
        if before is None:
            raise NotFound(f"no course {course_id} in {patch.year}")
        if not in_subtree(str(before.get("owner_unit_path", "")), path):
            raise Forbidden("that course belongs to another unit")
        changes = patch.model_dump(exclude={"year"}, exclude_none=True)
        after = {**before, **changes}
        after.pop("pk"), after.pop("sk")
        self.records.courses.replace_course(actor, before, after, self.clock.now())
        return Course.model_validate(after)

    # lessons ------------------------------------------------------------------------

    def add_lesson(self, actor: Actor, new: NewLesson) -> Lesson:
        unit_id, path = self._author(actor, self.years.get(new.year))
        if self.records.courses.course(new.year, new.course_id) is None:
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
        self.records.lessons.add_lesson(actor, new.year, lesson, self.clock.now())
        return lesson_of(lesson, new.year)

    def authored(self, actor: Actor, year: int) -> AuthoredLessons:
        """Every lesson in the author's subtree, drafts and retired ones too, with the
        courses of that subtree, in the courses' order."""
        _, path = self._reader(actor, self.years.get(year))
        courses = [
            Course.model_validate(c)
            for c in sorted(
                self.records.courses.of_year(year), key=lambda c: (c.get("order", 0), c["title"])
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
        item = self.records.lessons.draft(year, lesson_id)
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
        self.records.lessons.save_draft(actor, draft.year, lesson_id, item, self.clock.now())
        return DraftSaved(lesson_id=lesson_id, draft=view)

    def publish(self, actor: Actor, lesson_id: str, year: int) -> Published:
        lesson = self._own_lesson(actor, year, lesson_id)
        draft = self.records.lessons.draft(year, lesson_id)
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
        self.records.lessons.publish(actor, lesson, year, version, self.clock.now())
        return Published(lesson_id=lesson_id, version=number)

    def retire(self, actor: Actor, lesson_id: str, body: Retire) -> Lesson:
        lesson = self._own_lesson(actor, body.year, lesson_id)
        if lesson.lesson_state != "retired":
            self.records.lessons.retire(actor, body.year, lesson, body.reason, self.clock.now())
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
