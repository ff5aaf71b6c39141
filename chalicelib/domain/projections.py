"""Where a stored ticket or message appears in the store's indexes: pure rules, in one place.

Both store implementations (DynamoDB, in memory) call these on every write, so the desk's work
lists, the sweeper's index and the escalation index hold the same entries whichever runs. The
adapters only decide how an entry is spelled (partition names, shards, key formats).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.conversation import Message
from chalicelib.domain.desk import LISTABLE_STATES, next_escalation_due, queue_deadline
from chalicelib.domain.routing import priority_rank
from chalicelib.domain.ticket import DeskState, Status, Ticket

# What the sweeper looks for, besides a ticket resting in a pipeline status (its status value):
SWEEP_ROUTED = "routed"  # routed, but the desk message is not confirmed sent
SWEEP_RETRANSLATE = "retranslate"  # routed with its translation pending
SWEEP_MESSAGE = "message"  # a conversation message waiting for its translation

# Sorts after every ISO 8601 deadline: a paused ticket has none.
NO_DEADLINE = "~"


@dataclass(frozen=True)
class WorkListEntry:
    region: str
    state: DeskState
    sort_key: str  # most urgent first, then the earliest running deadline; the id keeps it unique


@dataclass(frozen=True)
class TicketProjection:
    work_list: WorkListEntry | None  # None: resolved, or not routed yet
    sweep_kind: str | None  # None: nothing owed
    escalation_due: datetime | None  # None: its level cannot rise (waiting, resolved, top level)


def work_list_sort_key(ticket: Ticket) -> str:
    assert ticket.routing is not None
    deadline = queue_deadline(ticket) or NO_DEADLINE
    return f"{priority_rank(ticket.routing.priority)}#{deadline}#{ticket.ticket_id}"


def work_list_entry(ticket: Ticket) -> WorkListEntry | None:
    """One work list per region and desk state; a resolved ticket leaves them."""
    if ticket.routing is None:
        return None
    state = ticket.desk.state if ticket.desk is not None else DeskState.OPEN
    if state not in LISTABLE_STATES:
        return None
    return WorkListEntry(ticket.routing.region, state, work_list_sort_key(ticket))


def ticket_sweep_kind(ticket: Ticket, awaiting_notification: bool) -> str | None:
    """What a worker still owes the ticket, if anything: visible to the sweeper until done."""
    if ticket.status is not Status.ROUTED:
        return ticket.status.value
    if awaiting_notification:
        return SWEEP_ROUTED
    if ticket.awaiting_translation:
        return SWEEP_RETRANSLATE
    return None


def round_up_to_millisecond(moment: datetime) -> datetime:
    return moment + timedelta(microseconds=-moment.microsecond % 1000)


def escalation_key_moment(ticket: Ticket) -> datetime | None:
    """When the ticket's escalation level next rises, rounded up to the millisecond stored
    times keep: an entry never comes due before the level really rises, so a worker that finds
    it also sees the level risen."""
    due = next_escalation_due(ticket)
    return None if due is None else round_up_to_millisecond(due)


def project_ticket(ticket: Ticket, awaiting_notification: bool) -> TicketProjection:
    return TicketProjection(
        work_list=work_list_entry(ticket),
        sweep_kind=ticket_sweep_kind(ticket, awaiting_notification),
        escalation_due=escalation_key_moment(ticket),
    )


def message_sweep_kind(message: Message) -> str | None:
    """The translate worker owes the message a translation: the sweeper re-sends if it waits."""
    return SWEEP_MESSAGE if message.awaiting_translation else None
