"""The exams service's rules, branch by branch, against the in-memory repository: late
submit, a save racing a submit, the best score, the attempt limit, overrides, a closed
year. No AWS."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.fakes.attempts import FakeAttempts, FakeBank
from tests.fakes.directory import CITY, COUNTY, UNIT, FakeDirectory, FakeYearBook
from xuefa.auth import Actor
from xuefa.clock import SHANGHAI, FixedClock
from xuefa.errors import (
    AttemptClosed,
    AttemptLimit,
    AttemptOpen,
    BadRequest,
    Duplicate,
    Forbidden,
    OutsideWindow,
    OverrideLimit,
    YearClosed,
)
from xuefa.exam_views import StartedAttempt
from xuefa.exams import Exams, Override
from xuefa.rules import load_packaged_year

LEARNER = Actor("530402000001", frozenset({"learners"}), UNIT)
CITY_ADMIN = Actor("city_admin", frozenset({"admins"}), CITY)
COUNTY_ADMIN = Actor("county_530402", frozenset({"admins"}), COUNTY)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2017, 9, 20, 20, 0, tzinfo=SHANGHAI))


@pytest.fixture
def attempts() -> FakeAttempts:
    directory = FakeDirectory()
    directory.add_learner(LEARNER.username)
    return FakeAttempts(FakeYearBook(load_packaged_year(2017)), directory)


@pytest.fixture
def exams(attempts: FakeAttempts, clock: FixedClock) -> Exams:
    return Exams(attempts, attempts.years, FakeBank(), attempts.directory, clock)  # type: ignore[arg-type]  # the fake bank


def right(started: StartedAttempt, count: int) -> dict[str, list[str]]:
    """`count` right answers: in the fake bank the right option is the one labelled from A."""
    answers = {}
    for question in started.questions[:count]:
        shown = next(o.key for o in question.options if o.text == "选项A")
        answers[question.question_id] = [shown]
    return answers


def test_an_attempt_gets_fifty_questions_and_a_deadline(exams: Exams) -> None:
    started = exams.start(LEARNER, 2017)
    assert (started.attempt_no, len(started.questions)) == (1, 50)
    assert started.deadline == "2017-09-20T21:30:00+08:00"
    with pytest.raises(AttemptOpen) as open_one:
        exams.start(LEARNER, 2017)
    assert open_one.value.details == {"open_attempt_no": 1}


def test_saved_and_sent_answers_are_graded_together(exams: Exams) -> None:
    started = exams.start(LEARNER, 2017)
    answers = right(started, 30)
    saved = dict(list(answers.items())[:20])
    assert exams.save_answers(LEARNER, 2017, 1, saved).saved == 20
    sent = dict(list(answers.items())[20:])
    outcome = exams.submit(LEARNER, 2017, 1, sent)
    assert (outcome.score, outcome.best_score, outcome.passed_exam_part) == (60, 60, True)
    assert exams.submit(LEARNER, 2017, 1, None).score == 60  # a second submit: the same


def test_a_late_submit_is_graded_on_what_was_saved_before_the_deadline(
    exams: Exams, clock: FixedClock
) -> None:
    started = exams.start(LEARNER, 2017)
    answers = right(started, 40)
    exams.save_answers(LEARNER, 2017, 1, dict(list(answers.items())[:10]))
    clock.advance(minutes=92)  # past the deadline and its minute of grace
    with pytest.raises(AttemptClosed):
        exams.save_answers(LEARNER, 2017, 1, answers)
    outcome = exams.submit(LEARNER, 2017, 1, answers)
    assert (outcome.score, outcome.late) == (20, True)


def test_an_answer_saved_while_the_submit_grades_is_graded_too(
    exams: Exams, attempts: FakeAttempts, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = exams.start(LEARNER, 2017)
    first, second = list(right(started, 2).items())
    exams.save_answers(LEARNER, 2017, 1, dict([first]))
    real_close = attempts.close
    raced: list[bool] = []

    def a_save_lands_first(closing: Any) -> bool:
        """Between the submit's read and its write, another device saves an answer."""
        if not raced:
            raced.append(True)
            exams.save_answers(LEARNER, 2017, 1, dict([second]))
        return real_close(closing)

    monkeypatch.setattr(attempts, "close", a_save_lands_first)
    assert exams.submit(LEARNER, 2017, 1, None).score == 4  # both saved answers count


