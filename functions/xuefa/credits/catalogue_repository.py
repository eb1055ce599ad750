"""The year's catalogue on the table: its resources, only ever added (never changed),
so a read one is kept in a warm cache."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from xuefa.core.audit import AuditEntry
from xuefa.core.auth import Actor
from xuefa.core.errors import Conflict, Duplicate, YearClosed
from xuefa.credits.views import LESSON_FIELDS, Resource
from xuefa.store.audit import audit_put
from xuefa.store.keys import Keys
from xuefa.store.store import Store, TransactionCancelled
from xuefa.years.repository import year_open_check


class DynamoCatalogue:
    def __init__(self, store: Store):
        self.store = store
        self._resources: dict[tuple[int, str], Resource] = {}

    def catalogue(self, year: int) -> list[Resource]:
        items = self.store.query_all(Keys.catalogue(year))
        return [Resource.model_validate(item) for item in items]

    def resource(self, year: int, resource_id: str) -> Resource | None:
        cached = self._resources.get((year, resource_id))
        if cached is None:
            item = self.store.get(Keys.resource(year, resource_id), consistent=False)
            if item is None:
                return None
            cached = self._resources[(year, resource_id)] = Resource.model_validate(item)
        return cached

    def remember(self, year: int, resource_id: str, item: dict[str, Any]) -> Resource:
        """A resource read with something else, cached for what follows."""
        cached = self._resources[(year, resource_id)] = Resource.model_validate(item)
        return cached

    def add_resource(self, actor: Actor, year: int, resource: Resource, at: datetime) -> None:
        exclude: set[str] = set() if resource.is_lesson else LESSON_FIELDS  # a task stays as it was
        item = {
            **Keys.resource(year, resource.resource_id),
            **resource.model_dump(exclude=exclude),
            "year": year,
        }
        try:
            self.store.transact(
                [
                    {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
                    audit_put(
                        actor,
                        AuditEntry(
                            "catalogue.add",
                            f"{year}/{resource.resource_id}",
                            at,
                            after=resource.model_dump(),
                        ),
                    ),
                    year_open_check(year, at),
                ]
            )
        except TransactionCancelled as exc:
            if exc.failed(0):
                raise Duplicate(f"resource {resource.resource_id} already exists") from exc
            if exc.failed(2):
                raise YearClosed(f"study year {year} has closed") from exc
            raise Conflict() from exc
