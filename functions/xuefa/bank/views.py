"""What the bank's admin routes take and answer (#27, #28)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from xuefa.core.audit import Reason
from xuefa.core.topics import Topic
from xuefa.exams.questions import ANCHOR, LESSON_ID, OPTION_KEY, Pool, QuestionType


class BankOption(BaseModel):
    key: str = Field(pattern=OPTION_KEY)
    text: str = Field(min_length=1, max_length=500)


class BankQuestion(BaseModel):
    """A question as the city keeps it: with its key, its version and whether retired."""

    question_id: str
    pool: Pool
    type: QuestionType
    stem: str
    options: list[BankOption]
    answer: list[str]
    category: str
    points: int
    explanation: str | None = None
    topic: Topic | None = None
    difficulty: int
    lesson_id: str | None = None
    anchor: str | None = None
    version: int
    retired: bool
    edited_at: str | None = None
    retired_at: str | None = None


class BankPage(BaseModel):
    questions: list[BankQuestion]
    cursor: str | None = None


class BankFile(BaseModel):
    """A workbook to download: a link that holds 15 minutes."""

    rows: int
    url: str
    expires_at: str


class QuestionEdit(BaseModel):
    """A question's new text; its id and pool stay. Absent optional fields are cleared."""

    type: QuestionType
    stem: str = Field(min_length=2, max_length=2000)
    options: list[BankOption] = Field(min_length=2, max_length=8)
    answer: list[str] = Field(min_length=1, max_length=8)
    category: str = Field("general", min_length=1, max_length=50)
    points: int = Field(2, ge=1, le=100)
    explanation: str | None = Field(None, max_length=2000)
    topic: Topic | None = None
    difficulty: int = Field(2, ge=1, le=3)
    lesson_id: str | None = Field(None, pattern=LESSON_ID)
    anchor: str | None = Field(None, pattern=ANCHOR)
    reason: Reason | None = None


class Retirement(BaseModel):
    reason: Reason | None = None
