"""Item statistics (#28.1) against small cases worked by hand, and a published worked
example of the upper-lower discrimination index."""

from __future__ import annotations

import pytest

from xuefa.analysis.statistics import (
    Fold,
    OptionCount,
    PoolQuestion,
    Response,
    flags,
    group_size,
)

SINGLE = PoolQuestion("q1", "single", ("A", "B", "C"), ("A",))
JUDGE = PoolQuestion("q2", "judge", ("A", "B"), ("B",))


def paper(*answers: tuple[PoolQuestion, tuple[str, ...]]) -> list[Response]:
    return [
        Response(q.question_id, chosen, tuple(sorted(chosen)) == q.answer, 1)
        for q, chosen in answers
    ]


def by_id(fold: Fold) -> dict[str, object]:
    return {item.question_id: item for item in fold.result().items}


def test_four_papers_of_two_questions() -> None:
    """Scores 2, 1, 1, 0 of 2. Groups: round(0.27 * 4) = 1 paper each; ranked 0 (P3),
    1 (P1), 1 (P2), 2 (P0), ties in the order folded: lower {P3}, upper {P0}.
    q1: right on P0, P1 -> facility 2/4; upper right, lower wrong -> D = 1 - 0 = 1.
    Its rest scores (total less q1's point) 1, 0, 1, 0 against x 1, 1, 0, 0: the means
    are 1/2 and 1/2, mean(x * rest) = 1/4, so the covariance and r are 0.
    KR-20: k = 2, p q = 1/4 each, sum 1/2; number right 2, 1, 1, 0 has mean 1 and
    variance (1 + 0 + 0 + 1) / 4 = 1/2: 2 / 1 * (1 - (1/2) / (1/2)) = 0.
    Percentages 100, 50, 50, 0: mean 50, sd sqrt((2500 + 0 + 0 + 2500) / 4) = 35.355."""
    fold = Fold([SINGLE, JUDGE])
    fold.add(paper((SINGLE, ("A",)), (JUDGE, ("B",))))
    fold.add(paper((SINGLE, ("A",)), (JUDGE, ("A",))))
    fold.add(paper((SINGLE, ("B",)), (JUDGE, ("B",))))
    fold.add(paper((SINGLE, ("B",)), (JUDGE, ("A",))))
    result = fold.result()
    q1 = result.items[0]
    assert (q1.drawn, q1.right, q1.facility) == (4, 2, 0.5)
    assert (q1.upper_drawn, q1.lower_drawn) == (1, 1)
    assert q1.discrimination == 1.0
    assert q1.point_biserial == pytest.approx(0.0, abs=1e-12)
    assert q1.options == (
        OptionCount("A", True, picked=2, upper=1, lower=0),
        OptionCount("B", False, picked=2, upper=0, lower=1),
        OptionCount("C", False, picked=0, upper=0, lower=0),
    )
    assert q1.flags == ("unused_option",)
    assert result.items[1].flags == ()
    assert result.paper.papers == 4 and result.paper.group_size == 1
    assert result.paper.kr20 == pytest.approx(0.0, abs=1e-12)
    assert result.paper.mean_percent == 50.0
    assert result.paper.sd_percent == pytest.approx(35.3553, abs=1e-4)
    assert [b.papers for b in result.paper.histogram] == [1, 0, 0, 0, 0, 2, 0, 0, 0, 1]


def test_five_papers_of_three_questions() -> None:
    """Right (1) or wrong (0), a point each:
        P0 1 1 1 = 3    P1 1 1 0 = 2    P2 1 0 1 = 2    P3 0 1 0 = 1    P4 0 0 0 = 0
    Item 1: x 1 1 1 0 0, rest 2 1 1 1 0; p = 0.6, mean rest 1, var rest 2/5 = 0.4,
    cov = (2 + 1 + 1) / 5 - 0.6 * 1 = 0.2; r = 0.2 / sqrt(0.24 * 0.4) = 0.645497.
    KR-20: p = 0.6, 0.6, 0.4, p q = 0.24 each, sum 0.72; X = 3 2 2 1 0, mean 1.6,
    var = (1.96 + 0.16 + 0.16 + 0.36 + 2.56) / 5 = 1.04;
    3 / 2 * (1 - 0.72 / 1.04) = 0.461538.
    Groups of round(1.35) = 1: lower {P4}, upper {P0}; item 3: D = 1 - 0 = 1."""
    items = [PoolQuestion(f"i{n}", "judge", ("A", "B"), ("A",)) for n in (1, 2, 3)]
    fold = Fold(items)
    for row in ("111", "110", "101", "010", "000"):
        fold.add(
            paper(*((q, ("A",) if c == "1" else ("B",)) for q, c in zip(items, row, strict=True)))
        )
    result = fold.result()
    i1, i2, i3 = result.items
    assert i1.point_biserial == pytest.approx(0.645497, abs=1e-6)
    assert result.paper.kr20 == pytest.approx(0.461538, abs=1e-6)
    assert i3.discrimination == 1.0 and i3.facility == 0.4
    assert i2.facility == 0.6


