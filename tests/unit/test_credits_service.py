"""The credits service's rules, branch by branch, against the in-memory repository: what
a learner and an admin notice, with no AWS at all."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.fakes.credits import FakeCredits
from tests.fakes.directory import OTHER_UNIT, UNIT
from tests.fakes.storage import FakeStorage, fake_services
from xuefa.core.auth import Actor
from xuefa.core.clock import SHANGHAI, FixedClock
from xuefa.core.errors import (
    Conflict,
    Duplicate,
    Forbidden,
    NotFound,
    OutsideWindow,
    TooEarly,
    YearClosed,
)
from xuefa.credits.service import Adjustment, Credits
from xuefa.credits.views import Resource
from xuefa.years.rules import load_packaged_year

LEARNER = Actor("530402000001", frozenset({"learners"}), UNIT)
OTHER = Actor("530402000002", frozenset({"learners"}), UNIT)
ADMIN = Actor("admin-001", frozenset({"admins"}), UNIT)
FAR_ADMIN = Actor("admin-002", frozenset({"admins"}), OTHER_UNIT)
COURSE = Resource(
    resource_id="c-xf-01",
    title="宪法",
    activity="course",
    credits=50,
    min_seconds=1200,
    once_per_year=True,
)
PRACTICE = Resource(
    resource_id="p-lx-01", title="练习", activity="practice", credits=20, min_seconds=300
)
SIGN_IN = Resource(
    resource_id="signin",
    title="每日签到",
    activity="sign_in",
    credits=5,
    min_seconds=0,
    once_per_day=True,
)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2017, 5, 4, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
def storage() -> FakeStorage:
    storage = FakeStorage(load_packaged_year(2017))
    for actor in (LEARNER, OTHER):
        storage.directory.add_learner(actor.username)
    for resource in (COURSE, PRACTICE, SIGN_IN):
        storage.credits.resources[(2017, resource.resource_id)] = resource
    return storage


@pytest.fixture
def records(storage: FakeStorage) -> FakeCredits:
    return storage.credits


@pytest.fixture
def credits(storage: FakeStorage, clock: FixedClock) -> Credits:
    return fake_services(clock, storage).credits


def study(credits: Credits, clock: FixedClock, resource: Resource, who: Actor = LEARNER) -> str:
    session_id = credits.start(who, resource.resource_id).session_id
    clock.advance(seconds=resource.min_seconds + 1)
    return session_id


def test_a_served_session_pays_in_full_with_one_write_and_no_read_before_it(
    credits: Credits, records: FakeCredits, clock: FixedClock
) -> None:
    session_id = study(credits, clock, PRACTICE)
    records.calls.clear()
    completion = credits.complete(LEARNER, session_id)
    assert (completion.awarded, completion.capped, completion.limit) == (20, False, None)
    assert completion.balance.credits == 20
    assert completion.balance.today.credits == 20
    # The resource's terms came from the warm cache; the only read is the balance shown.
    assert records.calls == ["resource", "award", "counters"]


def test_completing_twice_pays_once_and_answers_the_same(
    credits: Credits, records: FakeCredits, clock: FixedClock
) -> None:
    session_id = study(credits, clock, PRACTICE)
    first = credits.complete(LEARNER, session_id)
    again = credits.complete(LEARNER, session_id)
    assert (again.awarded, again.balance.credits) == (first.awarded, 20)
    assert [e.entry_id for e in records.entries[(LEARNER.username, 2017)]] == [session_id]


def test_too_early_says_how_long_is_left_and_pays_nothing(
    credits: Credits, records: FakeCredits, clock: FixedClock
) -> None:
    session_id = credits.start(LEARNER, "c-xf-01").session_id
    clock.advance(seconds=1000)
    with pytest.raises(TooEarly) as raised:
        credits.complete(LEARNER, session_id)
    assert raised.value.details == {"seconds_left": 200}
    assert records.results[(LEARNER.username, 2017)]["credits"] == 0
    clock.advance(seconds=200)
    assert credits.complete(LEARNER, session_id).awarded == 50


def test_the_daily_total_cuts_the_last_award_to_what_fits(
    credits: Credits, clock: FixedClock
) -> None:
    # One session at a time, each served in full: 7 × 20 credits against a cap of 125.
    awards = [credits.complete(LEARNER, study(credits, clock, PRACTICE)) for _ in range(7)]
    assert [a.awarded for a in awards] == [20, 20, 20, 20, 20, 20, 5]
    assert (awards[-1].capped, awards[-1].limit) == (True, "daily_total")
    assert awards[-1].balance.today.credits == 125


def test_an_activity_cap_cuts_before_the_daily_total(
    credits: Credits, records: FakeCredits, clock: FixedClock
) -> None:
    records.resources[(2017, "signin-2")] = SIGN_IN.model_copy(
        update={"resource_id": "signin-2", "once_per_day": False}
    )
    first = credits.complete(LEARNER, credits.start(LEARNER, "signin-2").session_id)
    second = credits.complete(LEARNER, credits.start(LEARNER, "signin-2").session_id)
    assert (first.awarded, second.awarded, second.limit) == (5, 0, "activity_daily")


def test_a_once_a_day_resource_started_twice_pays_once(
    credits: Credits, records: FakeCredits, clock: FixedClock
) -> None:
    first = credits.start(LEARNER, "signin").session_id
    second = credits.start(LEARNER, "signin").session_id
    assert credits.complete(LEARNER, first).awarded == 5
    late = credits.complete(LEARNER, second)
    assert (late.awarded, late.limit) == (0, "once_per_day")
    with pytest.raises(Duplicate) as raised:
        credits.start(LEARNER, "signin")
    assert raised.value.details == {"once_per_day": True}
    clock.advance(days=1)
    assert credits.complete(LEARNER, credits.start(LEARNER, "signin").session_id).awarded == 5


def test_a_once_a_year_course_cannot_pay_twice(credits: Credits, clock: FixedClock) -> None:
    assert credits.complete(LEARNER, study(credits, clock, COURSE)).awarded == 50
    second = study(credits, clock, COURSE)
    with pytest.raises(Duplicate):
        credits.complete(LEARNER, second)
    with pytest.raises(Duplicate):  # asked again: the same answer
        credits.complete(LEARNER, second)
    # The refused session closed: it does not keep the learner from studying on.
    assert credits.complete(LEARNER, study(credits, clock, PRACTICE)).awarded == 20


def test_a_session_from_before_ids_named_their_resource_completes_by_reading(
    credits: Credits, records: FakeCredits, clock: FixedClock
) -> None:
    new_id = credits.start(LEARNER, "p-lx-01").session_id
    old_id = f"s2017-{LEARNER.username}-0123456789ab"
    session = records.sessions.pop(new_id)
    # Stored as sessions were then: no ready time, no expiry, no lock.
    for kept_since in ("ready_epoch", "expires_epoch", "locked"):
        del session[kept_since]
    records.locks.clear()
    records.sessions[old_id] = {**session, "session_id": old_id}
    clock.advance(seconds=301)
    records.calls.clear()
    assert credits.complete(LEARNER, old_id).awarded == 20
    assert records.calls[0] == "session_and_counters"


def test_nobody_completes_another_learners_or_an_unknown_session(
    credits: Credits, clock: FixedClock
) -> None:
    session_id = study(credits, clock, PRACTICE)
    with pytest.raises(Forbidden):
        credits.complete(OTHER, session_id)
    with pytest.raises(NotFound):
        credits.complete(LEARNER, session_id.replace(session_id[-12:], "0" * 12))


def test_outside_the_window_nothing_starts_and_after_the_close_nothing_pays(
    credits: Credits, clock: FixedClock
) -> None:
    session_id = credits.start(LEARNER, "p-lx-01").session_id
    clock.set(datetime(2017, 12, 1, 0, 0, 1, tzinfo=SHANGHAI))
    with pytest.raises(YearClosed):
        credits.complete(LEARNER, session_id)
    with pytest.raises(OutsideWindow):
        credits.start(LEARNER, "p-lx-01")


def test_a_resigned_learner_cannot_study(credits: Credits, records: FakeCredits) -> None:
    records.directory.profiles[LEARNER.username]["status"] = "resigned"
    with pytest.raises(Forbidden) as raised:
        credits.start(LEARNER, "p-lx-01")
    assert raised.value.details == {"reason": "inactive"}


def test_a_learner_who_resigns_mid_session_cannot_complete_it(
    credits: Credits, records: FakeCredits, clock: FixedClock
) -> None:
    session_id = study(credits, clock, PRACTICE)
    records.directory.profiles[LEARNER.username]["status"] = "resigned"
    records.calls.clear()
    with pytest.raises(Forbidden) as raised:
        credits.complete(LEARNER, session_id)
    assert raised.value.details == {"reason": "inactive"}
    # Refused by the award's own write: no read went before it.
    assert records.calls == ["resource", "award"]
    assert records.results[(LEARNER.username, 2017)]["credits"] == 0
    assert records.entries.get((LEARNER.username, 2017)) is None


# --- one open session at a time -----------------------------------------------------


def test_a_second_start_while_a_session_is_open_names_the_open_one(
    credits: Credits, clock: FixedClock
) -> None:
    open_one = credits.start(LEARNER, "c-xf-01")
    clock.advance(seconds=60)
    with pytest.raises(Conflict) as raised:
        credits.start(LEARNER, "p-lx-01")
    assert raised.value.details == {
        "open_session_id": open_one.session_id,
        "resource_id": "c-xf-01",
        "started_at": open_one.started_at,
        "min_seconds": 1200,
        "expires_at": open_one.expires_at,
    }
    # The app resumes it: served from its own start, it pays; then the next one starts.
    clock.advance(seconds=1141)
    assert credits.complete(LEARNER, open_one.session_id).awarded == 50
    assert credits.complete(LEARNER, study(credits, clock, PRACTICE)).awarded == 20


def test_a_session_too_early_to_complete_stays_the_open_one(
    credits: Credits, clock: FixedClock
) -> None:
    session_id = credits.start(LEARNER, "p-lx-01").session_id
    with pytest.raises(TooEarly):
        credits.complete(LEARNER, session_id)
    with pytest.raises(Conflict):
        credits.start(LEARNER, "p-lx-01")


def test_the_daily_sign_in_needs_no_turn_while_a_course_is_open(
    credits: Credits, clock: FixedClock
) -> None:
    # No minutes, no served time to overlap: it neither waits for nor blocks a session.
    course = credits.start(LEARNER, "c-xf-01").session_id
    assert credits.complete(LEARNER, credits.start(LEARNER, "signin").session_id).awarded == 5
    clock.advance(seconds=1201)
    assert credits.complete(LEARNER, course).awarded == 50


def test_an_abandoned_session_pays_nothing_and_frees_the_learner(
    credits: Credits, records: FakeCredits, clock: FixedClock
) -> None:
    session_id = credits.start(LEARNER, "c-xf-01").session_id
    assert credits.abandon(LEARNER, session_id).state == "abandoned"
    assert credits.abandon(LEARNER, session_id).state == "abandoned"  # again: the same
    with pytest.raises(Forbidden):
        credits.abandon(OTHER, session_id)
    clock.advance(seconds=1201)
    with pytest.raises(Conflict) as raised:
        credits.complete(LEARNER, session_id)
    assert raised.value.details == {"reason": "abandoned"}
    assert credits.complete(LEARNER, study(credits, clock, PRACTICE)).awarded == 20
    assert records.results[(LEARNER.username, 2017)]["credits"] == 20


def test_an_abandoned_session_expires_and_never_blocks_the_learner(
    credits: Credits, records: FakeCredits, clock: FixedClock
) -> None:
    started = credits.start(LEARNER, "p-lx-01")
    # Its minutes plus two hours' margin (5 + 120 min): then it is over, not paid.
    assert started.expires_at == "2017-05-04T11:05:00+08:00"
    clock.advance(minutes=125)
    with pytest.raises(Conflict) as raised:
        credits.complete(LEARNER, started.session_id)
    assert raised.value.details == {"reason": "expired"}
    # Its lock item is still there (TTL deletes lazily), and counts as free.
    assert records.locks[(LEARNER.username, 2017)]["session_id"] == started.session_id
    assert credits.complete(LEARNER, study(credits, clock, PRACTICE)).awarded == 20
    assert records.results[(LEARNER.username, 2017)]["credits"] == 20


def test_an_adjustment_is_idempotent_audited_and_never_below_zero(
    credits: Credits, records: FakeCredits
) -> None:
    give = Adjustment(
        adjustment_id="adj-1", student_no=LEARNER.username, year=2017, delta=30, reason="补录"
    )
    assert credits.adjust(ADMIN, give).credits == 30
    assert credits.adjust(ADMIN, give).credits == 30  # the same request again: no change
    with pytest.raises(Duplicate):
        credits.adjust(ADMIN, give.model_copy(update={"delta": 40}))
    with pytest.raises(Conflict):
        credits.adjust(ADMIN, give.model_copy(update={"adjustment_id": "adj-2", "delta": -31}))
    assert records.audit == [("credits.adjust", f"{LEARNER.username}/2017")]
    ledger = credits.ledger(ADMIN, 2017, 10, None, LEARNER.username)
    assert [(e.kind, e.credits, e.reason) for e in ledger.items] == [("adjustment", 30, "补录")]


def test_admins_see_only_their_subtree_and_learners_only_themselves(
    credits: Credits,
) -> None:
    with pytest.raises(Forbidden):
        credits.balance(FAR_ADMIN, 2017, LEARNER.username)
    with pytest.raises(Forbidden):
        credits.balance(ADMIN, 2017)
    assert credits.balance(LEARNER, 2017).credits == 0


def test_the_ledger_pages_newest_first(credits: Credits, clock: FixedClock) -> None:
    done = []
    for _ in range(3):
        session_id = study(credits, clock, PRACTICE)
        credits.complete(LEARNER, session_id)
        done.append(session_id)
    first = credits.ledger(LEARNER, 2017, 2, None)
    assert [e.entry_id for e in first.items] == done[:0:-1]
    rest = credits.ledger(LEARNER, 2017, 2, first.cursor)
    assert ([e.entry_id for e in rest.items], rest.cursor) == ([done[0]], None)


def test_a_completion_cancelled_by_a_colliding_transaction_is_tried_again_never_paid() -> None:
    """DynamoDB cancels a transaction that collides with another on the same items
    (TransactionConflict, no condition failed): nothing was written, so the award is
    tried again, never reported as paid."""
    from datetime import date

    from xuefa.credits.repository import DynamoCredits
    from xuefa.credits.views import Award, StudySession
    from xuefa.store.store import TransactionCancelled

    class Colliding:
        def __init__(self, collisions: int) -> None:
            self.collisions, self.calls = collisions, 0

        def transact(self, operations: list[dict]) -> None:
            self.calls += 1
            if self.calls <= self.collisions:
                raise TransactionCancelled(["TransactionConflict"] * len(operations), [None] * 6)

    session = StudySession(
        session_id="s2017-530402000001-p-lx-01-0123456789ab",
        student_no=LEARNER.username,
        year=2017,
        unit_id=UNIT,
        started_at="",
        started_epoch=0,
        locked=True,
        **PRACTICE.model_dump(exclude={"title"}),
    )
    at = datetime(2017, 5, 4, 9, 10, tzinfo=SHANGHAI)
    award = Award(session, at, date(2017, 5, 4), 20, None, 125, None)
    once = Colliding(collisions=1)
    assert DynamoCredits(once).award(award) == frozenset()  # type: ignore[arg-type]
    assert once.calls == 2
    with pytest.raises(Conflict):
        DynamoCredits(Colliding(collisions=99)).award(award)  # type: ignore[arg-type]
