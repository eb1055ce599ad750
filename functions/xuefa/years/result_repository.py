"""Writing a learner's year result: the one item per learner and study year that carries
every counter the rules guard (credits and day counters, attempts, best score) and that the
nightly report reads through the unit-year index."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from xuefa.store.keys import Keys
from xuefa.store.table import GSI_PARTITION_KEY, GSI_SORT_KEY
from xuefa.years.results import YearResult


def year_result_keys(student_no: str, year: int, unit_id: str) -> dict[str, Any]:
    """Who, and where the report finds it: the unit-year index."""
    return {
        "student_no": student_no,
        "year": year,
        "unit_id": unit_id,
        GSI_PARTITION_KEY: Keys.unit_year(unit_id, year),
        GSI_SORT_KEY: student_no,
    }


@dataclass(frozen=True)
class Change:
    """What an update does to a year result: attributes set, counters added, removed."""

    sets: Mapping[str, Any] = field(default_factory=dict)
    adds: Mapping[str, int] = field(default_factory=dict)
    removes: Sequence[str] = ()


@dataclass(frozen=True)
class Condition:
    """A condition on a year result. `#s0, #s1…` name the attributes of the change's
    sets, `#c0, #c1…` those of its adds, `#r0…` its removes, in order; `names` and
    `values` add more."""

    expression: str
    names: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)


def year_result_update(
    student_no: str,
    year: int,
    unit_id: str,
    change: Change = Change(),
    condition: Condition | None = None,
) -> dict[str, Any]:
    """One transactional Update of a year result that also creates it when missing."""
    identity = year_result_keys(student_no, year, unit_id)
    names: dict[str, str] = {f"#f{i}": name for i, name in enumerate(identity)}
    values: dict[str, Any] = {f":f{i}": value for i, value in enumerate(identity.values())}
    assignments = [f"#f{i} = if_not_exists(#f{i}, :f{i})" for i in range(len(identity))]
    for i, (name, value) in enumerate(change.sets.items()):
        names[f"#s{i}"], values[f":s{i}"] = name, value
        assignments.append(f"#s{i} = :s{i}")
    for i, (name, amount) in enumerate(change.adds.items()):
        names[f"#c{i}"], values[f":c{i}"] = name, amount
    if "credits" not in change.adds:
        names["#credits"], values[":zero"] = "credits", 0
        assignments.append("#credits = if_not_exists(#credits, :zero)")
    expression = "SET " + ", ".join(assignments)
    if change.adds:
        expression += " ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(change.adds)))
    if change.removes:
        names.update({f"#r{i}": name for i, name in enumerate(change.removes)})
        expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(change.removes)))
    operation: dict[str, Any] = {"Key": Keys.year_result(student_no, year)}
    operation["UpdateExpression"] = expression
    if condition is not None:
        operation["ConditionExpression"] = condition.expression
        names.update(condition.names)
        values.update(condition.values)
    operation["ExpressionAttributeNames"] = names
    operation["ExpressionAttributeValues"] = values
    return {"Update": operation}


# The stored item's names: totals, the open attempt, and per-day counters named by a
# letter and the day (`d_20260315`: credits earned that day; `j_`: adjusted; `n_`:
# attempts finished; `b_`: the best score when it rose that day; `a_<day>_<activity>`).
EARNED, ADJUSTED, FINISHED, BEST_ON, ACTIVITY = "d", "j", "n", "b", "a"
_DAY_COUNTER = re.compile(r"([djnb])_([0-9]{8})")
_ACTIVITY_COUNTER = re.compile(r"a_([0-9]{8})_(.+)")
_PRACTISED = re.compile(r"p([nc])_([a-z0-9_]+)")  # pn_<topic>: answered; pc_<topic>: right


def practised_attrs(topic: str) -> tuple[str, str]:
    """The year result's counters of a topic's practice answers and right answers."""
    return f"pn_{topic}", f"pc_{topic}"


def counter_name(kind: str, day: date, activity: str | None = None) -> str:
    """A per-day counter's attribute: `counter_name(EARNED, day)` → `d_20260315`."""
    name = f"{kind}_{day:%Y%m%d}"
    return f"{name}_{activity}" if activity is not None else name


def _day(digits: str) -> date:
    return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))


def _optional_int(value: Any) -> int | None:
    return int(value) if value is not None else None


def year_result_of(item: Mapping[str, Any] | None, student_no: str, year: int) -> YearResult:
    """The typed record of a stored year result (the empty one when there is none)."""
    if not item:
        return YearResult(student_no=student_no, year=year)
    days: dict[str, dict[date, Any]] = {kind: {} for kind in "djnb"}
    activity: dict[tuple[date, str], int] = {}
    practised: dict[str, list[int]] = {}
    for name, value in item.items():
        if match := _DAY_COUNTER.fullmatch(name):
            days[match[1]][_day(match[2])] = value
        elif match := _ACTIVITY_COUNTER.fullmatch(name):
            activity[(_day(match[1]), match[2])] = int(value)
        elif match := _PRACTISED.fullmatch(name):
            practised.setdefault(match[2], [0, 0])[0 if match[1] == "n" else 1] = int(value)
    best = item.get("best_score")
    return YearResult(
        student_no=student_no,
        year=year,
        unit_id=item.get("unit_id"),
        credits=int(item.get("credits", 0)),
        attempts_taken=int(item.get("attempts_used", 0)),
        extra_granted=int(item.get("extra_attempts", 0)),
        best=Decimal(best) if best is not None else None,
        open_no=_optional_int(item.get("open_attempt")),
        open_until=int(item.get("open_hard_close", 0)),
        own_close=_optional_int(item.get("close_override")),
        last_submit=_optional_int(item.get("last_submitted")),
        earned_on={day: int(n) for day, n in days[EARNED].items()},
        adjusted_on={day: int(n) for day, n in days[ADJUSTED].items()},
        activity_on=activity,
        finished_on={day: int(n) for day, n in days[FINISHED].items()},
        best_on={day: Decimal(score) for day, score in days[BEST_ON].items()},
        practised={topic: (n, c) for topic, (n, c) in practised.items()},
    )


def finished_attr(day: date) -> str:
    return counter_name(FINISHED, day)


def best_attr(day: date) -> str:
    return counter_name(BEST_ON, day)
