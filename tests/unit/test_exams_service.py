"""The exams service's rules, branch by branch, against the in-memory repository: late
submit, a save racing a submit, the best score, the attempt limit, overrides, a closed
year. No AWS."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.fakes.attempts import FakeAttempts
from tests.fakes.directory import CITY, COUNTY, UNIT
from tests.fakes.storage import FakeStorage, fake_services
from xuefa.core.auth import Actor
from xuefa.core.clock import SHANGHAI, FixedClock
from xuefa.core.errors import (
    AttemptClosed,
    AttemptLimit,
    AttemptOpen,
    BadRequest,
    Conflict,
    Duplicate,
    Forbidden,
    OutsideWindow,
    OverrideLimit,
    YearClosed,
)
from xuefa.exams.service import Exams, Override
from xuefa.exams.views import StartedAttempt
from xuefa.years.rules import load_packaged_year

LEARNER = Actor("530402000001", frozenset({"learners"}), UNIT)
CITY_ADMIN = Actor("city_admin", frozenset({"admins"}), CITY)
COUNTY_ADMIN = Actor("county_530402", frozenset({"admins"}), COUNTY)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2017, 9, 20, 20, 0, tzinfo=SHANGHAI))


@pytest.fixture
def storage() -> FakeStorage:
    storage = FakeStorage(load_packaged_year(2017))
    storage.directory.add_learner(LEARNER.username)
    return storage


@pytest.fixture
def attempts(storage: FakeStorage) -> FakeAttempts:
    return storage.attempts


@pytest.fixture
def exams(storage: FakeStorage, clock: FixedClock) -> Exams:
    return fake_services(clock, storage).exams


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


# --- the review: no key until no one can sit ---------------------------------------

OTHER = "530402000002"
WINDOW_CLOSES = datetime(2017, 10, 1, 0, 0, tzinfo=SHANGHAI)
# the window's close plus a paper's 90 minutes and its minute of grace
REVIEW_OPENS = datetime(2017, 10, 1, 1, 31, tzinfo=SHANGHAI)


def later_close(override_id: str, closes_at: datetime, student_no: str = OTHER) -> Override:
    return Override(
        override_id=override_id, student_no=student_no, closes_at=closes_at, reason="系统故障补考"
    )


def sat_once(exams: Exams, right_ones: int = 10) -> StartedAttempt:
    started = exams.start(LEARNER, 2017)
    exams.submit(LEARNER, 2017, 1, right(started, right_ones))
    return started


def test_a_closed_attempt_shows_its_score_and_answers_only_while_anyone_can_sit(
    exams: Exams, clock: FixedClock
) -> None:
    started = sat_once(exams)
    for at in (datetime(2017, 9, 20, 22, 0, tzinfo=SHANGHAI), REVIEW_OPENS - timedelta(seconds=1)):
        clock.set(at)
        shown = exams.attempt(LEARNER, 2017, 1)
        assert (shown.score, shown.review_open, shown.review_opens_at) == (
            20,
            False,
            "2017-10-01T01:31:00+08:00",
        )
        assert shown.answers == right(started, 10)
        assert shown.correct is None and shown.review is None
        assert "key" not in shown.model_dump(exclude_unset=True)["questions"][0]


def test_after_the_moment_the_review_shows_the_key_per_question(
    exams: Exams, clock: FixedClock
) -> None:
    started = sat_once(exams)
    clock.set(REVIEW_OPENS)
    shown = exams.attempt(LEARNER, 2017, 1)
    assert shown.review_open is True and shown.review is not None and shown.correct is not None
    answered = right(started, 10)
    for question in started.questions:
        review = shown.review[question.question_id]
        key = next(o.key for o in question.options if o.text == "选项A")
        assert review.key == [key]
        assert review.correct is (question.question_id in answered)
        assert shown.correct[question.question_id] is review.correct
        assert review.bank_question_id.startswith("q")
        assert review.bank_question_id != question.question_id
    assert sum(shown.correct.values()) == 10


def test_an_override_keeps_the_key_closed_until_its_close_has_passed(
    exams: Exams, attempts: FakeAttempts, clock: FixedClock
) -> None:
    attempts.directory.add_learner(OTHER)
    sat_once(exams)
    exams.override(CITY_ADMIN, 2017, later_close("late-1", datetime(2017, 10, 5, tzinfo=SHANGHAI)))
    # an earlier close granted afterwards does not bring the moment back
    exams.override(CITY_ADMIN, 2017, later_close("late-2", datetime(2017, 10, 3, tzinfo=SHANGHAI)))
    clock.set(REVIEW_OPENS + timedelta(days=1))
    shown = exams.attempt(LEARNER, 2017, 1)
    assert (shown.review_open, shown.review_opens_at) == (False, "2017-10-05T01:31:00+08:00")
    assert shown.correct is None
    # the learner with the later close can still sit meanwhile
    assert exams.start(Actor(OTHER, frozenset({"learners"}), UNIT), 2017).attempt_no == 1
    clock.set(datetime(2017, 10, 5, 1, 31, tzinfo=SHANGHAI))
    assert exams.attempt(LEARNER, 2017, 1).review_open is True


def test_a_bulk_override_moves_the_moment_once_for_all_its_learners(
    exams: Exams, attempts: FakeAttempts, clock: FixedClock
) -> None:
    from xuefa.exams.service import BulkOverride

    sat_once(exams)
    bulk = BulkOverride(
        override_id="bulk-late",
        unit_id=UNIT,
        closes_at=datetime(2017, 10, 8, tzinfo=SHANGHAI),
        reason="单位停电",
    )
    attempts.directory.active_learners = lambda unit_id: list(  # type: ignore[method-assign]
        attempts.directory.profiles.values()
    )
    assert len(exams.bulk_override(CITY_ADMIN, 2017, bulk).applied) == 1
    assert attempts.calls.count("raise_latest_close") == 1
    clock.set(datetime(2017, 10, 8, 1, 30, tzinfo=SHANGHAI))
    shown = exams.attempt(LEARNER, 2017, 1)
    assert (shown.review_open, shown.review_opens_at) == (False, "2017-10-08T01:31:00+08:00")


def test_once_the_key_is_out_no_override_is_granted(
    exams: Exams, attempts: FakeAttempts, clock: FixedClock
) -> None:
    attempts.directory.add_learner(OTHER)
    clock.set(REVIEW_OPENS)
    with pytest.raises(Conflict) as refused:
        exams.override(
            CITY_ADMIN, 2017, later_close("too-late", datetime(2017, 10, 5, tzinfo=SHANGHAI))
        )
    assert (refused.value.details or {})["reason"] == "review_open"
    assert attempts.latest_close == {} and attempts.overrides == {}
    clock.set(REVIEW_OPENS - timedelta(seconds=1))  # a second earlier it was still granted
    exams.override(CITY_ADMIN, 2017, later_close("in-time", datetime(2017, 10, 5, tzinfo=SHANGHAI)))
    assert attempts.latest_close == {2017: int(datetime(2017, 10, 5, tzinfo=SHANGHAI).timestamp())}


def test_a_grant_whose_close_the_year_does_not_cover_is_refused(
    exams: Exams, attempts: FakeAttempts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The grant's own write checks that the year's latest close covers it: were the
    raise lost, the grant is refused rather than the key opening before its close."""
    attempts.directory.add_learner(OTHER)
    monkeypatch.setattr(attempts, "raise_latest_close", lambda *args: None)
    with pytest.raises(Conflict):
        exams.override(
            CITY_ADMIN, 2017, later_close("lost", datetime(2017, 10, 5, tzinfo=SHANGHAI))
        )
    assert attempts.overrides == {}


