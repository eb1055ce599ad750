"""Drawing, shuffling and grading without AWS."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from infra.local import seed
from xuefa.core.errors import BadRequest, Internal
from xuefa.exams.papers import (
    Drawn,
    attempt_rng,
    check_answers,
    draw,
    grade,
    make_paper,
    rebuilt,
    shapes_of,
)
from xuefa.exams.questions import validate_import
from xuefa.years.rules import PaperRules, exact_score, shown

BANK = seed.bank()
RULES = PaperRules()
BY_ID = {q.question_id: q for q in BANK}


def paper_of(attempt_no: int, rules: PaperRules = RULES, student_no: str = "530402000001"):
    """A paper as a start draws it: the attempt's salt seeds the draw and keys its ids."""
    salt = f"salt-{student_no}-{attempt_no}"
    return make_paper(BANK, rules, attempt_rng(student_no, 2017, attempt_no, salt), salt)


def test_a_paper_has_fifty_distinct_questions_from_the_bank() -> None:
    paper = paper_of(1)
    assert len(paper) == 50
    assert len({q.question_id for q in paper}) == len({q.bank_id for q in paper}) == 50
    assert {q.bank_id for q in paper} <= set(BY_ID)
    assert all(BY_ID[q.bank_id].stem == q.stem for q in paper)


def test_the_same_attempt_always_shows_the_same_paper_and_order() -> None:
    assert [q.model_dump() for q in paper_of(1)] == [q.model_dump() for q in paper_of(1)]


def test_other_attempts_draw_other_papers() -> None:
    assert [q.bank_id for q in paper_of(1)] != [q.bank_id for q in paper_of(2)]


def test_question_ids_cannot_be_matched_across_papers() -> None:
    """Two papers share many of their bank questions, and not one id: nothing seen on
    one paper (not an id, nor the bank's) names a question on the other."""
    first, second = paper_of(1), paper_of(2)
    shared = {q.bank_id for q in first} & {q.bank_id for q in second}
    assert len(shared) >= 10
    assert not {q.question_id for q in first} & {q.question_id for q in second}
    shown = " ".join(str(q.public()) for q in first)
    assert not any(bank_id in shown for bank_id in BY_ID)


def test_options_are_shuffled_and_relabelled_but_the_answer_follows() -> None:
    question = next(q for q in BANK if q.stem.startswith("中华人民共和国的一切权力属于"))
    right_text = next(o.text for o in question.options if o.key in question.answer)
    orders = set()
    for attempt_no in range(1, 30):
        paper = paper_of(attempt_no, PaperRules(questions_per_paper=len(BANK)), "x")
        shown = next(q for q in paper if q.bank_id == question.question_id)
        assert [o["key"] for o in shown.options] == ["A", "B", "C", "D"]
        orders.add(tuple(o["text"] for o in shown.options))
        (label,) = shown.answer
        assert next(o["text"] for o in shown.options if o["key"] == label) == right_text
    assert len(orders) > 5


def test_judge_questions_are_shuffled_like_the_others() -> None:
    """正确 comes first on about half the papers (seeded: 400 papers; a fair coin lands
    within 200 ± 60, eight standard deviations, except once in 10^15), and the key
    follows the text, so a label says nothing across papers."""
    judge = [q for q in BANK if q.type == "judge"]
    assert judge
    rules = PaperRules(questions_per_paper=len(BANK))
    true_first, right_is_a = 0, 0
    for attempt_no in range(1, 401):
        paper = paper_of(attempt_no, rules, "judge")
        shown = next(q for q in paper if q.bank_id == judge[0].question_id)
        texts = [o["text"] for o in shown.options]
        assert sorted(texts) == sorted(o.text for o in judge[0].options)
        true_first += texts[0] == "正确"
        right_text = next(o.text for o in judge[0].options if o.key in judge[0].answer)
        (label,) = shown.answer
        assert next(o["text"] for o in shown.options if o["key"] == label) == right_text
        right_is_a += label == "A"
    assert 140 <= true_first <= 260
    assert 140 <= right_is_a <= 260


def test_a_category_quota_is_honoured() -> None:
    rules = PaperRules(questions_per_paper=20, category_quota={"宪法": 12, "行政法": 8})
    paper = draw(BANK, rules, attempt_rng("x", 2017, 1, "s"))
    categories = [q.category for q in paper]
    assert categories.count("宪法") == 12
    assert categories.count("行政法") == 8


def _paper(count: int = 50) -> list:
    return paper_of(9, PaperRules(questions_per_paper=count), "x")


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


def test_a_paper_stores_what_was_drawn_and_is_shown_again_the_same() -> None:
    paper = paper_of(1)
    refs = [Drawn.given(q).ref() for q in paper]
    assert all(ref.count("|") == 1 for ref in refs)  # version 1 goes unwritten
    assert sum(len(ref) + 1 for ref in refs) < 1000  # the paper: one write unit
    salt = "salt-530402000001-1"
    again = rebuilt([Drawn.of(r) for r in refs], salt, lambda qid, v: BY_ID.get(qid))
    assert again == paper  # same ids, order, labels and key


def test_a_later_version_is_named_and_a_missing_one_is_an_error() -> None:
    drawn = Drawn("q-1", 3, "BADC")
    assert Drawn.of(drawn.ref()) == drawn and drawn.ref() == "q-1|3|BADC"
    with pytest.raises(Internal):
        rebuilt([drawn], "s", lambda qid, v: None)
