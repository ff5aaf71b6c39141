"""The regional desk's state machine for a routed ticket, and its SLA deadlines.

    open ──claim──▶ claimed ──wait_on_requester──▶ waiting
     ▲                 ▲                              │
     │                 └──── requester message ───────┤ (back to open when nobody had it)
     │                                                ▼
     └────── reopen / requester message ◀──────── resolved ◀── resolve (from any other state)

Every function validates the transition and returns the new ticket (version + 1) with an event
in `Ticket.history` (`kind: "desk"`, who, when, from, to, note): the audit trail. The pipeline
status stays `routed`. Waiting on the requester opens a pause of the SLA clock; the requester's
next message closes it, so the deadlines move later by the (business) time the desk waited.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from chalicelib.domain.escalation_levels import escalating_target, escalation_due, level_for, level_named
from chalicelib.domain.routing import raised_priority
from chalicelib.domain.sla import Pause, SlaClock
from chalicelib.domain.sla_policy import policy_for
from chalicelib.domain.sla_targets import EscalationLevel
from chalicelib.domain.ticket import Desk, DeskState, Sla, Ticket, TranslationStatus, iso, parse_iso

# The states an agent can list: one by_region index partition each.
LISTABLE_STATES: tuple[DeskState, ...] = (DeskState.OPEN, DeskState.CLAIMED, DeskState.WAITING)
REQUESTER = "requester"
# Desk states whose SLA clock runs, so they can escalate (waiting pauses it, resolved ends it).
ESCALATING_STATES: tuple[DeskState, ...] = (DeskState.OPEN, DeskState.CLAIMED)
ESCALATION = "escalation"  # the actor escalation events name
SELF_SERVICE = "self-service"  # the actor of a resolution by the help center's answer (a deflection)


class DeskTransitionError(ValueError):
    """A desk change the ticket's current state does not allow."""


def sla_clock(ticket: Ticket) -> SlaClock:
    """The ticket's SLA clock: its region's policy, its priority, its pauses and first response."""
    if ticket.routing is None:
        raise DeskTransitionError(f"ticket {ticket.ticket_id} is not routed yet")
    desk = ticket.desk or Desk()
    return policy_for(ticket.routing.region).clock(
        ticket.routing.promised_priority,
        parse_iso(ticket.created_at),
        [Pause(parse_iso(start), parse_iso(end) if end else None) for start, end in desk.pauses],
        parse_iso(desk.first_responded_at) if desk.first_responded_at else None,
    )


def deadlines(clock: SlaClock) -> Sla:
    """The deadlines the clock gives (None while paused). The stored ETA is the policy's window,
    from the first-response deadline to the resolution deadline; the view refines it."""
    first_response, resolution = clock.first_response_due, clock.resolution_due
    return Sla(
        first_response_due=iso(first_response) if first_response else None,
        resolution_due=iso(resolution) if resolution else None,
        eta_from=iso(first_response) if first_response else None,
        eta_to=iso(resolution) if resolution else None,
    )


def queue_deadline(ticket: Ticket) -> str | None:
    """The deadline a work list sorts by: the first response until it is given, then resolution."""
    if ticket.routing is None:
        return None
    sla = ticket.routing.sla
    responded = ticket.desk is not None and ticket.desk.first_responded_at is not None
    return sla.resolution_due if responded else sla.first_response_due


def claim(ticket: Ticket, agent: str, now: datetime) -> Ticket:
    _require(ticket, {DeskState.OPEN}, "claim")
    return _change(ticket, now, agent, DeskState.CLAIMED, assignee=agent)


def wait_on_requester(ticket: Ticket, agent: str, now: datetime, note: str | None = None) -> Ticket:
    """The desk asked the requester something: the SLA clock stops until they answer."""
    _require(ticket, {DeskState.OPEN, DeskState.CLAIMED}, "wait on the requester")
    desk = _desk(ticket)
    return _change(
        ticket, now, agent, DeskState.WAITING, note, pauses=(*desk.pauses, (iso(now), None)), assignee=desk.assignee
    )


