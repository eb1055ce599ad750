"""The study catalogue of a year: what it offers learners, and a city admin adding to
it while the year is open."""

from __future__ import annotations

import secrets

from pydantic import Field

from xuefa.core.auth import Actor
from xuefa.core.clock import Clock
from xuefa.core.errors import YearClosed
from xuefa.credits.repository import CreditRepository
from xuefa.credits.views import ID_PATTERN, Catalogue, Resource, Task
from xuefa.roster.directory import Directory
from xuefa.years.repository import YearBook


class NewResource(Task):
    """A resource as a city admin adds it: for a year, the id optional."""

    year: int = Field(ge=2000, le=2100)
    resource_id: str | None = Field(None, pattern=ID_PATTERN)  # type: ignore[assignment]


class StudyCatalogue:
    def __init__(
        self, records: CreditRepository, years: YearBook, directory: Directory, clock: Clock
    ):
        self.records = records
        self.years = years
        self.directory = directory
        self.clock = clock

    def catalogue(self, year: int) -> Catalogue:
        self.years.get(year)
        # A lesson shows once published and until retired (drafts are the authors').
        items = [
            r
            for r in self.records.catalogue(year)
            if not r.is_lesson or r.lesson_state == "published"
        ]
        return Catalogue(items=items)

    def add_resource(self, actor: Actor, new: NewResource) -> Resource:
        self.directory.city_admin(actor)
        config = self.years.get(new.year)
        now = self.clock.now()
        if config.closed(now):
            raise YearClosed(f"study year {new.year} has closed: its catalogue is final")
        resource = Resource(
            resource_id=new.resource_id or f"r-{secrets.token_hex(4)}",
            **new.model_dump(exclude={"year", "resource_id"}),
        )
        self.records.add_resource(actor, new.year, resource, now)
        return resource
