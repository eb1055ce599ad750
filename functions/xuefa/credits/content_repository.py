"""Study content on the table and in the content bucket (#26).

- a course: `COURSES#<year>` / `C#<course_id>`;
- a lesson is its catalogue resource (`CATALOGUE#<year>` / `RES#<id>`, with `kind`,
  `course_id`, `version`, `lesson_state`, the owner unit), so sessions, caps and the
  award are the credits' own;
- its draft and each published version: `LESSON#<year>#<id>` / `DRAFT`, `V#<0001>`
  (a version is written once, never changed: a learner keeps the one they started);
- review signals: `REVIEW#<year>` / `L#<student_no>` (counts per signal), devices:
  `DEVICE#<year>#<device_id>` (the learners seen on it);
- bodies and media: `content/<year>/<lesson_id>/v<n>/…` in the content bucket.

`DynamoContent` holds its parts: courses and lessons (here), a learner's lesson
sessions (lesson_study_repository.py) and review signals (review_repository.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from xuefa.core.audit import AuditEntry
from xuefa.core.auth import Actor
from xuefa.core.aws import LazyClient
from xuefa.core.errors import Conflict, Duplicate, NotFound
from xuefa.credits.lesson_study_repository import DynamoLessonStudy
from xuefa.credits.review_repository import DynamoReviewSignals
from xuefa.credits.views import Resource
from xuefa.store.audit import audit_put
from xuefa.store.keys import Keys
from xuefa.store.objects import _s3
from xuefa.store.store import Store, TransactionCancelled

UPLOAD_SECONDS = 3600


def course_key(year: int, course_id: str) -> dict[str, str]:
    return {"pk": f"COURSES#{year}", "sk": f"C#{course_id}"}


def draft_key(year: int, lesson_id: str) -> dict[str, str]:
    return {"pk": f"LESSON#{year}#{lesson_id}", "sk": "DRAFT"}


def version_key(year: int, lesson_id: str, version: int) -> dict[str, str]:
    return {"pk": f"LESSON#{year}#{lesson_id}", "sk": f"V#{version:04d}"}


def content_prefix(year: int, lesson_id: str, version: int) -> str:
    return f"content/{year}/{lesson_id}/v{version}/"


def _audited(actor: Actor, action: str, target: str, at: datetime, **what: Any) -> dict[str, Any]:
    return audit_put(actor, AuditEntry(action, target, at, **what))


class DynamoContent:
    """Study content's records, by what they hold: the services reach each part."""

    def __init__(self, store: Store):
        self.courses = DynamoCourses(store)
        self.lessons = DynamoLessons(store)
        self.study = DynamoLessonStudy(store)
        self.signals = DynamoReviewSignals(store)


