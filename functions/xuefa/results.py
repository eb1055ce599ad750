"""Reading a learner's year result: the per-day exam counters that, with the credit
counters, give any figure as of a midnight."""

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
