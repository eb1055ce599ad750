"""The roster service's rules against the in-memory repository: a transfer keeps the
learner's history and leaves the old unit its marker; status follows to the sign-in."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.fakes.directory import CITY, OTHER_UNIT, UNIT
from tests.fakes.roster import FakeAccounts, FakeRoster
from tests.fakes.storage import FakeStorage, fake_services
from xuefa.core.auth import Actor
from xuefa.core.clock import SHANGHAI, FixedClock
from xuefa.core.errors import BadRequest, Conflict, Duplicate, Forbidden
from xuefa.roster.service import NewLearner, Roster, StatusChange, Transfer
from xuefa.years.rules import load_packaged_year

UNIT_ADMIN = Actor("unit_admin", frozenset({"admins"}), UNIT)
CITY_ADMIN = Actor("city_admin", frozenset({"admins"}), CITY)


@pytest.fixture
def parts() -> tuple[Roster, FakeRoster, FakeAccounts]:
    storage = FakeStorage(load_packaged_year(2017))
    clock = FixedClock(datetime(2017, 5, 4, 9, 0, tzinfo=SHANGHAI))
    return fake_services(clock, storage).roster, storage.roster, storage.accounts


def test_a_new_learner_gets_the_countys_next_number_once(
    parts: tuple[Roster, FakeRoster, FakeAccounts],
) -> None:
    roster, _, accounts = parts
    new = NewLearner(name="  张  三 ", unit_id=UNIT, phone="13900000001")
    made = roster.create_learner(UNIT_ADMIN, new)
    assert (made.student_no, made.name) == ("530402000001", "张 三")
    assert accounts.enabled == {"530402000001": True}
    with pytest.raises(Duplicate):
        roster.create_learner(UNIT_ADMIN, new)


def test_a_transfer_moves_the_learner_and_keeps_the_history(
    parts: tuple[Roster, FakeRoster, FakeAccounts],
) -> None:
    roster, people, accounts = parts
    student_no = roster.create_learner(UNIT_ADMIN, NewLearner(name="李四", unit_id=UNIT)).student_no
    with pytest.raises(Forbidden):  # a unit admin cannot send anyone outside their unit
        roster.transfer(UNIT_ADMIN, student_no, Transfer(to_unit_id=OTHER_UNIT))
    with pytest.raises(BadRequest):
        roster.transfer(CITY_ADMIN, student_no, Transfer(to_unit_id=UNIT))
    moved = roster.transfer(CITY_ADMIN, student_no, Transfer(to_unit_id=OTHER_UNIT))
    assert moved.unit_id == OTHER_UNIT
    assert [e.event for e in moved.history] == ["created", "transfer"]
    assert people.departures == [
        {"unit_id": UNIT, "student_no": student_no, "at": "2017-05-04T09:00:00+08:00"}
    ]
    assert people.results[(student_no, 2017)]["unit_id"] == OTHER_UNIT  # the year moves too
    assert accounts.units[student_no] == OTHER_UNIT


def test_a_status_change_locks_the_sign_in_and_a_race_is_a_conflict(
    parts: tuple[Roster, FakeRoster, FakeAccounts],
) -> None:
    roster, people, accounts = parts
    student_no = roster.create_learner(UNIT_ADMIN, NewLearner(name="王五", unit_id=UNIT)).student_no
    resign = StatusChange(status="resigned", reason="调离本市")
    assert roster.change_status(UNIT_ADMIN, student_no, resign).status == "resigned"
    assert accounts.enabled[student_no] is False
    accounts.enabled[student_no] = True  # the account call failed last time: a retry mends it
    assert roster.change_status(UNIT_ADMIN, student_no, resign).status == "resigned"
    assert accounts.enabled[student_no] is False
    people.directory.profiles[student_no]["status"] = "retired"  # changed meanwhile
    with pytest.raises(Conflict):
        people.change_status(
            UNIT_ADMIN,
            {"student_no": student_no, "status": "resigned"},
            "active",
            {},
            datetime.now(),
        )
