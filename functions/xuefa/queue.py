"""The report queue: the only module that talks to SQS. One message per shard."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def _default_client() -> Any:
    import boto3

    return boto3.client("sqs")


class ShardQueue:
    def __init__(self, queue_url: str, client_factory: Callable[[], Any] = _default_client):
        self.queue_url = queue_url
        self._factory = client_factory

    def __call__(self, messages: list[dict[str, Any]]) -> None:
        client = self._factory()
        for start in range(0, len(messages), 10):
            batch = messages[start : start + 10]
            response = client.send_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "MessageBody": json.dumps(message)}
                    for i, message in enumerate(batch)
                ],
            )
            if response.get("Failed"):
                raise RuntimeError(f"SQS refused {len(response['Failed'])} shard messages")
