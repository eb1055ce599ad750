"""Credits: the study catalogue, server-measured study sessions, balances and the ledger."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from chalice import Chalice
from pydantic import BaseModel, Field

from xuefa.bootstrap import services
from xuefa.core.auth import Actor
from xuefa.core.clock import local_date, study_year_of
from xuefa.credits.content_views import (
    AuthoredLessons,
    CompleteUpload,
    Course,
    CoursePatch,
    Courses,
    Draft,
    DraftRead,
    DraftSaved,
    Lesson,
    LessonView,
    NewCourse,
    NewLesson,
    NewUpload,
    ProgressAnswer,
    ProgressReport,
    Published,
    Retire,
    Review,
    ReviewExport,
    Upload,
    Uploaded,
    YearBody,
)
from xuefa.credits.service import Adjustment, Balance, Completion, Credits, NewResource, Resource
from xuefa.credits.views import ID_PATTERN, Catalogue, Ledger, SessionClosed, SessionStarted
from xuefa.practice.views import (
    AnswerBody,
    Feedback,
    Notebook,
    PracticeSet,
    PracticeYear,
    Removed,
    SetQuery,
    TopicStandings,
)
from xuefa_api import Api, Cursor, json_response

if TYPE_CHECKING:
    from xuefa.credits.authoring import Authoring
    from xuefa.credits.content import Content
    from xuefa.practice.service import Practice

app = Chalice(app_name="xuefa-credits")
api = Api(app, "credits")


def credits() -> Credits:
    """The service, built once per warm container by the composition root."""
    return services().credits


class YearQuery(BaseModel):
    year: int | None = Field(
        None, ge=2000, le=2100, description="study year; default: the current one"
    )


class LedgerQuery(YearQuery):
    limit: int = Field(20, ge=1, le=100)
    cursor: Cursor = None


class StartSession(BaseModel):
    resource_id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)


class Empty(BaseModel):
    pass


def _year(year: int | None) -> int:
    return year or study_year_of(local_date(services().clock.now()))


@api.route("/catalogue", ["GET"], query=YearQuery, response="Catalogue")
def catalogue(actor: Actor, query: YearQuery) -> Catalogue:
    """The study year's resources: activity, credits and the minutes each takes."""
    return credits().catalogue(_year(query.year))


@api.route("/catalogue", ["POST"], body=NewResource, status=201, response="Resource")
def add_resource(actor: Actor, body: NewResource) -> Resource:
    """Add a resource to a year's catalogue (city administrators)."""
    return credits().add_resource(actor, body)


@api.route("/sessions", ["POST"], body=StartSession, status=201, response="SessionStarted")
def start_session(actor: Actor, body: StartSession) -> SessionStarted:
    """Start studying a resource; the server's clock measures the time. A learner has one
    open session at a time: while another is open, 409 CONFLICT names it
    (`details.open_session_id`, its resource and `started_at`) for the app to resume."""
    return credits().start(actor, body.resource_id)


@api.route("/sessions/{session_id}/abandon", ["POST"], response="SessionClosed")
def abandon_session(actor: Actor, session_id: str) -> SessionClosed:
    """Stop a session without credits, so that another resource can be studied."""
    return credits().abandon(actor, session_id)


@api.route("/sessions/{session_id}/complete", ["POST"], body=Empty, response="Completion")
def complete_session(actor: Actor, body: Empty, session_id: str) -> Completion:
    """Finish a session: credits are awarded once, within the day's caps."""
    completion = credits().complete(actor, session_id)
    api.count("CreditsAwarded", completion.awarded)
    if completion.capped:
        api.count("CompletionsCapped")
    return completion


@api.route("/me", ["GET"], query=YearQuery, response="Balance")
def my_balance(actor: Actor, query: YearQuery) -> Balance:
    """The learner's own balance, in real time."""
    return credits().balance(actor, _year(query.year))


@api.route("/me/ledger", ["GET"], query=LedgerQuery, response="Ledger")
def my_ledger(actor: Actor, query: LedgerQuery) -> Ledger:
    """Every credit the learner earned or was adjusted, newest first, in pages."""
    return credits().ledger(actor, _year(query.year), query.limit, query.cursor)


