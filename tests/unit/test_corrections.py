"""Corrections' rules (#28.2), on hand-made papers: a void gives everyone its points, an
accepted answer scores on every paper however its options were shuffled, a score never
falls, and a correction that would change nothing or names what is not there is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xuefa.core.errors import BadRequest, Conflict
from xuefa.exams.corrected import Correction, accepted_labels, checked, regraded
from xuefa.exams.papers import PaperQuestion
from xuefa.exams.questions import Question
from xuefa.exams.views import review_of

BANK = Question.model_validate(
    {
        "question_id": "q1",
        "type": "single",
        "stem": "宪法规定的国家根本任务是？",
        "options": [
            {"key": "A", "text": "甲"},
            {"key": "B", "text": "乙"},
            {"key": "C", "text": "丙"},
        ],
        "answer": ["A"],
    }
)


def shown(qid: str, bank_id: str, order: str, answer: str, points: int = 2) -> PaperQuestion:
    """A paper's question showing the bank's options 甲乙丙 in `order` (e.g. '丙甲乙')."""
    return PaperQuestion(
        question_id=qid,
        type="single",
        stem="…",
        options=[{"key": "ABC"[i], "text": t} for i, t in enumerate(order)],
        answer=[answer],
        points=points,
        category="general",
        source_id=bank_id,
    )


def correction(number: int, action: str, accepted: tuple[str, ...] = ()) -> Correction:
    return Correction(
        number=number,
        question_id="q1",
        action=action,  # type: ignore[arg-type]
        accepted=accepted,
        answer=(),
        reason="题目有误",
        by="city_admin",
        at="2026-11-26T10:00:00+08:00",
    )


# Two papers of 50 points each: q1 (2 points) and one other question of 48 points.
PAPER_1 = [shown("p1", "q1", "甲乙丙", "A"), shown("p2", "q2", "甲乙丙", "B", 48)]
PAPER_2 = [shown("x9", "q2", "丙甲乙", "C", 48), shown("x1", "q1", "乙丙甲", "C")]


def test_without_corrections_the_grade_is_the_papers_own() -> None:
    assert regraded(PAPER_1, {"p1": ["B"], "p2": ["B"]}, [], 100).score == Decimal(96)


@pytest.mark.parametrize("answer", [["B"], ["C"], []])
def test_a_void_gives_its_points_to_everyone_given_it_whatever_they_answered(answer) -> None:
    result = regraded(PAPER_1, {"p1": answer, "p2": ["B"]}, [correction(1, "void")], 100)
    assert result.score == Decimal(100)
    assert result.notes == [
        {
            "position": 1,
            "question_id": "p1",
            "action": "void",
            "number": 1,
            "reason": "题目有误",
            "points": 2,
        }
    ]


def test_an_accepted_answer_scores_on_each_paper_by_its_text_not_its_label() -> None:
    accept_yi = [correction(1, "accept", ("乙",))]
    # Paper 1 shows 乙 as B; paper 2 shows 乙 as A (its order is 乙丙甲).
    assert regraded(PAPER_1, {"p1": ["B"], "p2": ["B"]}, accept_yi, 100).score == Decimal(100)
    assert regraded(PAPER_2, {"x1": ["A"], "x9": ["C"]}, accept_yi, 100).score == Decimal(100)
    assert regraded(PAPER_2, {"x1": ["B"], "x9": ["C"]}, accept_yi, 100).score == Decimal(96)
    assert accepted_labels(PAPER_2[1], accept_yi) == [["A"]]


def test_a_right_answer_needs_no_note_and_scores_never_fall() -> None:
    right = {"p1": ["A"], "p2": ["B"]}
    result = regraded(
        PAPER_1, right, [correction(1, "accept", ("乙",)), correction(2, "void")], 100
    )
    assert (result.score, result.notes) == (Decimal(100), [])
    # Each correction only adds a way to be right: more corrections, never a lower score.
    answers = {"p1": ["C"], "p2": ["A"]}
    steps = [
        [],
        [correction(1, "accept", ("乙",))],
        [correction(1, "accept", ("乙",)), correction(2, "void")],
    ]
    scores = [regraded(PAPER_1, answers, fixes, 100).score for fixes in steps]
    assert scores == sorted(scores) and scores[-1] > scores[0]


def test_the_review_shows_a_void_and_an_accepted_answer() -> None:
    fixes = [correction(1, "accept", ("丙",))]
    review = review_of(PAPER_1[0], {"p1": ["C"]}, fixes)
    assert (review.correct, review.also_accepted, review.voided) == (True, [["C"]], False)
    assert review.correction_reason == "题目有误"
    void = review_of(PAPER_1[0], {"p1": ["B"]}, [correction(1, "void")])
    assert (void.correct, void.voided) == (True, True)
    untouched = review_of(PAPER_1[1], {"p2": ["A"]}, [correction(1, "void")])
    assert (untouched.correct, untouched.voided) == (False, False)


def test_a_correction_is_checked_against_the_question() -> None:
    assert checked(BANK, "accept", ["B"], []) == (("乙",), ("B",))
    assert checked(BANK, "void", None, []) == ((), ())
    with pytest.raises(Conflict):
        checked(BANK, "accept", ["A"], [])  # the key already
    with pytest.raises(Conflict):
        checked(BANK, "accept", ["B"], [correction(1, "accept", ("乙",))])
    with pytest.raises(Conflict):
        checked(BANK, "accept", ["C"], [correction(1, "void")])
    with pytest.raises(BadRequest):
        checked(BANK, "accept", ["B", "C"], [])  # a single-choice question takes one
    with pytest.raises(BadRequest):
        checked(BANK, "accept", ["D"], [])
    with pytest.raises(BadRequest):
        checked(BANK, "accept", None, [])
    with pytest.raises(BadRequest):
        checked(BANK, "void", ["B"], [])
