"""Drawing a paper, shuffling its options, and grading it: pure functions, no AWS.

A paper is stored as what was drawn (#28): each question's bank id, the version given and
its options' order, about 20 bytes a question, written once at the start. The paper is
rebuilt from the bank's versions (`shown`), so the same attempt always shows the same
order and is graded against the version it was given, whatever the bank holds later.
(Papers drawn before versions were stored whole, and are read as they are.) Options are
relabelled A, B, C… in the order shown; the learner answers with those labels. A question
is known on its paper by an id of that paper alone (an HMAC of the bank's id under the
attempt's secret salt), so ids seen on two papers cannot be matched: the bank's id stays
on the stored paper.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pydantic import BaseModel

from xuefa.core.errors import BadRequest, Internal
from xuefa.exams.questions import Question
from xuefa.years.rules import PaperRules, stored_score

LABELS = "ABCDEFGH"


class PaperQuestion(BaseModel):
    question_id: str
    type: str
    stem: str
    options: list[dict[str, str]]  # [{key: shown label, text}], in the order shown
    answer: list[str]  # shown labels
    points: int
    category: str
    # The bank's own id; None on papers drawn before ids were made per paper, where
    # `question_id` is the bank's.
    source_id: str | None = None
    explanation: str | None = None
    # The bank's version given and its option keys in the order shown ("CADB"): what
    # the paper stores of this question (None on papers stored whole).
    version: int | None = None
    order: str | None = None

    @property
    def bank_id(self) -> str:
        return self.source_id or self.question_id

    def public(self) -> dict[str, Any]:
        """What the learner's device receives: never the answer."""
        return {
            "question_id": self.question_id,
            "type": self.type,
            "stem": self.stem,
            "options": self.options,
            "points": self.points,
        }


def attempt_rng(student_no: str, year: int, attempt_no: int, salt: str) -> random.Random:
    """Per-attempt randomness; `salt` is a secret stored on the attempt, so papers cannot
    be predicted from a student number."""
    return random.Random(f"{salt}:{student_no}:{year}:{attempt_no}")


def draw(bank: list[Question], rules: PaperRules, rng: random.Random) -> list[Question]:
    """Questions for one paper: random, or stratified by the rules' category quota."""
    wanted = rules.questions_per_paper
    if len(bank) < wanted:
        raise Internal(f"the bank holds {len(bank)} questions; a paper needs {wanted}")
    if not rules.category_quota:
        return rng.sample(bank, wanted)
    by_category: dict[str, list[Question]] = defaultdict(list)
    for question in bank:
        by_category[question.category].append(question)
    chosen: list[Question] = []
    for category, count in sorted(rules.category_quota.items()):
        pool = by_category.get(category, [])
        if len(pool) < count:
            raise Internal(f"category {category} holds {len(pool)} questions; quota is {count}")
        chosen.extend(rng.sample(pool, count))
    if len(chosen) < wanted:  # the quota may leave room: fill from the rest
        taken = {q.question_id for q in chosen}
        rest = [q for q in bank if q.question_id not in taken]
        chosen.extend(rng.sample(rest, wanted - len(chosen)))
    rng.shuffle(chosen)
    return chosen[:wanted]


def paper_id(id_key: str, question_id: str) -> str:
    """A question's id on one paper: says nothing of its id on any other paper. Eight
    characters (48 bits) keep the answer sheet, rewritten at every save, under 1 KB."""
    digest = hmac.new(id_key.encode(), question_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:6]).decode()


def shown(question: Question, version: int, order: str, id_key: str) -> PaperQuestion:
    """A question as one paper shows it: its options in `order` (the bank's keys) under
    the labels A, B, C…, its id this paper's own."""
    by_key = {option.key: option for option in question.options}
    if sorted(order) != sorted(by_key):
        raise Internal(f"question {question.question_id} v{version} has no options {order}")
    label = {key: LABELS[i] for i, key in enumerate(order)}
    return PaperQuestion(
        question_id=paper_id(id_key, question.question_id),
        type=question.type,
        stem=question.stem,
        options=[{"key": label[key], "text": by_key[key].text} for key in order],
        answer=sorted(label[key] for key in question.answer),
        points=question.points,
        category=question.category,
        source_id=question.question_id,
        explanation=question.explanation,
        version=version,
        order=order,
    )


def shuffle_options(
    question: Question, rng: random.Random, id_key: str, version: int = 1
) -> PaperQuestion:
    # Every type is shuffled, 正确/错误 too: a fixed order would give the key away.
    keys = [option.key for option in question.options]
    rng.shuffle(keys)
    return shown(question, version, "".join(keys), id_key)


