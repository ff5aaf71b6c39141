"""The evidence store's contract, held by the in-memory and the DynamoDB ones."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.composition_root import Dependencies
from chalicelib.domain.evidence import Evidence, StoredObject, confirmed, new_evidence
from chalicelib.domain.ids import new_ticket_id
from chalicelib.domain.repositories import StaleTicket, TicketExists
from tests.integration.builders import T0, received_ticket

TICKET = "01JABCDEFGHJKMNPQRSTVWXYZ0"
OTHER = "01JABCDEFGHJKMNPQRSTVWXYZ1"


def pending(ticket_id: str = TICKET, seconds: int = 0, name: str = "shot.png") -> Evidence:
    at = T0 + timedelta(seconds=seconds)
    return new_evidence(ticket_id, new_ticket_id(int(at.timestamp() * 1000)), name, "image/png", 1234, at)


def test_an_entry_is_stored_once_and_reads_back_unchanged(store: Dependencies):
    entry = pending(name="スクリーンショット 2030-01-02.png")
    store.evidence.add(entry)
    with pytest.raises(TicketExists):
        store.evidence.add(entry)
    assert store.evidence.get(TICKET, entry.evidence_id) == entry
    assert store.evidence.get(OTHER, entry.evidence_id) is None


def test_a_save_is_conditional_on_the_version(store: Dependencies):
    entry = pending()
    store.evidence.add(entry)
    after = confirmed(entry, StoredObject("image/png", 1200), T0)
    store.evidence.save(entry, after)
    with pytest.raises(StaleTicket):
        store.evidence.save(entry, after)  # a second confirmation, late
    assert store.evidence.get(TICKET, entry.evidence_id) == after


def test_a_tickets_entries_list_oldest_first_and_only_its_own(store: Dependencies):
    later, earlier, foreign = pending(seconds=5), pending(seconds=1), pending(OTHER, seconds=3)
    for entry in (later, foreign, earlier):
        store.evidence.add(entry)
    assert store.evidence.for_ticket(TICKET) == [earlier, later]
    assert store.evidence.for_ticket(OTHER) == [foreign]
    assert store.evidence.for_ticket("01JABCDEFGHJKMNPQRSTVWXYZ2") == []


def test_entries_sit_beside_the_ticket_without_disturbing_it(store: Dependencies):
    ticket = received_ticket(ticket_id=TICKET)
    store.tickets.create(ticket)
    store.evidence.add(pending())
    assert store.tickets.get(TICKET) == ticket
    assert store.messages.for_ticket(TICKET) == []
