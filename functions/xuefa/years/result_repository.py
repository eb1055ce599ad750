"""Writing a learner's year result: the one item per learner and study year that carries
every counter the rules guard (credits and day counters, attempts, best score) and that the
nightly report reads through the unit-year index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from xuefa.store.keys import Keys
from xuefa.store.table import GSI_PARTITION_KEY, GSI_SORT_KEY


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
