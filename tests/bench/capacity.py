"""What a request costs on DynamoDB, billed the way DynamoDB bills it, from the items
actually read and written (moto answers ReturnConsumedCapacity only roughly, so item sizes
are measured here):

- an item's size: attribute names plus values (strings and binary by their bytes, numbers
  by their digits / 2 + 1, maps and lists 3 bytes plus their elements + 1 each);
- reads: ceil(size / 4 KB) per item read by Get/BatchGet, per request of summed sizes for
  a Query; strongly consistent 1×, eventual ½; transactions 2×;
- writes: ceil(max(size before, size after) / 1 KB) per item; 2× in a transaction; a
  ConditionCheck as a write of its item; each GSI the item is in (now or before) the same
  again (our one index projects everything), but not for a ConditionCheck, which writes
  nothing to the index.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from xuefa.store.table import GSI_PARTITION_KEY

KB = 1024


def value_size(value: Mapping[str, Any]) -> int:
    (kind, inner), *_ = value.items()
    if kind == "S":
        return len(str(inner).encode())
    if kind == "N":
        digits = len(str(inner).lstrip("-").replace(".", "").lstrip("0")) or 1
        return math.ceil(digits / 2) + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(v) + 1 for k, v in inner.items())
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in inner)
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: v}) for v in inner)
    raise ValueError(kind)


def item_size(item: Mapping[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / (4 * KB)))
    return units if consistent else units / 2


def write_units(size: int) -> int:
    return max(1, math.ceil(size / KB))


@dataclass
class Bill:
    requests: int = 0
    read_units: float = 0.0
    write_units: float = 0.0
    kinds: list[str] = field(default_factory=list)


class CapacityMeter:
    """Hooks a boto3 DynamoDB client; `with meter.measure() as bill:` bills what runs inside."""

    def __init__(self, client: Any, table: str):
        self.client = client
        self.table = table
        self.bill: Bill | None = None
        # the API parameters and the written items as they were, carried to after-call
        client.meta.events.register("before-parameter-build.dynamodb", self._before)
        client.meta.events.register("after-call.dynamodb", self._after)
        self._raw = False  # our own look-ups of items before/after a write are not billed

    @contextmanager
    def measure(self) -> Iterator[Bill]:
        self.bill = Bill()
        try:
            yield self.bill
        finally:
            self.bill = None

    def _get(self, key: Mapping[str, Any]) -> dict[str, Any] | None:
        self._raw = True
        try:
            found = self.client.get_item(TableName=self.table, Key=key, ConsistentRead=True)
        finally:
            self._raw = False
        item: dict[str, Any] | None = found.get("Item")
        return item

    def _written_keys(self, operation: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        if operation in ("PutItem",):
            item = params["Item"]
            return [{"pk": item["pk"], "sk": item["sk"]}]
        if operation in ("UpdateItem", "DeleteItem"):
            return [dict(params["Key"])]
        if operation == "TransactWriteItems":
            keys = []
            for entry in params["TransactItems"]:
                (body,) = entry.values()
                key = body["Key"] if "Key" in body else body["Item"]
                keys.append({"pk": key["pk"], "sk": key["sk"]})
            return keys
        if operation == "BatchWriteItem":
            keys = []
            for requests in params["RequestItems"].values():
                for request in requests:
                    item = request.get("PutRequest", {}).get("Item")
                    if item:
                        keys.append({"pk": item["pk"], "sk": item["sk"]})
            return keys
        return []

    def _before(
        self, model: Any, params: Mapping[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        if self.bill is None or self._raw:
            return
        keys = self._written_keys(model.name, params)
        context["capacity"] = (dict(params), [self._get(k) for k in keys])

    def _after(
        self, model: Any, parsed: Mapping[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        bill = self.bill
        if bill is None or self._raw or "capacity" not in context:
            return
        params, befores = context.pop("capacity")
        bill.requests += 1
        bill.kinds.append(model.name)
        name = model.name
        if name == "GetItem":
            bill.read_units += read_units(item_size(parsed.get("Item")), _consistent(params))
        elif name == "BatchGetItem":
            found: list[Any] = next(iter(parsed.get("Responses", {}).values()), [])
            for spec in params.get("RequestItems", {}).values():
                consistent = bool(spec.get("ConsistentRead"))
                for item in found:
                    bill.read_units += read_units(item_size(item), consistent)
                bill.read_units += (len(spec["Keys"]) - len(found)) * read_units(0, consistent)
        elif name == "Query":
            size = sum(item_size(item) for item in parsed.get("Items", []))
            bill.read_units += read_units(size, _consistent(params))
        else:
            self._bill_writes(bill, name, params, befores)

    def _bill_writes(
        self,
        bill: Bill,
        name: str,
        params: Mapping[str, Any],
        befores: list[dict[str, Any] | None],
    ) -> None:
        keys = self._written_keys(name, params)
        factor = 2 if name == "TransactWriteItems" else 1
        checks = _condition_checks(name, params)
        for i, (key, before) in enumerate(zip(keys, befores, strict=False)):
            after = self._get(key)
            size = max(item_size(before), item_size(after))
            in_index = any(GSI_PARTITION_KEY in (x or {}) for x in (before, after))
            indexed = in_index and i not in checks
            units = write_units(size) * (2 if indexed else 1)
            bill.write_units += factor * units


def _condition_checks(name: str, params: Mapping[str, Any]) -> set[int]:
    """Which of a transaction's entries only check a condition."""
    if name != "TransactWriteItems":
        return set()
    return {i for i, entry in enumerate(params["TransactItems"]) if "ConditionCheck" in entry}


def _consistent(params: Mapping[str, Any]) -> bool:
    return bool(params.get("ConsistentRead"))
