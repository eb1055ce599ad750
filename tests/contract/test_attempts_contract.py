"""FakeAttempts and DynamoAttempts: an attempt's start, saves and close, overrides and
the year's latest close, with the same outcomes; what a refusal leaves is what was."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.contract.conftest import (
    AFTER_EXAM,
    EXAM_DAY,
    LEARNER,
    STUDY_DAY,
    YEAR,
    YEAR_CLOSED,
    World,
    config,
)
from tests.fakes.directory import UNIT
from xuefa.core.auth import Actor
from xuefa.core.clock import SHANGHAI, iso, local_date
from xuefa.exams.bank_repository import question_item
from xuefa.exams.papers import shapes_of, shown
from xuefa.exams.questions import Question
from xuefa.exams.repository import (
    Closing,
    Grant,
    LearnerInactive,
    NewAttempt,
    Refusal,
    YearHasClosed,
)
from xuefa.years.results import YearResult

pytestmark = pytest.mark.contract

CITY_ADMIN = Actor("city_admin", frozenset({"admins"}), "530400")
# The bank's questions a paper is drawn from, and the paper as drawn (options in order).
DRAWN = [
    Question(
        question_id=f"q-{kind}",
        type=kind,
        stem=kind,
        options=[{"key": k, "text": k} for k in labels],
        answer=answer,
        points=2,
        category="宪法",
    )
    for kind, labels, answer in (
        ("single", "ABCD", ["A"]),
        ("multiple", "ABCD", ["A", "C"]),
        ("judge", "AB", ["B"]),
    )
]
PAPER = [shown(q, 1, "".join(o.key for o in q.options), "salt") for q in DRAWN]
SINGLE, MULTIPLE, JUDGE = (q.question_id for q in PAPER)  # this paper's own ids


@pytest.fixture(autouse=True)
def bank(world: World) -> None:
    """The bank holds what the paper was drawn from: a stored paper is rebuilt from it."""
    if world.store is not None:
        for question in DRAWN:
            world.store.put(question_item(YEAR, question))


MINUTES = 90
MARGIN = (MINUTES * 60) + 60  # a paper's time and grace: review_margin(config)


def new(
    attempt_no: int = 1,
    at: datetime = EXAM_DAY,
    student_no: str = LEARNER,
    allowed: int = 8,
    close_override: bool = False,
) -> NewAttempt:
    deadline = at + timedelta(minutes=MINUTES)
    return NewAttempt(
        student_no=student_no,
        unit_id=UNIT,
        year=YEAR,
        attempt_no=attempt_no,
        allowed=allowed,
        started_at=iso(at),
        deadline=iso(deadline),
        hard_close=int(deadline.timestamp()) + 60,
        salt="salt",
        paper=PAPER,
        shapes=shapes_of(PAPER),
        now=at,
        close_override=close_override,
    )


def closing(
    attempt_no: int = 1,
    score: int = 80,
    saves: int | None = None,
    at: datetime = EXAM_DAY + timedelta(minutes=30),
    by_learner: bool = True,
    raises_best: bool = True,
) -> Closing:
    return Closing(
        student_no=LEARNER,
        unit_id=UNIT,
        year=YEAR,
        attempt_no=attempt_no,
        saves_seen=saves,
        score=Decimal(score),
        answers={SINGLE: ["A"]},
        submitted_at=iso(at),
        submitted_epoch=int(at.timestamp()),
        finished_at=iso(at),
        finished_day=local_date(at),
        late=False,
        raises_best=raises_best,
        year_check=at if by_learner else None,
        grace_seconds=60,
    )


def grant(
    override_id: str = "ov-1",
    extra: int = 1,
    close: datetime | None = None,
    at: datetime = EXAM_DAY,
) -> Grant:
    max_extra = config().overrides.max_extra_attempts
    return Grant(
        override_id=override_id,
        student_no=LEARNER,
        unit_id=UNIT,
        year=YEAR,
        request={"override_id": override_id, "extra_attempts": extra},
        extra_attempts=extra,
        extra_room=max_extra - extra,
        close_override=int(close.timestamp()) if close is not None else None,
        asked_close=close,
        reason="病假",
        extra_before=0,
        close_before=None,
        at=at,
        review_margin=MARGIN,
    )


# What a caller reads back. One place to follow the repositories' return types.

EMPTY = YearResult(LEARNER, YEAR)  # a learner's year with nothing written


def figures(world: World) -> dict[str, Any]:
    """The year result's exam figures a caller reads, those not at their start."""
    result, _ = world.attempts.result_and_profile(LEARNER, YEAR)
    seen = {
        "attempts_used": result.attempts_taken or None,
        "open_attempt": result.open_no,
        "best_score": result.best,
        "extra_attempts": result.extra_granted or None,
        "close_override": result.own_close,
    }
    return {name: value for name, value in seen.items() if value is not None}