@api.route("/learners/{student_no}", ["GET"], query=YearQuery, response="Balance")
def learner_balance(actor: Actor, query: YearQuery, student_no: str) -> Balance:
    """A learner's balance, for administrators in scope."""
    return credits().balance(actor, _year(query.year), student_no)


@api.route("/learners/{student_no}/ledger", ["GET"], query=LedgerQuery, response="Ledger")
def learner_ledger(actor: Actor, query: LedgerQuery, student_no: str) -> Ledger:
    """A learner's ledger, newest first, for administrators in scope."""
    return credits().ledger(actor, _year(query.year), query.limit, query.cursor, student_no)


@api.route("/adjustments", ["POST"], body=Adjustment, response="Balance")
def adjust(actor: Actor, body: Adjustment) -> Balance:
    """Add or remove credits with a reason; idempotent on adjustment_id; audited."""
    return credits().adjust(actor, body)


# --- study content (#26) -------------------------------------------------------------


def content() -> Content:
    """Courses and lessons as learners study them, and their accounting."""
    return services().content


def authoring() -> Authoring:
    """Writing courses and lessons (city, or a county where the year allows)."""
    return services().authoring


class ReviewQuery(YearQuery):
    unit_id: str | None = Field(None, pattern=r"^[0-9A-Za-z-]{1,32}$")


class ExportQuery(ReviewQuery):
    format: Literal["csv", "xlsx"] = "xlsx"


@api.route("/courses", ["GET"], query=YearQuery, response="Courses")
def courses(actor: Actor, query: YearQuery) -> Courses:
    """The learner's courses and their published lessons, with progress."""
    return content().courses(actor, _year(query.year))


@api.route("/courses", ["POST"], body=NewCourse, status=201, response="Course")
def add_course(actor: Actor, body: NewCourse) -> Course:
    """Add a course (the city; a county for its subtree when the year allows); audited."""
    return authoring().add_course(actor, body)


@api.route("/courses/{course_id}", ["PATCH"], body=CoursePatch, response="Course")
def edit_course(actor: Actor, body: CoursePatch, course_id: str) -> Course:
    """Edit a course's title, summary, topic or order; audited."""
    return authoring().edit_course(actor, course_id, body)


@api.route("/lessons", ["GET"], query=YearQuery, response="AuthoredLessons")
def authored_lessons(actor: Actor, query: YearQuery) -> AuthoredLessons:
    """The lessons an author may edit, drafts and retired ones too, with their courses."""
    return authoring().authored(actor, _year(query.year))


@api.route("/lessons", ["POST"], body=NewLesson, status=201, response="Lesson")
def add_lesson(actor: Actor, body: NewLesson) -> Lesson:
    """Add a lesson to a course, as a draft; audited."""
    return authoring().add_lesson(actor, body)


@api.route("/lessons/{lesson_id}", ["GET"], query=YearQuery, response="LessonView")
def lesson(actor: Actor, query: YearQuery, lesson_id: str) -> LessonView:
    """A published lesson as the learner reads it: sections, body, media, position."""
    return content().lesson(actor, lesson_id, _year(query.year))


@api.route("/lessons/{lesson_id}/draft", ["GET"], query=YearQuery, response="DraftRead")
def read_draft(actor: Actor, query: YearQuery, lesson_id: str) -> DraftRead:
    """The lesson's draft as its author wrote it (Markdown, checks with answers)."""
    return authoring().draft(actor, lesson_id, _year(query.year))


@api.route("/lessons/{lesson_id}/draft", ["PUT"], body=Draft, response="DraftSaved")
def save_draft(actor: Actor, body: Draft, lesson_id: str) -> DraftSaved:
    """Write the lesson's draft; an article's Markdown comes back sanitized; audited."""
    return authoring().save_draft(actor, lesson_id, body)


@api.route("/lessons/{lesson_id}/media", ["POST"], body=NewUpload, response="Upload")
def upload_media(actor: Actor, body: NewUpload, lesson_id: str) -> Upload:
    """A presigned PUT to the content bucket (multipart above 16 MB)."""
    return authoring().upload(actor, lesson_id, body)


