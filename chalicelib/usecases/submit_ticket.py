"""Accept a new ticket: store it (idempotently), then hand it to the detect queue."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from chalicelib.domain.ids import idempotency_record_key, new_access_token, seal_token, unseal_token
from chalicelib.domain.intake import NewTicket
from chalicelib.domain.messages import claim_check
from chalicelib.domain.ports import Clock, OutgoingMessage, Publisher
from chalicelib.domain.rate_limits import Charge
from chalicelib.domain.repositories import (
    IdempotencyClaim,
    IdempotencyRecord,
    IdempotencyRepository,
    TicketExists,
    TicketRepository,
)
from chalicelib.domain.submission import (
    IdempotencyConflict,
    Submission,
    fingerprint,
    received_ticket,
    requester_scope,
)
from chalicelib.domain.ticket import SelfService, Status
from chalicelib.observability import logger


@dataclass(frozen=True)
class SubmitTicket:
    tickets: TicketRepository
    idempotency: IdempotencyRepository
    publisher: Publisher
    detect_queue: str
    clock: Clock
    idempotency_ttl_seconds: int
    # The help-center bot (usecases/self_service.SuggestAtIntake): its confident answers are
    # stored on the ticket and returned with the 201. None: no bot.
    suggest: Callable[[NewTicket], SelfService | None] | None = None

    def __call__(
        self, new: NewTicket, idempotency_key: str | None, correlation_id: str, charges: Sequence[Charge] = ()
    ) -> Submission:
        """`charges`: the request budgets this submission spends (SpendBudget.charges), counted in
        the ticket's own write; BudgetSpent when one is spent (nothing stored). A retry of a
        stored request is answered as a replay, over budget or not."""
        digest = fingerprint(new)
        key_hash = idempotency_record_key(idempotency_key, requester_scope(new.requester)) if idempotency_key else None
        # Optimistic: the write below is conditional on the key being new, so a retry is found
        # out by the write itself and replayed then. A first request (the common case) makes no
        # read before its one write.
        now = self.clock()
        token = new_access_token()
        ticket = received_ticket(new, token, correlation_id, now)
        suggestions = self.suggest(new) if self.suggest is not None else None
        if suggestions is not None:
            ticket = replace(ticket, self_service=suggestions)
        claim = None
        if idempotency_key and key_hash:
            record = IdempotencyRecord(ticket.ticket_id, digest, seal_token(token, idempotency_key))
            claim = IdempotencyClaim(key_hash, record, int(now.timestamp()) + self.idempotency_ttl_seconds)
        try:
            self.tickets.create(ticket, claim, charges)
        except TicketExists:
            # Another request with the same key won the race a moment ago.
            if idempotency_key and key_hash:
                replay = self._replay(key_hash, idempotency_key, digest)
                if replay is not None:
                    return replay
            raise
        return Submission(ticket, token, replayed=False, forwarded=self._forward(ticket.ticket_id, correlation_id))

    def _forward(self, ticket_id: str, correlation_id: str) -> bool:
        message = OutgoingMessage(
            queue=self.detect_queue,
            body=claim_check(Status.RECEIVED, ticket_id, correlation_id).to_body(),
            message_id=ticket_id,
        )
        try:
            forwarded = not self.publisher.send([message])
        except Exception:  # the ticket is stored: answer 201 and let the sweeper send it
            logger.exception("publisher failed", extra={"ticket_id": ticket_id})
            forwarded = False
        if not forwarded:
            logger.error("detect message not sent; the sweeper will re-send it", extra={"ticket_id": ticket_id})
        return forwarded

    def _replay(self, key_hash: str, idempotency_key: str, digest: str) -> Submission | None:
        existing = self.idempotency.get(key_hash)
        if existing is None:
            return None
        if existing.fingerprint != digest:
            raise IdempotencyConflict("this Idempotency-Key was already used with a different request body")
        ticket = self.tickets.get(existing.ticket_id)
        if ticket is None:
            return None
        token = unseal_token(existing.sealed_token, idempotency_key)
        return Submission(ticket, token, replayed=True, forwarded=True)
