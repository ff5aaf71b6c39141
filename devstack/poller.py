"""An SQS event source mapping in miniature: receive, invoke the handler, delete what succeeded.

Honours what Lambda honours: a `batchItemFailures` answer leaves just those messages on the
queue; an exception leaves the whole batch; either way they reappear after the visibility
timeout and, past maxReceiveCount, SQS moves them to the dead-letter queue.

`batch_window_seconds` is Lambda's MaximumBatchingWindowInSeconds: a receive that returned
fewer than `batch_size` messages is topped up by more receives (no long poll) until the batch
is full or the window has passed since the first message, so a steady trickle is handled in
batches rather than one message per invocation. 0 (the default) invokes with what one receive
returned.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devstack.lambda_events import LambdaContext, sqs_event

log = logging.getLogger("devstack.poller")

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class PollResult:
    received: int
    deleted: int
    failed: int
    crashed: bool


class QueuePoller:
    def __init__(
        self,
        sqs: Any,
        queue_name: str,
        handler: Handler,
        function_name: str,
        batch_size: int = 10,
        wait_seconds: int = 1,
        timeout_seconds: float = 30.0,
        batch_window_seconds: float = 0.0,
    ) -> None:
        self.sqs = sqs
        self.queue_name = queue_name
        self.handler = handler
        self.function_name = function_name
        self.batch_size = batch_size
        self.wait_seconds = wait_seconds
        self.timeout_seconds = timeout_seconds
        self.batch_window_seconds = batch_window_seconds
        self.queue_url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
        self.queue_arn = sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.region = self.queue_arn.split(":")[3]

    def _receive(self, count: int, wait_seconds: int) -> list[dict[str, Any]]:
        answer = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=count,
            WaitTimeSeconds=wait_seconds,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return list(answer.get("Messages", []))

    def _top_up(self, messages: list[dict[str, Any]]) -> None:
        """Receive more until the batch is full or the batching window has passed."""
        deadline = time.monotonic() + self.batch_window_seconds
        pause = min(0.05, self.batch_window_seconds / 4)
        while len(messages) < self.batch_size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            time.sleep(min(pause, remaining))
            messages.extend(self._receive(self.batch_size - len(messages), 0))

    def poll_once(self, wait_seconds: int | None = None) -> PollResult:
        messages = self._receive(self.batch_size, self.wait_seconds if wait_seconds is None else wait_seconds)
        if not messages:
            return PollResult(0, 0, 0, False)
        if self.batch_window_seconds > 0:
            self._top_up(messages)
        event = sqs_event(messages, self.queue_arn, self.region)
        context = LambdaContext(self.function_name, self.timeout_seconds)
        try:
            response = self.handler(event, context)
        except Exception:
            log.exception(
                "%s raised; its %d messages return after the visibility timeout", self.function_name, len(messages)
            )
            return PollResult(len(messages), 0, len(messages), True)
        failed_ids = {item["itemIdentifier"] for item in (response or {}).get("batchItemFailures", [])}
        done = [message for message in messages if message["MessageId"] not in failed_ids]
        if done:
            entries = [
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]} for index, message in enumerate(done)
            ]
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
        return PollResult(len(messages), len(done), len(failed_ids), False)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.poll_once()
            except Exception:
                if stop.is_set():
                    return
                log.exception("poller for %s failed; retrying in 1 s", self.queue_name)
                stop.wait(1.0)
