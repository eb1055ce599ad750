"""Two changes to moto, for the local stack and the tests: cheaper transactions and
cheaper queries. Neither changes what a client sees.

Queries: moto sorts every item of the table on every Query, comparing DynamoType
objects that re-cast their values at each comparison; with the demo city that is most
of a report run's time. Sorting by the cast values, computed once per item, gives the
same order for our string keys (mixed-type keys fall back to moto's own sort).

Transactions:
moto's TransactWriteItems deep-copies every table it touches before each transaction,
to roll back on failure: 0.4 s per transaction once the demo city is loaded, growing
with the table. This version checks every condition against the state before the
transaction (as DynamoDB does; an item may appear only once per transaction), writes
nothing if any fails, and otherwise applies the operations, restoring just the touched
items should one of them raise. What clients see — success, or TransactionCanceled with
a reason per operation — is unchanged.
"""

from __future__ import annotations

import copy
from typing import Any

_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )
    from moto.dynamodb.models import DynamoDBBackend

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        if len(transact_items) > 100:
            raise TooManyTransactionsException()
        touched: list[tuple[str, dict[str, Any]]] = []
        seen: set[tuple[str, str]] = set()
        errors: list[tuple[Any, Any, Any]] = []
        for entry in transact_items:
            if len(entry) > 1:
                raise TransactWriteSingleOpException
            op_type, op = next(iter(entry.items()))
            table_name = op["TableName"]
            table = self.get_table(table_name)
            if op_type == "Put":
                key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = op["Item"][table.range_key_attr]
            else:
                key = op["Key"]
            marker = (str(table_name), str(dict(sorted(key.items()))))
            if marker in seen:
                raise MultipleTransactionsException()
            seen.add(marker)
            touched.append((table_name, key))
            current = self.get_item(table_name, key)
            condition = op.get("ConditionExpression")
            if condition is not None:
                check = get_filter_expression(
                    condition,
                    op.get("ExpressionAttributeNames"),
                    op.get("ExpressionAttributeValues"),
                )
                if not check.expr(current):
                    old = None
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        old = current.to_json()["Attributes"]
                    errors.append(("ConditionalCheckFailed", "The conditional request failed", old))
                    continue
            errors.append((None, None, None))
        if any(code is not None for code, _, _ in errors):
            raise TransactionCanceledException(errors)

        before = []
        for table_name, key in touched:
            item = self.get_item(table_name, key)
            before.append(copy.deepcopy(item.to_json()["Attributes"]) if item else None)
        try:
            for entry in transact_items:
                op_type, op = next(iter(entry.items()))
                names = op.get("ExpressionAttributeNames")
                values = op.get("ExpressionAttributeValues")
                if op_type == "Put":
                    self.put_item(
                        op["TableName"],
                        op["Item"],
                        expression_attribute_names=names,
                        expression_attribute_values=values,
                    )
                elif op_type == "Delete":
                    self.delete_item(
                        op["TableName"],
                        op["Key"],
                        expression_attribute_names=names,
                        expression_attribute_values=values,
                    )
                elif op_type == "Update":
                    self.update_item(
                        op["TableName"],
                        op["Key"],
                        update_expression=op["UpdateExpression"],
                        expression_attribute_names=names,
                        expression_attribute_values=values,
                    )
        except Exception:
            for (table_name, key), attrs in zip(touched, before, strict=True):
                if attrs is None:
                    if self.get_item(table_name, key) is not None:
                        self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, attrs)
            raise

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]

    from moto.dynamodb.models.table import Table

    original_all_items = Table.all_items

    def all_items(self: Any) -> Any:
        items = []
        for hash_set in self.items.values():
            if self.range_key_attr:
                items.extend(hash_set.values())
            else:
                items.append(hash_set)

        def key(item: Any) -> tuple[Any, ...]:
            if item.range_key:
                return (item.hash_key.cast_value, item.range_key.cast_value)
            return (item.hash_key.cast_value,)

        try:
            return sorted(items, key=key)
        except TypeError:
            return original_all_items(self)

    Table.all_items = all_items  # type: ignore[method-assign]
    _applied = True