def on_requester_message(ticket: Ticket, now: datetime) -> Ticket | None:
    """A requester's new message resumes a waiting ticket (back to its agent, or to the queue)
    and reopens a resolved one; None when it changes nothing on the desk."""
    if ticket.desk is None:
        return None
    if ticket.desk.state is DeskState.WAITING:
        back_to = DeskState.CLAIMED if ticket.desk.assignee else DeskState.OPEN
        return _change(
            ticket,
            now,
            REQUESTER,
            back_to,
            "requester answered",
            pauses=_closed_pauses(ticket, now),
            assignee=ticket.desk.assignee,
        )
    if ticket.desk.state is DeskState.RESOLVED:
        return reopen(ticket, REQUESTER, now, "requester wrote again")
    return None


def resolve(ticket: Ticket, agent: str, now: datetime, note: str | None = None) -> Ticket:
    _require(ticket, {DeskState.OPEN, DeskState.CLAIMED, DeskState.WAITING}, "resolve")
    desk = _desk(ticket)
    return _change(
        ticket, now, agent, DeskState.RESOLVED, note, pauses=_closed_pauses(ticket, now), assignee=desk.assignee
    )


def deflect(ticket: Ticket, topic: str, now: datetime) -> Ticket:
    """The requester said the help center's answer on `topic` solved it: resolved by the bot,
    no agent needed (counted as deflected, not resolved, by the support metrics)."""
    _require(ticket, {DeskState.OPEN, DeskState.CLAIMED, DeskState.WAITING}, "deflect")
    desk = _desk(ticket)
    return _change(
        ticket,
        now,
        SELF_SERVICE,
        DeskState.RESOLVED,
        f"solved by the help center: {topic}",
        pauses=_closed_pauses(ticket, now),
        assignee=desk.assignee,
    )


def is_deflection(ticket: Ticket) -> bool:
    """The ticket's latest desk move resolved it through the help center."""
    if ticket.desk is None or ticket.desk.state is not DeskState.RESOLVED:
        return False
    moves = [event for event in ticket.history if event.get("kind") == "desk" and event.get("from") != event.get("to")]
    return bool(moves) and moves[-1].get("by") == SELF_SERVICE


def reopen(ticket: Ticket, actor: str, now: datetime, note: str | None = None) -> Ticket:
    """A resolved ticket goes back to the region's queue, unassigned (whoever is free takes it)."""
    _require(ticket, {DeskState.RESOLVED}, "reopen")
    return _change(ticket, now, actor, DeskState.OPEN, note, assignee=None)


def record_first_response(ticket: Ticket, agent: str, now: datetime) -> Ticket | None:
    """The first agent reply stops the first-response target; None when one was given already."""
    desk = _desk(ticket)
    if desk.first_responded_at is not None:
        return None
    after = replace(desk, first_responded_at=iso(now))
    event = {"at": iso(now), "from": desk.state.value, "to": desk.state.value, "by": agent, "kind": "desk"}
    return _with_desk(ticket, after, now, {**event, "note": "first response"})


# --- escalation -----------------------------------------------------------------------------


def recorded_escalation(ticket: Ticket, clock: SlaClock) -> EscalationLevel:
    """The escalation level last recorded on the ticket (the first level when none was)."""
    return level_named(clock, ticket.desk.escalation if ticket.desk is not None else None)


def next_escalation_due(ticket: Ticket) -> datetime | None:
    """When the ticket's escalation level will rise above the recorded one (possibly already
    past, when the worker has not caught up); None when it cannot: not on a running desk
    (waiting, resolved), or at the top level. The escalation index's sort key."""
    if ticket.routing is None or ticket.desk is None or ticket.desk.state not in ESCALATING_STATES:
        return None
    clock = sla_clock(ticket)
    return escalation_due(clock, recorded_escalation(ticket, clock))


