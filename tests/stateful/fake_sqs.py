"""SQS as the pipeline sees it, in memory, with the misbehaviour a stateful test wants to drive.

At-least-once, unordered delivery: the test receives any visible messages in any order; a
received message stays in flight (invisible) until it is deleted or its visibility expires;
every receive counts, and a message received more than MAX_RECEIVES times goes to the queue's
dead-letter queue instead (maxReceiveCount 5, as infra/ sets it) until an operator redrives it.
Desk queues are read by the desks at once: what lands there is counted per ticket.
"""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.ports import OutgoingMessage

MAX_RECEIVES = 5
_ids = itertools.count()


@dataclass(eq=False)  # one message is one object: found and removed by identity
class Envelope:
    message_id: str
    body: str
    receives: int = 0
    in_flight: bool = False

    def as_sqs(self) -> dict[str, Any]:
        """The message as ReceiveMessage returns it (what devstack.lambda_events.sqs_event reads)."""
        return {"MessageId": self.message_id, "ReceiptHandle": f"{self.message_id}#{self.receives}", "Body": self.body}


@dataclass
class FakeSqs:
    desk_queues: dict[str, str]  # queue name -> region
    queues: dict[str, list[Envelope]] = field(default_factory=dict)
    dead: dict[str, list[Envelope]] = field(default_factory=dict)
    desk: Counter[str] = field(default_factory=Counter)  # ticket id -> desk messages
    desk_regions: dict[str, set[str]] = field(default_factory=dict)

    def send(self, messages: Sequence[OutgoingMessage]) -> set[str]:
        """The Publisher port."""
        for message in messages:
            region = self.desk_queues.get(message.queue)
            if region is not None:
                ticket_id = message.body["ticket_id"]
                self.desk[ticket_id] += 1
                self.desk_regions.setdefault(ticket_id, set()).add(region)
                continue
            envelope = Envelope(f"m{next(_ids)}", json.dumps(message.body))
            self.queues.setdefault(message.queue, []).append(envelope)
        return set()

    def receive(self, queue: str, limit: int, rng: random.Random) -> list[Envelope]:
        """Up to `limit` visible messages, in an order SQS chooses (here: `rng`)."""
        visible = [envelope for envelope in self.queues.get(queue, []) if not envelope.in_flight]
        rng.shuffle(visible)
        taken: list[Envelope] = []
        for envelope in visible:
            if len(taken) == limit:
                break
            envelope.receives += 1
            if envelope.receives > MAX_RECEIVES:
                self.queues[queue].remove(envelope)
                self.dead.setdefault(queue, []).append(envelope)
                continue
            envelope.in_flight = True
            taken.append(envelope)
        return taken

    def delete(self, queue: str, envelopes: Sequence[Envelope]) -> None:
        for envelope in envelopes:
            if envelope in self.queues.get(queue, []):
                self.queues[queue].remove(envelope)

    def expire_visibility(self) -> None:
        for envelopes in self.queues.values():
            for envelope in envelopes:
                envelope.in_flight = False

    def redrive(self) -> int:
        moved = 0
        for queue, envelopes in self.dead.items():
            for envelope in envelopes:
                self.queues.setdefault(queue, []).append(Envelope(envelope.message_id, envelope.body))
                moved += 1
            envelopes.clear()
        return moved

    def waiting(self) -> int:
        return sum(len(envelopes) for envelopes in self.queues.values()) + sum(map(len, self.dead.values()))
