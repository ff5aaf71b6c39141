"""The fault harness's hands on the queues: an SQS event source mapping it can make misbehave.

`Queues` reads and writes the moto queues with the app's faults paused (it is not the app);
`Deliveries` hands the pipeline queues' messages to the real worker handlers, duplicated,
reordered, held back, in concurrent batches, and deletes only what a handler finished, unless
the harness crashes it just before the delete.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any

from bench.faults_injection import BEFORE_DELETE, Crash, CrashPlan
from bench.faults_ledger import Ledger
from devstack.lambda_events import LambdaContext, sqs_event

HIDE_SECONDS = 600  # a received message stays hidden until the harness gives it back
MAX_PER_ROUND = 2000  # messages taken from one queue per round
BATCH = 10
FACTORS = (2, 3, 5)


class Queues:
    def __init__(self, settings: Any, paused: Callable[[], AbstractContextManager[None]], ledger: Ledger) -> None:
        from chalicelib import aws_resource_names
        from chalicelib.adapters.aws import client

        self.sqs = client("sqs")
        self.paused = paused
        self.ledger = ledger
        self.names = aws_resource_names
        self.settings = settings
        self.urls: dict[str, str] = {}
        self.arns: dict[str, str] = {}
        for name in self._all_names():
            url = self.sqs.get_queue_url(QueueName=name)["QueueUrl"]
            self.urls[name] = url
            attributes = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
            self.arns[name] = attributes["QueueArn"]

    def _all_names(self) -> Iterator[str]:
        for role in (*self.names.PIPELINE_QUEUES, self.names.NOTIFY):
            yield self.settings.queue_name(role)
            yield self.dead_letter_name(role)
        for region in self.names.REGIONS:
            yield self.settings.desk_queue_name(region)

    def dead_letter_name(self, role: str) -> str:
        return self.settings.queue_name(role) + "-dlq"

    def receive(self, name: str, limit: int = MAX_PER_ROUND) -> list[dict[str, Any]]:
        taken: list[dict[str, Any]] = []
        with self.paused():
            while len(taken) < limit:
                batch = self.sqs.receive_message(
                    QueueUrl=self.urls[name],
                    MaxNumberOfMessages=BATCH,
                    VisibilityTimeout=HIDE_SECONDS,
                    WaitTimeSeconds=0,
                    MessageSystemAttributeNames=["All"],
                ).get("Messages", [])
                if not batch:
                    break
                taken += batch
        return taken

    def delete(self, name: str, messages: list[dict[str, Any]]) -> None:
        unique = list({message["MessageId"]: message for message in messages}.values())
        with self.paused():
            for start in range(0, len(unique), BATCH):
                entries = [
                    {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                    for index, message in enumerate(unique[start : start + BATCH])
                ]
                self.sqs.delete_message_batch(QueueUrl=self.urls[name], Entries=entries)

    def give_back(self, name: str, messages: list[dict[str, Any]]) -> None:
        """Their visibility timeout expires now: SQS delivers them again (and counts the receive)."""
        unique = list({message["MessageId"]: message for message in messages}.values())
        with self.paused():
            for start in range(0, len(unique), BATCH):
                entries = [
                    {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"], "VisibilityTimeout": 0}
                    for index, message in enumerate(unique[start : start + BATCH])
                ]
                self.sqs.change_message_visibility_batch(QueueUrl=self.urls[name], Entries=entries)

    def redrive_dead_letters(self) -> int:
        """An operator's redrive: every dead-lettered pipeline message back on its queue."""
        moved = 0
        for role in self.names.PIPELINE_QUEUES:
            dead = self.receive(self.dead_letter_name(role))
            if not dead:
                continue
            with self.paused():
                for start in range(0, len(dead), BATCH):
                    entries = [
                        {"Id": str(index), "MessageBody": message["Body"]}
                        for index, message in enumerate(dead[start : start + BATCH])
                    ]
                    self.sqs.send_message_batch(QueueUrl=self.urls[self.settings.queue_name(role)], Entries=entries)
            self.delete(self.dead_letter_name(role), dead)
            moved += len(dead)
        return moved

    def drain_desks(self) -> int:
        """The desks take their messages; the ledger counts them per ticket."""
        taken = 0
        for region in self.names.REGIONS:
            name = self.settings.desk_queue_name(region)
            messages = self.receive(name, limit=10**9)
            for message in messages:
                self.ledger.delivered_to_desk(region, json.loads(message["Body"])["ticket_id"])
            if messages:
                self.delete(name, messages)
            taken += len(messages)
        # Acknowledgements have no channel in the harness: their queue is emptied, not read.
        notify = self.settings.queue_name(self.names.NOTIFY)
        leftovers = self.receive(notify, limit=10**9)
        if leftovers:
            self.delete(notify, leftovers)
        return taken

    def depths(self) -> dict[str, int]:
        depths: dict[str, int] = {}
        with self.paused():
            for name, url in self.urls.items():
                attributes = self.sqs.get_queue_attributes(
                    QueueUrl=url,
                    AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
                )["Attributes"]
                depth = sum(int(value) for value in attributes.values())
                if depth:
                    depths[name] = depth
        return depths

    def stored_tickets(self, tickets: Any) -> dict[str, Any]:
        from chalicelib.adapters.aws import client

        db, ids = client("dynamodb"), []
        kwargs: dict[str, Any] = {"TableName": self.settings.table_name, "ProjectionExpression": "pk, sk"}
        while True:
            page = db.scan(**kwargs)
            ids += [item["pk"]["S"][7:] for item in page["Items"] if item["sk"]["S"] == "TICKET"]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        found: dict[str, Any] = {}
        for start in range(0, len(ids), 100):
            found.update(tickets.get_many(ids[start : start + 100]))
        return found


