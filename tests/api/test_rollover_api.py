"""1 December on moto: the nightly run of the closing year's last month makes the next
year (provisional, the catalogue and bank copied), and at 00:05 a learner studies in it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.api.conftest import get, json_of, nightly, post
from tests.helpers import LEARNER
from xuefa import bootstrap
from xuefa.core.clock import SHANGHAI
from xuefa.store.keys import Keys
from xuefa.store.store import Store


def test_the_next_year_is_ready_before_1_december(city: Store, client: Any, clock: Any) -> None:
    reports, credits = client("reports"), client("credits").http
    years = bootstrap.services().years
    assert not years.exists(2027)
    nightly(reports, "2026-11-19T17:00:00Z")  # 01:00 on 20 November
    ready = years.get(2027)
    assert ready.provisional and ready.credit_window.opens_at.isoformat() == (
        "2026-12-01T00:00:00+08:00"
    )
    catalogue = list(city.query_all(Keys.catalogue(2026)))
    copied = list(city.query_all(Keys.catalogue(2027)))
    assert len(copied) == len(catalogue) > 0
    assert len(list(city.query_all(Keys.bank(2027)))) == len(list(city.query_all(Keys.bank(2026))))

    # An edit of the copy survives the next nights' runs.
    city.put({**copied[0], "title": "本年新课"})
    nightly(reports, "2026-11-20T17:00:00Z")
    kept = city.get(Keys.resource(2027, copied[0]["resource_id"]))
    assert kept is not None and kept["title"] == "本年新课"

    clock.set(datetime(2026, 12, 1, 0, 5, tzinfo=SHANGHAI))
    started = post(credits, "/sessions", LEARNER, {"resource_id": "signin"})
    assert started.status_code == 201, started.body
    assert json_of(started)["session_id"].startswith("s2027-")
    done = post(credits, f"/sessions/{json_of(started)['session_id']}/complete", LEARNER, {})
    assert (done.status_code, json_of(done)["awarded"]) == (200, 5)
    assert json_of(get(credits, "/me", LEARNER))["year"] == 2027
