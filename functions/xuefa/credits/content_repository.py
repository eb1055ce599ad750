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

A progress report is one conditional UpdateItem on the session (1 write unit on the
common path): it lands only if the session's `last_report_ms` is still the one the
report was counted from, so parallel reports for one session count once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xuefa.core.audit import AuditEntry
from xuefa.core.auth import Actor
from xuefa.core.aws import LazyClient
from xuefa.core.errors import Conflict, Duplicate, NotFound
from xuefa.credits.attention import Attention
from xuefa.credits.views import Resource, StudySession
from xuefa.store.audit import audit_put
from xuefa.store.keys import Keys
from xuefa.store.objects import _s3
from xuefa.store.store import ConditionFailed, Store, TransactionCancelled

UPLOAD_SECONDS = 3600
# A session's recent report intervals kept for the regularity signal.
KEPT_INTERVALS = 8


def course_key(year: int, course_id: str) -> dict[str, str]:
    return {"pk": f"COURSES#{year}", "sk": f"C#{course_id}"}


def draft_key(year: int, lesson_id: str) -> dict[str, str]:
    return {"pk": f"LESSON#{year}#{lesson_id}", "sk": "DRAFT"}


def version_key(year: int, lesson_id: str, version: int) -> dict[str, str]:
    return {"pk": f"LESSON#{year}#{lesson_id}", "sk": f"V#{version:04d}"}


def review_key(year: int, student_no: str) -> dict[str, str]:
    return {"pk": f"REVIEW#{year}", "sk": f"L#{student_no}"}


def device_key(year: int, device_id: str) -> dict[str, str]:
    return {"pk": f"DEVICE#{year}#{device_id}", "sk": "DEVICE"}


def content_prefix(year: int, lesson_id: str, version: int) -> str:
    return f"content/{year}/{lesson_id}/v{version}/"


def _audited(actor: Actor, action: str, target: str, at: datetime, **what: Any) -> dict[str, Any]:
    return audit_put(actor, AuditEntry(action, target, at, **what))


class DynamoContent:
    def __init__(self, store: Store):
        self.store = store
        self._versions: dict[tuple[int, str, int], dict[str, Any]] = {}

    # courses ------------------------------------------------------------------------

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

    def courses(self, year: int) -> list[dict[str, Any]]:
        return list(self.store.query_all(f"COURSES#{year}"))

    # lessons ------------------------------------------------------------------------

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

    # a learner's study --------------------------------------------------------------

    def open_session(self, student_no: str, year: int) -> StudySession | None:
        """The learner's open lesson session (what its lock names), if any."""
        lock = self.store.get(Keys.open_session(student_no, year))
        if not lock or not lock.get("session_id"):
            return None
        return self.session(student_no, year, str(lock["session_id"]))

    def session(self, student_no: str, year: int, session_id: str) -> StudySession | None:
        item = self.store.get(Keys.session(student_no, year, session_id))
        return StudySession.model_validate(item) if item else None

    def completed(self, student_no: str, year: int, lesson_ids: Sequence[str]) -> set[str]:
        """The lessons already paid to the learner this year (their once-a-year marks)."""
        keys = [Keys.idempotency(f"resource-{year}-{student_no}", i) for i in lesson_ids]
        found = self.store.batch_get(keys) if keys else []
        return {str(item["pk"]).rsplit("#", 1)[-1] for item in found}

    def report(
        self,
        session: StudySession,
        after: Attention,
        position: str,
        extra: dict[str, Any],
    ) -> bool:
        """Write the report's outcome, only over the state it was counted from; False
        when another report landed first (nothing written)."""
        assert session.last_report_ms is not None
        values = {
            ":served": after.served_seconds,
            ":last": after.last_report_ms,
            ":position": position,
            ":played": [[math.ceil(a), math.floor(b)] for a, b in after.played],
            ":next": after.next_check_at,
            ":issued": after.checks_issued,
            ":before": session.last_report_ms,
            ":open": "open",
            **{f":{k}": v for k, v in extra.items()},
        }
        sets = ", ".join(f"{k} = :{k}" for k in extra)
        expression = (
            "SET served_seconds = :served, last_report_ms = :last, #position = :position, "
            "played = :played, next_check_at = :next, checks_issued = :issued"
            + (f", {sets}" if sets else "")
        )
        if after.pending_check is None:
            expression += " REMOVE pending_check"
        else:
            expression = expression.replace("SET ", "SET pending_check = :pending, ", 1)
            values[":pending"] = after.pending_check
        try:
            self.store.update(
                Keys.session(session.student_no, session.year, session.session_id),
                expression,
                "#state = :open AND last_report_ms = :before",
                names={"#state": "state", "#position": "position"},
                values=values,
                new_item=False,
            )
        except ConditionFailed:
            return False
        return True

    # review signals -----------------------------------------------------------------

    def flag(self, year: int, profile: dict[str, Any], code: str, detail: str) -> None:
        """Count a signal against the learner, for a person to judge (never a penalty)."""
        self.store.update(
            review_key(year, str(profile["student_no"])),
            f"ADD n_{code} :one SET detail_{code} = :detail, unit_id = :unit, "
            "unit_path = :path, student_no = :no",
            values={
                ":one": 1,
                ":detail": detail,
                ":unit": profile.get("unit_id", ""),
                ":path": profile.get("unit_path", ""),
                ":no": profile["student_no"],
            },
            new_item=False,
        )

    def device_seen(self, year: int, device_id: str, student_no: str) -> int:
        """How many learners this device has studied as (this one included)."""
        item = self.store.update(
            device_key(year, device_id), "ADD learners :me", values={":me": {student_no}}
        )
        return len(item.get("learners", ()))

    def flagged(self, year: int) -> list[Flagged]:
        return [flagged_of(item) for item in self.store.query_all(f"REVIEW#{year}")]

    def profiles_and_results(
        self, year: int, student_nos: Sequence[str]
    ) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
        keys = [Keys.learner(n) for n in student_nos]
        keys += [Keys.year_result(n, year) for n in student_nos]
        found = self.store.batch_get(keys)
        profiles = {str(i["pk"])[8:]: i for i in found if i["sk"] == "PROFILE"}
        credits = {
            str(i["pk"])[8:]: int(i.get("credits", 0)) for i in found if i["sk"] != "PROFILE"
        }
        return profiles, credits


@dataclass(frozen=True)
class Flagged:
    """A learner's review signals: how often each fired, and what the last one said."""

    student_no: str
    unit_id: str
    counts: dict[str, int]
    details: dict[str, str]


def flagged_of(item: Mapping[str, Any]) -> Flagged:
    counts = {str(k)[2:]: int(v) for k, v in item.items() if str(k).startswith("n_")}
    details = {str(k)[7:]: str(v) for k, v in item.items() if str(k).startswith("detail_")}
    return Flagged(str(item["student_no"]), str(item.get("unit_id", "")), counts, details)


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
