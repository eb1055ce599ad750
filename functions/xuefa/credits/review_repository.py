"""Review signals on the table: counts per signal against a learner
(`REVIEW#<year>` / `L#<student_no>`), and the learners seen on each device
(`DEVICE#<year>#<device_id>`), for a person to judge."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from xuefa.store.keys import Keys
from xuefa.store.store import Store


def review_key(year: int, student_no: str) -> dict[str, str]:
    return {"pk": f"REVIEW#{year}", "sk": f"L#{student_no}"}


def device_key(year: int, device_id: str) -> dict[str, str]:
    return {"pk": f"DEVICE#{year}#{device_id}", "sk": "DEVICE"}


class DynamoReviewSignals:
    def __init__(self, store: Store):
        self.store = store

    def flag(self, year: int, profile: dict[str, Any], code: str, detail: str) -> None:
        """Count a signal against the learner, for a person to judge (never a penalty)."""
        self.store.update(
            review_key(year, str(profile["student_no"])),
            f"ADD n_{code} :one SET detail_{code} = :detail, unit_id = :unit, "
            "unit_path = :path, student_no = :no",
            values={
                ":one": 1,
                ":detail": detail,
                ":unit": profile.get("unit_id", ""),
                ":path": profile.get("unit_path", ""),
                ":no": profile["student_no"],
            },
            new_item=False,
        )

    def device_seen(self, year: int, device_id: str, student_no: str) -> int:
        """How many learners this device has studied as (this one included)."""
        item = self.store.update(
            device_key(year, device_id), "ADD learners :me", values={":me": {student_no}}
        )
        return len(item.get("learners", ()))

    def flagged(self, year: int) -> list[Flagged]:
        return [flagged_of(item) for item in self.store.query_all(f"REVIEW#{year}")]

    def profiles_and_results(
        self, year: int, student_nos: Sequence[str]
    ) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
        keys = [Keys.learner(n) for n in student_nos]
        keys += [Keys.year_result(n, year) for n in student_nos]
        found = self.store.batch_get(keys)
        profiles = {str(i["pk"])[8:]: i for i in found if i["sk"] == "PROFILE"}
        credits = {
            str(i["pk"])[8:]: int(i.get("credits", 0)) for i in found if i["sk"] != "PROFILE"
        }
        return profiles, credits


@dataclass(frozen=True)
class Flagged:
    """A learner's review signals: how often each fired, and what the last one said."""

    student_no: str
    unit_id: str
    counts: dict[str, int]
    details: dict[str, str]


def flagged_of(item: Mapping[str, Any]) -> Flagged:
    counts = {str(k)[2:]: int(v) for k, v in item.items() if str(k).startswith("n_")}
    details = {str(k)[7:]: str(v) for k, v in item.items() if str(k).startswith("detail_")}
    return Flagged(str(item["student_no"]), str(item.get("unit_id", "")), counts, details)
