"""The desk's use cases on the in-memory store: ListWork, ClaimNext, ChangeDeskState."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from chalicelib.composition_root import Dependencies
from chalicelib.domain import desk
from chalicelib.domain.desk import DeskTransitionError
from chalicelib.domain.repositories import StaleTicket, TicketRepository
from chalicelib.domain.ticket import DeskState, Language, Ticket, Translation, TranslationStatus, iso
from tests.unit.usecases.fakes import T0, Interfering, StepClock, on_the_desk, stored, with_parts

MINUTE = timedelta(minutes=1)
PORTUGUESE = Language("pt", 0.95, "text")


def ids(tickets: Sequence[Ticket | None]) -> list[str | None]:
    return [ticket.ticket_id if ticket else None for ticket in tickets]


# --- ListWork --------------------------------------------------------------------------------


def test_the_work_list_is_most_urgent_first_then_earliest_deadline(deps: Dependencies):
    # Given open latam tickets of several priorities, and two normal ones created an hour apart
    low = on_the_desk(deps, priority="low")
    later_normal = on_the_desk(deps, at=T0 + timedelta(hours=1), priority="normal")
    normal = on_the_desk(deps, priority="normal")
    urgent = on_the_desk(deps, priority="urgent")
    high = on_the_desk(deps, priority="high")

    # When an agent lists the open work
    listed = deps.list_work("latam", DeskState.OPEN, 50)

    # Then the most urgent comes first, and within a priority the earliest deadline
    assert ids(listed) == ids([urgent, high, normal, later_normal, low])


def test_the_work_list_holds_only_its_region_and_state_up_to_the_limit(deps: Dependencies):
    latam = [on_the_desk(deps, at=T0 + index * MINUTE) for index in range(3)]
    on_the_desk(deps, region="emea")
    claimed = on_the_desk(deps, at=T0 + 10 * MINUTE)
    deps.tickets.save_desk_change(claimed, desk.claim(claimed, "ana", T0 + MINUTE))

    assert ids(deps.list_work("latam", DeskState.OPEN, 2)) == ids(latam[:2])
    assert ids(deps.list_work("latam", DeskState.CLAIMED, 50)) == [claimed.ticket_id]


class LaggingWorkLists:
    """The work list as read a moment before the table changed."""

    def __init__(self, ticket_ids: Sequence[str]) -> None:
        self.ids = list(ticket_ids)

    def ticket_ids(self, region: str, state: DeskState, limit: int = 50) -> list[str]:
        return self.ids[:limit]

    def open_ahead_of(self, ticket: Ticket) -> int:
        return 0


def test_the_work_list_drops_tickets_that_moved_on_since_the_index_was_read(deps: Dependencies):
    # Given an index that still lists a ticket an agent claimed, and one that is gone
    first, taken = on_the_desk(deps), on_the_desk(deps, at=T0 + MINUTE)
    deps.tickets.save_desk_change(taken, desk.claim(taken, "ana", T0 + MINUTE))
    lagging = with_parts(
        deps, work_lists=LaggingWorkLists([first.ticket_id, taken.ticket_id, "01J0000000000000000000GONE"])
    )

    # Then the open list keeps the index's order and shows only what is still open
    assert ids(lagging.list_work("latam", DeskState.OPEN, 50)) == [first.ticket_id]


# --- ClaimNext -------------------------------------------------------------------------------


def test_a_claim_takes_the_most_urgent_open_ticket_and_records_who_and_when(deps: Dependencies, clock: StepClock):
    # Given open tickets of several priorities
    on_the_desk(deps, priority="low")
    urgent = on_the_desk(deps, priority="urgent")
    on_the_desk(deps, priority="normal")

    # When an agent claims at T0 + 5 minutes
    clock.move_to(T0 + 5 * MINUTE)
    claimed = deps.claim_next("latam", "ana", ["en"])

    # Then the urgent one is theirs, stored so, with an audit event
    assert claimed is not None and claimed.ticket_id == urgent.ticket_id
    assert stored(deps, urgent) == claimed
    assert claimed.desk is not None and (claimed.desk.state, claimed.desk.assignee) == (DeskState.CLAIMED, "ana")
    assert claimed.history[-1] == {
        "at": iso(T0 + 5 * MINUTE),
        "from": "open",
        "to": "claimed",
        "by": "ana",
        "kind": "desk",
    }
    # And it leaves the open work list
    assert urgent.ticket_id not in ids(deps.list_work("latam", DeskState.OPEN, 50))


def test_a_claim_prefers_a_ticket_in_a_language_the_agent_reads(deps: Dependencies):
    # Given two normal tickets: an older Spanish one, and a newer Portuguese one
    spanish = on_the_desk(deps, language=Language("es", 0.97, "text"))
    portuguese = on_the_desk(deps, at=T0 + MINUTE, language=PORTUGUESE)

    # When an agent who reads Portuguese claims, and then one who reads Spanish
    first = deps.claim_next("latam", "joao", ["pt"])
    second = deps.claim_next("latam", "ana", ["es"])

    # Then each gets the ticket in their language
    assert ids([first, second]) == ids([portuguese, spanish])


def test_a_claim_prefers_a_translated_ticket_over_an_untranslated_one(deps: Dependencies):
    pending = Translation(TranslationStatus.PENDING, "en", reason="no provider")
    done = Translation(TranslationStatus.DONE, "en", "google", None, "Charged twice")
    untranslated = on_the_desk(deps, language=PORTUGUESE, translation=pending)
    translated = on_the_desk(deps, at=T0 + MINUTE, language=PORTUGUESE, translation=done)

    assert ids([deps.claim_next("latam", "ana", ["en"])]) == ids([translated])
    assert ids([deps.claim_next("latam", "ana", ["en"])]) == ids([untranslated])


def test_a_claim_with_nothing_open_is_none(deps: Dependencies):
    on_the_desk(deps, region="emea")

    assert deps.claim_next("latam", "ana", ["es"]) is None


def test_a_claim_that_loses_the_race_takes_the_next_ticket(deps: Dependencies):
    # Given two open tickets, and another agent who claims the most urgent one under our feet
    urgent = on_the_desk(deps, priority="urgent")
    normal = on_the_desk(deps, priority="normal")

    def bob_claims_the_urgent_one(store: TicketRepository, read: Ticket) -> None:
        if read.ticket_id == urgent.ticket_id:
            store.save_desk_change(read, desk.claim(read, "bob", T0 + MINUTE))

    racing = with_parts(deps, tickets=Interfering(deps.tickets, bob_claims_the_urgent_one))

    # When ana claims
    claimed = racing.claim_next("latam", "ana", ["es"])

    # Then she gets the next one, and bob keeps his
    assert ids([claimed]) == [normal.ticket_id]
    bobs = stored(deps, urgent)
    assert bobs.desk is not None and bobs.desk.assignee == "bob"


def test_a_claim_is_none_when_other_agents_took_every_candidate(deps: Dependencies):
    tickets = [on_the_desk(deps, at=T0 + index * MINUTE) for index in range(3)]

    def bob_claims_everything(store: TicketRepository, read: Ticket) -> None:
        store.save_desk_change(read, desk.claim(read, "bob", T0 + MINUTE))

    racing = with_parts(deps, tickets=Interfering(deps.tickets, bob_claims_everything))

    assert racing.claim_next("latam", "ana", ["es"]) is None
    assert {getattr(stored(deps, ticket).desk, "assignee", None) for ticket in tickets} == {"bob"}


# --- ChangeDeskState -------------------------------------------------------------------------


def test_waiting_on_the_requester_pauses_the_clock_and_moves_the_ticket_to_the_waiting_list(
    deps: Dependencies, clock: StepClock
):
    # Given a ticket ana claimed
    on_the_desk(deps)
    ticket = deps.claim_next("latam", "ana", ["es"])
    assert ticket is not None

    # When she asks the requester something
    clock.move_to(T0 + 10 * MINUTE)
    after = deps.change_desk_state(ticket, desk.wait_on_requester, "ana", "asked for the receipt")

    # Then it is stored waiting, its SLA paused, with her note in the audit trail
    assert stored(deps, ticket) == after
    assert after.desk is not None and after.desk.state is DeskState.WAITING
    assert after.desk.pauses == ((iso(T0 + 10 * MINUTE), None),)
    assert after.routing is not None and after.routing.sla.first_response_due is None
    assert after.history[-1]["note"] == "asked for the receipt"
    assert ids(deps.list_work("latam", DeskState.WAITING, 50)) == [ticket.ticket_id]


def test_a_change_based_on_a_stale_read_is_refused_and_writes_nothing(deps: Dependencies):
    # Given ana read an open ticket, and bob claimed it since
    read_by_ana = on_the_desk(deps)
    bobs = desk.claim(read_by_ana, "bob", T0 + MINUTE)
    deps.tickets.save_desk_change(read_by_ana, bobs)

    # When ana resolves it from her stale read
    with pytest.raises(StaleTicket):
        deps.change_desk_state(read_by_ana, desk.resolve, "ana", None)

    # Then bob's claim stands (the API answers 409 conflict)
    assert stored(deps, read_by_ana) == bobs


def test_a_change_the_state_does_not_allow_is_refused_and_writes_nothing(deps: Dependencies):
    # Given an open ticket
    ticket = on_the_desk(deps)

    # When an agent tries to reopen it
    with pytest.raises(DeskTransitionError):
        deps.change_desk_state(ticket, desk.reopen, "ana", None)

    # Then nothing changed (the API answers 409 invalid_transition)
    assert stored(deps, ticket) == ticket


def test_a_resolved_ticket_leaves_every_work_list_and_a_reopen_puts_it_back_unassigned(deps: Dependencies):
    ticket = on_the_desk(deps)
    claimed = deps.change_desk_state(ticket, lambda t, agent, now, note: desk.claim(t, agent, now), "ana", None)
    resolved = deps.change_desk_state(claimed, desk.resolve, "ana", "refunded")

    assert all(deps.list_work("latam", state, 50) == [] for state in desk.LISTABLE_STATES)

    reopened = deps.change_desk_state(resolved, desk.reopen, "bob", None)
    assert reopened.desk is not None and (reopened.desk.state, reopened.desk.assignee) == (DeskState.OPEN, None)
    assert ids(deps.list_work("latam", DeskState.OPEN, 50)) == [ticket.ticket_id]
