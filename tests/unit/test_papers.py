"""Drawing, shuffling and grading without AWS."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from infra.local import demo_bank
from xuefa.errors import BadRequest
from xuefa.papers import attempt_rng, check_answers, draw, grade, make_paper, shapes_of
from xuefa.questions import Question, validate_import
from xuefa.rules import PaperRules, exact_score, shown

BANK = [Question.model_validate(q) for q in demo_bank.questions(2017)]
RULES = PaperRules()


def test_a_paper_has_fifty_distinct_questions_from_the_bank() -> None:
    paper = make_paper(BANK, RULES, attempt_rng("530402000001", 2017, 1, "salt"))
    assert len(paper) == 50
    assert len({q.question_id for q in paper}) == 50
    assert {q.question_id for q in paper} <= {q.question_id for q in BANK}


def test_the_same_attempt_always_shows_the_same_paper_and_order() -> None:
    first = make_paper(BANK, RULES, attempt_rng("530402000001", 2017, 1, "salt"))
    again = make_paper(BANK, RULES, attempt_rng("530402000001", 2017, 1, "salt"))
    assert [q.model_dump() for q in first] == [q.model_dump() for q in again]


def test_other_attempts_draw_other_papers() -> None:
    first = make_paper(BANK, RULES, attempt_rng("530402000001", 2017, 1, "salt"))
    second = make_paper(BANK, RULES, attempt_rng("530402000001", 2017, 2, "salt"))
    assert [q.question_id for q in first] != [q.question_id for q in second]


def test_options_are_shuffled_and_relabelled_but_the_answer_follows() -> None:
    question = next(q for q in BANK if q.stem.startswith("中华人民共和国的一切权力属于"))
    right_text = next(o.text for o in question.options if o.key in question.answer)
    orders = set()
    for attempt_no in range(1, 30):
        paper = make_paper(
            BANK, PaperRules(questions_per_paper=len(BANK)), attempt_rng("x", 2017, attempt_no, "s")
        )
        shown = next(q for q in paper if q.question_id == question.question_id)
        assert [o["key"] for o in shown.options] == ["A", "B", "C", "D"]
        orders.add(tuple(o["text"] for o in shown.options))
        (label,) = shown.answer
        assert next(o["text"] for o in shown.options if o["key"] == label) == right_text
    assert len(orders) > 5


def test_judge_questions_keep_true_before_false() -> None:
    paper = make_paper(
        BANK, PaperRules(questions_per_paper=len(BANK)), attempt_rng("x", 2017, 1, "s")
    )
    for question in (q for q in paper if q.type == "judge"):
        assert [o["text"] for o in question.options] == ["正确", "错误"]


def test_a_category_quota_is_honoured() -> None:
    rules = PaperRules(questions_per_paper=20, category_quota={"宪法": 12, "行政法": 8})
    paper = draw(BANK, rules, attempt_rng("x", 2017, 1, "s"))
    categories = [q.category for q in paper]
    assert categories.count("宪法") == 12
    assert categories.count("行政法") == 8


def _paper(count: int = 50) -> list:
    return make_paper(BANK, PaperRules(questions_per_paper=count), attempt_rng("x", 2017, 9, "s"))


def test_all_right_is_full_marks_and_blank_is_zero() -> None:
    paper = _paper()
    answers = {q.question_id: q.answer for q in paper}
    assert grade(paper, answers, 100) == Decimal("100.00")
    assert grade(paper, {}, 100) == Decimal("0.00")


def test_a_multiple_choice_scores_only_with_the_exact_set() -> None:
    paper = _paper(len(BANK))
    multiple = next(q for q in paper if q.type == "multiple")
    others = {q.question_id: q.answer for q in paper if q is not multiple}
    full = grade(paper, {**others, multiple.question_id: multiple.answer}, 100)
    partial = grade(paper, {**others, multiple.question_id: multiple.answer[:-1]}, 100)
    wrong_extra = [o["key"] for o in multiple.options]
    over = grade(paper, {**others, multiple.question_id: wrong_extra}, 100)
    assert full == Decimal("100.00")
    assert partial < full and over < full


def test_scores_are_scaled_to_the_full_marks_exactly_and_shown_truncated() -> None:
    paper = _paper(3)  # 3 × 2 points; one right = 33.333…, two right = 66.666…
    one = {paper[0].question_id: paper[0].answer}
    two = {**one, paper[1].question_id: paper[1].answer}
    assert exact_score(grade(paper, one, 100)) == Fraction(100, 3)
    assert exact_score(grade(paper, two, 100)) == Fraction(200, 3)
    assert shown(exact_score(grade(paper, two, 100))) == Decimal("66.66")


def test_answers_for_other_questions_or_unknown_options_are_refused() -> None:
    paper = _paper(5)
    single = next(q for q in paper if q.type != "multiple")
    with pytest.raises(BadRequest) as not_on_paper:
        check_answers(shapes_of(paper), {"q-not-here": ["A"]})
    assert "q-not-here" in (not_on_paper.value.details or {})
    with pytest.raises(BadRequest):
        check_answers(shapes_of(paper), {paper[0].question_id: ["Z"]})
    with pytest.raises(BadRequest):
        check_answers(shapes_of(paper), {single.question_id: ["A", "B"]})
    beyond = "ABCDEFGH"[len(single.options)]  # a label one past the question's last option
    with pytest.raises(BadRequest) as too_far:
        check_answers(shapes_of(paper), {single.question_id: [beyond]})
    assert "unknown option keys" in (too_far.value.details or {})[single.question_id]
    last = "ABCDEFGH"[len(single.options) - 1]
    assert check_answers(shapes_of(paper), {single.question_id: [last]})
    assert check_answers(shapes_of(paper), {paper[0].question_id: []}) == {paper[0].question_id: []}


@pytest.mark.parametrize(
    ("question", "problem"),
    [
        (
            {
                "type": "single",
                "stem": "一个题目",
                "options": [{"key": "A", "text": "x"}],
                "answer": ["A"],
            },
            "options",
        ),
        (
            {
                "type": "single",
                "stem": "一个题目",
                "options": [{"key": "A", "text": "x"}, {"key": "B", "text": "y"}],
                "answer": ["C"],
            },
            "not among the options",
        ),
        (
            {
                "type": "single",
                "stem": "一个题目",
                "options": [{"key": "A", "text": "x"}, {"key": "B", "text": "y"}],
                "answer": ["A", "B"],
            },
            "exactly one",
        ),
        (
            {
                "type": "essay",
                "stem": "一个题目",
                "options": [{"key": "A", "text": "x"}, {"key": "B", "text": "y"}],
                "answer": ["A"],
            },
            "type",
        ),
        (
            {
                "type": "multiple",
                "stem": "一个题目",
                "options": [{"key": "A", "text": "x"}, {"key": "A", "text": "y"}],
                "answer": ["A"],
            },
            "unique",
        ),
        ("not an object", "question"),
    ],
)
def test_bank_imports_are_checked_question_by_question(question: object, problem: str) -> None:
    good = {
        "type": "judge",
        "stem": "宪法是国家的根本法。",
        "answer": ["T"],
        "options": [{"key": "T", "text": "正确"}, {"key": "F", "text": "错误"}],
    }
    valid, errors = validate_import([good, question])  # type: ignore[list-item]
    assert len(valid) == 1
    assert [e["index"] for e in errors] == [1]
    assert problem in errors[0]["message"]