@api.route(
    "/lessons/{lesson_id}/media/complete", ["POST"], body=CompleteUpload, response="Uploaded"
)
def complete_media(actor: Actor, body: CompleteUpload, lesson_id: str) -> Uploaded:
    """Finish a multipart upload from its parts' ETags."""
    return authoring().complete_upload(actor, lesson_id, body)


@api.route("/lessons/{lesson_id}/publish", ["POST"], body=YearBody, response="Published")
def publish(actor: Actor, body: YearBody, lesson_id: str) -> Published:
    """Publish the draft as the next version (a learner keeps the one they started)."""
    return authoring().publish(actor, lesson_id, body.year)


@api.route("/lessons/{lesson_id}/retire", ["POST"], body=Retire, response="Lesson")
def retire(actor: Actor, body: Retire, lesson_id: str) -> Lesson:
    """Retire a lesson: no new starts; credits earned stay; audited."""
    return authoring().retire(actor, lesson_id, body)


@api.route(
    "/lessons/{lesson_id}/study", ["POST"], body=Empty, status=201, also=200, response="Studying"
)
def study(actor: Actor, body: Empty, lesson_id: str) -> Any:
    """Start studying a lesson (201), or reopen its open session (200)."""
    session, reopened = content().study(actor, lesson_id)
    return json_response(session, status=200) if reopened else session


@api.route(
    "/sessions/{session_id}/progress", ["POST"], body=ProgressReport, response="ProgressAnswer"
)
def progress(actor: Actor, body: ProgressReport, session_id: str) -> ProgressAnswer:
    """A progress report: what it served (the least of wall, visible and newly played
    time), and an attention check now and then."""
    return content().progress(actor, session_id, body)


@api.route("/review", ["GET"], query=ReviewQuery, response="Review")
def review(actor: Actor, query: ReviewQuery) -> Review:
    """Accounts whose study looks automated, with the signals (city administrators)."""
    return authoring().review.list(actor, _year(query.year), query.unit_id)


@api.route("/review/export", ["GET"], query=ExportQuery, response="ReviewExport")
def review_export(actor: Actor, query: ExportQuery) -> ReviewExport:
    """The review list as a CSV or XLSX file (a 15-minute link)."""
    return authoring().export_review(actor, _year(query.year), query.unit_id, query.format)


# --- practice (#27) ------------------------------------------------------------------


def practice() -> Practice:
    """Practice sets from the practice pool, the notebook and the learner's standing."""
    return services().practice


@api.route("/practice", ["GET"], query=SetQuery, response="PracticeSet")
def practice_set(actor: Actor, query: SetQuery) -> PracticeSet:
    """A practice set, without keys: a lesson's questions, a topic's (up to ten, unseen
    first) or 每日一练 (five a day: due notebook reviews, then unseen questions; asking
    again the same day gives the same set). Learners only."""
    return practice().give(actor, query)


@api.route("/practice/{set_id}/answers", ["POST"], body=AnswerBody, response="Feedback")
def practice_answer(actor: Actor, body: AnswerBody, set_id: str) -> Feedback:
    """Answer one question of one's set: right or wrong, the key, the explanation and the
    lesson section it comes from, at once. One answer per question and set counts: a
    second one changes nothing and gets the first one's outcome (`repeated: true`). A
    wrong answer puts the question in the notebook (FSRS); another's set is 403."""
    return practice().answer(actor, set_id, body)


@api.route("/notebook", ["GET"], query=PracticeYear, response="Notebook")
def notebook(actor: Actor, query: PracticeYear) -> Notebook:
    """The wrong-answer notebook: what is due now, and every question in it."""
    return practice().notebook(actor, query.year)


@api.route("/notebook/{question_id}", ["DELETE"], query=PracticeYear, response="Removed")
def remove_from_notebook(actor: Actor, query: PracticeYear, question_id: str) -> Removed:
    """Take a question out of the notebook (a later wrong answer brings it back)."""
    return practice().remove(actor, query.year, question_id)


@api.route("/me/topics", ["GET"], query=PracticeYear, response="TopicStandings")
def my_topics(actor: Actor, query: PracticeYear) -> TopicStandings:
    """Per topic: how many practice answers, how many right, and the rate."""
    return practice().topics(actor, query.year)
