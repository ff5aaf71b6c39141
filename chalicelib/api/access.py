"""Who may read or write a ticket: its requester (access token) or an agent (signed token), and
API Gateway's authorizer for the agent routes."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from chalice import AuthResponse, Blueprint
from chalice.app import AuthRequest, Request

from chalicelib.api.http import HttpError, bearer_token
from chalicelib.composition_root import Dependencies, dependencies
from chalicelib.domain.access import TicketAccess, requester_token_live
from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.catalog import REGIONS
from chalicelib.domain.ids import is_ticket_id, token_matches
from chalicelib.domain.requester_links import link_token_matches
from chalicelib.domain.satisfaction import current_resolution, survey_token_matches
from chalicelib.domain.ticket import Ticket

access_api = Blueprint(__name__)
# Compared against when no ticket has the id: no token hashes to it.
UNKNOWN_TICKET_TOKEN_HASH = "0" * 64


class NotFound(HttpError):
    # One answer for an unknown id, a missing token and somebody else's token alike.
    def __init__(self) -> None:
        super().__init__(404, "not_found", "no such ticket")


@dataclass(frozen=True)
class Reader:
    ticket: Ticket
    agent: Agent | None  # None: the requester

    @property
    def is_requester(self) -> bool:
        return self.agent is None


# API Gateway keeps an authorizer's answer per token this long (its default is 300 s): with the
# revocation cache (at most 60 s, 30 by default) a revoked token is refused within a minute.
AUTHORIZER_CACHE_SECONDS = 30


@access_api.authorizer(ttl_seconds=AUTHORIZER_CACHE_SECONDS)
def agent_authorizer(auth_request: AuthRequest) -> AuthResponse:
    """API Gateway's gate for agent routes: a valid, unexpired, unrevoked agent token; else
    API Gateway answers 401 (no token) or 403 (any other)."""
    token = auth_request.token or ""
    agent = agent_from_token(token[7:] if token.lower().startswith("bearer ") else token, dependencies())
    if agent is None:
        return AuthResponse(routes=[], principal_id="anonymous")
    return AuthResponse(
        routes=["*"],
        principal_id=agent.name,
        context={"regions": ",".join(agent.regions), "languages": ",".join(agent.languages)},
    )


def agent_from_token(token: str | None, deps: Dependencies) -> Agent | None:
    """The agent a bearer token names (a desk token or the identity provider's), unless it is
    forged, expired, longer than a shift or revoked."""
    return deps.identify_agent(token)


@contextlib.contextmanager
def uniform_not_found(deps: Dependencies) -> Iterator[None]:
    """A NotFound leaves no sooner than NOT_FOUND_FLOOR_MS after the check began: whether the
    ticket exists (a bigger item to read) or not, the 404 takes the same time."""
    began = time.monotonic()
    try:
        yield
    except NotFound:
        rest = deps.settings.safeguards.not_found_floor_seconds - (time.monotonic() - began)
        if rest > 0:
            time.sleep(rest)
        raise


def open_ticket(request: Request, ticket_id: str, deps: Dependencies) -> Reader:
    """The ticket and who is reading it; NotFound unless the token opens this very ticket."""
    with uniform_not_found(deps):
        return _open_ticket(request, ticket_id, deps)


def _open_ticket(request: Request, ticket_id: str, deps: Dependencies) -> Reader:
    token = bearer_token(request)
    # Shape checks first: a malformed id or a missing token costs no database read.
    if token is None or not is_ticket_id(ticket_id):
        raise NotFound()
    access = deps.ticket_access.access(ticket_id)  # small, and the same read for an unknown id
    if access is None:
        # The same work as for a ticket that exists, so that timing does not tell them apart.
        token_matches(token, UNKNOWN_TICKET_TOKEN_HASH)
        _is_link_token(token, ticket_id, deps)
        agent_from_token(token, deps)
        raise NotFound()
    if token_matches(token, access.token_hash) or _is_link_token(token, ticket_id, deps):
        lifetime = timedelta(seconds=deps.settings.safeguards.requester_token_after_resolution_seconds)
        if not requester_token_live(access, deps.clock(), lifetime):
            raise NotFound()  # expired a while after the resolution: like any other stale link
        return Reader(_ticket(ticket_id, deps), None)
    agent = agent_from_token(token, deps)
    # An agent sees a ticket once it is on a desk they work: before routing it belongs to no
    # region yet, and is nobody's to read or answer.
    if agent is not None and agent.works(access.region):
        return Reader(_ticket(ticket_id, deps), agent)
    raise NotFound()


def requester_access(request: Request, ticket_id: str, deps: Dependencies) -> TicketAccess:
    """The access facts of a ticket whose requester presents their own current access token
    (not a notification's link token): what may rotate it."""
    with uniform_not_found(deps):
        return _requester_access(request, ticket_id, deps)


def _requester_access(request: Request, ticket_id: str, deps: Dependencies) -> TicketAccess:
    token = bearer_token(request)
    access = deps.ticket_access.access(ticket_id) if token and is_ticket_id(ticket_id) else None
    if access is None or token is None or not token_matches(token, access.token_hash):
        raise NotFound()
    lifetime = timedelta(seconds=deps.settings.safeguards.requester_token_after_resolution_seconds)
    if not requester_token_live(access, deps.clock(), lifetime):
        raise NotFound()
    return access


def _ticket(ticket_id: str, deps: Dependencies) -> Ticket:
    ticket = deps.tickets.get(ticket_id)
    if ticket is None:  # deleted between the two reads
        raise NotFound()
    return ticket


def _is_link_token(token: str, ticket_id: str, deps: Dependencies) -> bool:
    """The token of the link in the requester's notifications (domain/requester_links.py)."""
    secret = deps.agent_token_secret
    return secret is not None and link_token_matches(secret, ticket_id, token)


def open_as_agent(request: Request, ticket_id: str, deps: Dependencies) -> Reader:
    """Like open_ticket, for the desk's routes: the requester's token opens the ticket, not its desk."""
    reader = open_ticket(request, ticket_id, deps)
    if reader.agent is None:
        raise NotFound()
    return reader


def agent_of_desk(request: Request, region: str, deps: Dependencies) -> Agent:
    """The agent working `region`'s desk; a region they do not work answers like an unknown one."""
    agent = agent_from_token(bearer_token(request), deps)
    if agent is None:
        raise HttpError(401, "unauthorized", "an agent token is required")
    if region not in REGIONS or not agent.works(region):
        raise HttpError(404, "not_found", "no such desk")
    return agent


def open_for_survey(request: Request, ticket_id: str, deps: Dependencies) -> Ticket:
    """The ticket its requester rates: with their own token, or the survey token of the link
    (it opens the survey of the current resolution, nothing else). Agents do not rate."""
    survey = (request.query_params or {}).get("survey_token")
    if survey is None:
        reader = open_ticket(request, ticket_id, deps)
        if not reader.is_requester:
            raise NotFound()
        return reader.ticket
    ticket = deps.tickets.get(ticket_id) if is_ticket_id(ticket_id) else None
    resolution = current_resolution(ticket) if ticket is not None else None
    secret = deps.agent_token_secret
    if ticket is None or resolution is None or secret is None:
        raise NotFound()
    if not survey_token_matches(secret, ticket_id, resolution, survey):
        raise NotFound()
    return ticket
