"""The report queue: the only module that talks to SQS. One message per shard."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from xuefa.core.aws import LazyClient, aws_client

SQS = aws_client("sqs")


class ShardQueue(LazyClient):
    def __init__(self, queue_url: str, client_factory: Callable[[], Any] = SQS):
        super().__init__(client_factory)
        self.queue_url = queue_url

    def __call__(self, messages: list[dict[str, Any]]) -> None:
        client = self.client
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
