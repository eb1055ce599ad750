"""A schema fuzz of every route against a running local stack, with valid tokens: zero
5xx, zero dropped connections, and every 4xx in the contract's error shape.

`make test` runs a bounded number of examples per route; `make fuzz` many more."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.e2e.conftest import Stack
from xuefa.core.errors import ALL_ERRORS

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("fuzz")]

EXAMPLES = int(os.environ.get("XUEFA_FUZZ_EXAMPLES", "6"))
CODES = {error.code for error in ALL_ERRORS}


def test_no_request_breaks_the_contract(own_stack: Stack) -> None:
    from hypothesis import given
    from hypothesis.errors import Unsatisfiable

    tokens = [own_stack.sign_in(who) for who in ("530402000001", "county_530402")]
    api = schemathesis.openapi.from_url(own_stack.url + "/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]  # type: ignore[union-attr]  # an invalid operation fails the test here, as it should
    assert len(operations) >= 30

    modes = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    for operation, mode in ((op, mode) for op in operations for mode in modes):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            for token in tokens:
                response = case.call(
                    base_url=own_stack.url, headers={"Authorization": token}, timeout=30
                )
                where = f"{case.method} {case.formatted_path} -> {response.status_code}: "
                where += response.text[:300]
                assert response.status_code < 500, where
                if response.status_code >= 400:
                    body = response.json()
                    assert set(body) == {"error"}, where
                    assert body["error"]["code"] in CODES and body["error"]["message"], where

        try:
            check()
        except Unsatisfiable:
            assert mode is schemathesis.GenerationMode.NEGATIVE  # nothing there to get wrong
