"""moto's SQS receive and delete, made cheaper under load (the emulator, never the app).

moto 5's `ReceiveMessage`, for every message it hands out, deep-copies the message (to filter
its attributes on the copy) and asks for the queue's retention period through
`get_queue_attributes`, which builds every attribute of the queue, the approximate counts
included (three scans of the queue), three times over. `DeleteMessage` scans the queue twice,
building a list of receipt handles for every message it passes. Under the bench's load that
was most of moto's SQS time, and it grew with the queue.

The replacements answer the same: the same messages in the same order, the same visibility
timeout, receive counts, first-receive timestamps and receipt handles, FIFO groups held while
in flight, redrive to the dead-letter queue once a message has been received maxReceiveCount
times, retention, and `ReceiptHandleIsInvalid` for a handle no message ever had. What changes:

- the copy handed to the response is shallow, with its own (filtered) attribute dict: the
  response only reads it, and the fields it reads are rebound, never mutated, by a later receive;
- the retention period is read once per receive, from the queue itself;
- a delete is one pass, comparing handles without building lists;
- a send, which asks the queue's attributes for ContentBasedDeduplication only (up to three
  times), no longer has every attribute built, the approximate counts' scans included;
- one lock around each scan of a queue, each delete and each send. moto's SQS has none: a
  send landing between a delete's pass over the queue and its rebinding of the queue's list
  was lost, and two pollers receiving at once could both take the same message, which SQS
  never does within its visibility timeout. A long poll waits outside the lock, as before (woken by a send).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

SQS_LOCK = threading.RLock()


def _retained(message: Any, retention_seconds: float, now: float) -> bool:
    return float(retention_seconds) + message.sent_timestamp / 1000 > now


def _take(queue: Any, count: int, visibility_timeout: int, attribute_names: list[str]) -> list[Any]:
    """One scan of the queue's visible messages, as moto's loop body does it."""
    from moto.core.utils import unix_time
    from moto.sqs.models import _filter_message_attributes

    fifo = queue.fifo_queue
    pending_groups = set(queue.pending_message_groups) if fifo else set()
    redrive = queue.redrive_policy if queue.dead_letter_queue is not None else None
    retention = queue.message_retention_period
    result: list[Any] = []
    to_dlq: list[Any] = []
    for message in queue.messages:
        if message in queue.pending_messages:
            # In flight, but visible again: its consumer timed out.
            queue.pending_messages.remove(message)
            if fifo:
                pending_groups = set(queue.pending_message_groups)
        if fifo and message.group_id and message.group_id in pending_groups:
            continue  # an earlier message of its group is still in flight
        if redrive and message.approximate_receive_count >= redrive["maxReceiveCount"]:
            to_dlq.append(message)
            continue
        queue.pending_messages.add(message)
        message.mark_received(visibility_timeout=visibility_timeout)
        answer = copy.copy(message)  # the response's view: attributes filtered on the copy
        _filter_message_attributes(answer, attribute_names)
        if not _retained(message, retention, unix_time()):
            break
        result.append(answer)
        if len(result) >= count:
            break
    for message in to_dlq:
        queue._messages.remove(message)
        queue.dead_letter_queue.add_message(message)
    return result


def receive_message(
    self: Any,
    queue_name: str,
    count: int,
    wait_seconds_timeout: int,
    visibility_timeout: int,
    message_attribute_names: list[str] | None = None,
) -> list[Any]:
    from moto.core.utils import unix_time

    queue = self.get_queue(queue_name)
    polling_end = unix_time() + wait_seconds_timeout
    while True:
        with SQS_LOCK:
            result = _take(queue, count, visibility_timeout, message_attribute_names or [])
        if result or not wait_seconds_timeout or unix_time() > polling_end:
            return result
        queue.wait_for_messages(1)  # woken by the next send to this queue


def delete_message(self: Any, receipt_handle: str) -> None:
    """Queue.delete_message in one pass: every message that ever had the handle goes."""
    from moto.sqs.exceptions import ReceiptHandleIsInvalid

    with SQS_LOCK:
        if receipt_handle in self.deleted_messages:
            return  # already deleted: SQS accepts it again
        kept = []
        found = False
        for message in self._messages:
            if message.receipt_handle == receipt_handle or receipt_handle in message._old_receipt_handles:
                found = True
                self.pending_messages.discard(message)
                self.deleted_messages.update(message.all_receipt_handles)
                continue
            kept.append(message)
        if not found:
            raise ReceiptHandleIsInvalid()
        self._messages = kept


def _locked_add(original: Callable[..., None]) -> Callable[..., None]:
    def add_message(self: Any, message: Any) -> None:
        with SQS_LOCK:  # not between a delete's pass over the queue and its rebinding of the list
            original(self, message)

    add_message.__wrapped__ = original  # type: ignore[attr-defined]
    return add_message


_sending = threading.local()  # .active: this thread is inside SQSBackend.send_message


def _attributes_while_sending(original: Callable[[Any], dict[str, Any]]) -> property:
    """Queue.attributes; inside a send, which only ever asks it for ContentBasedDeduplication,
    just that attribute, as moto renders it (moto's builds them all: three scans of the queue)."""

    def attributes(self: Any) -> dict[str, Any]:
        if not getattr(_sending, "active", False):
            return original(self)
        if not self.fifo_queue:
            return {}  # a standard queue has no ContentBasedDeduplication attribute
        value = self.content_based_deduplication
        return {"ContentBasedDeduplication": str(value).lower() if isinstance(value, bool) else value}

    return property(attributes)


def _marking_sends(original: Callable[..., Any]) -> Callable[..., Any]:
    def send_message(self: Any, *args: Any, **kwargs: Any) -> Any:
        outer = getattr(_sending, "active", False)
        _sending.active = True
        try:
            return original(self, *args, **kwargs)
        finally:
            _sending.active = outer

    send_message.__wrapped__ = original  # type: ignore[attr-defined]
    return send_message


def apply_sqs() -> Callable[[], None]:
    """Patch moto's SQS in this process; returns the function that undoes it (not counted:
    devstack.moto_patches.apply counts its users and calls this once)."""
    from moto.sqs.models import Queue, SQSBackend

    saved = (
        SQSBackend.__dict__["receive_message"],
        Queue.__dict__["delete_message"],
        Queue.__dict__["add_message"],
        Queue.__dict__["attributes"],
        SQSBackend.__dict__["send_message"],
    )
    SQSBackend.receive_message = receive_message  # type: ignore[method-assign]
    Queue.delete_message = delete_message  # type: ignore[method-assign]
    Queue.add_message = _locked_add(saved[2])  # type: ignore[method-assign]
    Queue.attributes = _attributes_while_sending(saved[3].fget)  # type: ignore[method-assign]
    SQSBackend.send_message = _marking_sends(saved[4])  # type: ignore[method-assign]

    def undo() -> None:
        SQSBackend.receive_message, Queue.delete_message, Queue.add_message = saved[:3]  # type: ignore[method-assign]
        Queue.attributes, SQSBackend.send_message = saved[3:]  # type: ignore[method-assign]

    return undo