def sheet(world: World, attempt_no: int = 1) -> dict[str, Any]:
    """The attempt's sheet and paper as the service reads them ({} for no attempt)."""
    _, attempt = world.attempts.result_and_attempt(LEARNER, YEAR, attempt_no)
    if attempt is None:
        return {}
    return {
        "state": attempt.sheet["state"],
        "answers": attempt.answers,
        "saves": attempt.sheet.get("answer_saves"),
        "paper": [q.question_id for q in attempt.paper],
        "score": attempt.sheet.get("score"),
    }


def as_seen(refused: Refusal | None) -> dict[str, Any] | None:
    """The sheet a refused save answers with ({} for none), in the fields the service reads."""
    if refused is None:
        return None
    if refused.sheet is None:
        return {}
    sheet = refused.sheet
    return {"state": sheet.state, "answers": sheet.answers, "answer_saves": sheet.saves_seen}


# starting -----------------------------------------------------------------------------


def test_an_attempt_starts_with_its_paper_and_an_open_sheet(world: World) -> None:
    assert world.attempts.open(new()) is True

    assert figures(world) == {"attempts_used": 1, "open_attempt": 1}
    assert sheet(world) == {
        "state": "open",
        "answers": {},
        "saves": None,
        "paper": [SINGLE, MULTIPLE, JUDGE],
        "score": None,
    }
    profile = world.attempts.result_and_profile(LEARNER, YEAR)[1]
    assert (profile["student_no"], profile["unit_id"]) == (LEARNER, UNIT)
    assert world.attempts.result_and_profile("530402999999", YEAR) == (
        YearResult("530402999999", YEAR),
        None,
    )
    assert world.attempts.sheets("530402000002", YEAR, 0) == []


def test_a_start_that_lost_the_race_or_has_no_room_writes_nothing(world: World) -> None:
    assert world.attempts.open(new()) is True
    assert world.attempts.open(new()) is False  # the same number again: a retry
    assert world.attempts.open(new(2)) is False  # one is open
    assert figures(world) == {"attempts_used": 1, "open_attempt": 1}
    assert sheet(world, 2) == {}

    assert world.attempts.close(closing()) is True
    assert world.attempts.open(new(3)) is False  # skips a number
    assert world.attempts.open(new(2, allowed=1)) is False  # no attempts left
    assert figures(world)["attempts_used"] == 1
    assert world.attempts.open(new(2)) is True


def test_no_attempt_starts_outside_the_window_or_for_an_inactive_learner(world: World) -> None:
    world.add_learner("530402000003", status="retired")

    assert world.attempts.open(new(at=STUDY_DAY)) is False
    assert world.attempts.open(new(at=AFTER_EXAM)) is False
    assert world.attempts.open(new(student_no="530402000003")) is False
    assert world.attempts.result_and_attempt(LEARNER, YEAR, 1) == (EMPTY, None)
    assert world.attempts.result_and_profile("530402000003", YEAR)[0] == YearResult(
        "530402000003", YEAR
    )


def test_a_later_close_granted_opens_an_attempt_after_the_window(world: World) -> None:
    close = datetime(2017, 10, 10, tzinfo=SHANGHAI)
    world.attempts.raise_latest_close(YEAR, close, EXAM_DAY, MARGIN)
    assert world.attempts.grant(CITY_ADMIN, grant(extra=0, close=close)) == frozenset()

    assert world.attempts.open(new(at=AFTER_EXAM)) is False  # the window's own check
    assert world.attempts.open(new(at=AFTER_EXAM, close_override=True)) is True
    later = close + timedelta(hours=1)
    assert world.attempts.close(closing(at=later, by_learner=False)) is True
    assert world.attempts.open(new(2, at=later, close_override=True)) is False


# saving -------------------------------------------------------------------------------


