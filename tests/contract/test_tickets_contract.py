"""The store's contract: every behaviour the use cases rely on, run against both implementations
(in memory, and DynamoDB on the table infra/ defines, in moto) so the two cannot drift."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime

import pytest

from chalicelib.composition_root import Dependencies
from chalicelib.domain import desk
from chalicelib.domain.ids import idempotency_record_key, new_ticket_id
from chalicelib.domain.repositories import IdempotencyClaim, IdempotencyRecord, StaleTicket, TicketExists
from chalicelib.domain.ticket import PIPELINE_STATUSES, DeskState, Status, Ticket
from tests.integration.builders import T0, detected, received_ticket, routed, seconds, translated


def in_status(status: Status, at: datetime) -> Ticket:
    """A ticket that reached `status` (a pipeline status) at `at`, as if the workers wrote it."""
    ticket = received_ticket(at)
    if status is Status.RECEIVED:
        return ticket
    ticket = detected(ticket, at)
    return ticket if status is Status.DETECTED else translated(ticket, at)


def stored_in_status(store: Dependencies, status: Status, at: datetime) -> Ticket:
    ticket = in_status(status, at)
    store.tickets.create(ticket)
    return ticket


def claim(key_hash: str, ticket: Ticket, fingerprint: str, sealed: str, expires_at: float) -> IdempotencyClaim:
    return IdempotencyClaim(key_hash, IdempotencyRecord(ticket.ticket_id, fingerprint, sealed), int(expires_at))


def stuck_ids(store: Dependencies, status: Status, older_than: datetime) -> set[str]:
    return {found.ticket_id for found in store.sweep_index.stuck(status, older_than, 200)}


# --- create and read --------------------------------------------------------------------


def test_a_created_ticket_reads_back_unchanged(store: Dependencies):
    # Given a new ticket
    ticket = received_ticket()

    # When it is stored and read
    store.tickets.create(ticket)

    # Then every field comes back as written
    assert store.tickets.get(ticket.ticket_id) == ticket


def test_an_unknown_ticket_reads_as_none(store: Dependencies):
    assert store.tickets.get(new_ticket_id()) is None


def test_a_routed_ticket_with_every_part_reads_back_unchanged(store: Dependencies):
    # Given a ticket carried all the way to its desk
    ticket = received_ticket()
    store.tickets.create(ticket)
    before = translated(detected(ticket, T0), T0)
    store.tickets.save_transition(ticket, before, awaiting_notification=False)
    after = routed(before, T0 + seconds(1))

    # When the routed version is saved
    store.tickets.save_transition(before, after, awaiting_notification=True)

    # Then language, translation, routing and history all survive
    assert store.tickets.get(ticket.ticket_id) == after


def test_creating_a_ticket_id_twice_is_refused_and_keeps_the_first(store: Dependencies):
    # Given a stored ticket
    first = received_ticket()
    store.tickets.create(first)

    # When another ticket with the same id is created
    impostor = replace(first, description="overwritten?")

    # Then the create fails and the first ticket is intact
    with pytest.raises(TicketExists):
        store.tickets.create(impostor)
    assert store.tickets.get(first.ticket_id) == first


def test_the_same_create_sent_twice_is_done_once(store: Dependencies):
    # Given a ticket whose write landed, but whose answer was lost, so the client library sends
    # the same write again (botocore retries a PutItem after a timeout)
    ticket = received_ticket()
    store.tickets.create(ticket)

    # When the same write arrives a second time
    store.tickets.create(ticket)

    # Then it is taken as done: the condition failed on that very ticket
    assert store.tickets.get(ticket.ticket_id) == ticket


# --- idempotency ------------------------------------------------------------------------


def test_an_idempotency_record_round_trips(store: Dependencies):
    # Given a ticket created with an idempotency record
    ticket = received_ticket()
    key_hash = idempotency_record_key("client-key-0001")
    record = IdempotencyRecord(ticket.ticket_id, "f" * 64, "sealed-token-hex")

    # When it is stored
    store.tickets.create(ticket, IdempotencyClaim(key_hash, record, int(time.time()) + 3600))

    # Then the record and the ticket are both there
    assert store.idempotency.get(key_hash) == record
    assert store.tickets.get(ticket.ticket_id) == ticket


def test_an_unknown_idempotency_key_reads_as_none(store: Dependencies):
    assert store.idempotency.get(idempotency_record_key("never-used-key")) is None


def test_a_second_ticket_with_a_live_idempotency_key_is_refused_atomically(store: Dependencies):
    # Given a ticket created under an idempotency key
    key_hash = idempotency_record_key("client-key-0001")
    first = received_ticket()
    store.tickets.create(
        first, IdempotencyClaim(key_hash, IdempotencyRecord(first.ticket_id, "a" * 64, "s1"), int(time.time()) + 3600)
    )

    # When a racing request creates another ticket under the same key
    second = received_ticket()
    with pytest.raises(TicketExists):
        store.tickets.create(
            second,
            IdempotencyClaim(key_hash, IdempotencyRecord(second.ticket_id, "a" * 64, "s2"), int(time.time()) + 3600),
        )

    # Then neither the second ticket nor its record was written
    assert store.tickets.get(second.ticket_id) is None
    assert store.idempotency.get(key_hash) == IdempotencyRecord(first.ticket_id, "a" * 64, "s1")


def test_an_expired_idempotency_record_is_absent_and_can_be_taken_over(store: Dependencies):
    # Given a record whose TTL has passed (moto, like DynamoDB, has not deleted it yet)
    key_hash = idempotency_record_key("client-key-0001")
    old = received_ticket()
    store.tickets.create(
        old, IdempotencyClaim(key_hash, IdempotencyRecord(old.ticket_id, "a" * 64, "s1"), int(time.time()) - 60)
    )

    # Then it reads as absent
    assert store.idempotency.get(key_hash) is None

    # When a new ticket is created under the same key
    new = received_ticket()
    store.tickets.create(
        new, IdempotencyClaim(key_hash, IdempotencyRecord(new.ticket_id, "b" * 64, "s2"), int(time.time()) + 3600)
    )

    # Then the key now points at the new ticket
    assert store.idempotency.get(key_hash) == IdempotencyRecord(new.ticket_id, "b" * 64, "s2")
    assert store.tickets.get(new.ticket_id) == new


# --- conditional transitions -------------------------------------------------------------


def test_a_transition_from_the_stored_version_is_saved(store: Dependencies):
    ticket = received_ticket()
    store.tickets.create(ticket)
    after = detected(ticket, T0 + seconds(2))

    store.tickets.save_transition(ticket, after, awaiting_notification=False)

    assert store.tickets.get(ticket.ticket_id) == after


def test_a_duplicate_delivery_cannot_write_a_second_time(store: Dependencies):
    # Given two workers that read the same received ticket
    ticket = received_ticket()
    store.tickets.create(ticket)
    winner = detected(ticket, T0 + seconds(1))
    loser = ticket.advance(Status.DETECTED, T0 + seconds(2), "detect_language", description="rewritten")

    # When the first saves and then the second tries
    store.tickets.save_transition(ticket, winner, awaiting_notification=False)
    with pytest.raises(StaleTicket):
        store.tickets.save_transition(ticket, loser, awaiting_notification=False)

    # Then the first write stands
    assert store.tickets.get(ticket.ticket_id) == winner


def test_a_transition_from_a_stale_status_is_refused(store: Dependencies):
    # Given a ticket already translated in the table
    ticket = received_ticket()
    store.tickets.create(ticket)
    now_translated = translated(detected(ticket, T0), T0)
    store.tickets.save_transition(ticket, now_translated, awaiting_notification=False)

    # When a worker holding an old copy (same version, older status) tries to write
    stale = replace(now_translated, status=Status.DETECTED)
    with pytest.raises(StaleTicket):
        store.tickets.save_transition(stale, routed(now_translated, T0), awaiting_notification=True)

    # Then nothing was overwritten
    assert store.tickets.get(ticket.ticket_id) == now_translated


def test_a_transition_for_a_ticket_that_does_not_exist_is_refused(store: Dependencies):
    ghost = received_ticket()
    with pytest.raises(StaleTicket):
        store.tickets.save_transition(ghost, detected(ghost, T0), awaiting_notification=False)
    assert store.tickets.get(ghost.ticket_id) is None


# --- batch reads ------------------------------------------------------------------------


def test_get_many_reads_more_than_one_batch_and_skips_missing_ids(store: Dependencies):
    # Given 130 stored tickets
    tickets = [received_ticket(T0 + seconds(index)) for index in range(130)]
    for ticket in tickets:
        store.tickets.create(ticket)
    missing = [new_ticket_id() for _ in range(7)]

    # When they are read together with unknown ids and a few repeats
    wanted = [ticket.ticket_id for ticket in tickets] + missing + [tickets[0].ticket_id, tickets[-1].ticket_id]
    found = store.tickets.get_many(wanted)

    # Then every stored ticket is returned once, keyed by id, and the unknown ids are simply absent
    assert found == {ticket.ticket_id: ticket for ticket in tickets}


def test_get_many_of_nothing_is_empty(store: Dependencies):
    assert store.tickets.get_many([]) == {}


# --- the sweeper's index ----------------------------------------------------------------


@pytest.mark.parametrize("status", PIPELINE_STATUSES)
def test_stuck_finds_tickets_resting_in_a_status_since_before_the_cutoff(store: Dependencies, status: Status):
    # Given tickets that reached `status` 10 minutes ago, and one that reached it just now
    old = [stored_in_status(store, status, T0) for _ in range(6)]
    fresh = stored_in_status(store, status, T0 + seconds(600))
    # And old tickets resting in the other pipeline statuses
    others = [stored_in_status(store, other, T0) for other in PIPELINE_STATUSES if other is not status]

    # When the sweeper asks for tickets older than 5 minutes before now
    found = store.sweep_index.stuck(status, T0 + seconds(300), 200)

    # Then it gets exactly the old tickets of that status, with what it needs to re-send them
    assert {item.ticket_id for item in found} == {ticket.ticket_id for ticket in old}
    assert fresh.ticket_id not in {item.ticket_id for item in found}
    assert not {ticket.ticket_id for ticket in others} & {item.ticket_id for item in found}
    for item in found:
        assert item.status is status
        assert item.version == old[0].version
        assert item.correlation_id.startswith("corr-")
        assert item.sweep_attempts == 0
        assert item.routed_region is None


def test_stuck_respects_its_limit(store: Dependencies):
    for _ in range(12):
        stored_in_status(store, Status.RECEIVED, T0)
    assert len(store.sweep_index.stuck(Status.RECEIVED, T0 + seconds(60), 5)) == 5


def test_a_ticket_that_moves_on_leaves_its_old_status_in_the_sweep_index(store: Dependencies):
    # Given a received ticket the sweeper would find
    ticket = stored_in_status(store, Status.RECEIVED, T0)
    assert ticket.ticket_id in stuck_ids(store, Status.RECEIVED, T0 + seconds(60))

    # When the detector moves it on
    store.tickets.save_transition(ticket, detected(ticket, T0 + seconds(1)), awaiting_notification=False)

    # Then it is no longer stuck as received, but watched as detected from the time it moved
    assert ticket.ticket_id not in stuck_ids(store, Status.RECEIVED, T0 + seconds(3600))
    assert ticket.ticket_id not in stuck_ids(store, Status.DETECTED, T0 + seconds(1))
    assert ticket.ticket_id in stuck_ids(store, Status.DETECTED, T0 + seconds(2))


def test_a_sweep_counts_an_attempt_and_restarts_the_wait(store: Dependencies):
    # Given a stuck received ticket
    stored_in_status(store, Status.RECEIVED, T0)
    [stuck] = store.sweep_index.stuck(Status.RECEIVED, T0 + seconds(60), 200)

    # When the sweeper records a re-send at T0+60s
    swept_at = T0 + seconds(60)
    store.sweep_index.record_sweep(stuck, swept_at, give_up=False)

    # Then it is not stuck again until it has waited from the sweep, and then shows one attempt
    assert store.sweep_index.stuck(Status.RECEIVED, swept_at, 200) == []
    [again] = store.sweep_index.stuck(Status.RECEIVED, swept_at + seconds(1), 200)
    assert again.ticket_id == stuck.ticket_id
    assert again.sweep_attempts == 1
    # And the ticket itself did not move (a worker holding it can still finish)
    stored = store.tickets.get(stuck.ticket_id)
    assert stored is not None
    assert (stored.status, stored.version) == (Status.RECEIVED, 1)


def test_giving_up_takes_the_ticket_out_of_the_sweep_index(store: Dependencies):
    # Given a stuck ticket
    stored_in_status(store, Status.DETECTED, T0)
    [stuck] = store.sweep_index.stuck(Status.DETECTED, T0 + seconds(60), 200)

    # When the sweeper gives up on it
    store.sweep_index.record_sweep(stuck, T0 + seconds(60), give_up=True)

    # Then no later sweep finds it
    assert store.sweep_index.stuck(Status.DETECTED, T0 + seconds(10 * 365 * 24 * 3600), 200) == []


def test_recording_a_sweep_of_a_ticket_that_moved_on_is_refused(store: Dependencies):
    # Given a ticket found stuck
    ticket = stored_in_status(store, Status.RECEIVED, T0)
    [stuck] = store.sweep_index.stuck(Status.RECEIVED, T0 + seconds(60), 200)

    # When a worker moves it on before the sweeper records its re-send
    store.tickets.save_transition(ticket, detected(ticket, T0 + seconds(61)), awaiting_notification=False)

    # Then the sweep is refused and the worker's write stands
    with pytest.raises(StaleTicket):
        store.sweep_index.record_sweep(stuck, T0 + seconds(62), give_up=False)
    stored = store.tickets.get(ticket.ticket_id)
    assert stored is not None
    assert stored.status is Status.DETECTED


def test_a_routed_ticket_awaiting_its_desk_message_is_swept_until_marked_notified(store: Dependencies):
    # Given a ticket routed to the latam desk whose desk message is not yet confirmed sent
    ticket = stored_in_status(store, Status.TRANSLATED, T0)
    after = routed(ticket, T0)
    store.tickets.save_transition(ticket, after, awaiting_notification=True)

    # Then the sweeper can find it, knowing its region
    [stuck] = store.sweep_index.stuck(Status.ROUTED, T0 + seconds(60), 200)
    assert (stuck.ticket_id, stuck.routed_region) == (ticket.ticket_id, "latam")

    # When the desk message is confirmed sent
    store.sweep_index.mark_notified(after.ticket_id, after.version, T0)

    # Then it leaves the sweep index, and the ticket itself is unchanged
    assert store.sweep_index.stuck(Status.ROUTED, T0 + seconds(3600), 200) == []
    assert store.tickets.get(ticket.ticket_id) == after


def test_a_routed_ticket_whose_message_went_out_is_never_swept(store: Dependencies):
    ticket = stored_in_status(store, Status.TRANSLATED, T0)
    store.tickets.save_transition(ticket, routed(ticket, T0), awaiting_notification=False)
    assert store.sweep_index.stuck(Status.ROUTED, T0 + seconds(3600), 200) == []


def test_marking_a_stale_version_notified_is_refused(store: Dependencies):
    ticket = stored_in_status(store, Status.TRANSLATED, T0)
    after = routed(ticket, T0)
    store.tickets.save_transition(ticket, after, awaiting_notification=True)

    with pytest.raises(StaleTicket):
        store.sweep_index.mark_notified(after.ticket_id, after.version - 1, T0)
    assert stuck_ids(store, Status.ROUTED, T0 + seconds(60)) == {ticket.ticket_id}


# --- a region's work list ---------------------------------------------------------------


def test_a_regions_open_list_is_most_urgent_first_then_earliest_deadline(store: Dependencies):
    # Given emea tickets of mixed priority and deadlines, and one for another region
    def route_one(priority: str, due_hours: int, region: str = "emea") -> str:
        ticket = stored_in_status(store, Status.TRANSLATED, T0)
        store.tickets.save_transition(
            ticket,
            routed(ticket, T0, region, priority, due=T0 + seconds(due_hours * 3600)),
            awaiting_notification=False,
        )
        return ticket.ticket_id

    normal_late = route_one("normal", 48)
    urgent_late = route_one("urgent", 6)
    high_soon = route_one("high", 2)
    normal_soon = route_one("normal", 10)
    urgent_soon = route_one("urgent", 1)
    low = route_one("low", 1)
    route_one("urgent", 1, region="apac")

    # When the emea desk lists its open work
    listed = store.work_lists.ticket_ids("emea", DeskState.OPEN)

    # Then it reads urgent, high, normal, low; earliest deadline first within a priority
    assert listed == [urgent_soon, urgent_late, high_soon, normal_soon, normal_late, low]


def test_an_empty_region_has_no_open_work(store: Dependencies):
    assert store.work_lists.ticket_ids("na", DeskState.OPEN) == []


def test_a_desk_change_is_conditional_on_the_version_and_desk_state(store: Dependencies):
    # Given a routed ticket, read twice
    ticket = routed(translated(detected(received_ticket(), T0), T0), T0, "emea")
    store.tickets.create(ticket)
    read_by_ana, read_by_bob = store.tickets.get(ticket.ticket_id), store.tickets.get(ticket.ticket_id)
    assert read_by_ana is not None and read_by_bob is not None

    # When both claim from what they read
    store.tickets.save_desk_change(read_by_ana, desk.claim(read_by_ana, "ana", T0))

    # Then the second write loses, and the ticket moved from the open to the claimed list
    with pytest.raises(StaleTicket):
        store.tickets.save_desk_change(read_by_bob, desk.claim(read_by_bob, "bob", T0))
    assert store.tickets.get(ticket.ticket_id).desk.assignee == "ana"
    assert store.work_lists.ticket_ids("emea", DeskState.OPEN) == []
    assert store.work_lists.ticket_ids("emea", DeskState.CLAIMED) == [ticket.ticket_id]
