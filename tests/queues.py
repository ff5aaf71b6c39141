"""Reading what a test's queues hold (shared by every test layer)."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.aws import client


def queue_url(name: str) -> str:
    return client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def take_messages(name: str, hide_seconds: int = 3600) -> list[dict[str, Any]]:
    """Every message body waiting on queue `name`, received and hidden for `hide_seconds`."""
    sqs, url = client("sqs"), queue_url(name)
    bodies: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=hide_seconds)
        if not batch.get("Messages"):
            return bodies
        bodies.extend(json.loads(message["Body"]) for message in batch["Messages"])
