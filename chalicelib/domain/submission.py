"""What accepting a ticket means, free of I/O: the new ticket, its fingerprint for idempotent
replays (the use case that stores it is `usecases/submit_ticket.py`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.ids import hash_token, new_ticket_id
from chalicelib.domain.intake import NewTicket
from chalicelib.domain.ticket import Requester, Status, Ticket, iso


class IdempotencyConflict(ValueError):
    """The Idempotency-Key was used before with a different body."""


@dataclass(frozen=True)
class Submission:
    ticket: Ticket
    access_token: str
    replayed: bool
    forwarded: bool  # False when the detect message could not be sent (the sweeper will)


def fingerprint(new: NewTicket) -> str:
    canonical = json.dumps(new.fingerprint_fields(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def received_ticket(new: NewTicket, access_token: str, correlation_id: str, now: datetime) -> Ticket:
    """The ticket as intake stores it: status received, version 1, only its token's hash."""
    stamp = iso(now)
    return Ticket(
        ticket_id=new_ticket_id(int(now.timestamp() * 1000)),
        status=Status.RECEIVED,
        version=1,
        created_at=stamp,
        updated_at=stamp,
        description=new.description,
        subject=new.subject,
        category=new.category,
        requester=new.requester,
        evidence=new.evidence,
        token_hash=hash_token(access_token),
        correlation_id=correlation_id,
        history=({"at": stamp, "from": "", "to": Status.RECEIVED.value, "by": "intake"},),
    )


def requester_scope(requester: Requester) -> str | None:
    """Who is asking, as far as intake can tell: the platform's user id, else the e-mail; None
    for an anonymous requester. Idempotency keys and the intake budget are counted per scope."""
    if requester.id:
        return f"id:{requester.id.strip()}"
    if requester.email:
        return f"email:{requester.email.strip().lower()}"
    return None
