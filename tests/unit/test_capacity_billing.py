"""The capacity benchmark bills as DynamoDB does: item sizes and units at the edges."""

from typing import Any

from tests.bench.capacity import _condition_checks, item_size, read_units, write_units


def test_an_items_size_counts_names_and_values() -> None:
    item = {"pk": {"S": "LEARNER#1"}, "n": {"N": "12345"}, "ok": {"BOOL": True}}
    assert item_size(item) == (2 + 9) + (1 + 4) + (2 + 1)
    assert item_size({"m": {"M": {"a": {"S": "学"}}}}) == 1 + 3 + (1 + 3 + 1)


def test_units_round_up_per_item() -> None:
    assert write_units(1) == 1 and write_units(1024) == 1 and write_units(1025) == 2
    assert read_units(4096, consistent=True) == 1 and read_units(4097, consistent=True) == 2
    assert read_units(100, consistent=False) == 0.5


def test_a_condition_check_bills_no_index_write() -> None:
    entries: list[dict[str, Any]] = [{"ConditionCheck": {}}, {"Put": {}}, {"Update": {}}]
    assert _condition_checks("TransactWriteItems", {"TransactItems": entries}) == {0}
    assert _condition_checks("PutItem", {"Item": {}}) == set()