def make_paper(
    bank: list[Question],
    rules: PaperRules,
    rng: random.Random,
    id_key: str,
    versions: Mapping[str, int] | None = None,
) -> list[PaperQuestion]:
    """A drawn paper; `id_key` is the attempt's secret (its salt), never shown;
    `versions` the bank's version of each question (1 where not named)."""
    held = versions or {}
    paper = [
        shuffle_options(question, rng, id_key, held.get(question.question_id, 1))
        for question in draw(bank, rules, rng)
    ]
    if len({question.question_id for question in paper}) != len(paper):  # 48 bits: ~never
        raise Internal("two questions of a paper got the same id; draw again")
    return paper


# --- what a paper stores of each question ----------------------------------------------


@dataclass(frozen=True)
class Drawn:
    """One question of a paper as stored: the bank's id, the version given, the order."""

    question_id: str
    version: int
    order: str

    def ref(self) -> str:
        """`id|order`, or `id|version|order` past version 1: 50 of them stay under 1 KB,
        so the paper is one write unit (two in the start's transaction)."""
        if self.version == 1:
            return f"{self.question_id}|{self.order}"
        return f"{self.question_id}|{self.version}|{self.order}"

    @classmethod
    def of(cls, ref: str) -> Drawn:
        question_id, *version, order = ref.split("|")
        return cls(question_id, int(version[0]) if version else 1, order)

    @classmethod
    def given(cls, question: PaperQuestion) -> Drawn:
        if question.version is None or question.order is None:
            raise Internal(f"question {question.question_id} was not drawn from a version")
        return cls(question.bank_id, question.version, question.order)


def rebuilt(
    drawn: list[Drawn], id_key: str, version: Callable[[str, int], Question | None]
) -> list[PaperQuestion]:
    """A stored paper shown again: each question's version, in its order."""
    paper = []
    for one in drawn:
        question = version(one.question_id, one.version)
        if question is None:
            raise Internal(f"the bank has no version {one.version} of {one.question_id}")
        paper.append(shown(question, one.version, one.order, id_key))
    return paper


def shape(question: PaperQuestion) -> str:
    """What a question accepts, in one letter: its last option's label, upper case for
    one answer (single, judge), lower case for several (multiple). Kept on the answer
    sheet, it lets DynamoDB check a save against the paper without reading it."""
    last = LABELS[len(question.options) - 1]
    return last.lower() if question.type == "multiple" else last


def shapes_of(paper: list[PaperQuestion]) -> dict[str, str]:
    return {question.question_id: shape(question) for question in paper}


def fits(keys: list[str]) -> list[tuple[str, str]]:
    """The ranges of shapes that accept these (well-formed, sorted) keys: any one-answer
    or several-answer question reaching the last key, or only the latter for several."""
    if not keys:
        return []
    last = keys[-1]
    several = (last.lower(), "z")
    return [several] if len(keys) > 1 else [(last, "Z"), several]


def well_formed(answers: dict[str, Any]) -> dict[str, list[str]]:
    """Answers keyed by question id, each a list of option labels, as sorted sets; what
    does not look like that is a 400 before anything is read or written."""
    problems: dict[str, str] = {}
    clean: dict[str, list[str]] = {}
    for question_id, keys in answers.items():
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            problems[question_id] = "answers are a list of option keys"
            continue
        unknown = sorted({k for k in keys if len(k) != 1 or k not in LABELS})
        if unknown:
            problems[question_id] = f"unknown option keys {unknown}"
            continue
        clean[question_id] = sorted(set(keys))
    if problems:
        raise BadRequest("some answers do not fit the paper", problems)
    return clean


def check_answers(shapes: dict[str, str], answers: dict[str, Any]) -> dict[str, list[str]]:
    """Well-formed answers that fit the paper's questions (`shapes_of`); anything not on
    this paper, or not an option of its question, is a 400 and nothing is saved."""
    clean = well_formed(answers)
    problems: dict[str, str] = {}
    for question_id, keys in clean.items():
        accepts = shapes.get(question_id)
        if accepts is None:
            problems[question_id] = "not on this paper"
        elif keys and not any(low <= accepts <= high for low, high in fits(keys)):
            several = len(keys) > 1 and accepts.isupper()
            problems[question_id] = (
                "this question takes one answer" if several else f"unknown option keys {keys}"
            )
    if problems:
        raise BadRequest("some answers do not fit the paper", problems)
    return clean


def grade(paper: list[PaperQuestion], answers: dict[str, list[str]], full_marks: int) -> Decimal:
    """Score on the year's scale; a multiple-choice question scores only with the exact
    set, and a question left blank scores nothing."""
    total = sum(question.points for question in paper)
    earned = sum(
        question.points
        for question in paper
        if sorted(answers.get(question.question_id, [])) == question.answer
    )
    return stored_score(Fraction(earned * full_marks, total))
