"""Claim-check messages between stages: ids only, the table holds the ticket."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.ids import is_ticket_id
from chalicelib.domain.ticket import Status

VERSION = 1

# The event a message announces, by the status the ticket has just reached.
EVENT_BY_STATUS = {
    Status.RECEIVED: "ticket.received",
    Status.DETECTED: "ticket.detected",
    Status.TRANSLATED: "ticket.translated",
    Status.ROUTED: "ticket.routed",
}


# Work the translate worker also does, outside the ticket's status machine.
RETRANSLATE = "ticket.retranslate"  # a ticket routed with translation pending: try again
MESSAGE_ADDED = "message.added"  # a requester message or agent reply to detect and translate
FOLLOWUP_EVENTS = frozenset({RETRANSLATE, MESSAGE_ADDED})
# On a region's escalation queue, for its team leads and managers (no worker of ours reads it).
ESCALATED = "ticket.escalated"


class MalformedMessage(ValueError):
    """A queue message this code cannot read; it goes to the dead-letter queue after retries."""


@dataclass(frozen=True)
class ClaimCheck:
    type: str
    ticket_id: str
    correlation_id: str
    message_id: str | None = None  # for message.added
    level: str | None = None  # for ticket.escalated: the escalation level reached

    def to_body(self) -> dict[str, Any]:
        body = {"type": self.type, "v": VERSION, "ticket_id": self.ticket_id, "correlation_id": self.correlation_id}
        if self.message_id is not None:
            body["message_id"] = self.message_id
        if self.level is not None:
            body["level"] = self.level
        return body


def claim_check(status: Status, ticket_id: str, correlation_id: str) -> ClaimCheck:
    return ClaimCheck(EVENT_BY_STATUS[status], ticket_id, correlation_id)


def parse_claim_check(raw: str) -> ClaimCheck:
    try:
        body = json.loads(raw)
    except (TypeError, ValueError) as error:
        raise MalformedMessage(f"not JSON: {error}") from None
    if not isinstance(body, dict) or body.get("v") != VERSION:
        raise MalformedMessage(f"unsupported message version: {raw[:200]!r}")
    ticket_id, kind, correlation = body.get("ticket_id"), body.get("type"), body.get("correlation_id")
    known = kind in EVENT_BY_STATUS.values() or kind in FOLLOWUP_EVENTS
    if not (isinstance(ticket_id, str) and is_ticket_id(ticket_id) and known):
        raise MalformedMessage(f"missing ticket_id or type: {raw[:200]!r}")
    message_id = body.get("message_id")
    if kind == MESSAGE_ADDED and not (isinstance(message_id, str) and is_ticket_id(message_id)):
        raise MalformedMessage(f"message.added without a valid message_id: {raw[:200]!r}")
    return ClaimCheck(
        kind,
        ticket_id,
        correlation if isinstance(correlation, str) else "",
        message_id if kind == MESSAGE_ADDED else None,
    )