# --- resigned means resigned --------------------------------------------------------


def test_a_resigned_learner_cannot_start(exams: Exams, attempts: FakeAttempts) -> None:
    attempts.directory.profiles[LEARNER.username]["status"] = "resigned"
    with pytest.raises(Forbidden) as refused:
        exams.start(LEARNER, 2017)
    assert refused.value.details == {"reason": "inactive", "status": "resigned"}
    assert attempts.sheet == {} and attempts.results == {}


def test_a_resignation_between_the_read_and_the_write_is_held_by_the_write(
    exams: Exams, attempts: FakeAttempts, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = attempts.open

    def resigned_meanwhile(new: Any) -> bool:
        attempts.directory.profiles[LEARNER.username]["status"] = "retired"
        return real_open(new)

    monkeypatch.setattr(attempts, "open", resigned_meanwhile)
    with pytest.raises(Forbidden):
        exams.start(LEARNER, 2017)
    assert attempts.sheet == {}


def test_a_resigned_learner_cannot_submit_and_nothing_is_graded(
    exams: Exams, attempts: FakeAttempts
) -> None:
    started = exams.start(LEARNER, 2017)
    attempts.directory.profiles[LEARNER.username]["status"] = "resigned"
    with pytest.raises(Forbidden) as refused:
        exams.submit(LEARNER, 2017, 1, right(started, 20))
    assert (refused.value.details or {})["reason"] == "inactive"
    sheet = attempts.sheet[(LEARNER.username, 2017, 1)]
    assert (sheet["state"], sheet["answers"]) == ("open", {})
    assert "best_score" not in attempts.results[(LEARNER.username, 2017)]