def test_a_question_the_best_get_wrong_is_flagged() -> None:
    """q (A is the key) and three fillers f1-f3, a point each:
        P0 q:B f 1 1 1 = 3   P1 q:B f 1 1 0 = 2   P2 q:A f 0 0 0 = 1   P3 q:B f 1 0 1 = 2
    Ranked 1 (P2), 2 (P1), 2 (P3), 3 (P0): lower {P2} got q right, upper {P0} wrong:
    D = 0 - 1 = -1; the upper group picked B once and the key A never: keyed wrong?
    C and D nobody picked. Facility 1/4 = 0.25 is neither too easy nor too hard."""
    q = PoolQuestion("q", "single", ("A", "B", "C", "D"), ("A",))
    fillers = [PoolQuestion(f"f{n}", "judge", ("A", "B"), ("A",)) for n in (1, 2, 3)]
    fold = Fold([q, *fillers])
    for chosen, row in (("B", "111"), ("B", "110"), ("A", "000"), ("B", "101")):
        rest = ((f, ("A",) if c == "1" else ("B",)) for f, c in zip(fillers, row, strict=True))
        fold.add(paper((q, (chosen,)), *rest))
    item = by_id(fold)["q"]
    assert item.discrimination == -1.0  # type: ignore[attr-defined]
    assert item.facility == 0.25  # type: ignore[attr-defined]
    assert item.flags == (  # type: ignore[attr-defined]
        "low_discrimination",
        "negative_discrimination",
        "unused_option",
        "key_suspect",
    )


def test_a_multiple_choice_questions_options_are_counted_each() -> None:
    """Key A+C. P0 picks A, C (right, 1 of 1); P1 picks A, B (wrong, 0). Groups of one:
    upper P0, lower P1. A: 2 picks (1 upper, 1 lower), B: 1 (lower), C: 1 (upper), D: 0.
    The key's least picked option in the upper group (C: 1) is never beaten: no
    key_suspect."""
    multiple = PoolQuestion("m", "multiple", ("A", "B", "C", "D"), ("A", "C"))
    fold = Fold([multiple])
    fold.add(paper((multiple, ("A", "C"))))
    fold.add(paper((multiple, ("A", "B"))))
    item = fold.result().items[0]
    assert [(o.key, o.picked, o.upper, o.lower) for o in item.options] == [
        ("A", 2, 1, 1),
        ("B", 1, 0, 1),
        ("C", 1, 1, 0),
        ("D", 0, 0, 0),
    ]
    assert item.facility == 0.5 and item.discrimination == 1.0
    assert item.flags == ("unused_option",)


def option(key: str, is_key: bool, upper: int, picked: int = 5) -> OptionCount:
    return OptionCount(key, is_key, picked, upper, 0)


@pytest.mark.parametrize(
    ("facility", "expected"),
    [(0.96, ("too_easy",)), (0.95, ()), (0.2, ()), (0.19, ("too_hard",))],
)
def test_easy_and_hard_at_their_boundaries(facility: float, expected: tuple[str, ...]) -> None:
    options = [option("A", True, 3), option("B", False, 1)]
    assert flags(10, facility, 0.3, options) == expected


def test_discrimination_at_its_boundary_and_a_never_drawn_question() -> None:
    options = [option("A", True, 3), option("B", False, 1)]
    assert flags(10, 0.5, 0.1, options) == ()
    assert flags(10, 0.5, 0.09, options) == ("low_discrimination",)
    assert flags(0, None, None, options) == ()


def test_a_question_no_paper_drew_and_one_no_longer_in_the_pool() -> None:
    """q2 was never drawn: no figures, no flags. A question the pool no longer holds is
    counted all the same, with the options its papers showed."""
    fold = Fold([SINGLE, JUDGE])
    fold.add([Response("gone", ("B",), False, 2), Response("q1", ("A",), True, 2)])
    q1, q2, gone = fold.result().items
    assert (q2.question_id, q2.drawn, q2.facility, q2.flags) == ("q2", 0, None, ())
    assert (gone.question_id, gone.drawn, gone.facility) == ("gone", 1, 0.0)
    assert [(o.key, o.picked) for o in gone.options] == [("B", 1)]
    assert q1.facility == 1.0
    assert fold.result().paper.kr20 is None  # one paper: no variance