def escalate(ticket: Ticket, now: datetime) -> Ticket | None:
    """The ticket escalated to the level its SLA clock has reached at `now`: priority one step up
    (capped at the top), the level recorded, an audit event. None when the level has not risen
    since the last one recorded, so a repeated run at the same `now` changes nothing.

    The deadlines stay those of the priority the SLA was promised at (`Routing.sla_priority`):
    a raised priority moves the ticket up the work list, it does not shorten the promise.
    """
    if ticket.routing is None or ticket.desk is None or ticket.desk.state not in ESCALATING_STATES:
        return None
    clock = sla_clock(ticket)
    recorded, reached = recorded_escalation(ticket, clock), level_for(now, clock)
    if reached.rank <= recorded.rank:
        return None
    routing = ticket.routing
    target = escalating_target(now, clock)
    due = clock.due(target)
    priority = raised_priority(routing.priority)
    note = (
        f"{target.value.replace('_', ' ')} due {iso(due) if due else 'paused'}, "
        f"{math.floor(clock.elapsed_fraction(now, target) * 100)}% elapsed"
        + (f"; priority {routing.priority} -> {priority}" if priority != routing.priority else "")
    )
    raised = replace(ticket, routing=replace(routing, priority=priority, sla_priority=routing.promised_priority))
    event = {
        "at": iso(now),
        "from": recorded.name,
        "to": reached.name,
        "by": ESCALATION,
        "kind": "desk",
        "note": note,
    }
    return _with_desk(raised, replace(ticket.desk, escalation=reached.name), now, event)


def claim_preference(ticket: Ticket, languages: Sequence[str]) -> int:
    """0: written in a language the agent reads; 1: its translation is ready; 2: anything else."""
    if ticket.language is not None and ticket.language.code in languages:
        return 0
    ready = (TranslationStatus.DONE, TranslationStatus.SKIPPED)
    if ticket.translation is not None and ticket.translation.status in ready:
        return 1
    return 2


# --- helpers --------------------------------------------------------------------------------


def _desk(ticket: Ticket) -> Desk:
    if ticket.desk is None or ticket.routing is None:
        raise DeskTransitionError(f"ticket {ticket.ticket_id} is not on a desk yet")
    return ticket.desk


def _require(ticket: Ticket, allowed: set[DeskState], action: str) -> None:
    state = _desk(ticket).state
    if state not in allowed:
        raise DeskTransitionError(f"cannot {action} ticket {ticket.ticket_id}: it is {state.value}")


def _closed_pauses(ticket: Ticket, now: datetime) -> tuple[tuple[str, str | None], ...]:
    return tuple((start, end if end is not None else iso(now)) for start, end in _desk(ticket).pauses)


def _change(
    ticket: Ticket,
    now: datetime,
    actor: str,
    to: DeskState,
    note: str | None = None,
    *,
    assignee: str | None = None,
    pauses: tuple[tuple[str, str | None], ...] | None = None,
) -> Ticket:
    desk = _desk(ticket)
    resolved_at = iso(now) if to is DeskState.RESOLVED else None
    pauses = desk.pauses if pauses is None else pauses
    after = replace(desk, state=to, assignee=assignee, pauses=pauses, resolved_at=resolved_at)
    event = {"at": iso(now), "from": desk.state.value, "to": to.value, "by": actor, "kind": "desk"}
    return _with_desk(ticket, after, now, {**event, "note": note} if note else event)


def _with_desk(ticket: Ticket, desk: Desk, now: datetime, event: dict[str, str]) -> Ticket:
    """The ticket with its new desk, deadlines recomputed (pauses move them), version + 1."""
    assert ticket.routing is not None
    moved = replace(ticket, desk=desk)
    routing = replace(ticket.routing, sla=deadlines(sla_clock(moved)))
    return replace(
        moved,
        routing=routing,
        version=ticket.version + 1,
        updated_at=iso(now),
        history=(*ticket.history, event),
    )
