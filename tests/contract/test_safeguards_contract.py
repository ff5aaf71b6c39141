"""The safeguards' store ports (access facts and rotations, agent revocations, request
counters), held to one behaviour on DynamoDB (moto) and in memory."""

from __future__ import annotations

import time

import pytest

from chalicelib.composition_root import Dependencies
from chalicelib.domain import desk
from chalicelib.domain.access import TicketAccess
from chalicelib.domain.agent_tokens import Revocation
from chalicelib.domain.ids import new_ticket_id
from chalicelib.domain.repositories import StaleTicket
from chalicelib.domain.ticket import iso
from tests.integration.builders import T0, detected, received_ticket, routed, seconds, translated


def test_the_access_facts_of_a_new_ticket_are_its_token_and_no_region(store: Dependencies):
    ticket = received_ticket()
    store.tickets.create(ticket)
    assert store.ticket_access.access(ticket.ticket_id) == TicketAccess(ticket.ticket_id, ticket.token_hash, None, None)
    assert store.ticket_access.access(new_ticket_id()) is None


def test_a_routed_and_resolved_ticket_shows_its_region_and_when_it_was_resolved(store: Dependencies):
    # Given a ticket routed to emea, then resolved by its desk
    ticket = received_ticket()
    store.tickets.create(ticket)
    before = translated(detected(ticket, T0), T0)
    store.tickets.save_transition(ticket, before)
    on_desk = routed(before, T0 + seconds(1))
    store.tickets.save_transition(before, on_desk)
    resolved = desk.resolve(on_desk, "lea", T0 + seconds(60))
    store.tickets.save_desk_change(on_desk, resolved)

    access = store.ticket_access.access(ticket.ticket_id)

    assert access is not None and access.region == on_desk.routing.region
    assert access.resolved_at == iso(T0 + seconds(60))
    # And reopened, it is no longer resolved
    reopened = desk.reopen(resolved, "lea", T0 + seconds(90))
    store.tickets.save_desk_change(resolved, reopened)
    assert store.ticket_access.access(ticket.ticket_id).resolved_at is None


def test_a_rotation_replaces_the_token_once_and_a_second_rotation_from_the_same_read_loses(store: Dependencies):
    ticket = received_ticket()
    store.tickets.create(ticket)
    seen = store.ticket_access.access(ticket.ticket_id)

    store.ticket_access.rotate(seen, "a" * 64, T0)
    with pytest.raises(StaleTicket):
        store.ticket_access.rotate(seen, "b" * 64, T0)  # raced: the first one holds

    now = store.ticket_access.access(ticket.ticket_id)
    assert now.token_hash == "a" * 64 and now.rotations == 1
    store.ticket_access.rotate(now, "c" * 64, T0)
    assert store.ticket_access.access(ticket.ticket_id).token_hash == "c" * 64


def test_revocations_by_agent_keep_the_latest_cutoff_and_by_token_name_one(store: Dependencies):
    revocations = store.agent_revocations
    assert revocations.revocation("lea", "tok-1") == Revocation()
    expires = int(time.time()) + 3600
    revocations.revoke_agent("lea", 2000, expires)
    revocations.revoke_agent("lea", 1000, expires)  # an older revocation does not move it back
    revocations.revoke_token("tok-2", "lea", expires)
    assert revocations.revocation("lea", "tok-1") == Revocation(2000, False)
    assert revocations.revocation("lea", "tok-2") == Revocation(2000, True)
    assert revocations.revocation("bob", "tok-2") == Revocation(None, True)


def test_counters_count_per_bucket_and_window(store: Dependencies):
    counters = store.rate_counters
    expires = int(time.time()) + 120
    assert [counters.hit("intake#ip#x", 600, expires) for _ in range(3)] == [1, 2, 3]
    assert counters.hit("intake#ip#x", 1200, expires) == 1  # the next window starts afresh
    assert counters.hit("intake#ip#y", 600, expires) == 1
