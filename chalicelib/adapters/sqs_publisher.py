"""Publisher on SQS: SendMessageBatch per queue (10 a call), queue URLs looked up once."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.adapters.aws import client
from chalicelib.domain.ports import OutgoingMessage


class SqsPublisher:
    def __init__(self) -> None:
        self._urls: dict[str, str] = {}
        self._lock = threading.Lock()

    def queue_url(self, queue_name: str) -> str:
        url = self._urls.get(queue_name)
        if url is None:
            url = client("sqs").get_queue_url(QueueName=queue_name)["QueueUrl"]
            with self._lock:
                self._urls[queue_name] = url
        return url

    def send(self, messages: Sequence[OutgoingMessage]) -> set[str]:
        failed: set[str] = set()
        by_queue: dict[str, list[OutgoingMessage]] = defaultdict(list)
        for message in messages:
            by_queue[message.queue].append(message)
        for queue, queued in by_queue.items():
            for start in range(0, len(queued), 10):
                chunk = queued[start : start + 10]
                failed |= self._send_chunk(queue, chunk)
        return failed

    def _send_chunk(self, queue: str, chunk: list[OutgoingMessage]) -> set[str]:
        entries: list[dict[str, Any]] = [
            {"Id": _entry_id(index), "MessageBody": json.dumps(message.body, separators=(",", ":"))}
            for index, message in enumerate(chunk)
        ]
        try:
            answer = client("sqs").send_message_batch(QueueUrl=self.queue_url(queue), Entries=entries)
        except (ClientError, BotoCoreError):
            return {message.message_id for message in chunk}
        return {chunk[int(entry["Id"][1:])].message_id for entry in answer.get("Failed", [])}


def _entry_id(index: int) -> str:
    return f"m{index}"
