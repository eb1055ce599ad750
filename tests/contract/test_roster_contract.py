"""FakeRoster (over FakeDirectory) and DynamoRoster (over the Directory on the table):
units, registration, status changes and transfers with the same outcomes, and the
directory's reads and scope checks the same over either."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.contract.conftest import LEARNER, OTHER, SEED_AT, YEAR, World, config
from tests.fakes.directory import CITY, COUNTY, OTHER_UNIT, UNIT
from xuefa.core.auth import Actor
from xuefa.core.clock import iso
from xuefa.core.errors import Conflict, Duplicate, Forbidden, NotFound
from xuefa.roster.directory import Unit
from xuefa.roster.repository import Move, learner_item

pytestmark = pytest.mark.contract

COUNTY_ADMIN = Actor("county_530402", frozenset({"admins"}), COUNTY)
UNIT_ADMIN = Actor("unit_530402-001", frozenset({"admins"}), UNIT)
AT = SEED_AT + timedelta(days=30)
NEW_UNIT = Unit(
    unit_id="530402-003", name="财政局", parent_id=COUNTY, path=f"{CITY}/{COUNTY}/530402-003"
)


def profile(world: World, student_no: str, name: str, phone: str | None = None) -> dict[str, Any]:
    return learner_item(student_no, name, world.directory.unit(UNIT), phone, AT, "admin")


def register(world: World, student_no: str, name: str, phone: str | None = None) -> None:
    shown = {"student_no": student_no, "name": name}
    world.roster.register(COUNTY_ADMIN, profile(world, student_no, name, phone), AT, YEAR, shown)


# What a caller reads back. One place to follow the repositories' return types.


def listed(world: World, unit_id: str, status: str | None = None, limit: int = 2) -> list[str]:
    """Every learner of a unit (of a status), following the pages to the end."""
    found, start = [], None
    while True:
        items, start = world.roster.learners_page(unit_id, status, limit, start)
        found += [str(item["student_no"]) for item in items]
        if not start:
            return found


def seen(world: World, student_no: str) -> dict[str, Any]:
    learner = world.directory.learner(student_no)
    events = [entry.get("event") for entry in learner.get("history", [])]
    return {
        "unit_id": learner["unit_id"],
        "unit_path": learner["unit_path"],
        "status": learner.get("status", "active"),
        "events": [e for e in events if e != "created"],
    }


def entry(event: str) -> dict[str, Any]:
    return {"at": iso(AT), "event": event, "by": COUNTY_ADMIN.username}


# units --------------------------------------------------------------------------------


def test_a_unit_added_is_a_child_of_its_parent_and_a_unit_of_the_directory(
    world: World,
) -> None:
    assert world.roster.children(COUNTY) == [
        {"unit_id": UNIT, "name": UNIT},
        {"unit_id": OTHER_UNIT, "name": OTHER_UNIT},
    ]
    world.roster.add_unit(COUNTY_ADMIN, NEW_UNIT, AT)

    assert world.roster.children(COUNTY)[-1] == {"unit_id": "530402-003", "name": "财政局"}
    assert world.directory.unit("530402-003") == NEW_UNIT
    assert world.roster.children("530402-003") == []
    with pytest.raises(Duplicate):
        world.roster.add_unit(COUNTY_ADMIN, NEW_UNIT.model_copy(update={"name": "另一个"}), AT)
    assert world.directory.unit("530402-003").name == "财政局"


def test_a_rename_is_written_only_over_the_name_read(world: World) -> None:
    world.roster.add_unit(COUNTY_ADMIN, NEW_UNIT, AT)
    world.roster.rename_unit(COUNTY_ADMIN, NEW_UNIT, "财政局（新）", AT)
    with pytest.raises(Conflict):  # a rename from the old name: someone renamed it first
        world.roster.rename_unit(COUNTY_ADMIN, NEW_UNIT, "财政局二", AT)

    assert world.roster.children(COUNTY)[-1]["name"] == "财政局（新）"
    world.directory.forget("530402-003")  # as the service does after a rename
    assert world.directory.unit("530402-003").name == "财政局（新）"


def test_the_directory_reads_units_and_learners_or_says_not_found(world: World) -> None:
    unit = world.directory.unit(UNIT)
    assert (unit.unit_id, unit.parent_id, unit.path) == (UNIT, COUNTY, f"{CITY}/{COUNTY}/{UNIT}")
    assert world.directory.unit(CITY).parent_id is None
    assert seen(world, LEARNER) == {
        "unit_id": UNIT,
        "unit_path": unit.path,
        "status": "active",
        "events": [],
    }
    with pytest.raises(NotFound):
        world.directory.unit("999999")
    with pytest.raises(NotFound):
        world.directory.learner("530402999999")


def test_the_directorys_scope_checks_agree(world: World) -> None:
    assert world.directory.unit_in_scope(COUNTY_ADMIN, OTHER_UNIT).unit_id == OTHER_UNIT
    assert world.directory.learner_in_scope(UNIT_ADMIN, LEARNER)["unit_id"] == UNIT
    with pytest.raises(Forbidden):
        world.directory.unit_in_scope(UNIT_ADMIN, OTHER_UNIT)
    with pytest.raises(Forbidden):
        world.directory.city_admin(COUNTY_ADMIN)


def test_the_year_book_reads_a_configured_year_or_says_not_found(world: World) -> None:
    assert world.years.get(YEAR) == config()
    with pytest.raises(NotFound):
        world.years.get(YEAR + 1)


# learners -----------------------------------------------------------------------------


def test_student_numbers_are_allocated_in_blocks(world: World) -> None:
    assert world.roster.allocate("530402", 1) == 1
    assert world.roster.allocate("530402", 10) == 11
    assert world.roster.allocate("530403", 2) == 2


def test_a_registered_learner_is_listed_and_counted(world: World) -> None:
    register(world, "530402000010", "张三", "13800000000")

    assert world.roster.registered(
        [(UNIT, "张三", "13800000000"), (UNIT, "张三", None), (OTHER_UNIT, "张三", "13800000000")]
    ) == {0}
    assert listed(world, UNIT) == [LEARNER, OTHER, "530402000010"]
    assert world.roster.learner_count(UNIT) == 3
    assert world.roster.learner_count(OTHER_UNIT) == 0
    assert seen(world, "530402000010")["unit_id"] == UNIT


def test_the_same_person_twice_is_a_duplicate_and_writes_nothing(world: World) -> None:
    register(world, "530402000010", "张三", "13800000000")
    with pytest.raises(Duplicate):
        register(world, "530402000011", "张三", "13800000000")
    with pytest.raises(Conflict):  # a number already taken (the counter was behind)
        register(world, "530402000010", "李四")

    assert listed(world, UNIT) == [LEARNER, OTHER, "530402000010"]
    assert world.roster.registered([(UNIT, "李四", None)]) == set()
    with pytest.raises(NotFound):
        world.directory.learner("530402000011")


def test_learners_are_listed_by_status_across_pages(world: World) -> None:
    for i in range(3, 8):
        world.add_learner(f"53040200000{i}", status="resigned" if i % 2 else "active")

    assert listed(world, UNIT, limit=3) == [LEARNER, OTHER] + [
        f"53040200000{i}" for i in range(3, 8)
    ]
    assert listed(world, UNIT, "resigned") == ["530402000003", "530402000005", "530402000007"]
    assert listed(world, UNIT, "active", limit=1) == [
        LEARNER,
        OTHER,
        "530402000004",
        "530402000006",
    ]
    assert listed(world, UNIT, "retired") == []
    assert listed(world, OTHER_UNIT) == []


def test_a_status_changes_only_from_the_status_read(world: World) -> None:
    read = world.directory.learner(LEARNER)
    world.roster.change_status(COUNTY_ADMIN, read, "resigned", entry("resigned"), AT)
    with pytest.raises(Conflict):  # the same change from the same (now stale) read
        world.roster.change_status(COUNTY_ADMIN, read, "retired", entry("retired"), AT)

    assert seen(world, LEARNER)["status"] == "resigned"
    assert seen(world, LEARNER)["events"] == ["resigned"]
    assert listed(world, UNIT, "resigned") == [LEARNER]


def test_no_status_change_or_transfer_of_a_learner_who_is_not_there(world: World) -> None:
    ghost = {"student_no": "530402999999", "status": "active"}
    with pytest.raises(Conflict):
        world.roster.change_status(COUNTY_ADMIN, ghost, "resigned", entry("resigned"), AT)
    target = world.directory.unit(OTHER_UNIT)
    with pytest.raises(Conflict):
        world.roster.transfer(
            COUNTY_ADMIN, Move("530402999999", UNIT, target, entry("transfer"), YEAR, AT)
        )
    with pytest.raises(NotFound):
        world.directory.learner("530402999999")


def test_a_transfer_moves_the_learner_only_from_the_unit_read(world: World) -> None:
    target = world.directory.unit(OTHER_UNIT)
    move = Move(LEARNER, UNIT, target, entry("transfer"), YEAR, AT)
    world.roster.transfer(COUNTY_ADMIN, move)
    with pytest.raises(Conflict):  # the same move again: the learner is not in UNIT now
        world.roster.transfer(COUNTY_ADMIN, move)

    assert seen(world, LEARNER) == {
        "unit_id": OTHER_UNIT,
        "unit_path": target.path,
        "status": "active",
        "events": ["transfer"],
    }
    assert listed(world, UNIT) == [OTHER]
    assert listed(world, OTHER_UNIT) == [LEARNER]
    assert world.roster.learner_count(OTHER_UNIT) == 1