class DynamoCourses:
    def __init__(self, store: Store):
        self.store = store

    def add_course(self, actor: Actor, course: dict[str, Any], at: datetime) -> None:
        item = {**course_key(course["year"], course["course_id"]), **course}
        target = f"{course['year']}/{course['course_id']}"
        try:
            self.store.transact(
                [
                    {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
                    _audited(actor, "course.add", target, at, after=course),
                ]
            )
        except TransactionCancelled as exc:
            raise Duplicate(f"course {course['course_id']} already exists") from exc

    def course(self, year: int, course_id: str) -> dict[str, Any] | None:
        return self.store.get(course_key(year, course_id))

    def replace_course(
        self, actor: Actor, before: dict[str, Any], after: dict[str, Any], at: datetime
    ) -> None:
        """Write the edited course only if nobody changed it meanwhile."""
        item = {**course_key(after["year"], after["course_id"]), **after}
        target = f"{after['year']}/{after['course_id']}"
        put = {
            "Item": item,
            "ConditionExpression": "title = :t AND summary = :s AND topic = :p",
            "ExpressionAttributeValues": {
                ":t": before["title"],
                ":s": before["summary"],
                ":p": before["topic"],
            },
        }
        try:
            self.store.transact(
                [
                    {"Put": put},
                    _audited(actor, "course.edit", target, at, before=before, after=after),
                ]
            )
        except TransactionCancelled as exc:
            raise Conflict("the course changed meanwhile: look again") from exc

    def of_year(self, year: int) -> list[dict[str, Any]]:
        return list(self.store.query_all(f"COURSES#{year}"))


class DynamoLessons:
    """A lesson's catalogue resource, its draft and its published versions."""

    def __init__(self, store: Store):
        self.store = store
        self._versions: dict[tuple[int, str, int], dict[str, Any]] = {}

    def add_lesson(self, actor: Actor, year: int, lesson: Resource, at: datetime) -> None:
        item = {**Keys.resource(year, lesson.resource_id), **lesson.model_dump(), "year": year}
        target = f"{year}/{lesson.resource_id}"
        try:
            self.store.transact(
                [
                    {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
                    _audited(actor, "lesson.add", target, at, after=lesson.model_dump()),
                ]
            )
        except TransactionCancelled as exc:
            raise Duplicate(f"lesson {lesson.resource_id} already exists") from exc

    def seed_lesson(self, year: int, lesson: Resource) -> None:
        """The demo seeder's: a lesson over the catalogue resource of its id (today's
        timer becomes the lesson it names), unconditionally."""
        self.store.put(
            {**Keys.resource(year, lesson.resource_id), **lesson.model_dump(), "year": year}
        )

    def lesson(self, year: int, lesson_id: str) -> Resource | None:
        item = self.store.get(Keys.resource(year, lesson_id))
        return Resource.model_validate(item) if item else None

    def save_draft(
        self, actor: Actor, year: int, lesson_id: str, draft: dict[str, Any], at: datetime
    ) -> None:
        """The draft, while the lesson is not retired."""
        item = {**draft_key(year, lesson_id), **draft}
        summary = {k: v for k, v in draft.items() if k != "html"}
        try:
            self.store.transact(
                [
                    {"Put": {"Item": item}},
                    _not_retired(year, lesson_id),
                    _audited(actor, "lesson.draft", f"{year}/{lesson_id}", at, after=summary),
                ]
            )
        except TransactionCancelled as exc:
            raise Conflict("a retired lesson cannot change", {"reason": "retired"}) from exc

    def draft(self, year: int, lesson_id: str) -> dict[str, Any] | None:
        return self.store.get(draft_key(year, lesson_id))

    def publish(
        self, actor: Actor, lesson: Resource, year: int, version: dict[str, Any], at: datetime
    ) -> None:
        """The next version, written once; the lesson moves to it only from the version
        it had (two publishes at once: one wins, the other is told)."""
        number = int(version["version"])
        lesson_id = lesson.resource_id
        move = {
            "Key": Keys.resource(year, lesson_id),
            "UpdateExpression": "SET version = :n, lesson_state = :published",
            "ConditionExpression": "version = :before AND lesson_state <> :retired",
            "ExpressionAttributeValues": {
                ":n": number,
                ":before": lesson.version,
                ":published": "published",
                ":retired": "retired",
            },
        }
        item = {**version_key(year, lesson_id, number), **version}
        try:
            self.store.transact(
                [
                    {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
                    {"Update": move},
                    _audited(actor, "lesson.publish", f"{year}/{lesson_id}", at,
                             before={"version": lesson.version}, after={"version": number}),
                ]
            )  # fmt: skip
        except TransactionCancelled as exc:
            raise Conflict(
                "the lesson changed meanwhile (published or retired): look again"
            ) from exc

    def retire(self, actor: Actor, year: int, lesson: Resource, reason: str, at: datetime) -> None:
        retire = {
            "Key": Keys.resource(year, lesson.resource_id),
            "UpdateExpression": "SET lesson_state = :retired",
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeValues": {":retired": "retired"},
        }
        before = {"lesson_state": lesson.lesson_state}
        self.store.transact(
            [
                {"Update": retire},
                _audited(actor, "lesson.retire", f"{year}/{lesson.resource_id}", at,
                         before=before, after={"lesson_state": "retired"}, reason=reason),
            ]
        )  # fmt: skip

    def version(self, year: int, lesson_id: str, number: int) -> dict[str, Any] | None:
        """A published version, from a warm cache: versions never change."""
        key = (year, lesson_id, number)
        if key not in self._versions:
            item = self.store.get(version_key(year, lesson_id, number), consistent=False)
            if item is None:
                return None
            self._versions[key] = item
        return self._versions[key]


def _not_retired(year: int, lesson_id: str) -> dict[str, Any]:
    return {
        "ConditionCheck": {
            "Key": Keys.resource(year, lesson_id),
            "ConditionExpression": "attribute_exists(pk) AND lesson_state <> :retired",
            "ExpressionAttributeValues": {":retired": "retired"},
        }
    }


class ContentBucket(LazyClient):
    """Lesson bodies and media: private, read by learners same-origin at /content/…
    (CloudFront with origin access control; locally the stack serves it from moto)."""

    def __init__(self, bucket: str, client_factory: Callable[[], Any] = _s3):
        super().__init__(client_factory)
        self.bucket = bucket

    def put(self, key: str, body: bytes, content_type: str, *, cache: bool = True) -> None:
        # A version's objects never change: cached for good; an export, never.
        control = "public, max-age=31536000, immutable" if cache else "private, no-store"
        self.client.put_object(
            Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, CacheControl=control
        )

    def presign_get(self, key: str, seconds: int) -> str:
        return str(
            self.client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=seconds
            )
        )

    def get(self, key: str) -> bytes:
        return bytes(self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read())

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError:
            return False
        return True

    def copy(self, source: str, key: str) -> None:
        self.client.copy_object(
            Bucket=self.bucket, Key=key, CopySource={"Bucket": self.bucket, "Key": source}
        )

    def presign_put(self, key: str, content_type: str) -> str:
        return str(
            self.client.generate_presigned_url(
                "put_object",
                Params={"Bucket": self.bucket, "Key": key, "ContentType": content_type},
                ExpiresIn=UPLOAD_SECONDS,
            )
        )

    def start_multipart(self, key: str, content_type: str, parts: int) -> tuple[str, list[str]]:
        upload_id = str(
            self.client.create_multipart_upload(
                Bucket=self.bucket, Key=key, ContentType=content_type
            )["UploadId"]
        )
        urls = [
            str(
                self.client.generate_presigned_url(
                    "upload_part",
                    Params={
                        "Bucket": self.bucket,
                        "Key": key,
                        "UploadId": upload_id,
                        "PartNumber": n,
                    },
                    ExpiresIn=UPLOAD_SECONDS,
                )
            )
            for n in range(1, parts + 1)
        ]
        return upload_id, urls

    def complete_multipart(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in parts]},
            )
        except ClientError as exc:
            raise NotFound("no such upload, or its parts do not match") from exc
