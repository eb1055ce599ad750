"""The one `Store`: typed access to the table (reads, conditional writes, transactions,
paging). Only this module calls DynamoDB; it turns ClientErrors into domain errors
(throttling, conflicts) or into `ConditionFailed` / `TransactionCancelled`, which the
repository that wrote the condition maps to the precise client error."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from xuefa.core.aws import PASSING_REASONS, LazyClient, aws_client
from xuefa.core.errors import Throttled, Unavailable
from xuefa.store.table import GSI_PARTITION_KEY, GSI_SORT_KEY, PARTITION_KEY, SORT_KEY


class ConditionFailed(Exception):
    """A single conditional write found the item not as required."""

    def __init__(self, item: dict[str, Any] | None = None):
        self.item = item
        super().__init__("condition failed")


class TransactionCancelled(Exception):
    """A transaction was cancelled; `reasons[i]` is the code for the i-th operation."""

    def __init__(self, reasons: list[str], items: list[dict[str, Any] | None]):
        self.reasons = reasons
        self.items = items
        super().__init__(f"transaction cancelled: {reasons}")

    def failed(self, index: int) -> bool:
        return index < len(self.reasons) and self.reasons[index] == "ConditionalCheckFailed"

    def passing(self) -> bool:
        """Cancelled only because it collided with another transaction (or was throttled):
        nothing was decided, and the same transaction may simply go again."""
        return set(self.reasons) <= PASSING_REASONS and set(self.reasons) != {"None"}


@dataclass(frozen=True)
class Paging:
    """Which page: at most `limit` items after `start`, in key order or reversed."""

    limit: int | None = None
    start: Mapping[str, Any] | None = None
    forward: bool = True


@dataclass(frozen=True)
class Filter:
    """A filter on a query's items (read, and billed, before they are filtered)."""

    expression: str
    names: Mapping[str, str]
    values: Mapping[str, Any]


@dataclass
class Page:
    items: list[dict[str, Any]]
    last_key: dict[str, Any] | None


_THROTTLING = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
}


DYNAMODB = aws_client("dynamodb")
TRANSACT_TRIES = 3  # a transaction cancelled by a conflict alone, before it is a 503