def test_saves_land_on_an_open_sheet_and_are_counted(world: World) -> None:
    world.attempts.open(new())
    now = int(EXAM_DAY.timestamp()) + 60

    assert world.attempts.save(LEARNER, YEAR, 1, {SINGLE: ["B"]}, now) is None
    both = {MULTIPLE: ["A", "C"], JUDGE: []}
    assert world.attempts.save(LEARNER, YEAR, 1, both, now) is None
    assert world.attempts.save(LEARNER, YEAR, 1, {}, now) is None  # asks only: still open?

    assert sheet(world)["answers"] == {SINGLE: ["B"], MULTIPLE: ["A", "C"], JUDGE: []}
    assert sheet(world)["saves"] == 3


def test_a_save_that_does_not_fit_or_comes_late_is_refused_with_the_sheet(world: World) -> None:
    world.attempts.open(new())
    now = int(EXAM_DAY.timestamp()) + 60
    world.attempts.save(LEARNER, YEAR, 1, {SINGLE: ["B"]}, now)
    before = {"state": "open", "answers": {SINGLE: ["B"]}, "answer_saves": 1}

    # Several keys for one answer, a label past the options, a question not on the paper.
    for answers in ({SINGLE: ["A", "B"]}, {JUDGE: ["C"]}, {"p-other": ["A"]}):
        assert as_seen(world.attempts.save(LEARNER, YEAR, 1, answers, now)) == before
    # Good answers with a bad one: none of them is saved.
    mixed = {MULTIPLE: ["A"], JUDGE: ["D"]}
    assert as_seen(world.attempts.save(LEARNER, YEAR, 1, mixed, now)) == before
    late = new().hard_close
    assert as_seen(world.attempts.save(LEARNER, YEAR, 1, {SINGLE: ["A"]}, late)) == before
    assert as_seen(world.attempts.save(LEARNER, YEAR, 2, {SINGLE: ["A"]}, now)) == {}
    assert sheet(world)["answers"] == {SINGLE: ["B"]}


# closing ------------------------------------------------------------------------------


def test_a_close_grades_once_and_raises_the_best_score(world: World) -> None:
    world.attempts.open(new())

    assert world.attempts.close(closing(score=70)) is True
    assert world.attempts.close(closing(score=70)) is False  # the retry
    now = int(EXAM_DAY.timestamp()) + 60
    refused = as_seen(world.attempts.save(LEARNER, YEAR, 1, {SINGLE: ["B"]}, now))
    assert refused == {"state": "submitted", "answers": {SINGLE: ["A"]}, "answer_saves": None}
    assert figures(world) == {"attempts_used": 1, "best_score": 70}
    assert sheet(world)["state"] == "submitted"
    assert sheet(world)["score"] == 70

    world.attempts.open(new(2))
    assert world.attempts.close(closing(2, score=60)) is False  # would lower the best
    assert sheet(world, 2)["state"] == "open"
    assert world.attempts.close(closing(2, score=60, raises_best=False)) is True
    assert figures(world) == {"attempts_used": 2, "best_score": 70}
    sheets = world.attempts.sheets(LEARNER, YEAR, 2)
    assert [(s.number, s.state, s.score) for s in sheets] == [
        (1, "submitted", 70),
        (2, "submitted", 60),
    ]


def test_a_close_over_stale_answers_is_refused(world: World) -> None:
    world.attempts.open(new())
    now = int(EXAM_DAY.timestamp()) + 60
    world.attempts.save(LEARNER, YEAR, 1, {SINGLE: ["B"]}, now)

    assert world.attempts.close(closing(saves=None)) is False  # graded before the save
    assert world.attempts.close(closing(saves=2)) is False
    assert sheet(world)["state"] == "open"
    assert figures(world) == {"attempts_used": 1, "open_attempt": 1}
    assert world.attempts.close(closing(saves=1)) is True


def test_a_close_of_no_attempt_is_refused(world: World) -> None:
    assert world.attempts.close(closing(by_learner=False)) is False
    assert world.attempts.result_and_attempt(LEARNER, YEAR, 1)[1] is None


