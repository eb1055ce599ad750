"""The OpenAPI document is generated from the routes; every input and every answer has a
model."""

from __future__ import annotations

import pytest

from infra.local.apps import APPS, load_module
from xuefa_api import Operation
from xuefa_api.openapi import document


@pytest.fixture(scope="module")
def operations() -> dict[str, list[Operation]]:
    return {name: load_module(name).api.operations for name in APPS}


# Actions that take nothing: no body is declared, so none is asked for (schemathesis would
# otherwise see a missing `{}` accepted by an idempotent action).
NO_INPUT = {("credits", "/sessions/{session_id}/abandon")}


def test_every_route_that_takes_a_body_declares_its_model(operations) -> None:
    for name, ops in operations.items():
        for op in ops:
            if {"POST", "PUT", "PATCH"} & set(op.methods) and (name, op.path) not in NO_INPUT:
                assert op.body is not None or op.raw_body, (
                    f"{name} {op.methods} {op.path} has no model"
                )


def test_every_route_declares_what_it_answers(operations) -> None:
    missing = [
        f"{name} {op.methods} {op.path}"
        for name, ops in operations.items()
        for op in ops
        if op.response is None
    ]
    assert missing == []


def test_a_success_is_documented_with_its_fields(operations) -> None:
    spec = document({name: load_module(name).api for name in APPS})
    schemas = spec["components"]["schemas"]
    submit = spec["paths"]["/exams/{year}/attempts/{attempt_no}/submit"]["post"]["responses"]
    assert submit["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Outcome"
    }
    assert {"score", "best_score", "passed_exam_part", "annual"} <= set(
        schemas["Outcome"]["required"]
    )
    started = spec["paths"]["/exams/{year}/attempts"]["post"]["responses"]["201"]
    assert started["content"]["application/json"]["schema"]["$ref"].endswith("/StartedAttempt")
    # what a learner's device gets for a question carries no answer
    assert "answer" not in schemas["Question"]["properties"]


def test_two_models_of_one_name_cannot_both_be_documented() -> None:
    from pydantic import BaseModel

    from xuefa_api.openapi import _schema

    class Twin(BaseModel):
        a: int

    first = Twin

    class Twin(BaseModel):  # type: ignore[no-redef]
        b: str

    components: dict[str, object] = {}
    _schema(first, components)
    with pytest.raises(ValueError, match="Twin"):
        _schema(Twin, components)


def test_every_chalice_route_is_declared_through_the_api(operations) -> None:
    for name, ops in operations.items():
        app = load_module(name).app
        declared = {(op.path, method) for op in ops for method in op.methods}
        registered = {(path, method) for path, methods in app.routes.items() for method in methods}
        assert declared == registered, name


def test_the_document_covers_every_route_with_security_and_errors(operations) -> None:
    spec = document({name: load_module(name).api for name in APPS})
    assert spec["openapi"] == "3.1.0"
    count = sum(len(op.methods) for ops in operations.values() for op in ops)
    documented = [(p, m, o) for p, entry in spec["paths"].items() for m, o in entry.items()]
    assert len(documented) == count
    # Public: the health checks, and checking a certificate's code (anyone may).
    public = {f"/{name}/health" for name in APPS} | {"/reports/verify/{code}"}
    for path, _, op in documented:
        assert ("security" in op) is (path not in public), path
        assert op["summary"], path
    learners = spec["paths"]["/roster/units/{unit_id}/learners"]["get"]["parameters"]
    assert {p["name"] for p in learners} == {"unit_id", "status", "limit", "cursor"}
    body = spec["paths"]["/credits/adjustments"]["post"]["requestBody"]["content"][
        "application/json"
    ]
    assert body["schema"] == {"$ref": "#/components/schemas/Adjustment"}
    assert "delta" in spec["components"]["schemas"]["Adjustment"]["properties"]
