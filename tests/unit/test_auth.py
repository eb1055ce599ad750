from datetime import datetime, timedelta

import pytest

from xuefa.core.auth import (
    Actor,
    AdminUnits,
    actor_from_claims,
    in_subtree,
    require_city_admin,
    require_unit_in_scope,
)
from xuefa.core.errors import Forbidden, Unauthorized


@pytest.mark.parametrize(
    "groups", [["admins"], "admins", "[admins]", "admins,learners", "[admins learners]"]
)
def test_groups_arrive_in_any_of_api_gateways_shapes(groups: object) -> None:
    actor = actor_from_claims(
        {"cognito:username": "a", "custom:unit_id": "530402", "cognito:groups": groups}
    )
    assert actor.is_admin


@pytest.mark.parametrize(
    "claims",
    [None, {}, {"cognito:username": "a"}, {"custom:unit_id": "530402"}],
)
def test_missing_identity_is_unauthorized(claims: dict | None) -> None:
    with pytest.raises(Unauthorized):
        actor_from_claims(claims)


def test_subtree_is_a_path_prefix_on_whole_segments() -> None:
    assert in_subtree("530400/530402/530402-001", "530400/530402")
    assert in_subtree("530400/530402", "530400/530402")
    assert not in_subtree("530400/5304021", "530400/530402")
    assert not in_subtree("530400", "530400/530402")


def test_unit_admin_cannot_reach_a_sibling_unit() -> None:
    admin = Actor("unit_a", frozenset({"admins"}), "530402-001")
    with pytest.raises(Forbidden):
        require_unit_in_scope(admin, "530400/530402/530402-001", "530400/530402/530402-002")


def test_learner_is_never_in_admin_scope() -> None:
    learner = Actor("530402000001", frozenset({"learners"}), "530402-001")
    with pytest.raises(Forbidden):
        require_unit_in_scope(learner, "530400/530402/530402-001", "530400/530402/530402-001")


def test_only_the_city_is_city_admin() -> None:
    county = Actor("county", frozenset({"admins"}), "530402")
    with pytest.raises(Forbidden):
        require_city_admin(county, "530400/530402")
    require_city_admin(Actor("city", frozenset({"admins"}), "530400"), "530400")


def test_a_lambda_authorizers_context_reads_as_cognitos_claims() -> None:
    from xuefa.core.auth import claims_of

    context = {"principalId": "530402000001", "username": "530402000001", "groups": "learners",
               "unit_id": "530402-001"}  # fmt: skip
    actor = actor_from_claims(claims_of(context))
    assert (actor.username, actor.unit_id, actor.is_learner) == ("530402000001", "530402-001", True)
    nested = {
        "claims": {"cognito:username": "a", "cognito:groups": "admins", "custom:unit_id": "1"}
    }
    assert actor_from_claims(claims_of(nested)).is_admin
    assert claims_of({"username": "no principal"}) is None and claims_of(None) is None


MOMENT = datetime(2026, 11, 20, 10, 0)


def _units(records: dict[str, str]) -> tuple[AdminUnits, list[str]]:
    reads: list[str] = []

    def read(username: str) -> str | None:
        reads.append(username)
        return records.get(username)

    return AdminUnits(read, ttl=60, size=2), reads


def test_an_admins_unit_is_our_record_not_the_claim() -> None:
    units, _ = _units({"county_530402": "530402"})
    claimed = Actor("county_530402", frozenset({"admins"}), "530400")  # claims the city
    assert units.scoped(claimed, MOMENT).unit_id == "530402"


def test_an_admin_without_a_record_is_forbidden() -> None:
    units, _ = _units({})
    with pytest.raises(Forbidden):
        units.scoped(Actor("ghost", frozenset({"admins"}), "530400"), MOMENT)


def test_a_learner_keeps_the_claims_and_costs_no_read() -> None:
    units, reads = _units({})
    learner = Actor("530402000001", frozenset({"learners"}), "530402-001")
    assert units.scoped(learner, MOMENT) is learner
    assert reads == []


def test_one_read_per_admin_a_minute_and_a_move_is_seen_after_it() -> None:
    records = {"a": "530402"}
    units, reads = _units(records)
    admin = Actor("a", frozenset({"admins"}), "530402")
    for seconds in (0, 10, 59):
        assert units.scoped(admin, MOMENT + timedelta(seconds=seconds)).unit_id == "530402"
    assert reads == ["a"]
    records["a"] = "530402-001"  # moved down a level
    assert units.scoped(admin, MOMENT + timedelta(seconds=61)).unit_id == "530402-001"
    del records["a"]  # removed
    with pytest.raises(Forbidden):
        units.scoped(admin, MOMENT + timedelta(seconds=122))


def test_the_cache_holds_a_bounded_number_of_admins() -> None:
    units, reads = _units({"a": "1", "b": "2", "c": "3"})
    for name in ("a", "b", "c", "a"):  # size 2: "a" was pushed out by "c"
        units.unit_of(name, MOMENT)
    assert reads == ["a", "b", "c", "a"]