class Store(LazyClient):
    """Typed access to the table through one lazily created, cached boto3 client."""

    def __init__(self, table_name: str, client_factory: Callable[[], Any] = DYNAMODB):
        super().__init__(client_factory)
        self.table_name = table_name
        from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

        self._ser = TypeSerializer()
        self._de = TypeDeserializer()

    # serialization -----------------------------------------------------------------

    def dump(self, item: Mapping[str, Any]) -> dict[str, Any]:
        return {k: self._ser.serialize(v) for k, v in item.items() if v is not None}

    def load(self, raw: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if raw is None:
            return None
        return {k: self._de.deserialize(v) for k, v in raw.items()}

    def values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {k: self._ser.serialize(v) for k, v in values.items()}

    # calls -------------------------------------------------------------------------

    def _call(self, operation: str, **kwargs: Any) -> Any:
        from botocore.exceptions import ClientError

        try:
            return getattr(self.client, operation)(**kwargs)
        except ClientError as exc:
            response: dict[str, Any] = dict(exc.response)
            code = response.get("Error", {}).get("Code", "")
            if code == "ConditionalCheckFailedException":
                raise ConditionFailed(self.load(response.get("Item"))) from exc
            if code == "TransactionCanceledException":
                reasons = response.get("CancellationReasons") or []
                raise TransactionCancelled(
                    [r.get("Code", "None") for r in reasons],
                    [self.load(r.get("Item")) for r in reasons],
                ) from exc
            if code in _THROTTLING:
                raise Throttled() from exc
            if code in {"TransactionConflictException", "TransactionInProgressException"}:
                raise Unavailable() from exc
            raise

    def get(self, key: Mapping[str, str], consistent: bool = True) -> dict[str, Any] | None:
        response = self._call(
            "get_item", TableName=self.table_name, Key=self.dump(key), ConsistentRead=consistent
        )
        return self.load(response.get("Item"))

    def batch_get(
        self, keys: Sequence[Mapping[str, str]], consistent: bool = False
    ) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), 100):
            pending: Any = {
                self.table_name: {
                    "Keys": [self.dump(k) for k in keys[start : start + 100]],
                    "ConsistentRead": consistent,
                }
            }
            while pending:
                response = self._call("batch_get_item", RequestItems=pending)
                for raw in response.get("Responses", {}).get(self.table_name, []):
                    item = self.load(raw)
                    if item is not None:
                        found.append(item)
                pending = response.get("UnprocessedKeys") or None
        return found

    def batch_put(self, items: Sequence[Mapping[str, Any]]) -> None:
        """Unconditional writes, 25 a request, retrying what DynamoDB leaves unprocessed."""
        for start in range(0, len(items), 25):
            pending: Any = {
                self.table_name: [
                    {"PutRequest": {"Item": self.dump(item)}} for item in items[start : start + 25]
                ]
            }
            while pending:
                response = self._call("batch_write_item", RequestItems=pending)
                pending = response.get("UnprocessedItems") or None

    def put(
        self,
        item: Mapping[str, Any],
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> None:
        kwargs: dict[str, Any] = {"TableName": self.table_name, "Item": self.dump(item)}
        _add_condition(self, kwargs, condition, names, values)
        kwargs["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD" if condition else "NONE"
        self._call("put_item", **kwargs)

    def update(
        self,
        key: Mapping[str, str],
        expression: str,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
        *,
        new_item: bool = True,
    ) -> dict[str, Any]:
        """The item as updated, or {} with `new_item=False` (a large item, such as an
        attempt with its paper, is then not sent back for nothing)."""
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": self.dump(key),
            "UpdateExpression": expression,
            "ReturnValues": "ALL_NEW" if new_item else "NONE",
        }
        _add_condition(self, kwargs, condition, names, values)
        if condition:
            kwargs["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        response = self._call("update_item", **kwargs)
        return self.load(response.get("Attributes")) or {}

    def delete(self, key: Mapping[str, str]) -> None:
        self._call("delete_item", TableName=self.table_name, Key=self.dump(key))

    def batch_delete(self, keys: Sequence[Mapping[str, str]]) -> None:
        """Unconditional deletes, 25 a request, retrying what DynamoDB leaves unprocessed."""
        for start in range(0, len(keys), 25):
            pending: Any = {
                self.table_name: [
                    {"DeleteRequest": {"Key": self.dump(key)}} for key in keys[start : start + 25]
                ]
            }
            while pending:
                response = self._call("batch_write_item", RequestItems=pending)
                pending = response.get("UnprocessedItems") or None

    def query(
        self,
        partition: str,
        sort_prefix: str | None = None,
        *,
        index: str | None = None,
        paging: Paging = Paging(),
        where: Filter | None = None,
        below: str | None = None,
    ) -> Page:
        """One page of a partition (of the table, or of the index), optionally filtered;
        its sort keys starting `sort_prefix`, or (`below`) less than a key."""
        pk_name = GSI_PARTITION_KEY if index else PARTITION_KEY
        names = {"#pk": pk_name}
        values: dict[str, Any] = {":pk": partition}
        expression = "#pk = :pk"
        if sort_prefix:
            names["#sk"] = GSI_SORT_KEY if index else SORT_KEY
            values[":sk"] = sort_prefix
            expression += " AND begins_with(#sk, :sk)"
        elif below is not None:
            names["#sk"] = GSI_SORT_KEY if index else SORT_KEY
            values[":below"] = below
            expression += " AND #sk < :below"
        if where is not None:
            names.update(where.names)
            values.update(where.values)
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": self.values(values),
            "ScanIndexForward": paging.forward,
            **({"IndexName": index} if index else {}),
            **({"Limit": paging.limit} if paging.limit else {}),
            **({"ExclusiveStartKey": self.dump(paging.start)} if paging.start else {}),
            **({"FilterExpression": where.expression} if where is not None else {}),
        }
        response = self._call("query", **kwargs)
        items = [self.load(raw) or {} for raw in response.get("Items", [])]
        return Page(items=items, last_key=self.load(response.get("LastEvaluatedKey")))

    def query_all(
        self, partition: str, sort_prefix: str | None = None, *, index: str | None = None
    ) -> Iterator[dict[str, Any]]:
        start: dict[str, Any] | None = None
        while True:
            page = self.query(partition, sort_prefix, index=index, paging=Paging(start=start))
            yield from page.items
            if not page.last_key:
                return
            start = page.last_key

    def count(self, partition: str, *, index: str | None = None) -> int:
        """How many items a partition holds (Select=COUNT, following pages)."""
        pk_name = GSI_PARTITION_KEY if index else PARTITION_KEY
        total = 0
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": pk_name},
            "ExpressionAttributeValues": self.values({":pk": partition}),
            "Select": "COUNT",
        }
        if index:
            kwargs["IndexName"] = index
        while True:
            response = self._call("query", **kwargs)
            total += int(response.get("Count", 0))
            if not response.get("LastEvaluatedKey"):
                return total
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def transact(self, operations: Sequence[Mapping[str, Any]]) -> None:
        """Write all or nothing. Each operation is {"Put"|"Update"|"ConditionCheck": {...}}
        with plain Python values; table name and serialization are added here. One that
        only collided with another transaction goes again (a cancelled one wrote nothing
        and its conditions still hold it); one that keeps colliding is a 503."""
        items = [self._op(op) for op in operations]
        for attempt in range(TRANSACT_TRIES):
            try:
                self._call("transact_write_items", TransactItems=items)
                return
            except TransactionCancelled as cancelled:
                if not cancelled.passing():
                    raise
                if attempt + 1 == TRANSACT_TRIES:
                    raise Unavailable("too many simultaneous changes; try again") from cancelled
                time.sleep(random.uniform(0.01, 0.04) * 2**attempt)  # jittered, growing

    def _op(self, operation: Mapping[str, Any]) -> dict[str, Any]:
        ((kind, body),) = operation.items()
        out: dict[str, Any] = {"TableName": self.table_name}
        for field, value in body.items():
            if field in ("Item", "Key"):
                out[field] = self.dump(value)
            elif field == "ExpressionAttributeValues":
                out[field] = self.values(value)
            else:
                out[field] = value
        out.setdefault("ReturnValuesOnConditionCheckFailure", "ALL_OLD")
        return {kind: out}


def _add_condition(
    store: Store,
    kwargs: dict[str, Any],
    condition: str | None,
    names: Mapping[str, str] | None,
    values: Mapping[str, Any] | None,
) -> None:
    if condition:
        kwargs["ConditionExpression"] = condition
    if names:
        kwargs["ExpressionAttributeNames"] = dict(names)
    if values:
        kwargs["ExpressionAttributeValues"] = store.values(values)
