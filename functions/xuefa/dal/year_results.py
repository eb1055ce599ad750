"""Writing a learner's year result: the one item per learner and study year that carries
every counter the rules guard (credits and day counters, attempts, best score) and that the
nightly report reads through the unit-year index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xuefa.dal.table import GSI_PARTITION_KEY, GSI_SORT_KEY, Keys


def year_result_keys(student_no: str, year: int, unit_id: str) -> dict[str, Any]:
    """Who, and where the report finds it: the unit-year index."""
    return {
        "student_no": student_no,
        "year": year,
        "unit_id": unit_id,
        GSI_PARTITION_KEY: Keys.unit_year(unit_id, year),
        GSI_SORT_KEY: student_no,
    }


def year_result_update(
    student_no: str,
    year: int,
    unit_id: str,
    *,
    sets: Mapping[str, Any] | None = None,
    adds: Mapping[str, int] | None = None,
    removes: Sequence[str] = (),
    condition: str | None = None,
    names: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One transactional Update of a year result that also creates it when missing.

    In `condition`, `#s0, #s1…` name the attributes of `sets`, `#c0, #c1…` those of
    `adds` and `#r0…` those of `removes`, in order; `names`/`values` add more."""
    identity = year_result_keys(student_no, year, unit_id)
    expression_names: dict[str, str] = {f"#f{i}": name for i, name in enumerate(identity)}
    expression_values: dict[str, Any] = {
        f":f{i}": value for i, value in enumerate(identity.values())
    }
    assignments = [f"#f{i} = if_not_exists(#f{i}, :f{i})" for i in range(len(identity))]
    for i, (name, value) in enumerate((sets or {}).items()):
        expression_names[f"#s{i}"] = name
        expression_values[f":s{i}"] = value
        assignments.append(f"#s{i} = :s{i}")
    additions = []
    for i, (name, amount) in enumerate((adds or {}).items()):
        expression_names[f"#c{i}"] = name
        expression_values[f":c{i}"] = amount
        additions.append(f"#c{i} :c{i}")
    if "credits" not in (adds or {}):
        expression_names["#credits"] = "credits"
        expression_values[":zero"] = 0
        assignments.append("#credits = if_not_exists(#credits, :zero)")
    expression = "SET " + ", ".join(assignments)
    if additions:
        expression += " ADD " + ", ".join(additions)
    if removes:
        for i, name in enumerate(removes):
            expression_names[f"#r{i}"] = name
        expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(removes)))
    operation: dict[str, Any] = {
        "Key": Keys.year_result(student_no, year),
        "UpdateExpression": expression,
        "ExpressionAttributeNames": {**expression_names, **(names or {})},
        "ExpressionAttributeValues": {**expression_values, **(values or {})},
    }
    if condition:
        operation["ConditionExpression"] = condition
    return {"Update": operation}
