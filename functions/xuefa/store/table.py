"""The one DynamoDB table's definition: its key attributes, its index and the CreateTable
request (infra/ declares the same; the local stack and the tests create it from here)."""

from __future__ import annotations

from typing import Any

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
