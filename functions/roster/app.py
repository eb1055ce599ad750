"""Roster: units, learners, student numbers, transfers and accounts."""

from __future__ import annotations

from typing import Any

from chalice import Chalice

from xuefa_api import Api
from xuefa_api.wiring import services

app = Chalice(app_name="xuefa-roster")
api = Api(app, "roster")


@api.route("/me", methods=["GET"])
def me() -> dict[str, Any]:
    actor = api.actor()
    person = services().directory.person(actor)
    key = "username" if actor.is_admin else "student_no"
    return {
        key: person.username,
        "name": person.name,
        "unit_id": person.unit_id,
        "unit_name": person.unit_name,
        "status": person.status,
        "groups": sorted(actor.groups),
    }
