"""Shared test helpers: environment for the apps, API-Gateway-shaped tokens, app loading."""

from __future__ import annotations

from typing import Any

import jwt

TABLE = "xuefa-test"
BUCKET = "xuefa-test-reports"
CONTENT_BUCKET = "xuefa-test-content"
REGION = "us-east-1"
ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "XUEFA_TABLE": TABLE,
    "XUEFA_BUCKET": BUCKET,
    "XUEFA_CONTENT_BUCKET": CONTENT_BUCKET,
    "XUEFA_CURSOR_SECRET": "test-cursor-secret-0123456789",
    "POWERTOOLS_METRICS_NAMESPACE": "xuefa",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "XUEFA_CHECK_RESPONSES": "true",  # every response checked against its documented model
}


def claims(username: str, groups: list[str], unit_id: str) -> dict[str, Any]:
    return {"cognito:username": username, "cognito:groups": groups, "custom:unit_id": unit_id}


def token(username: str, groups: list[str], unit_id: str) -> str:
    """What chalice.test.Client's Cognito authorizer reads (it decodes, API Gateway verifies)."""
    return jwt.encode(
        claims(username, groups, unit_id),
        "not-checked-by-the-test-client-0123456789",
        algorithm="HS256",
    )


def auth(username: str, groups: list[str], unit_id: str) -> dict[str, str]:
    return {"Authorization": token(username, groups, unit_id)}


LEARNER = ("530402000001", ["learners"], "530402-001")
CITY_ADMIN = ("city_admin", ["admins"], "530400")
COUNTY_ADMIN = ("county_530402", ["admins"], "530402")
OTHER_COUNTY_ADMIN = ("county_530403", ["admins"], "530403")
UNIT_ADMIN = ("unit_530402-001", ["admins"], "530402-001")


def stored_paper(store: Any, student_no: str, year: int, attempt_no: int) -> list[dict[str, Any]]:
    """An attempt's paper as the server reads it (rebuilt from what was drawn, #28), keys
    and bank ids included: tests answer from it, as no client ever can."""
    from xuefa.exams.repository import AttemptReads
    from xuefa.store.keys import Keys

    item = store.get(Keys.attempt(student_no, year, attempt_no))
    assert item is not None, "no such attempt"
    return [question.model_dump() for question in AttemptReads(store).paper_of(item)]
