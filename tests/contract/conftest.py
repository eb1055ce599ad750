"""The contract suite's two worlds: the fakes of tests/fakes, and the DynamoDB classes on
moto in this process, set up with the same year (2017), unit tree and learners. Every
contract test takes `world` and so runs once against each; a fake that drifts from the
table it stands for fails here, not in a service test that trusted it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import count
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local import moto_patches
from tests.fakes.attempts import FakeAttempts
from tests.fakes.credits import FakeCredits
from tests.fakes.directory import PATHS, UNIT, FakeDirectory, FakeYearBook
from tests.fakes.identity import FakeIdentity
from tests.fakes.roster import FakeRoster
from tests.helpers import ENV, TABLE
from xuefa.core.clock import SHANGHAI
from xuefa.credits.repository import DynamoCredits
from xuefa.exams.repository import DynamoAttempts
from xuefa.identity.repository import DynamoIdentity
from xuefa.roster.directory import Directory, Unit
from xuefa.roster.repository import DynamoRoster, learner_item
from xuefa.store.keys import Keys
from xuefa.store.store import Store
from xuefa.store.table import GSI_PARTITION_KEY, GSI_SORT_KEY, create_table_request
from xuefa.years.repository import YearBook
from xuefa.years.rules import YearConfig, load_packaged_year

YEAR = 2017
# Fixed moments of the 2017 year (credits 2016-12-01 to 2017-12-01, exam 09-10 to 10-01,
# overrides' closes up to 10-15), Shanghai time: no test depends on the calendar.
STUDY_DAY = datetime(2017, 5, 4, 9, 0, tzinfo=SHANGHAI)
EXAM_DAY = datetime(2017, 9, 20, 10, 0, tzinfo=SHANGHAI)
AFTER_EXAM = datetime(2017, 10, 5, 10, 0, tzinfo=SHANGHAI)
YEAR_CLOSED = datetime(2017, 12, 2, 10, 0, tzinfo=SHANGHAI)
LEARNER, OTHER = "530402000001", "530402000002"
SEED_AT = datetime(2017, 1, 3, 9, 0, tzinfo=SHANGHAI)


def config() -> YearConfig:
    return load_packaged_year(YEAR)


@dataclass
class World:
    """The repositories of one backend, over one shared set of items."""

    kind: str
    years: Any
    directory: Any
    credits: Any
    attempts: Any
    roster: Any
    identity: Any
    store: Store | None = None

    def add_learner(self, student_no: str, unit_id: str = UNIT, status: str = "active") -> None:
        if self.store is None:
            self.directory.add_learner(student_no, unit_id, status)
            return
        unit = self.directory.unit(unit_id)
        item = learner_item(student_no, "学员" + student_no[-2:], unit, None, SEED_AT, "seed")
        self.store.put({**item, "status": status})


def fake_world() -> World:
    directory = FakeDirectory()
    years = FakeYearBook(config())
    return World(
        kind="fake",
        years=years,
        directory=directory,
        credits=FakeCredits(years, directory),
        attempts=FakeAttempts(years, directory),
        roster=FakeRoster(directory),
        identity=FakeIdentity(),
    )


def dynamo_world(store: Store) -> World:
    years = YearBook(store)
    years.put(config())
    for unit_id, path in PATHS.items():
        parent = path.rpartition("/")[0].rpartition("/")[2] or None
        unit = Unit(unit_id=unit_id, name=unit_id, parent_id=parent, path=path)
        item = {**Keys.unit(unit_id), **unit.model_dump()}
        if parent is not None:  # listed under its parent, as DynamoRoster.add_unit writes
            item |= {GSI_PARTITION_KEY: Keys.unit_children(parent), GSI_SORT_KEY: unit_id}
        store.put(item)
    return World(
        kind="dynamo",
        years=years,
        directory=Directory(store),
        credits=DynamoCredits(store),
        attempts=DynamoAttempts(store),
        roster=DynamoRoster(store),
        identity=DynamoIdentity(store),
        store=store,
    )


@pytest.fixture(scope="package")
def dynamodb() -> Iterator[Any]:
    """moto for this suite (started once: per test it costs more than the test) and one
    client; each test gets a table of its own. Torn down when the suite's tests end, so
    no other test runs inside it."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in ENV.items():
            patch.setenv(name, value)
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        moto_patches.apply()
        with mock_aws():
            yield boto3.client("dynamodb")


_tables = count(1)


@pytest.fixture
def table(dynamodb: Any) -> Iterator[Store]:
    name = f"{TABLE}-{next(_tables)}"
    dynamodb.create_table(**create_table_request(name))
    yield Store(name, client_factory=lambda: dynamodb)
    dynamodb.delete_table(TableName=name)


@pytest.fixture(params=["fake", "dynamo"])
def world(request: pytest.FixtureRequest) -> World:
    if request.param == "fake":
        built = fake_world()
    else:
        built = dynamo_world(request.getfixturevalue("table"))
    built.add_learner(LEARNER)
    built.add_learner(OTHER)
    return built
