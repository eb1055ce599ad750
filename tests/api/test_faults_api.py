"""A backend that fails for a moment (#29): what outlasts botocore's own retries reaches
every app as a retryable answer (429 for throttling, 503 for the rest, with `Retry-After`
and the contract's error shape), never a 500; what the retries absorb is not seen at all.
The faults come from the local stack's injector (infra/local/faults.py) on moto."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.faults import KINDS, FaultInjector
from tests.api.conftest import code, get, json_of, post
from tests.api.test_identity_api import idp, own, sign_in  # noqa: F401 (fixtures)
from tests.helpers import CITY_ADMIN, LEARNER
from xuefa import bootstrap
from xuefa.core.clock import study_year_of

READ = "dynamodb ThrottlingException (read)"
INTERNAL = "dynamodb InternalServerError"
CONFLICT = "dynamodb TransactionConflict (cancelled)"
KMS = "kms ThrottlingException (sign-in)"


@pytest.fixture
def faults(aws: None) -> Iterator[FaultInjector]:
    """The injector on boto3's session (so on every client the apps make from now on),
    quiet until a test gives it rates; taken off afterwards."""
    injector = FaultInjector().install()
    yield injector
    injector.uninstall()


def only(injector: FaultInjector, kind: str, escape: float = 1.0) -> None:
    """Every matching call fails with `kind` alone; `escape` of them past every retry."""
    injector.configure(rate=0.0, escape=escape, rates={kind: 1.0})


def assert_retryable(response: Any, status: int, error_code: str) -> None:
    assert response.status_code == status, response.body
    assert int(response.headers["Retry-After"]) >= 1
    assert code(response) == error_code
    assert json_of(response)["error"]["message"]


@pytest.mark.parametrize(
    ("app", "path", "who"),
    [
        ("credits", "/me", LEARNER),
        ("exams", "/{year}", LEARNER),
        ("reports", "/me/archive", LEARNER),
        ("roster", "/units/530400", CITY_ADMIN),
    ],
)
def test_a_read_the_table_keeps_throttling_is_a_429_with_retry_after(
    faults, city, client, app: str, path: str, who: Any
) -> None:
    api = client(app).http
    year = study_year_of(bootstrap.services().clock.now())
    only(faults, READ)
    assert_retryable(get(api, path.format(year=year), who), 429, "THROTTLED")
    faults.configure(rates={})
    assert get(api, path.format(year=year), who).status_code == 200


@pytest.mark.parametrize(
    ("app", "path", "who"),
    [
        ("credits", "/me", LEARNER),
        ("exams", "/{year}", LEARNER),
        ("reports", "/me/archive", LEARNER),
        ("roster", "/units/530400", CITY_ADMIN),
    ],
)
def test_a_table_failing_inside_is_a_503_never_a_500(
    faults, city, client, app: str, path: str, who: Any
) -> None:
    api = client(app).http
    year = study_year_of(bootstrap.services().clock.now())
    only(faults, INTERNAL)
    assert_retryable(get(api, path.format(year=year), who), 503, "UNAVAILABLE")


def test_botocore_retries_a_failed_attempt_and_the_learner_sees_nothing(faults, city, client):
    """A fault on one HTTP attempt (not the whole call) is botocore's to absorb."""
    api = client("exams").http
    year = study_year_of(bootstrap.services().clock.now())
    faults.configure(rate=0.0, escape=0.0, rates={INTERNAL: 0.3}, seed=3)
    answers = [get(api, f"/{year}", LEARNER).status_code for _ in range(10)]
    assert answers == [200] * 10
    assert faults.counts()[INTERNAL]["attempt"] > 0


def test_a_start_that_met_other_transactions_goes_again_and_one_that_keeps_meeting_is_503(
    faults, city, client
) -> None:
    api = client("exams").http
    year = study_year_of(bootstrap.services().clock.now())
    # Whole calls: under moto's in-process mock an attempt's request still reaches moto.
    only(faults, CONFLICT)  # every transaction collides: the store gives up after three
    assert_retryable(post(api, f"/{year}/attempts", LEARNER), 503, "UNAVAILABLE")
    assert faults.counts()[CONFLICT]["call"] == 3
    # nothing was written: the try after it is a first try
    assert json_of(get(api, f"/{year}", LEARNER))["attempts_used"] == 0
    faults.configure(rates={CONFLICT: 0.5}, seed=1)  # some collide: the store tries again
    started = post(api, f"/{year}/attempts", LEARNER)
    assert started.status_code == 201, started.body
    assert json_of(get(api, f"/{year}", LEARNER))["attempts_used"] == 1


def test_a_save_and_a_submit_past_the_retries_are_retryable_and_then_the_same(
    faults, city, client
) -> None:
    api = client("exams").http
    year = study_year_of(bootstrap.services().clock.now())
    started = json_of(post(api, f"/{year}/attempts", LEARNER))
    number, question = started["attempt_no"], started["questions"][0]
    answers = {"answers": {question["question_id"]: [question["options"][0]["key"]]}}
    base = f"/{year}/attempts/{number}"
    only(faults, "dynamodb ProvisionedThroughputExceeded (write)")
    from tests.api.conftest import call

    assert_retryable(call(api, "put", f"{base}/answers", LEARNER, answers), 429, "THROTTLED")
    faults.configure(rates={})
    assert call(api, "put", f"{base}/answers", LEARNER, answers).status_code == 200
    only(faults, "dynamodb ThrottlingException (transaction)")
    assert_retryable(post(api, f"{base}/submit", LEARNER), 429, "THROTTLED")
    faults.configure(rates={})
    first = json_of(post(api, f"{base}/submit", LEARNER))
    assert json_of(post(api, f"{base}/submit", LEARNER)) == first


def test_signing_in_while_kms_throttles_is_a_429_with_retry_after(
    faults,
    idp,  # noqa: F811 (the identity tests' fixture)
    clock,
) -> None:
    only(faults, KMS)
    assert_retryable(sign_in(idp), 429, "THROTTLED")
    faults.configure(rates={})
    assert sign_in(idp).status_code == 200


def test_every_kind_names_a_service_the_stack_serves() -> None:
    assert {kind.service for kind in KINDS} == {"dynamodb", "s3", "kms"}
    assert len({kind.name for kind in KINDS}) == len(KINDS)