def test_group_sizes() -> None:
    """27 % rounded half up; one each from two papers; nothing from one."""
    assert [group_size(n) for n in (0, 1, 2, 3, 4, 100, 120, 1000)] == [
        0,
        0,
        1,
        1,
        1,
        27,
        32,
        270,
    ]


def graded_population(total: int, upper_right: int, middle_right: int, lower_right: int) -> Fold:
    """`total` papers of the item studied and ten fillers, in three bands of totals that
    never overlap: the lower 27 % right on no filler, the middle on four, the upper on
    nine; the item itself right on as many papers of each band as asked."""
    item = PoolQuestion("item", "single", ("A", "B", "C", "D"), ("A",))
    fillers = [PoolQuestion(f"f{n}", "judge", ("A", "B"), ("A",)) for n in range(10)]
    fold = Fold([item, *fillers])
    size = group_size(total)
    bands = [(size, 0, lower_right), (total - 2 * size, 4, middle_right), (size, 9, upper_right)]
    for count, filler_right, item_right in bands:
        for n in range(count):
            chosen = "A" if n < item_right else "B"
            rest = [(f, ("A",) if i < filler_right else ("B",)) for i, f in enumerate(fillers)]
            fold.add(paper((item, (chosen,)), *rest))
    return fold


def test_the_published_worked_examples_of_the_discrimination_index() -> None:
    """Filo's worked examples of the 27 % method
    (https://askfilo.com/user-question-answers-smart-solutions/define-the-term-discrimination-index-and-provide-the-details-3432303630313537):
    1. 100 candidates, groups of 27, 22 of the top group right and 11 of the bottom:
       D = 22/27 - 11/27 = 11/27 = 0.4074.
    2. 120 candidates, groups of 32 ("approx 27 %"), 12 of the top right and 18 of the
       bottom: D = 12/32 - 18/32 = -0.1875 (favours low scorers: a key error?).
    The index is the same as UCLA's DI = (a - b) / n over the upper and lower 27 %
    (https://teaching.ucla.edu/test-scoring/interpretation-of-statistics/)."""
    first = graded_population(100, upper_right=22, middle_right=23, lower_right=11)
    item = first.result().items[0]
    assert first.result().paper.group_size == 27
    assert (item.upper_drawn, item.lower_drawn) == (27, 27)
    assert item.discrimination == pytest.approx(0.4074, abs=1e-4)
    second = graded_population(120, upper_right=12, middle_right=30, lower_right=18)
    item = second.result().items[0]
    assert second.result().paper.group_size == 32
    assert item.discrimination == pytest.approx(-0.1875, abs=1e-12)
    assert "negative_discrimination" in item.flags


def test_a_papers_shown_labels_are_counted_under_the_banks_keys() -> None:
    """The paper showed the bank's options C, A, B as A, B, C (the key, bank A, shown as
    B). A learner who chose shown B chose bank A, and was right; one who chose shown A
    chose bank C. An option the bank no longer has is counted under its shown label in
    lower case (c), never under a bank key."""
    from xuefa.analysis.job import responses_of
    from xuefa.analysis.repository import GradedPaper
    from xuefa.exams.papers import PaperQuestion
    from xuefa.exams.questions import Question

    bank = Question.model_validate(
        {
            "question_id": "b1",
            "type": "single",
            "stem": "宪法是国家的根本法吗？",
            "options": [
                {"key": "A", "text": "是"},
                {"key": "B", "text": "不是"},
                {"key": "C", "text": "不一定"},
            ],
            "answer": ["A"],
        }
    )
    shown = PaperQuestion(
        question_id="p-xyz",
        type="single",
        stem=bank.stem,
        options=[
            {"key": "A", "text": "不一定"},
            {"key": "B", "text": "是"},
            {"key": "C", "text": "改过的选项"},
        ],
        answer=["B"],
        points=2,
        category="general",
        source_id="b1",
    )
    right = responses_of(GradedPaper([shown], {"p-xyz": ["B"]}), {"b1": bank})
    assert right == [Response("b1", ("A",), True, 2)]
    wrong = responses_of(GradedPaper([shown], {"p-xyz": ["A"]}), {"b1": bank})
    assert wrong == [Response("b1", ("C",), False, 2)]
    changed = responses_of(GradedPaper([shown], {"p-xyz": ["C"]}), {"b1": bank})
    assert changed == [Response("b1", ("c",), False, 2)]
    blank = responses_of(GradedPaper([shown], {}), {"b1": bank})
    assert blank == [Response("b1", (), False, 2)]
