"""The question bank: what a question is, how an import is checked, and how a year's bank
is read (cached per warm container: a paper is drawn from it on every start)."""

from __future__ import annotations

import secrets
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from xuefa.core.topics import Topic

QuestionType = Literal["single", "multiple", "judge"]
# The exam's pool is drawn into papers; the practice pool is shown with its key at once
# (#27), so the two never share a question.
Pool = Literal["exam", "practice"]
LESSON_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
# A lesson section, as articles anchor them: a heading `s-<n>`, a legal article `art-<n>`
# (a second citation of one article `art-<n>-2`).
ANCHOR = r"^(s|art)-[1-9][0-9]{0,3}(-[2-9][0-9]?)?$"
OPTION_KEY = r"^[A-Z]$"
BANK_CACHE_SECONDS = 300.0


class Option(BaseModel):
    key: str = Field(pattern=OPTION_KEY)
    text: str = Field(min_length=1, max_length=500)


class Question(BaseModel):
    question_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
    type: QuestionType
    stem: str = Field(min_length=2, max_length=2000)
    options: list[Option] = Field(min_length=2, max_length=8)
    answer: list[str] = Field(min_length=1, max_length=8)
    category: str = Field("general", min_length=1, max_length=50)
    points: int = Field(2, ge=1, le=100)
    # Shown with the key in an attempt's review, once no one can sit the year's exam.
    explanation: str | None = Field(None, max_length=2000)
    pool: Pool = "exam"
    topic: Topic | None = None
    difficulty: int = Field(2, ge=1, le=3)
    lesson_id: str | None = Field(None, pattern=LESSON_ID)
    anchor: str | None = Field(None, pattern=ANCHOR)

    @model_validator(mode="after")
    def _teaches(self) -> Question:
        """A practice question is answered with its key and its 解析 at once: it needs an
        explanation, and a topic for the learner's standing; a section needs its lesson."""
        if self.pool == "practice" and not self.topic:
            raise ValueError("a practice question needs a topic")
        if self.pool == "practice" and not (self.explanation or "").strip():
            raise ValueError("a practice question needs an explanation")
        if self.anchor and not self.lesson_id:
            raise ValueError("an anchor names a section of a lesson: give its lesson_id")
        return self

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        keys = [option.key for option in self.options]
        if len(set(keys)) != len(keys):
            raise ValueError("option keys must be unique")
        if len(set(self.answer)) != len(self.answer):
            raise ValueError("answer keys must be unique")
        unknown = [key for key in self.answer if key not in keys]
        if unknown:
            raise ValueError(f"answer keys {unknown} are not among the options")
        if self.type in ("single", "judge") and len(self.answer) != 1:
            raise ValueError(f"a {self.type} question has exactly one answer")
        if self.type == "judge" and len(self.options) != 2:
            raise ValueError("a judge question has exactly two options")
        if self.type == "multiple" and len(self.answer) < 2:
            raise ValueError("a multiple-choice question has at least two answers")
        self.answer = sorted(self.answer)
        return self


class ImportRequest(BaseModel):
    questions: list[dict[str, Any]] = Field(min_length=1, max_length=5000)


def validate_import(raw: list[dict[str, Any]]) -> tuple[list[Question], list[dict[str, Any]]]:
    """Every question checked; the valid ones and an error per invalid one (by index)."""
    valid: list[Question] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            errors.append({"index": index, "message": "a question must be a JSON object"})
            continue
        data = {k: v for k, v in entry.items() if v is not None}
        data.setdefault("question_id", f"q-{secrets.token_hex(6)}")
        try:
            question = Question.model_validate(data)
        except ValidationError as exc:
            message = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'question'}: {err['msg']}"
                for err in exc.errors()
            )
            errors.append({"index": index, "message": message})
            continue
        if question.question_id in seen:
            errors.append(
                {"index": index, "message": f"duplicate question_id {question.question_id}"}
            )
            continue
        seen.add(question.question_id)
        valid.append(question)
    return valid, errors
