"""Every repository in memory, over one unit tree and one book of years: the storage
`xuefa.bootstrap` wires the services over in unit tests (`fake_services`), as it wires
the table's in production."""

from __future__ import annotations

from typing import Any

from tests.fakes.attempts import FakeAttempts, FakeBank
from tests.fakes.credits import FakeCredits
from tests.fakes.directory import FakeDirectory, FakeYearBook
from tests.fakes.identity import FakeIdentity
from tests.fakes.roster import FakeAccounts, FakeRoster
from xuefa.bootstrap import Services, bootstrap
from xuefa.core.clock import Clock
from xuefa.core.settings import Settings
from xuefa.years.rules import YearConfig

SETTINGS = Settings(table_name="fake", bucket_name="fake", cursor_secret="unit-cursor-secret-0123")


class FakeStorage:
    def __init__(self, *configs: YearConfig) -> None:
        self.years = FakeYearBook(*configs)
        self.directory = FakeDirectory()
        self.credits = FakeCredits(self.years, self.directory)
        self.attempts = FakeAttempts(self.years, self.directory)
        self.bank = FakeBank()
        self.roster = FakeRoster(self.directory)
        self.accounts = FakeAccounts()
        self.identity = FakeIdentity()
        # No fake of a large import's chunks yet: the import jobs are tested on moto.
        self.imports: Any = None
        self.admins: dict[str, str] = {}  # login → unit

    def admin_unit(self, username: str) -> str | None:
        return self.admins.get(username)


def fake_services(clock: Clock, storage: FakeStorage) -> Services:
    """The product's services, as the composition root builds them, over the fakes."""
    return bootstrap(SETTINGS, clock, storage)  # type: ignore[arg-type]  # the fake bank
