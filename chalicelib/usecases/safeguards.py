"""Safeguards (issue 9): who an agent token names (signature, shift, revocation, or the
organisation's identity provider), rotating a requester's token, revoking agents' tokens, and
spending request budgets.

All of them run on real time, not the desk's clock: the local stage's movable clock must not
expire, revive or refill anything security depends on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chalicelib.domain.access import TicketAccess
from chalicelib.domain.agent_tokens import (
    MAX_LIFETIME,
    Agent,
    InvalidAgentToken,
    Revocation,
    is_revoked,
    verify_agent_token,
)
from chalicelib.domain.ids import hash_token, new_access_token
from chalicelib.domain.rate_limits import ALLOWED, Budget, Charge, Verdict, bucket, retry_after, window
from chalicelib.domain.repositories import AgentRevocations, RateCounters, TicketAccessRepository
from chalicelib.domain.ticket import utc_now
from chalicelib.observability import logger

CACHE_ENTRIES = 10_000


@dataclass(frozen=True)
class IdentifyAgent:
    """The agent a bearer token names, or None. A desk token (`claims.signature`) is checked
    against the stage's key and shift; a JWT (three parts) against the identity provider, when
    one is configured. Either is then looked up in the revocations, remembered `cache_seconds`."""

    revocations: AgentRevocations
    secret: str | None
    max_lifetime: timedelta
    cache_seconds: float
    identity_provider: Callable[[str], Agent | None] | None = None
    now: Callable[[], datetime] = utc_now
    monotonic: Callable[[], float] = time.monotonic
    _cache: dict[tuple[str, str], tuple[Revocation, float]] = field(default_factory=dict, compare=False)

    def __call__(self, token: str | None) -> Agent | None:
        agent = self._verified(token) if token else None
        if agent is None:
            return None
        try:
            revoked = is_revoked(agent, self._revocation(agent))
        except Exception:  # cannot tell: refuse (an outage of the store is no reason to let in)
            logger.exception("revocations unreadable; agent token refused")
            return None
        return None if revoked else agent

    def _verified(self, token: str) -> Agent | None:
        if token.count(".") == 2:
            return self.identity_provider(token) if self.identity_provider is not None else None
        if self.secret is None or token.count(".") != 1:
            return None
        try:
            return verify_agent_token(token, self.secret, self.now(), self.max_lifetime)
        except InvalidAgentToken:
            return None

    def _revocation(self, agent: Agent) -> Revocation:
        key = (agent.name, agent.token_id)
        cached = self._cache.get(key)
        if cached is not None and self.monotonic() - cached[1] < self.cache_seconds:
            return cached[0]
        revocation = self.revocations.revocation(agent.name, agent.token_id)
        if len(self._cache) >= CACHE_ENTRIES:
            self._cache.clear()
        self._cache[key] = (revocation, self.monotonic())
        return revocation


@dataclass(frozen=True)
class RevokeAgentTokens:
    revocations: AgentRevocations
    now: Callable[[], float] = time.time

    def every_token_of(self, agent: str) -> int:
        """Revoke every token `agent` was issued until now; the cutoff (epoch seconds)."""
        cutoff = int(self.now())
        self.revocations.revoke_agent(agent, cutoff, cutoff + int(MAX_LIFETIME.total_seconds()) + 3600)
        return cutoff

    def one_token(self, token_id: str, agent: str = "") -> None:
        expires = int(self.now()) + int(MAX_LIFETIME.total_seconds()) + 3600
        self.revocations.revoke_token(token_id, agent, expires)


@dataclass(frozen=True)
class RotateAccessToken:
    """The requester swaps their token for a new one; the old one stops opening the ticket."""

    access: TicketAccessRepository
    now: Callable[[], datetime]

    def __call__(self, current: TicketAccess) -> str:
        token = new_access_token()
        self.access.rotate(current, hash_token(token), self.now())  # StaleTicket if rotated meanwhile
        return token


@dataclass(frozen=True)
class SpendBudget:
    """Count a request against each budget of `action` (per requester, per client address);
    a Verdict saying whether it may go on and, if not, for how long to wait."""

    counters: RateCounters
    budgets: Mapping[str, Mapping[str, Budget]]
    enabled: bool = True
    now: Callable[[], float] = time.time

    def charges(self, action: str, subjects: Mapping[str, str | None]) -> tuple[Charge, ...]:
        """The counts `action` would make, for a store to write with the request's own write
        (`TicketRepository.create`): no request of their own, and none at all when refused."""
        if not self.enabled:
            return ()
        now = self.now()
        planned: list[Charge] = []
        for scope, budget in self.budgets.get(action, {}).items():
            subject = subjects.get(scope)
            if not subject:
                continue
            spent = window(now, budget)
            refusal = Verdict(False, retry_after(now, spent), scope)
            planned.append(Charge(bucket(action, scope, subject), spent.start, spent.end + 60, budget.limit, refusal))
        return tuple(planned)

    def __call__(self, action: str, subjects: Mapping[str, str | None]) -> Verdict:
        if not self.enabled:
            return ALLOWED
        now = self.now()
        for scope, budget in self.budgets.get(action, {}).items():
            subject = subjects.get(scope)
            if not subject:
                continue
            spent = window(now, budget)
            try:
                hits = self.counters.hit(bucket(action, scope, subject), spent.start, spent.end + 60)
            except Exception:  # the desk stays open when the counters cannot be reached
                logger.exception("rate counter unavailable; request allowed", extra={"action": action})
                continue
            if hits > budget.limit:
                return Verdict(False, retry_after(now, spent), scope)
        return ALLOWED
