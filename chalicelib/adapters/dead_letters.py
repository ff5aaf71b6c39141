"""The dead-letter queues (SQS) and the workers' failure records (DynamoDB).

Failure records are items of the one table with a TTL (`expires_at`):
- `pk = FAILURE#MSG#<sqs message id>`, `sk = FAILURE`: the last failure of one message;
- `pk = FAILURE#TICKET#<ticket id>`, `sk = FAILURE`: the last failure of any message of a ticket
  (what `stuck list` shows).
They hold the error class and a scrubbed short message, the queue, the worker, the receive count
and the ticket id: no body, no ticket text. A message attribute cannot carry this: SQS cannot
change the attributes of a message in flight, and re-sending it to add one would give it a new
id and a fresh receive count (it would never reach the DLQ).

Redrive is receive, send, delete: SQS's `StartMessageMoveTask` moves a whole queue at once (no
choice of messages, and moto does not implement it). A message leaves the DLQ only once its copy
is on the source queue; an interruption in between leaves it in both, which the workers treat as
the duplicate delivery they already ignore.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws_resource_names
from chalicelib.adapters.aws import client
from chalicelib.adapters.dynamodb.table import DynamoTable, deserialize, serialize
from chalicelib.domain.dead_letters import DeadLetter, FailureRecord, Moved, QueuePair, unreadable_reason

# While the operator's tools hold a batch of dead letters: long enough to send and delete them.
HOLD_SECONDS = 60
# Queues whose messages are claim checks (the desk and escalation queues are read by people's
# tools; notify and incidents carry their own bodies): there an unreadable body would fail again.
_CLAIM_CHECK_ROLES = frozenset(aws_resource_names.PIPELINE_QUEUES)
# Receives that may come back empty before a queue with messages is taken as read (SQS samples).
EMPTY_RECEIVES = 3


def _message_key(message_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"FAILURE#MSG#{message_id}"}, "sk": {"S": "FAILURE"}}


def _ticket_key(ticket_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"FAILURE#TICKET#{ticket_id}"}, "sk": {"S": "FAILURE"}}


class DynamoDBFailureLog(DynamoTable):
    def record(self, failures: Sequence[FailureRecord], expires_at: int) -> None:
        """A PutItem each (what the workers may already do; failures are rare)."""
        for failure in failures:
            item = serialize({"entity": "failure", **failure.to_record(), "expires_at": expires_at})
            self._db.put_item(TableName=self.table_name, Item={**_message_key(failure.message_id), **item})
            if failure.ticket_id is not None:
                self._db.put_item(TableName=self.table_name, Item={**_ticket_key(failure.ticket_id), **item})

    def for_messages(self, message_ids: Sequence[str]) -> dict[str, FailureRecord]:
        return {record.message_id: record for record in self._read([_message_key(id_) for id_ in set(message_ids)])}

    def last_for_tickets(self, ticket_ids: Sequence[str]) -> dict[str, FailureRecord]:
        records = self._read([_ticket_key(id_) for id_ in set(ticket_ids)])
        return {record.ticket_id: record for record in records if record.ticket_id is not None}

    def forget(self, message_id: str) -> None:
        self._db.delete_item(TableName=self.table_name, Key=_message_key(message_id))

    def _read(self, keys: list[dict[str, Any]]) -> list[FailureRecord]:
        now = datetime.now(UTC).timestamp()
        found: list[FailureRecord] = []
        for start in range(0, len(keys), 100):
            pending: dict[str, Any] = {self.table_name: {"Keys": keys[start : start + 100]}}
            while pending:
                answer = self._db.batch_get_item(RequestItems=pending)
                for item in answer.get("Responses", {}).get(self.table_name, []):
                    record = deserialize(item)
                    if int(record.get("expires_at") or 0) > now:  # TTL deletes lag: expired is gone
                        found.append(FailureRecord.from_record(record))
                pending = answer.get("UnprocessedKeys") or {}
        return found


def _iso_from_millis(raw: str | None) -> str:
    if not raw:
        return ""
    return datetime.fromtimestamp(int(raw) / 1000, UTC).isoformat().replace("+00:00", "Z")


class SqsDeadLetterQueues:
    def __init__(self) -> None:
        self._urls: dict[str, str] = {}

    def _url(self, name: str) -> str:
        if name not in self._urls:
            self._urls[name] = client("sqs").get_queue_url(QueueName=name)["QueueUrl"]
        return self._urls[name]

    def count(self, dead_letter_queue: str) -> int:
        attributes = client("sqs").get_queue_attributes(
            QueueUrl=self._url(dead_letter_queue),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes.get("ApproximateNumberOfMessages", 0)) + int(
            attributes.get("ApproximateNumberOfMessagesNotVisible", 0)
        )

    def peek(self, dead_letter_queue: str, limit: int) -> list[DeadLetter]:
        held = self._hold(dead_letter_queue, limit)
        self._release(dead_letter_queue, held)
        return [self._dead_letter(dead_letter_queue, message) for message in held]

    def move(
        self, pair: QueuePair, message_ids: set[str] | None, dry_run: bool, include_unreadable: bool = False
    ) -> list[Moved]:
        held = self._hold(pair.dead_letter_queue, None)
        moved: list[Moved] = []
        gone: set[str] = set()
        try:
            for message in held:
                if message_ids is not None and message["MessageId"] not in message_ids:
                    continue
                outcome = self._move_one(pair, message, dry_run, include_unreadable)
                moved.append(outcome)
                if outcome.outcome == "moved":
                    gone.add(message["MessageId"])
        finally:
            # Whatever was not moved is visible again at once, even if this was interrupted.
            self._release(pair.dead_letter_queue, [message for message in held if message["MessageId"] not in gone])
        return moved

    def _move_one(self, pair: QueuePair, message: dict[str, Any], dry_run: bool, include_unreadable: bool) -> Moved:
        message_id, body = message["MessageId"], message["Body"]
        unreadable = unreadable_reason(body) if pair.role in _CLAIM_CHECK_ROLES else None
        if unreadable is not None and not include_unreadable:
            return Moved(message_id, pair.dead_letter_queue, pair.queue, f"skipped: {unreadable} (would fail again)")
        if dry_run:
            return Moved(message_id, pair.dead_letter_queue, pair.queue, "would move")
        sqs = client("sqs")
        send: dict[str, Any] = {"QueueUrl": self._url(pair.queue), "MessageBody": body}
        if message.get("MessageAttributes"):
            send["MessageAttributes"] = message["MessageAttributes"]
        try:
            new_id = sqs.send_message(**send)["MessageId"]
        except (ClientError, BotoCoreError) as error:
            return Moved(message_id, pair.dead_letter_queue, pair.queue, f"failed: not sent ({type(error).__name__})")
        try:
            sqs.delete_message(QueueUrl=self._url(pair.dead_letter_queue), ReceiptHandle=message["ReceiptHandle"])
        except (ClientError, BotoCoreError) as error:
            # Sent, not deleted: it stays in the DLQ too; a second redrive is a duplicate, a no-op.
            reason = f"failed: sent as {new_id} but not deleted ({type(error).__name__}); its copy will be a no-op"
            return Moved(message_id, pair.dead_letter_queue, pair.queue, reason, new_id)
        return Moved(message_id, pair.dead_letter_queue, pair.queue, "moved", new_id)

    def _hold(self, dead_letter_queue: str, limit: int | None) -> list[dict[str, Any]]:
        """Receive up to `limit` (None: all) distinct messages, hidden for HOLD_SECONDS."""
        if self.count(dead_letter_queue) == 0:
            return []
        sqs, url = client("sqs"), self._url(dead_letter_queue)
        held: dict[str, dict[str, Any]] = {}
        empty = 0
        while empty < EMPTY_RECEIVES and (limit is None or len(held) < limit):
            batch = sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=10 if limit is None else max(1, min(10, limit - len(held))),
                VisibilityTimeout=HOLD_SECONDS,
                WaitTimeSeconds=0,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            fresh = [message for message in batch if message["MessageId"] not in held]
            empty = 0 if fresh else empty + 1
            held.update((message["MessageId"], message) for message in fresh)
        return list(held.values())

    def _release(self, dead_letter_queue: str, messages: list[dict[str, Any]]) -> None:
        url = self._url(dead_letter_queue)
        for start in range(0, len(messages), 10):
            entries = [
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"], "VisibilityTimeout": 0}
                for index, message in enumerate(messages[start : start + 10])
            ]
            with contextlib.suppress(ClientError, BotoCoreError):  # they come back after HOLD_SECONDS anyway
                client("sqs").change_message_visibility_batch(QueueUrl=url, Entries=entries)

    @staticmethod
    def _dead_letter(dead_letter_queue: str, message: dict[str, Any]) -> DeadLetter:
        attributes = message.get("Attributes", {})
        source = attributes.get("DeadLetterQueueSourceArn")
        return DeadLetter(
            message_id=message["MessageId"],
            dead_letter_queue=dead_letter_queue,
            body=message["Body"],
            sent_at=_iso_from_millis(attributes.get("SentTimestamp")),
            first_received_at=_iso_from_millis(attributes.get("ApproximateFirstReceiveTimestamp")),
            receive_count=int(attributes.get("ApproximateReceiveCount") or 0),
            source_queue=source.rsplit(":", 1)[-1] if source else None,
        )
