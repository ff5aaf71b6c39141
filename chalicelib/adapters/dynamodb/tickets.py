"""Tickets on the one table: conditional writes on what the writer read, atomic idempotent create."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb.items import idempotency_key, ticket_item, ticket_key
from chalicelib.adapters.dynamodb.support_metrics import (
    CONDITION_FAILED_REASON,
    cancellation_reasons,
    stale_unless_transaction_holds,
    transact_with_counters,
)
from chalicelib.adapters.dynamodb.table import (
    CONDITION_FAILED,
    TRANSACTION_CANCELLED,
    DynamoTable,
    deserialize,
    error_code,
    serialize,
    stale_unless_condition_holds,
)
from chalicelib.domain.rate_limits import BudgetSpent, Charge
from chalicelib.domain.repositories import IdempotencyClaim, IdempotencyRecord, TicketExists
from chalicelib.domain.support_metrics import CounterChange, metric_changes
from chalicelib.domain.ticket import Ticket
from chalicelib.observability import logger

BATCH_GET_KEYS = 100  # BatchGetItem's limit per call


class DynamoDBTickets(DynamoTable):
    """Every ticket write also moves the support metrics it means (`domain/support_metrics.py`):
    with changes, one TransactWriteItems of the conditional Put and an Update per aggregate, so a
    transition is counted exactly when it is written; without, the plain conditional PutItem.
    `on_counted` hears the changes after a successful write (the EMF metrics)."""

    def __init__(self, table_name: str, on_counted: Callable[[Sequence[CounterChange]], None] | None = None) -> None:
        super().__init__(table_name)
        self._on_counted = on_counted

    def create(
        self, ticket: Ticket, idempotency: IdempotencyClaim | None = None, charges: Sequence[Charge] = ()
    ) -> None:
        put_ticket = {
            "TableName": self.table_name,
            "Item": ticket_item(ticket, awaiting_notification=False),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        claim = [{"Put": self._claim(idempotency)}] if idempotency is not None else []
        writes = [{"Put": put_ticket}, *claim, *(self._charge(charge) for charge in charges)]
        changes = metric_changes(None, ticket)  # none for a ticket intake stores (received)
        try:
            if len(writes) == 1 and not changes:
                self._db.put_item(**put_ticket)
            else:
                transact_with_counters(self._db, self.table_name, writes, changes)
        except ClientError as error:
            refusal = _refusal(error, ticket.ticket_id, 1 + len(claim), charges)
            if not (isinstance(refusal, TicketExists) and self._is_stored(ticket)):
                raise refusal from error
            # botocore re-sent a write that had landed (a timeout, a lost answer): the condition
            # failed on our own ticket. A fresh ULID never clashes otherwise.
        self._counted(changes)

    def _is_stored(self, ticket: Ticket) -> bool:
        return self.get(ticket.ticket_id) == ticket

    def _charge(self, charge: Charge) -> dict[str, Any]:
        """One more request on a rate counter, refused (and the whole write with it) when the
        window's budget is spent: the count and the ticket are one request."""
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": {"pk": {"S": f"RATE#{charge.bucket}"}, "sk": {"S": str(charge.window_start)}},
                "UpdateExpression": "ADD hits :one SET expires_at = if_not_exists(expires_at, :expires)",
                "ConditionExpression": "attribute_not_exists(hits) OR hits < :limit",
                "ExpressionAttributeValues": {
                    ":one": {"N": "1"},
                    ":expires": {"N": str(charge.expires_at)},
                    ":limit": {"N": str(charge.limit)},
                },
            }
        }

    def _claim(self, claim: IdempotencyClaim) -> dict[str, Any]:
        record = claim.record
        return {
            "TableName": self.table_name,
            "Item": {
                **idempotency_key(claim.key_hash),
                **serialize(
                    {
                        "entity": "idempotency",
                        "ticket_id": record.ticket_id,
                        "fingerprint": record.fingerprint,
                        "sealed_token": record.sealed_token,
                        "expires_at": claim.expires_at,
                    }
                ),
            },
            # An expired record (TTL deletes lazily) may be taken over.
            "ConditionExpression": "attribute_not_exists(pk) OR expires_at < :now",
            "ExpressionAttributeValues": {":now": {"N": str(int(time.time()))}},
        }

    def get(self, ticket_id: str) -> Ticket | None:
        record = self._get(ticket_key(ticket_id))
        return Ticket.from_record(record) if record else None

    def get_many(self, ticket_ids: Sequence[str]) -> dict[str, Ticket]:
        """Consistent BatchGetItem (100 keys a call), retrying unprocessed keys."""
        found: dict[str, Ticket] = {}
        unique = list(dict.fromkeys(ticket_ids))
        for start in range(0, len(unique), BATCH_GET_KEYS):
            keys = [ticket_key(ticket_id) for ticket_id in unique[start : start + BATCH_GET_KEYS]]
            pending: dict[str, Any] = {self.table_name: {"Keys": keys, "ConsistentRead": True}}
            for attempt in range(6):
                answer = self._db.batch_get_item(RequestItems=pending)
                for item in answer.get("Responses", {}).get(self.table_name, []):
                    ticket = Ticket.from_record(deserialize(item))
                    found[ticket.ticket_id] = ticket
                pending = answer.get("UnprocessedKeys") or {}
                if not pending:
                    break
                time.sleep(min(0.05 * 2**attempt, 1.0))
        return found

    def save_transition(self, before: Ticket, after: Ticket, awaiting_notification: bool = False) -> None:
        put = {
            "TableName": self.table_name,
            "Item": ticket_item(after, awaiting_notification),
            "ConditionExpression": "#status = :status AND #version = :version",
            "ExpressionAttributeNames": {"#status": "status", "#version": "version"},
            "ExpressionAttributeValues": {
                ":status": {"S": before.status.value},
                ":version": {"N": str(before.version)},
            },
        }
        self._write(before.ticket_id, put, metric_changes(before, after))

    def save_desk_change(self, before: Ticket, after: Ticket) -> None:
        """Of two agents claiming the same ticket, exactly one wins."""
        assert before.desk is not None
        put = {
            "TableName": self.table_name,
            "Item": ticket_item(after, awaiting_notification=False),
            # The version alone makes it atomic; the state guards the intent. A ticket routed
            # before the desk existed has no stored desk (it reads as open).
            "ConditionExpression": "#version = :version AND (#desk.#state = :state OR attribute_not_exists(#desk))",
            "ExpressionAttributeNames": {"#version": "version", "#desk": "desk", "#state": "state"},
            "ExpressionAttributeValues": {
                ":version": {"N": str(before.version)},
                ":state": {"S": before.desk.state.value},
            },
        }
        self._write(before.ticket_id, put, metric_changes(before, after))

    def _write(self, ticket_id: str, put: dict[str, Any], changes: list[CounterChange]) -> None:
        """The conditional Put, with the counter updates in one transaction when there are any;
        a failed condition is StaleTicket either way."""
        if not changes:
            with stale_unless_condition_holds(ticket_id):
                self._db.put_item(**put)
            return
        with stale_unless_transaction_holds(ticket_id):
            transact_with_counters(self._db, self.table_name, [{"Put": put}], changes)
        self._counted(changes)

    def _counted(self, changes: list[CounterChange]) -> None:
        if not changes or self._on_counted is None:
            return
        try:
            self._on_counted(changes)
        except Exception:  # the write stands; a lost metric line must not fail it
            logger.exception("support metrics not emitted")


class DynamoDBIdempotency(DynamoTable):
    def get(self, key_hash: str) -> IdempotencyRecord | None:
        record = self._get(idempotency_key(key_hash))
        if record is None:
            return None
        if record.get("expires_at") is not None and int(record["expires_at"]) < time.time():
            return None  # TTL deletes lazily
        return IdempotencyRecord(record["ticket_id"], record["fingerprint"], record["sealed_token"])


def _refusal(error: ClientError, ticket_id: str, creates: int, charges: Sequence[Charge]) -> Exception:
    """What a refused create means: the id or the key taken (TicketExists, first: a retry is
    answered as a replay even over budget), a budget spent (BudgetSpent), else the error itself."""
    code = error_code(error)
    if code == CONDITION_FAILED:
        return TicketExists(ticket_id)
    if code != TRANSACTION_CANCELLED:
        return error
    reasons = cancellation_reasons(error)
    if not reasons or CONDITION_FAILED_REASON in reasons[:creates]:
        return TicketExists(ticket_id)
    for charge, reason in zip(charges, reasons[creates:], strict=False):
        if reason == CONDITION_FAILED_REASON:
            return BudgetSpent(charge.refusal)
    return error
