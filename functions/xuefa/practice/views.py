"""Practice's shapes (#27): what the routes take and answer. A set's questions carry no
key; the key and the explanation come back with the answer alone."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from xuefa.core.topics import Topic
from xuefa.exams.questions import LESSON_ID, OPTION_KEY, QuestionType

SetKind = Literal["lesson", "topic", "daily"]
# What cut a set's credits: the day's total, practice's daily cap, or an earlier set of its
# kind (this lesson's this year; this topic's or the daily set today).
PayLimit = Literal["daily_total", "activity_daily", "already_paid"]
SET_ID = r"^p[0-9a-f]{20}$"
QUESTION_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
Year = Field(None, ge=2000, le=2100, description="study year; default: the current one")


class SetQuery(BaseModel):
    kind: SetKind
    lesson_id: str | None = Field(None, pattern=LESSON_ID)
    topic: Topic | None = None
    year: int | None = Year

    @model_validator(mode="after")
    def _named(self) -> SetQuery:
        if self.kind == "lesson" and not self.lesson_id:
            raise ValueError("a lesson's set needs lesson_id")
        if self.kind == "topic" and not self.topic:
            raise ValueError("a topic's set needs topic")
        return self


class PracticeYear(BaseModel):
    year: int | None = Year


class AnswerBody(BaseModel):
    question_id: str = Field(pattern=QUESTION_ID)
    answer: list[Annotated[str, Field(pattern=OPTION_KEY)]] = Field(
        min_length=1, max_length=8, json_schema_extra={"uniqueItems": True}
    )

    @model_validator(mode="after")
    def _keys(self) -> AnswerBody:
        if len(set(self.answer)) != len(self.answer):
            raise ValueError("answer keys must be unique")
        self.answer = sorted(self.answer)
        return self


class PracticeOption(BaseModel):
    key: str
    text: str


class PracticeQuestion(BaseModel):
    question_id: str
    type: QuestionType
    stem: str
    options: list[PracticeOption]


class PracticeSet(BaseModel):
    set_id: str
    kind: SetKind
    year: int
    expires_at: str
    questions: list[PracticeQuestion]


class Source(BaseModel):
    lesson_id: str
    anchor: str | None = None


class Feedback(BaseModel):
    correct: bool
    key: list[str]
    explanation: str
    source: Source | None
    answered: int
    of: int
    # True when this question of the set had been answered before: the first answer's
    # outcome is what counts and what comes back.
    repeated: bool = False
    # Once every question of the set is answered: the credits the set earned (0 when a
    # cap or an earlier set of its kind took them; null when the year pays no practice
    # credits now), and what cut them.
    complete: bool = False
    awarded: int | None = None
    limit: PayLimit | None = None


class NotebookItem(BaseModel):
    question_id: str
    topic: str | None
    stem: str
    due_at: str
    streak: int
    wrong: int
    answered: int


class Notebook(BaseModel):
    year: int
    due: list[NotebookItem]
    items: list[NotebookItem]


class Removed(BaseModel):
    question_id: str
    removed: bool


class TopicStanding(BaseModel):
    topic: str
    answered: int
    correct: int
    rate: float | None


class TopicStandings(BaseModel):
    year: int
    topics: list[TopicStanding]
