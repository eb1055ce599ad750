"""Where a study year's config comes from: the table, cached per warm container.

A year's config changes rarely and only by an admin; a minute of staleness is the price
of keeping every request to its one DynamoDB call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from xuefa.core.audit import AuditEntry
from xuefa.core.auth import Actor
from xuefa.core.errors import NotFound
from xuefa.store.audit import audit_put
from xuefa.store.keys import Keys
from xuefa.store.store import ConditionFailed, Store
from xuefa.years.rules import YearConfig, year_config_item

CACHE_SECONDS = 60.0


class YearBook:
    def __init__(self, store: Store, monotonic: Callable[[], float] = time.monotonic):
        self.store = store
        self._monotonic = monotonic
        self._cache: dict[int, tuple[float, YearConfig]] = {}

    def get(self, year: int) -> YearConfig:
        cached = self._cache.get(year)
        now = self._monotonic()
        if cached and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        item = self.store.get(Keys.year_config(year), consistent=False)
        if item is None:
            raise NotFound(f"study year {year} is not configured")
        config = YearConfig.model_validate(item["config"])
        self._cache[year] = (now, config)
        return config

    def exists(self, year: int) -> bool:
        try:
            self.get(year)
        except NotFound:
            return False
        return True

    def create(self, config: YearConfig) -> bool:
        """Write the year's config if it has none (the city's own, or a racing rollover,
        wins); whether it was written."""
        item = {**Keys.year_config(config.year), **config_attributes(config)}
        try:
            self.store.put(item, condition="attribute_not_exists(pk)")
        except ConditionFailed:
            return False
        self._cache.pop(config.year, None)
        return True

    def copy_year_items(self, source: int, target: int) -> int:
        """The source year's catalogue and bank into the target year, once: each item only
        if missing (an edit of the copy survives a re-run), then the target's config
        marked, so that later runs read one item and stop."""
        marker = self.store.get(Keys.year_config(target)) or {}
        if marker.get("items_copied"):
            return 0
        copied = 0
        for partition in (Keys.catalogue(source), Keys.bank(source)):
            for item in self.store.query_all(partition):
                copied += self._copy_item(item, target)
        self.store.update(
            Keys.year_config(target), "SET items_copied = :yes", values={":yes": True}
        )
        return copied

    def _copy_item(self, item: dict[str, Any], target: int) -> int:
        if "resource_id" in item:
            key = Keys.resource(target, str(item["resource_id"]))
        else:
            key = Keys.question(target, str(item["question_id"]))
        moved = {**item, **key, "year": target}
        try:
            self.store.put(moved, condition="attribute_not_exists(pk)")
        except ConditionFailed:
            return 0
        return 1

    # --- managed through the API ------------------------------------------------

    def configured(self) -> list[YearConfig]:
        """Every configured year (2000 to 2100: two BatchGetItems of small items)."""
        found = self.store.batch_get([Keys.year_config(y) for y in range(2000, 2101)])
        return [YearConfig.model_validate(item["config"]) for item in found]

    def find(self, year: int) -> YearConfig | None:
        item = self.store.get(Keys.year_config(year))
        return YearConfig.model_validate(item["config"]) if item else None

    def save(self, actor: Actor, config: YearConfig, audit: AuditEntry) -> None:
        """The year's rules and their audit entry, together; the catalogue-copy marker
        and anything else on the item stay."""
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        sets = []
        for i, (name, value) in enumerate(config_attributes(config).items()):
            names[f"#a{i}"], values[f":a{i}"] = name, value
            sets.append(f"#a{i} = :a{i}")
        change = {
            "Update": {
                "Key": Keys.year_config(config.year),
                "UpdateExpression": "SET " + ", ".join(sets),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }
        self.store.transact([change, audit_put(actor, audit)])
        self._cache.pop(config.year, None)

    def put(self, config: YearConfig) -> None:
        self.store.put({**Keys.year_config(config.year), **config_attributes(config)})
        self._cache.pop(config.year, None)


def config_attributes(config: YearConfig) -> dict[str, Any]:
    """What a year's config item holds besides its key: the rules, and their windows."""
    return {"config": year_config_item(config), **window_attributes(config)}


def window_attributes(config: YearConfig) -> dict[str, int]:
    """The windows as epoch seconds on the config item, so that a transaction can check
    them with a ConditionCheck: the window holds even if it is changed mid-request."""
    return {
        "credit_opens": int(config.credit_window.opens_at.timestamp()),
        "credit_closes": int(config.credit_window.closes_at.timestamp()),
        "exam_opens": int(config.exam_window.opens_at.timestamp()),
        "exam_closes": int(config.exam_window.closes_at.timestamp()),
        "override_latest_close": int(config.latest_override_close.timestamp()),
    }


def year_open_check(
    year: int, at: datetime, *, grace_seconds: int = 0, override_close: datetime | None = None
) -> dict[str, Any]:
    """A ConditionCheck on the year's config for a transaction that changes the year: its
    credit window has not closed at `at` (less a grace), and an override's close lies
    within the policy. A closed year is read-only even if Python's check was wrong."""
    condition = "credit_closes > :at"
    values: dict[str, Any] = {":at": int((at - timedelta(seconds=grace_seconds)).timestamp())}
    if override_close is not None:
        condition += " AND override_latest_close >= :close"
        values[":close"] = int(override_close.timestamp())
    return {
        "ConditionCheck": {
            "Key": Keys.year_config(year),
            "ConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
    }