def test_a_learners_submit_after_the_year_or_once_inactive_is_refused_in_words(
    world: World,
) -> None:
    world.attempts.open(new())

    with pytest.raises(YearHasClosed):
        world.attempts.close(closing(at=YEAR_CLOSED))
    if world.store is not None:  # the learner resigns meanwhile
        world.store.put({**world.directory.learner(LEARNER), "status": "resigned"})
    else:
        world.directory.profiles[LEARNER]["status"] = "resigned"
    with pytest.raises(LearnerInactive):
        world.attempts.close(closing())
    assert sheet(world)["state"] == "open"
    assert figures(world) == {"attempts_used": 1, "open_attempt": 1}
    # An admin's close (the deadline's) is not the learner's submit: it checks neither.
    assert world.attempts.close(closing(by_learner=False)) is True


def test_the_years_check_comes_first_even_when_the_attempt_moved(world: World) -> None:
    world.attempts.open(new())
    world.attempts.close(closing())
    with pytest.raises(YearHasClosed):
        world.attempts.close(closing(at=YEAR_CLOSED))


# overrides and the year's latest close ------------------------------------------------


def test_an_override_is_granted_once(world: World) -> None:
    assert world.attempts.grant(CITY_ADMIN, grant()) == frozenset()
    assert world.attempts.grant(CITY_ADMIN, grant()) == {"once"}

    assert figures(world) == {"extra_attempts": 1}
    assert world.attempts.override_request("ov-1") == {"override_id": "ov-1", "extra_attempts": 1}
    assert world.attempts.override_request("ov-2") is None


def test_extra_attempts_stop_at_the_years_total(world: World) -> None:
    assert world.attempts.grant(CITY_ADMIN, grant("ov-1", extra=2)) == frozenset()
    assert world.attempts.grant(CITY_ADMIN, grant("ov-2", extra=1)) == {"room"}
    assert figures(world) == {"extra_attempts": 2}
    assert world.attempts.override_request("ov-2") is None


def test_a_later_close_needs_the_years_latest_close_to_cover_it(world: World) -> None:
    close = datetime(2017, 10, 10, tzinfo=SHANGHAI)
    assert world.attempts.grant(CITY_ADMIN, grant(extra=0, close=close)) == {"cover"}
    read = world.attempts.attempt_for_review(LEARNER, YEAR, 1)
    assert (read.result, read.attempt, read.latest_granted_close) == (EMPTY, None, None)
    assert read.corrections == []

    world.attempts.raise_latest_close(YEAR, close, EXAM_DAY, MARGIN)
    world.attempts.raise_latest_close(YEAR, close - timedelta(days=1), EXAM_DAY, MARGIN)
    latest = world.attempts.attempt_for_review(LEARNER, YEAR, 1).latest_granted_close
    assert latest == int(close.timestamp())
    assert world.attempts.grant(CITY_ADMIN, grant(extra=0, close=close)) == frozenset()
    earlier = close - timedelta(days=2)
    assert world.attempts.grant(CITY_ADMIN, grant("ov-2", extra=0, close=earlier)) == {"room"}
    assert figures(world) == {"close_override": int(close.timestamp())}


def test_no_override_past_the_policy_the_year_or_the_review(world: World) -> None:
    beyond = datetime(2017, 10, 16, tzinfo=SHANGHAI)
    world.attempts.raise_latest_close(YEAR, beyond, EXAM_DAY, MARGIN)  # beyond the policy
    assert world.attempts.attempt_for_review(LEARNER, YEAR, 1).latest_granted_close is None

    assert world.attempts.grant(CITY_ADMIN, grant(close=beyond)) == {"year"}
    assert world.attempts.grant(CITY_ADMIN, grant(at=YEAR_CLOSED)) == {"year"}
    assert world.attempts.grant(CITY_ADMIN, grant(at=AFTER_EXAM)) == {"review"}
    world.attempts.raise_latest_close(YEAR, beyond, AFTER_EXAM, MARGIN)
    assert world.attempts.attempt_for_review(LEARNER, YEAR, 1).latest_granted_close is None
    assert figures(world) == {}
    assert world.attempts.override_request("ov-1") is None


def test_questions_are_added_only_while_the_year_is_open(world: World) -> None:
    item = {"pk": f"BANK#{YEAR}", "sk": "Q#q-new", "question_id": "q-new"}
    assert world.attempts.add_questions(YEAR, [item], EXAM_DAY) is True
    assert world.attempts.add_questions(YEAR, [item], YEAR_CLOSED) is False
