"""Accepting a new ticket: store it (idempotently), then hand it to the detect queue."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.ids import (
    hash_token,
    idempotency_record_key,
    new_access_token,
    new_ticket_id,
    seal_token,
    unseal_token,
)
from chalicelib.domain.intake import NewTicket
from chalicelib.domain.messages import claim_check
from chalicelib.domain.ports import (
    IdempotencyRecord,
    OutgoingMessage,
    Publisher,
    TicketExists,
    TicketStore,
)
from chalicelib.domain.ticket import Status, Ticket, iso

logger = logging.getLogger("polyglot-desk")


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


def submit_ticket(
    new: NewTicket,
    idempotency_key: str | None,
    correlation_id: str,
    store: TicketStore,
    publisher: Publisher,
    detect_queue: str,
    now: datetime,
    idempotency_ttl_seconds: int,
) -> Submission:
    digest = fingerprint(new)
    key_hash = idempotency_record_key(idempotency_key) if idempotency_key else None
    if idempotency_key and key_hash:
        replay = _replay(store, key_hash, idempotency_key, digest)
        if replay is not None:
            return replay

    token = new_access_token()
    stamp = iso(now)
    ticket = Ticket(
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
        token_hash=hash_token(token),
        correlation_id=correlation_id,
        history=({"at": stamp, "from": "", "to": Status.RECEIVED.value, "by": "intake"},),
    )
    record = None
    if idempotency_key and key_hash:
        record = IdempotencyRecord(ticket.ticket_id, digest, seal_token(token, idempotency_key))
    try:
        store.create(ticket, key_hash, record, int(now.timestamp()) + idempotency_ttl_seconds)
    except TicketExists:
        # Another request with the same key won the race a moment ago.
        if idempotency_key and key_hash:
            replay = _replay(store, key_hash, idempotency_key, digest)
            if replay is not None:
                return replay
        raise

    message = OutgoingMessage(
        queue=detect_queue,
        body=claim_check(Status.RECEIVED, ticket.ticket_id, correlation_id).to_body(),
        message_id=ticket.ticket_id,
    )
    try:
        forwarded = not publisher.send([message])
    except Exception:  # the ticket is stored: answer 201 and let the sweeper send it
        logger.exception("publisher failed", extra={"ticket_id": ticket.ticket_id})
        forwarded = False
    if not forwarded:
        logger.error("detect message not sent; the sweeper will re-send it", extra={"ticket_id": ticket.ticket_id})
    return Submission(ticket, token, replayed=False, forwarded=forwarded)


def _replay(store: TicketStore, key_hash: str, idempotency_key: str, digest: str) -> Submission | None:
    existing = store.get_idempotency(key_hash)
    if existing is None:
        return None
    if existing.fingerprint != digest:
        raise IdempotencyConflict("this Idempotency-Key was already used with a different request body")
    ticket = store.get(existing.ticket_id)
    if ticket is None:
        return None
    return Submission(ticket, unseal_token(existing.sealed_token, idempotency_key), replayed=True, forwarded=True)
