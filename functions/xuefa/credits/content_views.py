"""Study content's shapes (#26): courses, lessons, their versions, and what the authoring,
learner and review routes answer. Shared by the content service and its repository."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from xuefa.core.audit import Reason
from xuefa.core.topics import Topic
from xuefa.credits.views import ID_PATTERN

LessonKind = Literal["article", "video", "document"]
LessonState = Literal["draft", "published", "retired"]
Purpose = Literal["video", "poster", "captions", "document"]
SignalCode = Literal["fast_checks", "regular_reports", "night_study", "shared_device"]
Year = Field(ge=2000, le=2100)
MIN_CHECKS = 3
Text = Field(min_length=1, max_length=200)


# --- courses ------------------------------------------------------------------------


class NewCourse(BaseModel):
    year: int = Year
    title: str = Text
    summary: str = Field("", max_length=2000)
    topic: Topic
    order: int = Field(0, ge=0, le=10_000)


class CoursePatch(BaseModel):
    year: int = Year
    title: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = Field(None, max_length=2000)
    topic: Topic | None = None
    order: int | None = Field(None, ge=0, le=10_000)


class Course(BaseModel):
    course_id: str
    year: int
    title: str
    summary: str
    topic: Topic
    owner_unit_id: str
    order: int = 0


# --- lessons ------------------------------------------------------------------------


class NewLesson(BaseModel):
    year: int = Year
    course_id: str = Field(pattern=ID_PATTERN)
    kind: LessonKind
    title: str = Text
    credits: int = Field(ge=1, le=1000)
    needed_seconds: int = Field(ge=60, le=8 * 3600)


class CheckOption(BaseModel):
    key: str = Field(pattern=r"^[A-H]$")
    text: str = Field(min_length=1, max_length=200)


class Check(BaseModel):
    """A one-tap question from the lesson; its `answer` never leaves the server."""

    check_id: str = Field(pattern=r"^[a-z0-9-]{1,32}$")
    stem: str = Field(min_length=1, max_length=300)
    options: list[CheckOption] = Field(min_length=2, max_length=6)
    answer: str = Field(pattern=r"^[A-H]$")


class AskedCheck(BaseModel):
    check_id: str
    stem: str
    options: list[CheckOption]


class Rendition(BaseModel):
    url: str = Field(max_length=500)
    height: int = Field(ge=144, le=2160)
    bitrate_kbps: int = Field(ge=50, le=20_000)


class Caption(BaseModel):
    url: str = Field(max_length=500)
    lang: str = "zh-CN"
    label: str = "中文"


class Media(BaseModel):
    renditions: list[Rendition] = Field(min_length=1, max_length=6)
    poster_url: str | None = Field(None, max_length=500)
    captions: list[Caption] = Field([], max_length=4)
    duration_s: int = Field(ge=1, le=8 * 3600)


class Document(BaseModel):
    url: str = Field(max_length=500)
    pages: int = Field(ge=1, le=2000)


class SectionView(BaseModel):
    anchor: str
    title: str
    level: int


class Draft(BaseModel):
    year: int = Year
    body_markdown: str | None = Field(None, max_length=200_000)
    # A draft may be saved before its checks are written (the live preview); publishing
    # asks for MIN_CHECKS.
    checks: list[Check] = Field([], max_length=20)
    media: Media | None = None
    document: Document | None = None


class DraftView(BaseModel):
    html: str
    sections: list[SectionView]
    checks: list[Check]
    media: Media | None = None
    document: Document | None = None


class DraftSaved(BaseModel):
    lesson_id: str
    draft: DraftView


class DraftRead(BaseModel):
    """A draft as its author reads it back to edit: the Markdown source, and the checks
    with their answers (the author's own)."""

    lesson_id: str
    body_markdown: str
    draft: DraftView


class Lesson(BaseModel):
    """A lesson as the catalogue holds it (its resource) and authors see it."""

    lesson_id: str
    year: int
    course_id: str
    kind: LessonKind
    title: str
    credits: int
    needed_seconds: int
    version: int
    state: LessonState
    owner_unit_id: str


class AuthoredLessons(BaseModel):
    """The lessons an author may edit, drafts and retired ones included, and the courses
    they sit in."""

    courses: list[Course]
    items: list[Lesson]


class YearBody(BaseModel):
    year: int = Year


class Retire(BaseModel):
    year: int = Year
    reason: Reason


class Published(BaseModel):
    lesson_id: str
    version: int


# --- uploads ------------------------------------------------------------------------

MULTIPART_ABOVE = 16 * 1024 * 1024
PART_SIZE = 16 * 1024 * 1024


class NewUpload(BaseModel):
    year: int = Year
    purpose: Purpose
    filename: str = Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    content_type: str = Field(
        pattern=r"^(video/mp4|image/jpeg|image/png|text/vtt|application/pdf)$"
    )
    size: int = Field(ge=1, le=2 * 1024**3)


class PresignedPut(BaseModel):
    url: str
    method: Literal["PUT"] = "PUT"
    headers: dict[str, str]


class UploadPart(BaseModel):
    part_number: int
    url: str


class Upload(BaseModel):
    key: str
    upload: PresignedPut | None = None
    upload_id: str | None = None
    part_size: int | None = None
    parts: list[UploadPart] | None = None


class DonePart(BaseModel):
    part_number: int = Field(ge=1, le=10_000)
    etag: str = Field(min_length=1, max_length=200)


class CompleteUpload(BaseModel):
    key: str = Field(min_length=1, max_length=300)
    upload_id: str = Field(min_length=1, max_length=1000)
    parts: list[DonePart] = Field(min_length=1, max_length=10_000)


class Uploaded(BaseModel):
    key: str
    url: str


# --- learners -----------------------------------------------------------------------


class LessonItem(BaseModel):
    lesson_id: str
    kind: LessonKind
    title: str
    credits: int
    needed_seconds: int
    served_seconds: int
    completed: bool


class CourseItem(BaseModel):
    course_id: str
    title: str
    summary: str
    topic: Topic
    lessons: list[LessonItem]


class Courses(BaseModel):
    items: list[CourseItem]


class LessonView(BaseModel):
    lesson_id: str
    course_id: str
    kind: LessonKind
    title: str
    credits: int
    needed_seconds: int
    version: int
    sections: list[SectionView]
    body_url: str | None = None
    media: Media | None = None
    document: Document | None = None
    position: str
    served_seconds: int
    completed: bool


class Studying(BaseModel):
    session_id: str
    started_at: str
    version: int
    served_seconds: int
    needed_seconds: int
    report_every_s: int = 300
    position: str


class CheckAnswer(BaseModel):
    check_id: str = Field(pattern=r"^[a-z0-9-]{1,32}$")
    key: str = Field(pattern=r"^[A-H]$")


class ProgressReport(BaseModel):
    position: str = Field("", max_length=64)
    visible_ms: int = Field(ge=0, le=24 * 3600 * 1000)
    played: list[tuple[float, float]] | None = Field(None, max_length=50)
    check_answer: CheckAnswer | None = None
    device_id: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{8,64}$")


class ProgressAnswer(BaseModel):
    served_seconds: int
    needed_seconds: int
    ready: bool
    paused: bool
    check: AskedCheck | None = None


# --- review -------------------------------------------------------------------------


class Signal(BaseModel):
    code: SignalCode
    detail: str


class ReviewItem(BaseModel):
    student_no: str
    name: str
    unit_id: str
    credits: int
    signals: list[Signal]


class Review(BaseModel):
    items: list[ReviewItem]


class ReviewExport(BaseModel):
    format: Literal["csv", "xlsx"]
    rows: int
    url: str
    expires_at: str