class Deliveries:
    def __init__(self, queues: Queues, crashes: CrashPlan, rng: random.Random) -> None:
        from chalicelib.workers import pipeline as workers

        names = queues.names
        self.queues = queues
        self.crashes = crashes
        self.rng = rng
        self.handlers = {
            names.DETECT: (workers.detect_language, "detect_language"),
            names.TRANSLATE: (workers.translate_ticket, "translate_ticket"),
            names.ROUTE: (workers.route_ticket, "route_ticket"),
        }
        self.held: dict[str, list[dict[str, Any]]] = {role: [] for role in self.handlers}
        self.counts: Counter[str] = Counter()

    def deliver_all(self, duplicate_share: float, hold_back: float, concurrent: bool) -> int:
        """One pass over the three pipeline queues (in pipeline order); messages handed over."""
        moved = 0
        for role in self.handlers:
            moved += self._deliver(role, duplicate_share, hold_back, concurrent)
        return moved

    def _deliver(self, role: str, duplicate_share: float, hold_back: float, concurrent: bool) -> int:
        name = self.queues.settings.queue_name(role)
        fresh = self.queues.receive(name)
        messages, self.held[role] = self.held[role] + fresh, []
        records: list[dict[str, Any]] = []
        for message in messages:
            if message in fresh and self.rng.random() < hold_back:
                self.held[role].append(message)  # delivered after the ones that came later
                self.counts["held back"] += 1
                continue
            copies = self.rng.choice(FACTORS) if self.rng.random() < duplicate_share else 1
            self.counts[f"delivered x{copies}"] += 1
            records += [message] * copies
        self.rng.shuffle(records)
        batches = [records[start : start + BATCH] for start in range(0, len(records), BATCH)]
        if concurrent and len(batches) > 1:
            with ThreadPoolExecutor(max_workers=2) as pool:
                outcomes = list(pool.map(lambda batch: self._invoke(role, batch), batches))
            self.counts["concurrent batches"] += len(batches)
        else:
            outcomes = [self._invoke(role, batch) for batch in batches]
        done: dict[str, dict[str, Any]] = {}
        for finished in outcomes:
            done.update((message["MessageId"], message) for message in finished)
        # A message in several batches is finished when any of them finished it (Lambda would
        # delete it then; the others' receipt handles would just fail to delete).
        unfinished = {message["MessageId"]: message for message in records if message["MessageId"] not in done}
        if done:
            self.queues.delete(name, list(done.values()))
        if unfinished:
            self.queues.give_back(name, list(unfinished.values()))
        return len(records)

    def _invoke(self, role: str, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The handler over one batch; the messages to delete (none when it crashed)."""
        handler, function_name = self.handlers[role]
        name = self.queues.settings.queue_name(role)
        event = sqs_event(batch, self.queues.arns[name], "us-east-1")
        try:
            response = handler(event, LambdaContext(function_name))
            self.crashes.maybe(BEFORE_DELETE)
        except Crash:
            self.counts["crashed invocations"] += 1
            return []
        except Exception:  # the batch failed closed (BatchFailed) or a fault escaped: all retried
            self.counts["failed invocations"] += 1
            return []
        failed = {item["itemIdentifier"] for item in (response or {}).get("batchItemFailures", [])}
        self.counts["failed records"] += sum(1 for message in batch if message["MessageId"] in failed)
        return [message for message in batch if message["MessageId"] not in failed]