def test_the_best_score_never_falls_and_eight_attempts_are_all(exams: Exams) -> None:
    scores = []
    for attempt_no, right_ones in enumerate([40, 10, 45, 5, 0, 1, 2, 3], start=1):
        started = exams.start(LEARNER, 2017)
        outcome = exams.submit(LEARNER, 2017, attempt_no, right(started, right_ones))
        scores.append((outcome.score, outcome.best_score))
    assert scores[:3] == [(80, 80), (20, 80), (90, 90)]
    assert scores[-1] == (6, 90)
    with pytest.raises(AttemptLimit):
        exams.start(LEARNER, 2017)


def test_answers_not_on_the_paper_are_refused_and_nothing_is_saved(
    exams: Exams, attempts: FakeAttempts
) -> None:
    started = exams.start(LEARNER, 2017)
    question = started.questions[0].question_id
    for bad in ({"q-not-here": ["A"]}, {question: ["E"]}, {question: ["A", "B"]}, {question: "A"}):
        with pytest.raises(BadRequest):
            exams.save_answers(LEARNER, 2017, 1, bad)
    assert exams.attempt(LEARNER, 2017, 1).answers == {}


def test_a_forgotten_attempt_is_graded_at_the_next_look(exams: Exams, clock: FixedClock) -> None:
    started = exams.start(LEARNER, 2017)
    exams.save_answers(LEARNER, 2017, 1, right(started, 5))
    clock.advance(hours=3)
    summary = exams.summary(LEARNER, 2017)
    assert (summary.open_attempt_no, summary.best_score) == (None, 10)
    assert [i.state for i in exams.history(LEARNER, 2017).items] == ["submitted"]


def test_outside_the_window_nothing_starts_and_after_the_year_nothing_is_submitted(
    exams: Exams, clock: FixedClock
) -> None:
    clock.set(datetime(2017, 10, 1, 0, 0, tzinfo=SHANGHAI))
    with pytest.raises(OutsideWindow):
        exams.start(LEARNER, 2017)
    clock.set(datetime(2017, 9, 30, 23, 0, tzinfo=SHANGHAI))
    exams.start(LEARNER, 2017)
    clock.set(datetime(2017, 12, 1, 0, 5, tzinfo=SHANGHAI))
    with pytest.raises(YearClosed):
        exams.submit(LEARNER, 2017, 1, None)


def test_overrides_stay_inside_the_policy_and_repeat_safely(
    exams: Exams, clock: FixedClock
) -> None:
    def override(override_id: str, extra: int) -> Override:
        return Override(
            override_id=override_id,
            student_no=LEARNER.username,
            extra_attempts=extra,
            reason="补考",
        )

    with pytest.raises(Forbidden):  # in 2017 only the city grants
        exams.override(COUNTY_ADMIN, 2017, override("o-1", 1))
    assert exams.override(CITY_ADMIN, 2017, override("o-1", 1)).max_attempts == 9
    assert exams.override(CITY_ADMIN, 2017, override("o-1", 1)).max_attempts == 9  # again
    with pytest.raises(Duplicate):
        exams.override(CITY_ADMIN, 2017, override("o-1", 2))
    with pytest.raises(OverrideLimit):
        exams.override(CITY_ADMIN, 2017, override("o-2", 2))  # 1 + 2 > the year's 2
    assert exams.override(CITY_ADMIN, 2017, override("o-3", 1)).max_attempts == 10
