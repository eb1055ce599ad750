"""/roster through chalice.test.Client on moto (table, and Cognito accounts)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import call as send
from tests.api.conftest import code, get, json_of
from tests.helpers import CITY_ADMIN, COUNTY_ADMIN, LEARNER, OTHER_COUNTY_ADMIN, UNIT_ADMIN
from xuefa.store.keys import Keys

STUDENT = LEARNER[0]  # 530402000001, in 530402-001 (红塔区司法局)


@pytest.fixture
def api(accounts, client):
    return client("roster").http


def sign_in(accounts: Any, username: str, password: str) -> dict[str, Any]:
    import os

    pool = os.environ["XUEFA_USER_POOL_ID"]
    client_id = accounts.list_user_pool_clients(UserPoolId=pool, MaxResults=5)["UserPoolClients"][
        0
    ]["ClientId"]
    return dict(
        accounts.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
    )


def test_a_unit_shows_its_children_and_learner_count(api) -> None:
    body = json_of(get(api, "/units/530402", COUNTY_ADMIN))
    assert body["name"] == "红塔区" and body["path"] == "530400/530402"
    assert [c["unit_id"] for c in body["children"]] == ["530402-001", "530402-002", "530402-003"]
    assert json_of(get(api, "/units/530402-001", COUNTY_ADMIN))["learner_count"] == 10


def test_creating_a_unit_under_one_in_scope(api, city) -> None:
    new = {"name": "红塔区玉兴街道办事处", "parent_id": "530402", "unit_id": "530402-010"}
    created = send(api, "post", "/units", COUNTY_ADMIN, new)
    assert created.status_code == 201
    assert json_of(created)["path"] == "530400/530402/530402-010"
    assert send(api, "post", "/units", COUNTY_ADMIN, new).status_code == 409
    assert (
        send(
            api, "post", "/units", OTHER_COUNTY_ADMIN, {**new, "unit_id": "530402-011"}
        ).status_code
        == 403
    )
    children = json_of(get(api, "/units/530402", COUNTY_ADMIN))["children"]
    assert "530402-010" in [c["unit_id"] for c in children]
    assert (
        send(api, "post", "/units", COUNTY_ADMIN, {**new, "parent_id": "nope-9"}).status_code == 404
    )


def test_a_new_learner_gets_a_student_number_and_can_sign_in(api, accounts, city) -> None:
    response = send(
        api,
        "post",
        "/learners",
        UNIT_ADMIN,
        {"name": "李 建国", "unit_id": "530402-001", "phone": "13987700001"},
    )
    assert response.status_code == 201, response.body
    body = json_of(response)
    assert body["student_no"] == "530402000031"  # the county's 31st
    assert body["name"] == "李 建国" and body["status"] == "active"
    challenge = sign_in(accounts, body["student_no"], body["temporary_password"])
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert json_of(get(api, "/units/530402-001", UNIT_ADMIN))["learner_count"] == 11
    assert city.get(Keys.year_result(body["student_no"], 2026))["unit_id"] == "530402-001"


def test_the_same_person_is_not_registered_twice(api) -> None:
    person = {"name": "赵敏", "unit_id": "530402-001", "phone": "13987700002"}
    assert send(api, "post", "/learners", UNIT_ADMIN, person).status_code == 201
    again = send(api, "post", "/learners", UNIT_ADMIN, person)
    assert (again.status_code, code(again)) == (409, "DUPLICATE")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": "", "unit_id": "530402-001"}, 400),
        ({"name": "王五", "unit_id": "530402-001", "phone": "12345"}, 400),
        ({"name": "王五", "unit_id": "no-such-unit"}, 404),
        ({"name": "王五"}, 400),
        ({"name": "王五", "unit_id": "530403-001"}, 403),
    ],
)
def test_bad_new_learners_write_nothing(api, city, body: dict, status: int) -> None:
    response = send(api, "post", "/learners", COUNTY_ADMIN, body)
    assert response.status_code == status
    assert city.get(Keys.counter("STUDENT_NO#530402"))["value"] == 30


def test_listing_pages_and_filters_by_status(api) -> None:
    first = json_of(get(api, "/units/530402-001/learners?limit=4", UNIT_ADMIN))
    assert len(first["items"]) == 4 and first["cursor"]
    rest = json_of(
        get(api, f"/units/530402-001/learners?limit=50&cursor={first['cursor']}", UNIT_ADMIN)
    )
    numbers = [i["student_no"] for i in first["items"] + rest["items"]]
    assert len(numbers) == len(set(numbers)) == 10
    send(
        api,
        "post",
        f"/learners/{STUDENT}/status",
        UNIT_ADMIN,
        {"status": "retired", "reason": "退休"},
    )
    retired = json_of(get(api, "/units/530402-001/learners?status=retired", UNIT_ADMIN))["items"]
    assert [i["student_no"] for i in retired] == [STUDENT]
    assert get(api, "/units/530402-001/learners?status=gone", UNIT_ADMIN).status_code == 400


def test_resigned_learners_cannot_sign_in_but_keep_their_records(api, accounts, city) -> None:
    city.put({**Keys.year_result(STUDENT, 2026), "credits": 900, "best_score": 85})
    changed = send(
        api,
        "post",
        f"/learners/{STUDENT}/status",
        UNIT_ADMIN,
        {"status": "resigned", "reason": "辞职"},
    )
    assert json_of(changed)["status"] == "resigned"
    assert json_of(changed)["history"][-1]["event"] == "resigned"
    with pytest.raises(accounts.exceptions.NotAuthorizedException):
        sign_in(accounts, STUDENT, "Xuefa-Demo-2026")
    assert city.get(Keys.year_result(STUDENT, 2026))["credits"] == 900
    send(api, "post", f"/learners/{STUDENT}/status", UNIT_ADMIN, {"status": "active"})
    assert "AuthenticationResult" in sign_in(accounts, STUDENT, "Xuefa-Demo-2026")
    bad = send(api, "post", f"/learners/{STUDENT}/status", UNIT_ADMIN, {"status": "fired"})
    assert bad.status_code == 400


def test_a_retry_after_cognito_failed_still_locks_a_resigned_learner_out(
    api, accounts, monkeypatch
) -> None:
    """The profile is written, then Cognito fails: the admin sees an error and tries again.
    The retry must disable the account, not just report the status already recorded."""
    from xuefa.roster.accounts import CognitoAccounts

    real = CognitoAccounts.set_enabled
    calls: list[bool] = []

    def outage_once(self: CognitoAccounts, username: str, enabled: bool) -> None:
        calls.append(enabled)
        if len(calls) == 1:
            raise RuntimeError("Cognito is unavailable")
        real(self, username, enabled)

    monkeypatch.setattr(CognitoAccounts, "set_enabled", outage_once)
    resign = {"status": "resigned", "reason": "辞职"}
    first = send(api, "post", f"/learners/{STUDENT}/status", UNIT_ADMIN, resign)
    assert first.status_code == 500
    assert "AuthenticationResult" in sign_in(accounts, STUDENT, "Xuefa-Demo-2026")
    again = send(api, "post", f"/learners/{STUDENT}/status", UNIT_ADMIN, resign)
    assert again.status_code == 200 and json_of(again)["status"] == "resigned"
    with pytest.raises(accounts.exceptions.NotAuthorizedException):
        sign_in(accounts, STUDENT, "Xuefa-Demo-2026")


def test_a_transfer_keeps_credits_attempts_and_best_score(api, city) -> None:
    city.put(
        {
            **Keys.year_result(STUDENT, 2026),
            "student_no": STUDENT,
            "year": 2026,
            "unit_id": "530402-001",
            "gsi1pk": "UNIT#530402-001#2026",
            "gsi1sk": STUDENT,
            "credits": 1200,
            "attempts_used": 3,
            "best_score": 88,
        }
    )
    city.put({**Keys.attempt(STUDENT, 2026, 1), "attempt_no": 1, "state": "submitted", "score": 88})
    moved = send(
        api, "post", f"/learners/{STUDENT}/transfer", COUNTY_ADMIN, {"to_unit_id": "530402-002"}
    )
    assert moved.status_code == 200, moved.body
    body = json_of(moved)
    assert body["unit_id"] == "530402-002" and body["unit_name"] == "红塔区教育体育局"
    assert body["history"][-1]["event"] == "transfer"
    result = city.get(Keys.year_result(STUDENT, 2026))
    assert (result["credits"], result["attempts_used"], result["best_score"]) == (1200, 3, 88)
    assert result["gsi1pk"] == "UNIT#530402-002#2026"
    assert city.get(Keys.attempt(STUDENT, 2026, 1))["score"] == 88
    new_unit = json_of(get(api, "/units/530402-002/learners", COUNTY_ADMIN))["items"]
    assert STUDENT in [i["student_no"] for i in new_unit]
    old_unit = json_of(get(api, "/units/530402-001/learners", COUNTY_ADMIN))["items"]
    assert STUDENT not in [i["student_no"] for i in old_unit]


def test_transfer_needs_both_units_in_scope_and_a_different_unit(api) -> None:
    same = send(
        api, "post", f"/learners/{STUDENT}/transfer", COUNTY_ADMIN, {"to_unit_id": "530402-001"}
    )
    assert same.status_code == 400
    away = send(
        api, "post", f"/learners/{STUDENT}/transfer", COUNTY_ADMIN, {"to_unit_id": "530403-001"}
    )
    assert away.status_code == 403
    unit = send(
        api, "post", f"/learners/{STUDENT}/transfer", UNIT_ADMIN, {"to_unit_id": "530402-002"}
    )
    assert unit.status_code == 403
    assert json_of(get(api, f"/learners/{STUDENT}", UNIT_ADMIN))["unit_id"] == "530402-001"


def test_password_reset_forces_a_new_password(api, accounts, city) -> None:
    response = send(api, "post", f"/learners/{STUDENT}/password-reset", UNIT_ADMIN)
    password = json_of(response)["temporary_password"]
    assert sign_in(accounts, STUDENT, password)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    audits = list(city.query_all("AUDIT#2026#2026-11-20"))
    assert [a["action"] for a in audits] == ["roster.learner.password_reset"]
    assert password not in json.dumps(audits, default=str)


CSV_HEADER = "name,unit_id,phone\r\n"


def test_a_csv_import_creates_everyone_once(api, city) -> None:
    csv_text = "\ufeff" + CSV_HEADER + "张三,530402-001,13900000001\r\n李四,530402-002,\r\n"
    first = send(
        api, "post", "/learners/import", COUNTY_ADMIN, csv_text.encode(), content_type="text/csv"
    )
    assert first.status_code == 200, first.body
    assert [c["name"] for c in json_of(first)["created"]] == ["张三", "李四"]
    again = json_of(
        send(
            api,
            "post",
            "/learners/import",
            COUNTY_ADMIN,
            csv_text.encode(),
            content_type="text/csv",
        )
    )
    assert again["created"] == [] and [d["line"] for d in again["duplicates"]] == [2, 3]
    assert city.get(Keys.counter("STUDENT_NO#530402"))["value"] == 32


def test_an_invalid_row_stops_the_whole_file_unless_partial(api, city) -> None:
    csv_text = CSV_HEADER + "张三,530402-001,13900000001\n,530402-001,\n王五,no-such-unit,\n"
    whole = send(api, "post", "/learners/import", COUNTY_ADMIN, csv_text, content_type="text/csv")
    assert whole.status_code == 400
    errors = json_of(whole)["error"]["details"]["errors"]
    assert [e["line"] for e in errors] == [3, 4]
    assert city.get(Keys.counter("STUDENT_NO#530402"))["value"] == 30
    partial = send(
        api,
        "post",
        "/learners/import?partial=true",
        COUNTY_ADMIN,
        csv_text,
        content_type="text/csv",
    )
    body = json_of(partial)
    assert [c["name"] for c in body["created"]] == ["张三"]
    assert [e["line"] for e in body["errors"]] == [3, 4]


def test_a_file_reaching_outside_ones_scope_is_refused_whole(api, city) -> None:
    csv_text = CSV_HEADER + "张三,530402-001,13900000001\n王五,530403-001,\n"
    for query in ("", "?partial=true"):
        response = send(
            api, "post", f"/learners/import{query}", COUNTY_ADMIN, csv_text, content_type="text/csv"
        )
        assert (response.status_code, code(response)) == (403, "FORBIDDEN")
        assert "line 3" in json_of(response)["error"]["message"]
    assert city.get(Keys.counter("STUDENT_NO#530402"))["value"] == 30
    learner = send(api, "post", "/learners/import", LEARNER, csv_text, content_type="text/csv")
    assert learner.status_code == 403


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"name,unit\n\xe5\xbc\xa0,530402-001\n",
        CSV_HEADER.encode(),
        (CSV_HEADER + "张三,530402-001,\n").encode("gbk"),
        (CSV_HEADER + "".join(f"人{i},530402-001,\n" for i in range(5001))).encode(),
    ],
    ids=["empty", "wrong-columns", "header-only", "not-utf8", "5001-rows"],
)
def test_unreadable_files_are_refused_whole(api, city, payload: bytes) -> None:
    response = send(api, "post", "/learners/import", COUNTY_ADMIN, payload, content_type="text/csv")
    assert (response.status_code, code(response)) == (400, "BAD_REQUEST")
    assert city.get(Keys.counter("STUDENT_NO#530402"))["value"] == 30


# --- who may do what: every roster route, against targets in and out of scope ----------

ROUTES = [
    ("get", "/units/530402-001", None),
    ("get", "/units/530402-001/learners", None),
    ("post", "/units", {"name": "新单位", "parent_id": "530402-001"}),
    ("post", "/learners", {"name": "新人", "unit_id": "530402-001"}),
    ("get", f"/learners/{STUDENT}", None),
    ("post", f"/learners/{STUDENT}/status", {"status": "active"}),
    ("post", f"/learners/{STUDENT}/transfer", {"to_unit_id": "530402-001-x"}),
    ("post", f"/learners/{STUDENT}/password-reset", {}),
]
ALLOWED = {
    "city": {r[1] + r[0] for r in ROUTES},
    "county": {r[1] + r[0] for r in ROUTES},
    "unit": {r[1] + r[0] for r in ROUTES},
    "other_county": set(),
    "learner": {f"/learners/{STUDENT}get"},
}
WHO = {
    "city": CITY_ADMIN,
    "county": COUNTY_ADMIN,
    "unit": UNIT_ADMIN,
    "other_county": OTHER_COUNTY_ADMIN,
    "learner": LEARNER,
}


@pytest.mark.parametrize("who", list(WHO))
def test_scope_matrix(api, city, who: str) -> None:
    city.put(
        {
            **Keys.unit("530402-001-x"),
            "unit_id": "530402-001-x",
            "name": "子单位",
            "parent_id": "530402-001",
            "path": "530400/530402/530402-001/530402-001-x",
        }
    )
    for method, path, body in ROUTES:
        response = (
            send(api, method, path, WHO[who], body)
            if method == "post"
            else get(api, path, WHO[who])
        )
        allowed = path + method in ALLOWED[who]
        if allowed:
            assert response.status_code in (200, 201), (who, method, path, response.body)
        else:
            assert response.status_code == 403, (who, method, path, response.body)
            assert set(json_of(response)) == {"error"}
