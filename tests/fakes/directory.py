"""A small unit tree and its people, in memory: a city, a county, two units."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from xuefa.core.auth import Actor
from xuefa.core.errors import NotFound
from xuefa.roster.directory import Directory, Unit
from xuefa.years.repository import YearBook
from xuefa.years.rules import YearConfig

CITY, COUNTY, UNIT, OTHER_UNIT = "530400", "530402", "530402-001", "530402-002"
PATHS = {
    CITY: CITY,
    COUNTY: f"{CITY}/{COUNTY}",
    UNIT: f"{CITY}/{COUNTY}/{UNIT}",
    OTHER_UNIT: f"{CITY}/{COUNTY}/{OTHER_UNIT}",
}


class FakeDirectory(Directory):
    def __init__(self) -> None:
        super().__init__(store=None)  # type: ignore[arg-type]  # never touched: reads are overridden
        self.profiles: dict[str, dict[str, Any]] = {}
        self.paths = dict(PATHS)  # this directory's own: a unit added in one test stays there
        self.names: dict[str, str] = {}  # a unit's name, where it is not its id
        self.views: list[tuple[str, str, str]] = []  # (admin, learner, what) as recorded

    def add_learner(self, student_no: str, unit_id: str = UNIT, status: str = "active") -> None:
        self.profiles[student_no] = {
            "student_no": student_no,
            "name": "学员" + student_no[-2:],
            "unit_id": unit_id,
            "unit_path": self.paths[unit_id],
            "status": status,
        }

    def unit(self, unit_id: str) -> Unit:
        if unit_id not in self.paths:
            raise NotFound(f"unit {unit_id} does not exist")
        path = self.paths[unit_id]
        parent = path.rpartition("/")[0].rpartition("/")[2] or None
        name = self.names.get(unit_id, unit_id)
        return Unit(unit_id=unit_id, name=name, parent_id=parent, path=path)

    def viewed(self, actor: Actor, student_no: str, what: str, at: datetime) -> None:
        self.views.append((actor.username, student_no, what))

    def learner(self, student_no: str) -> dict[str, Any]:
        if student_no not in self.profiles:
            raise NotFound(f"learner {student_no} does not exist")
        return copy.deepcopy(self.profiles[student_no])  # a read, not the stored item


class FakeYearBook(YearBook):
    def __init__(self, *configs: YearConfig) -> None:
        self.configs = {config.year: config for config in configs}

    def get(self, year: int) -> YearConfig:
        if year not in self.configs:
            raise NotFound(f"study year {year} is not configured")
        return self.configs[year]

    def put(self, config: YearConfig) -> None:
        self.configs[config.year] = config
