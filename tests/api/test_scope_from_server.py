"""An admin's scope is our record of that admin, not the unit their token claims: a
county admin who writes `custom:unit_id: 530400` into their Cognito attributes is still
a county admin; an admin token without a record gets nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import code, get, json_of
from tests.helpers import COUNTY_ADMIN, LEARNER
from xuefa import bootstrap
from xuefa.store.keys import Keys
from xuefa.store.store import Store

FORGED = (COUNTY_ADMIN[0], ["admins"], "530400")  # county_530402, claiming the city
GHOST = ("ghost_admin", ["admins"], "530400")  # a token for an admin we have no record of


@pytest.fixture
def apps(city: Store, client: Any) -> tuple[Any, Any]:
    return client("roster").http, client("reports").http


def test_a_forged_city_claim_keeps_the_county_admin_in_their_county(apps) -> None:
    roster, reports = apps
    for path in ("/units/530400", "/units/530403", "/units/530403/learners"):
        refused = get(roster, path, FORGED)
        assert (refused.status_code, code(refused)) == (403, "FORBIDDEN"), path
    refused = get(reports, "/progress/summary?unit_id=530400", FORGED)
    assert refused.status_code == 403
    # Their own subtree, as before; and a unit left out says their unit is the county.
    assert json_of(get(roster, "/units/530402", FORGED))["path"] == "530400/530402"
    assert get(roster, "/units/530402-001", FORGED).status_code == 200
    rows = json_of(get(reports, "/progress/summary", FORGED))["rows"]
    assert rows and all(r["unit_id"].startswith("530402") for r in rows)


def test_an_admin_token_without_our_record_is_forbidden(apps) -> None:
    roster, reports = apps
    for api, path in ((roster, "/units/530402"), (reports, "/progress/summary")):
        refused = get(api, path, GHOST)
        assert (refused.status_code, code(refused)) == (403, "FORBIDDEN"), path


def test_a_moved_admin_has_the_new_scope_within_a_minute(apps, city, clock) -> None:
    roster, _ = apps
    assert get(roster, "/units/530402-002", COUNTY_ADMIN).status_code == 200
    city.update(Keys.admin(COUNTY_ADMIN[0]), "SET unit_id = :u", values={":u": "530402-001"})
    clock.advance(seconds=61)
    assert get(roster, "/units/530402-002", COUNTY_ADMIN).status_code == 403
    assert get(roster, "/units/530402-001", COUNTY_ADMIN).status_code == 200


def test_one_read_of_the_record_per_admin_per_container_and_none_for_learners(
    apps, monkeypatch
) -> None:
    roster, _ = apps
    store = bootstrap.services().store
    reads: list[str] = []
    original = store.get

    def counting(key: Any, consistent: bool = True) -> Any:
        reads.append(str(key["pk"]))
        return original(key, consistent)

    monkeypatch.setattr(store, "get", counting)
    for _ in range(3):
        assert get(roster, "/units/530402", COUNTY_ADMIN).status_code == 200
    assert reads.count(f"ADMIN#{COUNTY_ADMIN[0]}") == 1
    reads.clear()
    assert get(roster, "/me", LEARNER).status_code == 200  # a learner's claims still work
    assert not [r for r in reads if r.startswith("ADMIN#")]
