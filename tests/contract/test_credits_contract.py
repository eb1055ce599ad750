"""FakeCredits and DynamoCredits: the same calls, the same outcomes (values, refusals,
errors), and a refused write leaves nothing behind in either."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from types import SimpleNamespace

import pytest

from tests.contract.conftest import LEARNER, OTHER, STUDY_DAY, YEAR, YEAR_CLOSED, World, config
from tests.fakes.directory import UNIT
from xuefa.core.auth import Actor
from xuefa.core.clock import iso, local_date
from xuefa.core.errors import Conflict, Duplicate, YearClosed
from xuefa.credits.views import (
    Award,
    LedgerEntry,
    Resource,
    StudySession,
    expiry_epoch,
    holds_lock,
)
from xuefa.years.results import YearResult

pytestmark = pytest.mark.contract

ADMIN = Actor("admin-001", frozenset({"admins"}), UNIT)
COURSE = Resource(
    resource_id="c-xf-01", title="宪法", activity="course", credits=50, min_seconds=1200
)
ONCE = COURSE.model_copy(update={"resource_id": "c-once", "once_per_year": True})
SIGN_IN = Resource(
    resource_id="signin",
    title="每日签到",
    activity="sign_in",
    credits=5,
    min_seconds=0,
    once_per_day=True,
)
_ids = count(1)


def started(
    resource: Resource, at: datetime = STUDY_DAY, student_no: str = LEARNER
) -> StudySession:
    """A session as the service starts one."""
    epoch = int(at.timestamp())
    return StudySession(
        session_id=f"s{YEAR}-{student_no}-{resource.resource_id}-{next(_ids):012x}",
        student_no=student_no,
        year=YEAR,
        unit_id=UNIT,
        started_at=iso(at),
        started_epoch=epoch,
        expires_epoch=expiry_epoch(epoch, resource.min_seconds),
        locked=holds_lock(resource),
        **resource.model_dump(exclude={"title"}),
    )


def served(session: StudySession) -> datetime:
    return datetime.fromtimestamp(session.ready_epoch + 1, STUDY_DAY.tzinfo)


def award(session: StudySession, at: datetime, amount: int | None = None) -> Award:
    caps = config().caps
    return Award(
        session=session,
        at=at,
        day=local_date(at),
        amount=session.credits if amount is None else amount,
        limit=None,
        day_ceiling=caps.daily_total,
        activity_ceiling=caps.per_activity_daily_caps.get(session.activity),
    )


# What a caller reads back. One place to follow the repositories' return types.


def credits(world: World, student_no: str = LEARNER) -> int | None:
    counters = world.credits.counters(student_no, YEAR)
    return None if counters == YearResult(student_no, YEAR) else counters.credits


def state(world: World, session: StudySession) -> str | None:
    found, _ = world.credits.session_and_counters(session.student_no, YEAR, session.session_id)
    return None if found is None else found.state


def ledger(world: World, student_no: str = LEARNER) -> list[tuple[str, int, str]]:
    entries, _ = world.credits.ledger(student_no, YEAR, 50, None)
    return [(e.entry_id, e.credits, e.kind) for e in entries]


def adjustment(adjustment_id: str, delta: int, student_no: str = LEARNER) -> SimpleNamespace:
    return SimpleNamespace(
        adjustment_id=adjustment_id, student_no=student_no, year=YEAR, delta=delta, reason="补录"
    )


def opened(world: World, resource: Resource, at: datetime = STUDY_DAY) -> StudySession:
    session = started(resource, at)
    assert world.credits.open_session(session) is None
    return session


# the catalogue ------------------------------------------------------------------------


def test_a_resource_added_is_listed_and_read(world: World) -> None:
    world.credits.add_resource(ADMIN, YEAR, COURSE, STUDY_DAY)
    world.credits.add_resource(ADMIN, YEAR, SIGN_IN, STUDY_DAY)

    assert world.credits.resource(YEAR, COURSE.resource_id) == COURSE
    assert sorted(r.resource_id for r in world.credits.catalogue(YEAR)) == ["c-xf-01", "signin"]
    assert world.credits.resource(YEAR, "nothing") is None
    assert world.credits.catalogue(YEAR + 1) == []


def test_a_taken_resource_id_is_a_duplicate_and_the_first_stays(world: World) -> None:
    world.credits.add_resource(ADMIN, YEAR, COURSE, STUDY_DAY)
    with pytest.raises(Duplicate):
        world.credits.add_resource(
            ADMIN, YEAR, COURSE.model_copy(update={"title": "另一个"}), STUDY_DAY
        )
    assert [r.title for r in world.credits.catalogue(YEAR)] == ["宪法"]


def test_a_closed_year_takes_no_resource(world: World) -> None:
    with pytest.raises(YearClosed):
        world.credits.add_resource(ADMIN, YEAR, COURSE, YEAR_CLOSED)
    assert world.credits.catalogue(YEAR) == []


def test_start_facts_name_the_resource_the_profile_and_todays_payment(world: World) -> None:
    world.credits.add_resource(ADMIN, YEAR, SIGN_IN, STUDY_DAY)
    day = local_date(STUDY_DAY)
    resource, profile, paid = world.credits.start_facts(YEAR, "signin", LEARNER, day)
    assert (resource, paid) == (SIGN_IN, False)
    assert (profile["unit_id"], profile["status"]) == (UNIT, "active")

    session = opened(world, SIGN_IN)
    assert world.credits.award(award(session, STUDY_DAY)) == frozenset()

    assert world.credits.start_facts(YEAR, "signin", LEARNER, day)[2] is True
    assert world.credits.start_facts(YEAR, "signin", LEARNER, day + timedelta(days=1))[2] is False
    assert world.credits.start_facts(YEAR, "gone", "nobody", day) == (None, None, False)


# sessions and the one open session ----------------------------------------------------


def test_a_second_timed_session_is_refused_naming_the_open_one(world: World) -> None:
    first = opened(world, COURSE)
    second = started(COURSE, STUDY_DAY + timedelta(minutes=1))

    held = world.credits.open_session(second)

    assert held is not None
    assert (held.session_id, held.resource_id, held.started_at, held.min_seconds) == (
        first.session_id,
        COURSE.resource_id,
        first.started_at,
        COURSE.min_seconds,
    )
    assert held.expires_epoch == first.expires_epoch
    assert state(world, second) is None  # nothing of the refused start was written
    assert credits(world) == 0


def test_an_expired_lock_is_free_and_a_sign_in_never_waits(world: World) -> None:
    first = opened(world, COURSE)
    assert first.expires_epoch is not None
    assert world.credits.open_session(started(SIGN_IN)) is None  # untimed: no lock
    later = datetime.fromtimestamp(first.expires_epoch, STUDY_DAY.tzinfo)
    assert world.credits.open_session(started(COURSE, later)) is None


def test_an_abandoned_session_frees_the_lock_once(world: World) -> None:
    first = opened(world, COURSE)
    at = STUDY_DAY + timedelta(minutes=5)

    assert world.credits.close_session(first, at) is True
    assert world.credits.close_session(first, at) is False  # a retry: already closed
    assert state(world, first) == "abandoned"
    assert world.credits.open_session(started(COURSE, at)) is None
    assert world.credits.award(award(first, served(first))) == {"session", "lock"}


def test_a_start_written_twice_is_refused_the_second_time(world: World) -> None:
    """A session id is written once: a timed start finds itself holding the lock, an
    untimed one (no lock) is a Conflict."""
    timed = opened(world, COURSE)
    held = world.credits.open_session(timed)
    assert held is not None and held.session_id == timed.session_id
    untimed = opened(world, SIGN_IN)
    with pytest.raises(Conflict):
        world.credits.open_session(untimed)
    assert state(world, untimed) == "open"


def test_a_session_abandoned_after_its_lock_expired_leaves_the_new_holder_alone(
    world: World,
) -> None:
    first = opened(world, COURSE)
    assert first.expires_epoch is not None
    expired = datetime.fromtimestamp(first.expires_epoch, STUDY_DAY.tzinfo)
    second = opened(world, COURSE, expired)

    assert world.credits.close_session(first, expired) is True
    assert state(world, first) == "abandoned"
    held = world.credits.open_session(started(COURSE, expired))
    assert held is not None and held.session_id == second.session_id


def test_counters_of_a_learner_who_never_studied_are_the_empty_year(world: World) -> None:
    assert world.credits.counters(LEARNER, YEAR) == YearResult(LEARNER, YEAR)
    assert world.credits.session_and_counters(LEARNER, YEAR, "s2017-x-000000000000") == (
        None,
        YearResult(LEARNER, YEAR),
    )


# the award ----------------------------------------------------------------------------


def test_a_served_session_is_paid_once_however_often_it_is_completed(world: World) -> None:
    session = opened(world, COURSE)
    at = served(session)

    assert world.credits.award(award(session, at)) == frozenset()
    # The retry: the session is closed, its lock freed, its ledger entry there.
    assert world.credits.award(award(session, at)) == {"session", "lock", "ledger"}

    assert credits(world) == 50
    assert state(world, session) == "completed"
    assert ledger(world) == [(session.session_id, 50, "study")]
    assert world.credits.open_session(started(COURSE, at)) is None  # the lock was freed


def test_an_award_refused_writes_nothing(world: World) -> None:
    session = opened(world, COURSE)

    too_early = STUDY_DAY + timedelta(seconds=COURSE.min_seconds - 1)
    assert world.credits.award(award(session, too_early)) == {"session"}
    first = opened(world, SIGN_IN)
    assert world.credits.award(award(first, STUDY_DAY)) == frozenset()  # today's counter: 5
    assert world.credits.award(award(session, served(session), amount=121)) == {"caps"}

    assert (credits(world), state(world, session)) == (5, "open")
    assert ledger(world) == [(first.session_id, 5, "study")]
    assert world.credits.award(award(session, served(session))) == frozenset()  # still payable


def test_the_caps_hold_what_was_counted_so_a_first_award_is_the_services_to_cut(
    world: World,
) -> None:
    """A counter not yet written passes its cap's condition whatever the amount: the
    service cuts the amount to the room it read; the condition holds against a race."""
    session = opened(world, COURSE)
    assert world.credits.award(award(session, served(session), amount=126)) == frozenset()
    assert credits(world) == 126


def test_the_day_cap_counts_what_was_paid_today(world: World) -> None:
    at = STUDY_DAY
    for _ in range(2):
        session = opened(world, COURSE, at)
        at = served(session)
        assert world.credits.award(award(session, at)) == frozenset()
    third = opened(world, COURSE, at)
    at = served(third)

    assert world.credits.award(award(third, at, amount=26)) == {"caps"}
    assert world.credits.award(award(third, at, amount=25)) == frozenset()
    assert credits(world) == 125


def test_a_zero_award_closes_the_session_and_writes_no_credits(world: World) -> None:
    session = opened(world, COURSE)
    assert world.credits.award(award(session, served(session), amount=0)) == frozenset()
    assert (credits(world), state(world, session), ledger(world)) == (0, "completed", [])


def test_a_once_a_year_resource_pays_one_session(world: World) -> None:
    first = opened(world, ONCE)
    assert world.credits.award(award(first, served(first))) == frozenset()
    second = opened(world, ONCE, served(first))

    assert world.credits.award(award(second, served(second))) == {"once"}
    assert (credits(world), state(world, second)) == (50, "open")


def test_the_sign_in_pays_once_a_day(world: World) -> None:
    first = opened(world, SIGN_IN)
    assert world.credits.award(award(first, STUDY_DAY)) == frozenset()
    again = opened(world, SIGN_IN, STUDY_DAY + timedelta(hours=1))
    tomorrow = opened(world, SIGN_IN, STUDY_DAY + timedelta(days=1))

    # Paid today, and today's sign-in counter (5 of 5) has no room either.
    assert world.credits.award(award(again, STUDY_DAY + timedelta(hours=1))) == {
        "once_day",
        "caps",
    }
    assert world.credits.award(award(tomorrow, STUDY_DAY + timedelta(days=1))) == frozenset()
    assert credits(world) == 10


def test_outside_the_window_and_for_an_inactive_learner_nothing_is_paid(world: World) -> None:
    world.add_learner("530402000003", status="resigned")
    gone = started(COURSE, student_no="530402000003")
    assert world.credits.open_session(gone) is None
    assert world.credits.award(award(gone, served(gone))) == {"active"}

    late = opened(world, SIGN_IN, YEAR_CLOSED)
    assert world.credits.award(award(late, YEAR_CLOSED)) == {"window"}
    assert credits(world) == 0
    assert credits(world, "530402000003") == 0


def test_a_session_that_lost_its_lock_is_not_paid(world: World) -> None:
    first = opened(world, COURSE)
    assert first.expires_epoch is not None
    expired = datetime.fromtimestamp(first.expires_epoch, STUDY_DAY.tzinfo)
    second = opened(world, COURSE, expired)

    assert world.credits.award(award(first, expired)) == {"session", "lock"}
    assert world.credits.award(award(second, served(second))) == frozenset()
    assert credits(world) == 50


def test_a_completion_of_a_session_never_started_writes_nothing(world: World) -> None:
    assumed = started(COURSE).model_copy(update={"unit_id": None})
    assert world.credits.award(award(assumed, served(assumed))) == {"session", "lock", "caps"}
    assert world.credits.counters(LEARNER, YEAR) == YearResult(LEARNER, YEAR)
    assert ledger(world) == []


# the ledger and adjustments -----------------------------------------------------------


def test_the_ledger_pages_newest_first(world: World) -> None:
    at = STUDY_DAY
    for i in range(3):
        world.credits.adjust(ADMIN, adjustment(f"adj-{i}", 10 + i), UNIT, 0, at)
        at += timedelta(minutes=1)

    pages, start = [], None
    while True:
        entries, start = world.credits.ledger(LEARNER, YEAR, 2, start)
        pages += [e.entry_id for e in entries]
        if start is None:
            break
    assert pages == ["adj-2", "adj-1", "adj-0"]
    first, _ = world.credits.ledger(LEARNER, YEAR, 1, None)
    assert first == [
        LedgerEntry(
            entry_id="adj-2",
            at=iso(STUDY_DAY + timedelta(minutes=2)),
            activity="adjustment",
            credits=12,
            kind="adjustment",
            reason="补录",
        )
    ]
    assert world.credits.ledger(OTHER, YEAR, 2, None) == ([], None)


def test_an_adjustment_counts_once_and_remembers_its_request(world: World) -> None:
    world.credits.adjust(ADMIN, adjustment("adj-1", 30), UNIT, 0, STUDY_DAY)
    with pytest.raises(Duplicate):
        world.credits.adjust(ADMIN, adjustment("adj-1", 30), UNIT, 30, STUDY_DAY)

    assert credits(world) == 30
    assert ledger(world) == [("adj-1", 30, "adjustment")]
    assert world.credits.adjustment_request("adj-1") == {
        "adjustment_id": "adj-1",
        "student_no": LEARNER,
        "year": YEAR,
        "delta": 30,
        "reason": "补录",
    }
    assert world.credits.adjustment_request("adj-2") is None


def test_an_adjustment_below_zero_is_a_conflict_and_writes_nothing(world: World) -> None:
    with pytest.raises(Conflict) as no_result:
        world.credits.adjust(ADMIN, adjustment("adj-1", -1), UNIT, 0, STUDY_DAY)
    world.credits.adjust(ADMIN, adjustment("adj-2", 20), UNIT, 0, STUDY_DAY)
    with pytest.raises(Conflict) as below:
        world.credits.adjust(ADMIN, adjustment("adj-3", -21), UNIT, 20, STUDY_DAY)

    assert below.value.details == {"credits": 20, "delta": -21}
    assert no_result.value.details == {"credits": 0, "delta": -1}
    assert (credits(world), ledger(world)) == (20, [("adj-2", 20, "adjustment")])
    # The refused ids were not used up: the same request again, made right, counts.
    world.credits.adjust(ADMIN, adjustment("adj-3", -20), UNIT, 20, STUDY_DAY)
    assert credits(world) == 0
    assert world.credits.adjustment_request("adj-1") is None


def test_a_closed_year_takes_no_adjustment(world: World) -> None:
    with pytest.raises(YearClosed):
        world.credits.adjust(ADMIN, adjustment("adj-1", 5), UNIT, 0, YEAR_CLOSED)
    assert world.credits.counters(LEARNER, YEAR) == YearResult(LEARNER, YEAR)
    assert world.credits.adjustment_request("adj-1") is None
