"""Item statistics of a year's exam pool, classical test theory as Moodle's quiz
statistics report has it; pure, typed, no AWS.

Definitions (each paper is one learner's first graded attempt; a question is right only
with the exact set of its key, as `exams.papers.grade` scores it):

- drawn: how many papers the question was on (papers draw from the pool at random).
- facility: the share of those papers on which it was right (full marks).
- the groups: papers ranked by their score (earned / possible points; ties by the order
  they were folded, so a run is repeatable); the upper and the lower `round(27 % of N)`
  (Kelley 1939), at least one each once there are two papers. Each question's
  discrimination index is the share right among the upper group's papers that drew it
  less the lower group's (Moodle's "discrimination index" is the correlation below; this
  is the classical upper-lower index D = p_U - p_L).
- point-biserial: Pearson's r between the item (1 right, 0 not) and the rest of the paper
  (the paper's points less this item's), over the papers that drew it: the corrected
  item-rest correlation, as Moodle's discrimination index.
- each option's picks (bank keys, so the same option however it was shuffled): in all,
  in the upper and in the lower group; several per paper for a multiple-choice question.
- KR-20 on number-right scores: k / (k - 1) * (1 - E[sum p_i q_i] / var(X)), with k the
  questions on a paper, the expectation of sum p_i q_i over the papers (each paper's own
  questions' p q), and var(X) the population variance of the papers' number right. With
  one paper for everyone it is the textbook KR-20; with drawn papers it estimates it.
- the score distribution: the papers' percentage scores in ten bins, 0-9 … 90-100.

Flags: `too_easy` facility > 0.95, `too_hard` < 0.2, `low_discrimination` D < 0.1 (and
`negative_discrimination` D < 0), `unused_option` an option no paper picked, `key_suspect`
a wrong option the upper group picked more often than the key (than its least picked
option, for a multiple-choice question): keyed wrong?

Memory: the groups need every paper's total before any question can be counted, so the
fold keeps each paper compactly (arrays of machine integers: per question on it, its
index in the pool, the options chosen as a bit mask and whether it was right; per paper,
its points) and counts in a second pass over those arrays, not over DynamoDB again. A
question on a paper costs 4 bytes: 100,000 papers of 50 questions hold ~21 MB (bench:
tests/bench/bench_analysis.py), against reading the attempts twice.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

GROUP_SHARE = 0.27  # Kelley's upper and lower 27 %
TOO_EASY = 0.95
TOO_HARD = 0.2
LOW_DISCRIMINATION = 0.1
BINS = 10
RIGHT = 1 << 8  # on a paper's question: the bit beside the option mask that says right
MASK = RIGHT - 1
MAX_OPTIONS = 8


@dataclass(frozen=True)
class PoolQuestion:
    """A question of the year's pool: its option keys in the bank's order and its key."""

    question_id: str
    type: str
    options: tuple[str, ...]
    answer: tuple[str, ...]
    category: str = ""


@dataclass(frozen=True)
class Response:
    """One question on one paper: the options chosen (bank keys), whether it was right,
    and what it was worth."""

    question_id: str
    chosen: tuple[str, ...]
    right: bool
    points: int


@dataclass(frozen=True)
class OptionCount:
    key: str
    is_key: bool
    picked: int
    upper: int
    lower: int


@dataclass(frozen=True)
class ItemStatistics:
    question_id: str
    type: str
    category: str
    drawn: int
    right: int
    facility: float | None
    upper_drawn: int
    lower_drawn: int
    upper_facility: float | None
    lower_facility: float | None
    discrimination: float | None
    point_biserial: float | None
    options: tuple[OptionCount, ...]
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Bin:
    low: int  # percent, inclusive
    high: int  # percent, exclusive but for the last bin, which holds 100
    papers: int


@dataclass(frozen=True)
class PaperStatistics:
    papers: int
    group_size: int
    questions_per_paper: float
    mean_percent: float | None
    sd_percent: float | None
    kr20: float | None
    histogram: tuple[Bin, ...]


@dataclass(frozen=True)
class Analysis:
    paper: PaperStatistics
    items: tuple[ItemStatistics, ...]


def group_size(papers: int, share: float = GROUP_SHARE) -> int:
    """Each group's size: 27 % of the papers, rounded half up; one each from two papers."""
    if papers < 2:
        return 0
    return max(1, min(papers // 2, math.floor(papers * share + 0.5)))


@dataclass
class _Item:
    """A question's counters in the second pass."""

    question: PoolQuestion
    drawn: int = 0
    right: int = 0
    upper_drawn: int = 0
    upper_right: int = 0
    lower_drawn: int = 0
    lower_right: int = 0
    rest: float = 0.0  # the sums of the rest score, its square and its product with x
    rest2: float = 0.0
    rest_x: float = 0.0
    picked: list[int] = field(default_factory=list)
    upper: list[int] = field(default_factory=list)
    lower: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        width = len(self.question.options)
        self.picked, self.upper, self.lower = [0] * width, [0] * width, [0] * width


class Fold:
    """Papers folded one at a time into compact arrays; `result()` counts them."""

    def __init__(self, pool: Iterable[PoolQuestion], share: float = GROUP_SHARE):
        self.share = share
        self.questions: list[PoolQuestion] = []
        self.index: dict[str, int] = {}
        self.points = array("H")  # each question's points, by pool index
        for question in pool:
            self._register(question, 0)
        self.starts = array("I", [0])  # paper n's questions: cells starts[n]..starts[n+1]
        self.earned = array("I")
        self.possible = array("I")
        self.cells = array("H")  # per question on a paper: its pool index
        self.marks = array("H")  # … and its options chosen (bit i: option i), RIGHT if right

    def _register(self, question: PoolQuestion, points: int) -> int:
        if len(question.options) > MAX_OPTIONS:
            raise ValueError(f"{question.question_id}: more than {MAX_OPTIONS} options")
        self.index[question.question_id] = len(self.questions)
        self.questions.append(question)
        self.points.append(points)
        return len(self.questions) - 1

    def _index_of(self, response: Response) -> int:
        """The pool index; a question no longer in the pool is counted all the same, with
        the options its papers show."""
        found = self.index.get(response.question_id)
        if found is None:
            found = self._register(
                PoolQuestion(response.question_id, "unknown", (), ()), response.points
            )
        self.points[found] = response.points
        return found

    def _mask(self, position: int, chosen: Sequence[str]) -> int:
        question = self.questions[position]
        mask = 0
        for key in chosen:
            if key not in question.options:  # an option only a paper shows (bank changed)
                if len(question.options) >= MAX_OPTIONS:
                    continue  # no bit left for it: the question's own figures still count
                question = _with_option(question, key)
                self.questions[position] = question
            mask |= 1 << question.options.index(key)
        return mask

    def add(self, responses: Sequence[Response]) -> None:
        """One paper."""
        earned = possible = 0
        for response in responses:
            position = self._index_of(response)
            mark = self._mask(position, response.chosen) | (RIGHT if response.right else 0)
            self.cells.append(position)
            self.marks.append(mark)
            possible += response.points
            earned += response.points if response.right else 0
        self.earned.append(earned)
        self.possible.append(possible)
        self.starts.append(len(self.cells))

    @property
    def papers(self) -> int:
        return len(self.earned)

    def result(self) -> Analysis:
        count = self.papers
        size = group_size(count, self.share)
        ranked = sorted(range(count), key=self._percent)
        lower, upper = set(ranked[:size]), set(ranked[count - size :]) if size else set()
        items = [_Item(question) for question in self.questions]
        number_right = self._count(items, upper, lower)
        return Analysis(
            paper=self._paper(size, items, number_right),
            items=tuple(_statistics(item) for item in items),
        )

    def _percent(self, paper: int) -> float:
        possible = self.possible[paper]
        return self.earned[paper] / possible if possible else 0.0

    def _count(self, items: list[_Item], upper: set[int], lower: set[int]) -> list[int]:
        """The second pass, over the arrays: every question's counters; each paper's
        number right (for KR-20)."""
        starts, cells, marks, points, earned_of = (
            self.starts,
            self.cells,
            self.marks,
            self.points,
            self.earned,
        )
        number_right = []
        for paper in range(self.papers):
            earned = earned_of[paper]
            in_upper, in_lower = paper in upper, paper in lower
            right = 0
            for cell in range(starts[paper], starts[paper + 1]):
                position, mark = cells[cell], marks[cell]
                item = items[position]
                x = 1 if mark & RIGHT else 0
                right += x
                rest = earned - x * points[position]
                item.drawn += 1
                item.right += x
                item.rest += rest
                item.rest2 += rest * rest
                item.rest_x += rest * x
                _count_options(item.picked, mark)
                if in_upper:
                    item.upper_drawn += 1
                    item.upper_right += x
                    _count_options(item.upper, mark)
                if in_lower:
                    item.lower_drawn += 1
                    item.lower_right += x
                    _count_options(item.lower, mark)
            number_right.append(right)
        return number_right

    def _paper(self, size: int, items: list[_Item], number_right: list[int]) -> PaperStatistics:
        count = self.papers
        percents = [100 * self._percent(paper) for paper in range(count)]
        return PaperStatistics(
            papers=count,
            group_size=size,
            questions_per_paper=len(self.cells) / count if count else 0.0,
            mean_percent=_mean(percents),
            sd_percent=_sd(percents),
            kr20=_kr20(items, number_right),
            histogram=histogram(percents),
        )


def _kr20(items: list[_Item], number_right: list[int]) -> float | None:
    """E[sum p q] over the papers is the sum over questions of drawn * p q, divided by
    the papers: each time a question is on a paper it brings its p q."""
    count = len(number_right)
    if count < 2:
        return None
    pq_total = sum(
        item.right * (item.drawn - item.right) / item.drawn for item in items if item.drawn
    )
    k = sum(item.drawn for item in items) / count
    variance = _variance(number_right)
    if k <= 1 or not variance:
        return None
    return k / (k - 1) * (1 - (pq_total / count) / variance)


def _with_option(question: PoolQuestion, key: str) -> PoolQuestion:
    return PoolQuestion(
        question.question_id,
        question.type,
        (*question.options, key),
        question.answer,
        question.category,
    )


def _count_options(counts: list[int], mark: int) -> None:
    options = mark & MASK
    while options:
        low = options & -options
        position = low.bit_length() - 1
        while position >= len(counts):  # an option registered after the item was made
            counts.append(0)
        counts[position] += 1
        options ^= low


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _statistics(item: _Item) -> ItemStatistics:
    question = item.question
    facility = _share(item.right, item.drawn)
    upper, lower = (
        _share(item.upper_right, item.upper_drawn),
        _share(item.lower_right, item.lower_drawn),
    )
    discrimination = upper - lower if upper is not None and lower is not None else None
    options = tuple(
        OptionCount(
            key=key,
            is_key=key in question.answer,
            picked=_at(item.picked, i),
            upper=_at(item.upper, i),
            lower=_at(item.lower, i),
        )
        for i, key in enumerate(question.options)
    )
    return ItemStatistics(
        question_id=question.question_id,
        type=question.type,
        category=question.category,
        drawn=item.drawn,
        right=item.right,
        facility=facility,
        upper_drawn=item.upper_drawn,
        lower_drawn=item.lower_drawn,
        upper_facility=upper,
        lower_facility=lower,
        discrimination=discrimination,
        point_biserial=_point_biserial(item),
        options=options,
        flags=flags(item.drawn, facility, discrimination, options),
    )


def _at(counts: list[int], position: int) -> int:
    return counts[position] if position < len(counts) else 0


def _point_biserial(item: _Item) -> float | None:
    """Pearson's r of x (0/1) and the rest score, from the sums (None without spread)."""
    n = item.drawn
    if n < 2:
        return None
    p = item.right / n
    mean_rest = item.rest / n
    var_rest = item.rest2 / n - mean_rest * mean_rest
    var_x = p * (1 - p)
    if var_x <= 0 or var_rest <= 1e-12:
        return None
    covariance = item.rest_x / n - p * mean_rest
    return covariance / math.sqrt(var_x * var_rest)


def flags(
    drawn: int,
    facility: float | None,
    discrimination: float | None,
    options: Sequence[OptionCount],
) -> tuple[str, ...]:
    """What an admin should look at; a question never drawn has nothing to say."""
    if not drawn or facility is None:
        return ()
    found = []
    if facility > TOO_EASY:
        found.append("too_easy")
    if facility < TOO_HARD:
        found.append("too_hard")
    if discrimination is not None and discrimination < LOW_DISCRIMINATION:
        found.append("low_discrimination")
    if discrimination is not None and discrimination < 0:
        found.append("negative_discrimination")
    if any(option.picked == 0 for option in options):
        found.append("unused_option")
    keys = [option.upper for option in options if option.is_key]
    wrong = [option.upper for option in options if not option.is_key]
    if keys and wrong and max(wrong) > min(keys):
        found.append("key_suspect")
    return tuple(found)


def histogram(percents: Iterable[float]) -> tuple[Bin, ...]:
    """Ten bins of ten points; 100 falls in the last."""
    counts = [0] * BINS
    for percent in percents:
        # a hair of tolerance: 100 * 9 / 10 may come out a hair under 90
        counts[min(BINS - 1, max(0, int((percent + 1e-9) // 10)))] += 1
    return tuple(Bin(low=10 * i, high=10 * (i + 1), papers=n) for i, n in enumerate(counts))


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _variance(values: Sequence[float]) -> float:
    """Population variance (divided by N, as KR-20's p q are)."""
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def _sd(values: Sequence[float]) -> float | None:
    return math.sqrt(_variance(values)) if values else None
