"""Reading a learner's year result: the per-day credit and exam counters give any
figure as of a midnight."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

# Per-day exam counters: attempts finished that day (`n_`), and the best score when it
# rose that day (`b_`). With the credit counters they give any figure as of a midnight.


def finished_attr(day: date) -> str:
    return f"n_{day:%Y%m%d}"


def best_attr(day: date) -> str:
    return f"b_{day:%Y%m%d}"


def exam_as_of(result: Mapping[str, Any] | None, day: date) -> tuple[Decimal | None, int]:
    """(best score, attempts finished) up to 24:00 of `day`."""
    cutoff = f"{day:%Y%m%d}"
    best: Decimal | None = None
    attempts = 0
    for name, value in (result or {}).items():
        if len(name) != 10 or name[1] != "_" or name[2:] > cutoff or not name[2:].isdigit():
            continue
        if name[0] == "n":
            attempts += int(value)
        elif name[0] == "b":
            best = Decimal(value) if best is None else max(best, Decimal(value))
    return best, attempts


def credits_as_of(year_result: Mapping[str, Any] | None, day: date) -> int:
    """Credits earned and adjusted up to 24:00 of `day`, from the per-day counters."""
    if not year_result:
        return 0
    cutoff = f"{day:%Y%m%d}"
    total = 0
    for name, value in year_result.items():
        if (name.startswith("d_") or name.startswith("j_")) and name[2:10] <= cutoff:
            total += int(value)
    return total
