"""The safeguards' ports (domain/repositories.py: TicketAccessRepository, AgentRevocations,
RateCounters) in dictionaries of the shared InMemoryDatabase."""

from __future__ import annotations

import time
from datetime import datetime

from chalicelib.adapters.in_memory.tickets import InMemoryRepository
from chalicelib.domain.access import TicketAccess
from chalicelib.domain.agent_tokens import Revocation
from chalicelib.domain.repositories import StaleTicket
from chalicelib.domain.ticket import iso


class InMemoryTicketAccess(InMemoryRepository):
    def access(self, ticket_id: str) -> TicketAccess | None:
        stored = self.db.tickets.get(ticket_id)
        if stored is None:
            return None
        rotation = self.db.table("access").get(ticket_id)
        if rotation is None:
            return TicketAccess.of(stored.ticket)
        return TicketAccess.of(stored.ticket, rotation["token_hash"], rotation["rotations"])

    def rotate(self, before: TicketAccess, token_hash: str, at: datetime) -> None:
        with self.db.lock:
            rotations = self.db.table("access").get(before.ticket_id, {}).get("rotations", 0)
            if rotations != before.rotations:
                raise StaleTicket(before.ticket_id)
            self.db.table("access")[before.ticket_id] = {
                "token_hash": token_hash,
                "rotations": rotations + 1,
                "rotated_at": iso(at),
            }


class InMemoryAgentRevocations(InMemoryRepository):
    def revoke_agent(self, agent: str, issued_before: int, expires_at: int) -> None:
        with self.db.lock:
            cutoffs = self.db.table("revoked_agents")
            cutoffs[agent] = max(cutoffs.get(agent, issued_before), issued_before)

    def revoke_token(self, token_id: str, agent: str, expires_at: int) -> None:
        self.db.table("revoked_tokens")[token_id] = (agent, expires_at)

    def revocation(self, agent: str, token_id: str) -> Revocation:
        return Revocation(self.db.table("revoked_agents").get(agent), token_id in self.db.table("revoked_tokens"))


class InMemoryRateCounters(InMemoryRepository):
    def hit(self, bucket: str, window_start: int, expires_at: int) -> int:
        with self.db.lock:
            counters = self.db.table("rate_counters")
            now = time.time()
            for key in [key for key, (_, expires) in counters.items() if expires < now]:
                del counters[key]  # TTL, as DynamoDB's (eagerly here)
            hits, _ = counters.get((bucket, window_start), (0, expires_at))
            counters[(bucket, window_start)] = (hits + 1, expires_at)
            return hits + 1
