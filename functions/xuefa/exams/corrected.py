"""What a correction is and what it does to a paper: pure rules, no AWS.

A correction names a question of the year's exam pool by its bank id. `void`: everyone
given the question gets its points, whatever they answered. `accept`: one more answer
scores too. Accepted answers are kept as the options' texts (the bank's keys name the
options as the bank orders them; each paper shows them relabelled in its own order), and
matched back to each paper's shown labels by text, as the item analysis does. Edits of the
exam pool stop when the window opens, so every paper of the window shows one version.

A regrade computes a paper's score from its graded answers and every correction of the
year, so it can only rise: each correction adds a way to be right, none takes one away.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from xuefa.core.errors import BadRequest, Conflict
from xuefa.exams.papers import PaperQuestion
from xuefa.exams.questions import Question
from xuefa.years.rules import stored_score

Action = Literal["void", "accept"]


@dataclass(frozen=True)
class Correction:
    """The year's n-th correction (numbered from 1), as the city made it."""

    number: int
    question_id: str  # the bank's id
    action: Action
    accepted: tuple[str, ...]  # accept: the accepted answer's option texts; void: ()
    answer: tuple[str, ...]  # accept: the same answer by the bank's keys, for people
    reason: str
    by: str
    at: str

    def record(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "question_id": self.question_id,
            "action": self.action,
            "accepted": list(self.accepted),
            "answer": list(self.answer),
            "reason": self.reason,
            "by": self.by,
            "at": self.at,
        }

    @classmethod
    def of(cls, item: dict[str, Any]) -> Correction:
        return cls(
            number=int(item["number"]),
            question_id=str(item["question_id"]),
            action=item["action"],
            accepted=tuple(item.get("accepted", ())),
            answer=tuple(item.get("answer", ())),
            reason=str(item["reason"]),
            by=str(item["by"]),
            at=str(item["at"]),
        )


def checked(
    question: Question,
    action: Action,
    answer: list[str] | None,
    earlier: list[Correction],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(accepted texts, bank keys) of a new correction of `question`, or a 400/409 that
    says why it cannot be made; nothing is written before this passes."""
    mine = [c for c in earlier if c.question_id == question.question_id]
    if any(c.action == "void" for c in mine):
        raise Conflict("this question is voided already: everyone has its points")
    if action == "void":
        if answer:
            raise BadRequest("a void takes no answer", {"answer": "leave it out to void"})
        return (), ()
    if not answer:
        raise BadRequest("name the answer to accept", {"answer": "the options' keys"})
    keys = sorted(set(answer))
    texts = {o.key: o.text for o in question.options}
    unknown = [k for k in keys if k not in texts]
    if unknown:
        raise BadRequest(
            "the answer names options the question does not have",
            {"answer": f"unknown keys {unknown}; the question's are {sorted(texts)}"},
        )
    if question.type != "multiple" and len(keys) > 1:
        raise BadRequest("this question takes one answer", {"answer": "one key"})
    if keys == sorted(question.answer):
        raise Conflict("that answer is the question's key already")
    accepted = tuple(sorted(texts[k] for k in keys))
    if any(c.accepted == accepted for c in mine):
        raise Conflict("that answer is accepted already")
    return accepted, tuple(keys)


@dataclass(frozen=True)
class Regrade:
    """A paper's score under the year's corrections, and a note per question they
    changed the outcome of (position on the paper, from 1)."""

    score: Decimal
    notes: list[dict[str, Any]]


def regraded(
    paper: list[PaperQuestion],
    answers: dict[str, list[str]],
    corrections: list[Correction],
    full_marks: int,
) -> Regrade:
    """The score as `papers.grade` gives it, each question also right if voided or if the
    answer is an accepted one (by the options' texts on this paper)."""
    by_question: dict[str, list[Correction]] = {}
    for correction in corrections:
        by_question.setdefault(correction.question_id, []).append(correction)
    total = sum(question.points for question in paper)
    earned = 0
    notes: list[dict[str, Any]] = []
    for position, question in enumerate(paper, start=1):
        given = sorted(answers.get(question.question_id, []))
        if given == question.answer:
            earned += question.points
            continue
        why = made_right(question, given, by_question.get(question.bank_id, []))
        if why is not None:
            earned += question.points
            notes.append(
                {
                    "position": position,
                    "question_id": question.question_id,
                    "action": why.action,
                    "number": why.number,
                    "reason": why.reason,
                    "points": question.points,
                }
            )
    return Regrade(stored_score(Fraction(earned * full_marks, total)), notes)


def made_right(
    question: PaperQuestion, given: list[str], corrections: list[Correction]
) -> Correction | None:
    """The correction that makes this answer right (a void before an accept), if any."""
    void = next((c for c in corrections if c.action == "void"), None)
    if void is not None:
        return void
    if not given:
        return None
    text_of = {option["key"]: option["text"] for option in question.options}
    chosen = tuple(sorted(text_of.get(label, "") for label in given))
    return next((c for c in corrections if c.accepted == chosen), None)


def accepted_labels(question: PaperQuestion, corrections: list[Correction]) -> list[list[str]]:
    """The answers also right on this paper, by its shown labels (for the review)."""
    label_of = {option["text"]: option["key"] for option in question.options}
    answers = []
    for correction in corrections:
        if correction.question_id == question.bank_id and correction.action == "accept":
            labels = [label_of.get(text) for text in correction.accepted]
            if all(labels):
                answers.append(sorted(str(label) for label in labels))
    return answers
