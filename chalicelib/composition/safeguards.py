"""The composition root's part for the safeguards (issue 9): the access facts, revocations and
request counters on the table, and the use cases over them. A mixin of `Dependencies`
(composition_root.py), which gives it the settings, the clock and the agent token key."""

from __future__ import annotations

import json
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from chalicelib.domain.rate_limits import parse_budgets

if TYPE_CHECKING:
    from collections.abc import Callable

    from chalicelib.composition_root import Dependencies
    from chalicelib.domain.agent_tokens import Agent
    from chalicelib.domain.rate_limits import Budget
    from chalicelib.domain.repositories import AgentRevocations, RateCounters, TicketAccessRepository
    from chalicelib.usecases.safeguards import IdentifyAgent, RevokeAgentTokens, RotateAccessToken, SpendBudget

RATE_LIMITS_FILE = Path(__file__).resolve().parents[1] / "data" / "rate_limits.json"


class Safeguards:
    @cached_property
    def ticket_access(self: Dependencies) -> TicketAccessRepository:
        from chalicelib.adapters.dynamodb.safeguards import DynamoDBTicketAccess

        return self._built("ticket_access", lambda: DynamoDBTicketAccess(self.settings.table_name))

    @cached_property
    def agent_revocations(self: Dependencies) -> AgentRevocations:
        from chalicelib.adapters.dynamodb.safeguards import DynamoDBAgentRevocations

        return self._built("agent_revocations", lambda: DynamoDBAgentRevocations(self.settings.table_name))

    @cached_property
    def rate_counters(self: Dependencies) -> RateCounters:
        from chalicelib.adapters.dynamodb.safeguards import DynamoDBRateCounters

        return self._built("rate_counters", lambda: DynamoDBRateCounters(self.settings.table_name))

    @cached_property
    def identify_agent(self: Dependencies) -> IdentifyAgent:
        from chalicelib.usecases.safeguards import IdentifyAgent

        safeguards = self.settings.safeguards
        return IdentifyAgent(
            self.agent_revocations,
            self.agent_token_secret,
            timedelta(seconds=safeguards.agent_token_max_seconds),
            safeguards.revocation_cache_seconds,
            identity_provider=self.identity_provider_tokens,
        )

    @cached_property
    def identity_provider_tokens(self: Dependencies) -> Callable[[str], Agent | None] | None:
        """The organisation's OIDC tokens (adapters/oidc.py), when the stage names an issuer."""
        provider = self.settings.safeguards.identity_provider
        if provider is None:
            return self._built("identity_provider_tokens", lambda: None)
        from chalicelib.adapters.oidc import OidcAgentTokens

        return self._built("identity_provider_tokens", lambda: OidcAgentTokens(provider))

    @cached_property
    def revoke_agent_tokens(self: Dependencies) -> RevokeAgentTokens:
        from chalicelib.usecases.safeguards import RevokeAgentTokens

        return RevokeAgentTokens(self.agent_revocations)

    @cached_property
    def rotate_access_token(self: Dependencies) -> RotateAccessToken:
        from chalicelib.usecases.safeguards import RotateAccessToken

        return RotateAccessToken(self.ticket_access, self.clock)

    @cached_property
    def rate_budgets(self: Dependencies) -> dict[str, dict[str, Budget]]:
        return self._built("rate_budgets", lambda: parse_budgets(json.loads(RATE_LIMITS_FILE.read_text())))

    @cached_property
    def spend_budget(self: Dependencies) -> SpendBudget:
        from chalicelib.usecases.safeguards import SpendBudget

        return SpendBudget(self.rate_counters, self.rate_budgets, enabled=self.settings.safeguards.rate_limits)
