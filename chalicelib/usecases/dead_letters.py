"""What the dead-letter queues hold and why, and sending their messages back (the operator's
`python -m chalicelib.cli dlq list | show | redrive`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chalicelib import aws_resource_names
from chalicelib.domain.dead_letters import (
    DeadLetter,
    DeadLetterQueues,
    FailureLog,
    FailureRecord,
    Moved,
    QueuePair,
    ticket_id_of,
    unreadable_reason,
)

LIST_LIMIT = 100  # dead letters read per queue
SHOW_LIMIT = 1000  # dead letters searched per queue for one message id
NO_REASON = "no reason recorded (its worker does not record one, or failed before it could)"


class UnknownQueue(ValueError):
    """--queue names no queue of the stage."""


@dataclass(frozen=True)
class ExplainedDeadLetter:
    """A dead letter, where it came from and why it is there."""

    letter: DeadLetter
    role: str
    source_queue: str
    ticket_id: str | None
    reason: str
    failure: FailureRecord | None


@dataclass(frozen=True)
class DeadLetterQueueReport:
    pair: QueuePair
    count: int
    letters: tuple[ExplainedDeadLetter, ...]


@dataclass(frozen=True)
class DeadLetterDesk:
    queues: DeadLetterQueues
    failures: FailureLog
    pairs: tuple[QueuePair, ...]  # every queue of the stage with its DLQ, as infra/ defines them

    def select(self, queue: str | None) -> tuple[QueuePair, ...]:
        """All pairs, or the one `queue` names (its role, its name or its DLQ's name)."""
        if queue is None:
            return self.pairs
        chosen = tuple(pair for pair in self.pairs if queue in (pair.role, pair.queue, pair.dead_letter_queue))
        if not chosen:
            raise UnknownQueue(f"no queue {queue!r}; known: {', '.join(pair.role for pair in self.pairs)}")
        return chosen

    def list(self, queue: str | None = None, limit: int = LIST_LIMIT) -> list[DeadLetterQueueReport]:
        reports: list[DeadLetterQueueReport] = []
        for pair in self.select(queue):
            count = self.queues.count(pair.dead_letter_queue)
            letters = self.queues.peek(pair.dead_letter_queue, limit) if count else []
            reports.append(DeadLetterQueueReport(pair, max(count, len(letters)), self._explained(pair, letters)))
        return reports

    def show(self, message_id: str) -> ExplainedDeadLetter | None:
        for pair in self.pairs:
            if not self.queues.count(pair.dead_letter_queue):
                continue
            letters = [
                letter
                for letter in self.queues.peek(pair.dead_letter_queue, SHOW_LIMIT)
                if letter.message_id == message_id
            ]
            if letters:
                return self._explained(pair, letters[:1])[0]
        return None

    def redrive(
        self,
        queue: str | None,
        message_ids: Sequence[str] | None,
        dry_run: bool,
        include_unreadable: bool = False,
    ) -> list[Moved]:
        """Back to the source queue: all of them (message_ids None) or those named."""
        wanted = set(message_ids) if message_ids is not None else None
        moved: list[Moved] = []
        for pair in self.select(queue):
            if not self.queues.count(pair.dead_letter_queue):
                continue
            done = self.queues.move(pair, wanted, dry_run, include_unreadable)
            moved.extend(done)
            for item in done:
                if item.outcome == "moved":
                    self.failures.forget(item.message_id)  # the copy has a new id
        return moved

    def _explained(self, pair: QueuePair, letters: Sequence[DeadLetter]) -> tuple[ExplainedDeadLetter, ...]:
        failures = self.failures.for_messages([letter.message_id for letter in letters]) if letters else {}
        explained: list[ExplainedDeadLetter] = []
        for letter in letters:
            failure = failures.get(letter.message_id)
            if failure is not None:
                reason = failure.reason
            elif pair.role in aws_resource_names.PIPELINE_QUEUES:
                reason = unreadable_reason(letter.body) or NO_REASON
            else:
                reason = NO_REASON
            explained.append(
                ExplainedDeadLetter(
                    letter=letter,
                    role=pair.role,
                    source_queue=letter.source_queue or (failure.queue if failure else "") or pair.queue,
                    ticket_id=ticket_id_of(letter.body),
                    reason=reason,
                    failure=failure,
                )
            )
        return tuple(explained)
