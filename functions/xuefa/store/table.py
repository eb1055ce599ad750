"""The one DynamoDB table: its definition, key builders, paging cursors and access.

Only this module touches boto3. It turns ClientErrors into domain errors (throttling,
conflicts) or into `ConditionFailed` / `TransactionCancelled`, which the domain module
that wrote the condition maps to the precise client error.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from xuefa.core.aws import LazyClient, aws_client
from xuefa.core.errors import BadRequest, Conflict, Throttled

# --- the table definition: used by infra (CDK), the local stack and the tests ---------

PARTITION_KEY = "pk"
SORT_KEY = "sk"
GSI_NAME = "gsi1"
GSI_PARTITION_KEY = "gsi1pk"
GSI_SORT_KEY = "gsi1sk"


def create_table_request(table_name: str) -> dict[str, Any]:
    """The CreateTable request for moto and tests; infra/ declares the same keys."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"}
            for name in (PARTITION_KEY, SORT_KEY, GSI_PARTITION_KEY, GSI_SORT_KEY)
        ],
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": GSI_NAME,
                "KeySchema": [
                    {"AttributeName": GSI_PARTITION_KEY, "KeyType": "HASH"},
                    {"AttributeName": GSI_SORT_KEY, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    }


# --- key builders: the domain speaks in these words, never in raw strings ---------------


class Keys:
    @staticmethod
    def unit(unit_id: str) -> dict[str, str]:
        return {PARTITION_KEY: f"UNIT#{unit_id}", SORT_KEY: "META"}

    @staticmethod
    def unit_children(parent_id: str) -> str:
        return f"UNIT#{parent_id}#CHILDREN"

    @staticmethod
    def unit_learners(unit_id: str) -> str:
        return f"UNIT#{unit_id}#LEARNERS"

    @staticmethod
    def unit_year(unit_id: str, year: int) -> str:
        """GSI partition of every learner's year result in a unit."""
        return f"UNIT#{unit_id}#{year}"

    @staticmethod
    def learner(student_no: str) -> dict[str, str]:
        return {PARTITION_KEY: f"LEARNER#{student_no}", SORT_KEY: "PROFILE"}

    @staticmethod
    def admin(username: str) -> dict[str, str]:
        return {PARTITION_KEY: f"ADMIN#{username}", SORT_KEY: "PROFILE"}

    @staticmethod
    def year_result(student_no: str, year: int) -> dict[str, str]:
        return {PARTITION_KEY: f"LEARNER#{student_no}", SORT_KEY: f"YEAR#{year}"}

    @staticmethod
    def year_prefix() -> str:
        return "YEAR#"

    @staticmethod
    def run_prefix(day: str) -> str:
        """A report run's partition: the run and its shards."""
        return f"RUN#{day}"

    @staticmethod
    def shard_prefix() -> str:
        return "SHARD#"

    @staticmethod
    def session(student_no: str, year: int, session_id: str) -> dict[str, str]:
        return {PARTITION_KEY: f"LEARNER#{student_no}", SORT_KEY: f"SESSION#{year}#{session_id}"}

    @staticmethod
    def open_session(student_no: str, year: int) -> dict[str, str]:
        """The learner's one open study session of a year: a lock naming it."""
        return {PARTITION_KEY: f"LEARNER#{student_no}", SORT_KEY: f"STUDYING#{year}"}

    @staticmethod
    def ledger_prefix(year: int) -> str:
        return f"CREDIT#{year}#"

    @staticmethod
    def ledger_entry(student_no: str, year: int, at: str, entry_id: str) -> dict[str, str]:
        return {PARTITION_KEY: f"LEARNER#{student_no}", SORT_KEY: f"CREDIT#{year}#{at}#{entry_id}"}

    @staticmethod
    def idempotency(scope: str, key: str) -> dict[str, str]:
        return {PARTITION_KEY: f"ONCE#{scope}#{key}", SORT_KEY: "ONCE"}

    @staticmethod
    def attempt(student_no: str, year: int, attempt_no: int) -> dict[str, str]:
        return {
            PARTITION_KEY: f"LEARNER#{student_no}",
            SORT_KEY: f"ATTEMPT#{year}#{attempt_no:03d}",
        }

    @staticmethod
    def sheet(student_no: str, year: int, attempt_no: int) -> dict[str, str]:
        """An attempt's answer sheet: its state, deadline and saved answers, apart from
        the paper so that a save rewrites a small item."""
        return {
            PARTITION_KEY: f"LEARNER#{student_no}",
            SORT_KEY: f"SHEET#{year}#{attempt_no:03d}",
        }

    @staticmethod
    def sheet_prefix(year: int) -> str:
        return f"SHEET#{year}#"

    @staticmethod
    def attempt_prefix(year: int) -> str:
        return f"ATTEMPT#{year}#"

    @staticmethod
    def question(year: int, question_id: str) -> dict[str, str]:
        return {PARTITION_KEY: f"BANK#{year}", SORT_KEY: f"Q#{question_id}"}

    @staticmethod
    def bank(year: int) -> str:
        return f"BANK#{year}"

    @staticmethod
    def resource(year: int, resource_id: str) -> dict[str, str]:
        return {PARTITION_KEY: f"CATALOGUE#{year}", SORT_KEY: f"RES#{resource_id}"}

    @staticmethod
    def catalogue(year: int) -> str:
        return f"CATALOGUE#{year}"

    @staticmethod
    def paid_today(student_no: str, day: date, resource_id: str) -> dict[str, str]:
        """Marks a once-a-day resource as paid to the learner on that Shanghai day."""
        return Keys.idempotency(f"day-{student_no}-{day:%Y%m%d}", resource_id)

    @staticmethod
    def departure(unit_id: str, at: str, student_no: str) -> dict[str, str]:
        """A learner left the unit at `at`: a dated report of the unit still lists them."""
        return {PARTITION_KEY: f"UNIT#{unit_id}", SORT_KEY: f"LEFT#{at}#{student_no}"}

    @staticmethod
    def departures_prefix() -> str:
        return "LEFT#"

    @staticmethod
    def year_config(year: int) -> dict[str, str]:
        return {PARTITION_KEY: f"YEAR#{year}", SORT_KEY: "CONFIG"}

    @staticmethod
    def report_run(day: str) -> dict[str, str]:
        return {PARTITION_KEY: f"RUN#{day}", SORT_KEY: "META"}

    @staticmethod
    def report_shard(day: str, shard_id: str) -> dict[str, str]:
        return {PARTITION_KEY: f"RUN#{day}", SORT_KEY: f"SHARD#{shard_id}"}

    @staticmethod
    def counter(name: str) -> dict[str, str]:
        return {PARTITION_KEY: f"COUNTER#{name}", SORT_KEY: "META"}

    @staticmethod
    def archive(student_no: str, year: int) -> dict[str, str]:
        """A learner's frozen figures for a closed study year (个人学法档案)."""
        return {PARTITION_KEY: f"LEARNER#{student_no}", SORT_KEY: f"ARCHIVE#{year}"}

    @staticmethod
    def archive_prefix() -> str:
        return "ARCHIVE#"

    @staticmethod
    def unit_archive(unit_id: str, year: int) -> str:
        """GSI partition of the frozen records of the learners a unit had at a close."""
        return f"ARCHIVE#{unit_id}#{year}"

    @staticmethod
    def certificate(code: str) -> dict[str, str]:
        return {PARTITION_KEY: f"CERT#{code}", SORT_KEY: "CERT"}

    @staticmethod
    def account(username: str) -> dict[str, str]:
        """A sign-in account of our own identity service (where Cognito does not exist)."""
        return {PARTITION_KEY: f"ACCOUNT#{username}", SORT_KEY: "ACCOUNT"}

    @staticmethod
    def sign_in_guard(username: str) -> dict[str, str]:
        """Failed sign-ins and the lockout for a login, whether or not it exists."""
        return {PARTITION_KEY: f"ACCOUNT#{username}", SORT_KEY: "GUARD"}

    @staticmethod
    def device(username: str, token_hash: str) -> dict[str, str]:
        """A device the login signed in from (OWASP's device cookie), by its token's hash:
        its own failed guesses and lockout, apart from the login's guard."""
        return {PARTITION_KEY: f"ACCOUNT#{username}", SORT_KEY: f"DEVICE#{token_hash}"}

    @staticmethod
    def refresh_token(token_hash: str) -> dict[str, str]:
        return {PARTITION_KEY: f"REFRESH#{token_hash}", SORT_KEY: "REFRESH"}

    @staticmethod
    def audit(year: int, day: str, at: str, audit_id: str) -> dict[str, str]:
        return {PARTITION_KEY: f"AUDIT#{year}#{day}", SORT_KEY: f"{at}#{audit_id}"}


# --- paging cursors: opaque to clients, signed so they cannot be forged or edited ------


CURSOR_PATTERN = r"^[A-Za-z0-9_-]+\.[0-9a-f]{32}$"  # base64url payload, truncated HMAC
CURSOR = re.compile(CURSOR_PATTERN)


def encode_cursor(last_key: Mapping[str, Any] | None, scope: str, secret: str) -> str | None:
    if not last_key:
        return None
    payload = json.dumps({"k": dict(last_key), "s": scope}, separators=(",", ":"), default=str)
    body = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{body}.{mac}"


def decode_cursor(cursor: str | None, scope: str, secret: str) -> dict[str, Any] | None:
    """The key to resume from; a cursor edited, forged or from another listing is a 400."""
    if not cursor:
        return None
    if not CURSOR.fullmatch(cursor):  # not even the shape of one (any text can arrive)
        raise BadRequest("the paging cursor is not valid", {"cursor": "malformed"})
    body, _, mac = cursor.partition(".")
    expected = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()[:32]
    if not hmac.compare_digest(mac, expected):
        raise BadRequest("the paging cursor is not valid", {"cursor": "tampered or foreign"})
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError as exc:
        raise BadRequest("the paging cursor is not valid") from exc
    if payload.get("s") != scope:
        raise BadRequest("the paging cursor belongs to another listing", {"cursor": "foreign"})
    key = payload.get("k")
    if not isinstance(key, dict):
        raise BadRequest("the paging cursor is not valid")
    return key


# --- access ---------------------------------------------------------------------------


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
                raise Conflict() from exc
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

    def query(
        self,
        partition: str,
        sort_prefix: str | None = None,
        *,
        index: str | None = None,
        paging: Paging = Paging(),
        where: Filter | None = None,
    ) -> Page:
        """One page of a partition (of the table, or of the index), optionally filtered."""
        pk_name = GSI_PARTITION_KEY if index else PARTITION_KEY
        names = {"#pk": pk_name}
        values: dict[str, Any] = {":pk": partition}
        expression = "#pk = :pk"
        if sort_prefix:
            names["#sk"] = GSI_SORT_KEY if index else SORT_KEY
            values[":sk"] = sort_prefix
            expression += " AND begins_with(#sk, :sk)"
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
        with plain Python values; table name and serialization are added here."""
        self._call("transact_write_items", TransactItems=[self._op(op) for op in operations])

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
