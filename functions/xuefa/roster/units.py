"""The unit tree as admins shape it: a unit read with its children and head count, a unit
added below one in scope (at most MAX_DEPTH levels), a unit renamed (audited)."""

from __future__ import annotations

import secrets
import unicodedata

from pydantic import BaseModel, Field, field_validator

from xuefa.core.auth import Actor
from xuefa.core.clock import Clock
from xuefa.core.errors import BadRequest
from xuefa.roster import views
from xuefa.roster.directory import Directory, Unit
from xuefa.roster.repository import RosterRepository

UNIT_ID = r"^[0-9A-Za-z][0-9A-Za-z-]{1,39}$"
UNIT_NAME_MAX = 60
MAX_DEPTH = 8  # levels of the unit tree, the city's included
# Unicode's control, format, surrogate, private-use and unassigned characters, and the
# line and paragraph separators: nothing a report, a tab or a certificate could show.
UNIT_NAME_REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def _trimmed(name: object) -> object:
    return name.strip() if isinstance(name, str) else name


def check_unit_name(name: str) -> str:
    """A unit's name, trimmed (before this): any printable character, CJK or not, and
    those a spreadsheet tab cannot hold too (the reports cope); no control character."""
    for ch in name:
        if unicodedata.category(ch) in UNIT_NAME_REFUSED:
            raise ValueError(f"a unit name holds no control characters (U+{ord(ch):04X})")
    return name


class UnitName(BaseModel):
    """What a unit is called: 1 to 60 characters once trimmed."""

    name: str = Field(min_length=1, max_length=UNIT_NAME_MAX)

    _trim = field_validator("name", mode="before")(_trimmed)
    _check = field_validator("name")(check_unit_name)


class NewUnit(UnitName):
    parent_id: str = Field(pattern=UNIT_ID)
    unit_id: str | None = Field(None, pattern=UNIT_ID)


class Units:
    """Units: read, created and renamed by an admin whose scope holds them."""

    def __init__(self, people: RosterRepository, directory: Directory, clock: Clock):
        self.people = people
        self.directory = directory
        self.clock = clock

    def unit(self, actor: Actor, unit_id: str) -> views.UnitView:
        unit = self.directory.unit_in_scope(actor, unit_id)
        return views.UnitView.model_validate(
            {
                **unit.model_dump(),
                "children": self.people.children(unit_id),
                "learner_count": self.people.learner_count(unit_id),
            }
        )

    def create_unit(self, actor: Actor, new: NewUnit) -> views.UnitView:
        parent = self.directory.unit_in_scope(actor, new.parent_id)
        depth = len(parent.path.split("/")) + 1
        if depth > MAX_DEPTH:
            raise BadRequest(
                f"a unit tree is at most {MAX_DEPTH} levels deep",
                {"parent_id": parent.unit_id, "depth": depth, "max_depth": MAX_DEPTH},
            )
        unit_id = new.unit_id or f"{parent.unit_id}-{secrets.token_hex(2)}"
        unit = Unit(
            unit_id=unit_id,
            name=new.name,
            parent_id=parent.unit_id,
            path=f"{parent.path}/{unit_id}",
            kind="unit",
        )
        self.people.add_unit(actor, unit, self.clock.now())
        return views.UnitView(**unit.model_dump(), children=[], learner_count=0)

    def rename_unit(self, actor: Actor, unit_id: str, new: UnitName) -> views.UnitView:
        """A unit's new name, by an admin in scope (audited): the screens show it now,
        the reports from the next night on; a closed year's archive keeps the old one."""
        self.directory.forget(unit_id)  # read afresh: another container may have renamed it
        unit = self.directory.unit_in_scope(actor, unit_id)
        if new.name != unit.name:
            self.people.rename_unit(actor, unit, new.name, self.clock.now())
            self.directory.forget(unit_id)
        return self.unit(actor, unit_id)
