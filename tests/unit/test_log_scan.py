"""The log scan (tests/logscan.py) can fail: a name, a phone, a token or the demo
password logged by an app's Powertools logger is caught; ordinary records are not."""

from __future__ import annotations

import jwt
import pytest

from infra.local.demo_city import learners
from tests.logscan import SCAN, assert_clean_lines, findings, scanned
from xuefa.core.observability import logger


def test_a_name_logged_by_an_app_is_caught() -> None:
    planted = learners()[0]
    logger("roster").warning("learner changed", extra={"who": planted.name})
    leaks = scanned(SCAN.take())  # taken: this test's own plant does not fail it
    assert leaks and f"name: {planted.name}" in leaks[0]


@pytest.mark.parametrize(
    "text",
    [
        "phone 13987700001 on file",
        "Authorization: " + jwt.encode({"sub": "530402000001"}, "k" * 32, algorithm="HS256"),
        # fixed values: pytest-xdist's workers must collect the same test ids
        "refresh=" + "Zk3b" * 10 + "Qw9",
        "password Xuefa-Demo-2026",
    ],
)
def test_phones_tokens_and_passwords_are_caught(text: str) -> None:
    assert findings(text)


@pytest.mark.parametrize(
    "text",
    [
        "GET /roster/learners/530402000001 200 6.1ms",  # a student number is 12 digits
        '{"level":"WARNING","message":"unhandled error","path":"/exams/2026/attempts"}',
        "sha256 " + "6691e3440a87ef34" * 4,
        "at 1764547200000",
    ],
)
def test_ordinary_records_pass(text: str) -> None:
    assert findings(text) == []


def test_a_stacks_output_with_a_phone_fails() -> None:
    with pytest.raises(AssertionError, match="phone"):
        assert_clean_lines(["POST /roster/learners 201", "phone=13812345678"], "a stack")
    assert_clean_lines(["POST /roster/learners 201"], "a stack")


def test_the_stacks_banner_of_demo_logins_is_not_a_log() -> None:
    banner = ["  demo logins (password for all: Xuefa-Demo-2026)", f"  x {learners()[0].name}"]
    assert_clean_lines([*banner, "ready in 12.0 s", "GET /roster/me 200"], "a stack")
    with pytest.raises(AssertionError, match="name"):
        assert_clean_lines([*banner, "ready in 12.0 s", learners()[1].name], "a stack")
