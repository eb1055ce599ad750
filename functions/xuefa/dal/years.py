"""Where a study year's config comes from: the table, cached per warm container.

A year's config changes rarely and only by an admin; a minute of staleness is the price
of keeping every request to its one DynamoDB call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from xuefa.dal.table import Keys, Store
from xuefa.errors import NotFound
from xuefa.rules import YearConfig, year_config_item

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

    def put(self, config: YearConfig) -> None:
        self.store.put(
            {
                **Keys.year_config(config.year),
                **window_attributes(config),
                "config": year_config_item(config),
            }
        )
        self._cache.pop(config.year, None)


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
