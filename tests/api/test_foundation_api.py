"""The shared shell of every app: identity, error shape, bad input."""

from __future__ import annotations

import json

import pytest
from chalice import Chalice
from chalice.test import Client

from tests.api.conftest import json_of
from tests.helpers import CITY_ADMIN, LEARNER, UNIT_ADMIN, auth
from xuefa_api import Api

APPS = ["credits", "exams", "reports", "roster"]


def test_me_shows_a_learner_their_unit(city, client) -> None:
    response = client("roster").http.get("/me", headers=auth(*LEARNER))
    assert response.status_code == 200
    body = json_of(response)
    assert body["student_no"] == "530402000001"
    assert body["unit_id"] == "530402-001"
    assert body["unit_name"] == "红塔区司法局"
    assert body["groups"] == ["learners"]
    assert body["name"]


def test_me_shows_an_admin_their_login_and_unit(city, client) -> None:
    body = json_of(client("roster").http.get("/me", headers=auth(*CITY_ADMIN)))
    assert body["username"] == "city_admin"
    assert body["unit_name"] == "玉溪市"
    assert "student_no" not in body


def test_me_for_an_account_without_a_profile_is_404(city, client) -> None:
    response = client("roster").http.get("/me", headers=auth("ghost", ["learners"], "530402-001"))
    assert response.status_code == 404
    assert json_of(response)["error"]["code"] == "NOT_FOUND"


def test_no_token_is_401_in_the_contract_shape(city, client) -> None:
    response = client("roster").http.get("/me")
    assert response.status_code == 401
    assert json_of(response) == {
        "error": {"code": "UNAUTHORIZED", "message": "sign in first: a valid token is required"}
    }


@pytest.mark.parametrize("app", APPS)
def test_every_app_has_a_public_health_route(aws, client, app: str) -> None:
    response = client(app).http.get("/health")
    assert response.status_code == 200
    assert json_of(response) == {"status": "ok"}


def test_wrong_method_is_a_contract_error_not_chalices_shape(city, client) -> None:
    response = client("roster").http.post("/me", headers=auth(*UNIT_ADMIN), body="{}")
    assert response.status_code == 405
    body = json_of(response)
    assert set(body) == {"error"}
    assert body["error"]["code"] == "BAD_REQUEST"


def test_an_unexpected_failure_is_500_with_a_request_id_and_no_trace(
    city, client, monkeypatch
) -> None:
    from xuefa.roster.directory import Directory

    def boom(self, actor):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(Directory, "person", boom)
    response = client("roster").http.get("/me", headers=auth(*LEARNER))
    assert response.status_code == 500
    body = json_of(response)
    assert body["error"]["code"] == "INTERNAL"
    assert body["error"]["request_id"]
    assert "secret" not in json.dumps(body) and "Traceback" not in response.body.decode()


def _counting_app(service: str) -> Client:
    app = Chalice(app_name=service)
    api = Api(app, service)

    @api.route("/hit", methods=["GET"], public=True)
    def hit() -> dict[str, str]:
        api.count("Hits")
        return {"status": "ok"}

    return Client(app)


def test_with_metrics_off_nothing_piles_up_or_is_printed(aws, capsys) -> None:
    """Powertools keeps disabled metrics and prints them at 100 values; a local stack that
    served 100 completions used to print an EMF blob into the terminal."""
    probe = _counting_app("metrics-off-probe")
    for _ in range(120):
        assert probe.http.get("/hit").status_code == 200
    assert '"_aws"' not in capsys.readouterr().out


def test_with_metrics_on_each_request_publishes_its_own(aws, monkeypatch, capsys) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    probe = _counting_app("metrics-on-probe")
    for _ in range(3):
        probe.http.get("/hit")
    emitted = [json.loads(x) for x in capsys.readouterr().out.splitlines() if '"_aws"' in x]
    hits = [m["Hits"] for m in emitted if "Hits" in m]
    assert hits == [[1.0], [1.0], [1.0]]


def test_a_response_that_drifts_from_its_documented_model_is_caught(aws) -> None:
    """Tests and the local stack check every answer against the OpenAPI document."""
    app = Chalice(app_name="drift-probe")
    api = Api(app, "drift-probe")

    @api.route("/drift", methods=["GET"], public=True, response="Health")
    def drift() -> dict[str, str]:
        return {"status": "fine, thanks"}

    response = Client(app).http.get("/drift")
    assert response.status_code == 500
    assert json_of(response)["error"]["code"] == "INTERNAL"
    assert "Health" in json_of(response)["error"]["message"]


def test_health_needs_no_settings_so_no_secret(aws, client, monkeypatch) -> None:
    """On AWS building the settings fetches the cursor key from Secrets Manager; a health
    check must not depend on that (nor pay for it)."""
    from xuefa import bootstrap

    monkeypatch.delenv("XUEFA_CURSOR_SECRET")
    bootstrap.reset()
    response = client("credits").http.get("/health")
    assert response.status_code == 200
