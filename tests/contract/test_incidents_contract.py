"""The incident store's contract (domain/repositories.IncidentRepository), against both
implementations (see conftest.py): incidents, their links, and each ticket's pointer back."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.composition_root import Dependencies
from chalicelib.domain.ids import new_ticket_id
from chalicelib.domain.incidents import (
    Incident,
    IncidentDraft,
    IncidentStatus,
    LocalizedText,
    append_update,
    new_incident,
    with_translations,
)
from chalicelib.domain.repositories import StaleTicket, TicketExists
from chalicelib.domain.ticket import TranslationStatus
from tests.integration.builders import T0

DRAFT = IncidentDraft("LIVE is down", "Streams freeze.", ("latam",), ("content",))


def incident_at(minutes: int = 0, **changes: object) -> Incident:
    return replace(new_incident(DRAFT, "ana", T0 + timedelta(minutes=minutes), "en"), **changes)


def ticket_ids(count: int) -> list[str]:
    """Ticket ids in link order (ULIDs one millisecond apart)."""
    start = int(T0.timestamp() * 1000)
    return [new_ticket_id(start + index) for index in range(count)]


# --- incidents ----------------------------------------------------------------------------------


def test_an_incident_reads_back_as_stored_and_is_created_once(store: Dependencies):
    incident = incident_at()
    store.incidents.create(incident)
    assert store.incidents.get(incident.incident_id) == incident
    assert store.incidents.get(new_ticket_id()) is None
    with pytest.raises(TicketExists):
        store.incidents.create(replace(incident, title="overwritten?"))
    assert store.incidents.get(incident.incident_id) == incident


def test_an_update_is_saved_once_of_two_writers_from_the_same_version(store: Dependencies):
    # Given a stored incident, updated by two agents from the version they both read
    incident = incident_at()
    store.incidents.create(incident)
    first = append_update(incident, IncidentStatus.IDENTIFIED, "Found it.", "ana", T0)
    second = append_update(incident, IncidentStatus.MONITORING, "Watching.", "bob", T0)

    # When both save, the second loses
    store.incidents.save(incident, first)
    with pytest.raises(StaleTicket):
        store.incidents.save(incident, second)

    # Then the first stands, its translations kept with it when saved later
    translated = with_translations(
        first, first.updates[0].update_id, {"es": LocalizedText(TranslationStatus.DONE, "Lo encontramos.", "g")}, {}
    )
    assert translated is not None
    store.incidents.save(first, translated)
    assert store.incidents.get(incident.incident_id) == translated


def test_incidents_are_listed_by_status_newest_first(store: Dependencies):
    # Given three open incidents and a resolved one
    older, newer, newest = (incident_at(minutes) for minutes in (0, 5, 10))
    resolved = incident_at(3)
    for incident in (older, newer, newest, resolved):
        store.incidents.create(incident)
    closed = append_update(resolved, IncidentStatus.RESOLVED, "Fixed.", "ana", T0)
    store.incidents.save(resolved, closed)

    # Then the open ones are listed newest first, up to the limit, and the resolved one apart
    assert [i.incident_id for i in store.incidents.listed(False, 2)] == [newest.incident_id, newer.incident_id]
    assert store.incidents.listed(True, 10) == [closed]
    # And one that reopens moves back to the open list
    store.incidents.save(closed, append_update(closed, IncidentStatus.INVESTIGATING, "Again.", "ana", T0))
    assert store.incidents.listed(True, 10) == []
    assert len(store.incidents.listed(False, 10)) == 4


# --- links ------------------------------------------------------------------------------------------


def test_a_ticket_is_linked_to_one_incident_and_linking_twice_is_a_no_op(store: Dependencies):
    incident, other = incident_at(), incident_at(1)
    first, second, third = ticket_ids(3)

    result = store.incidents.link(incident.incident_id, [first, second, first])
    assert (result.linked, result.already_linked, dict(result.elsewhere)) == ((first, second), (), {})

    again = store.incidents.link(incident.incident_id, [second, third])
    assert (again.linked, again.already_linked) == ((third,), (second,))

    elsewhere = store.incidents.link(other.incident_id, [first])
    assert (elsewhere.linked, dict(elsewhere.elsewhere)) == ((), {first: incident.incident_id})

    assert store.incidents.incident_of(first) == incident.incident_id
    assert store.incidents.incident_of(new_ticket_id()) is None
    assert store.incidents.incidents_of([first, third, new_ticket_id()]) == {
        first: incident.incident_id,
        third: incident.incident_id,
    }
    assert store.incidents.count_linked(incident.incident_id) == 3
    assert store.incidents.count_linked(other.incident_id) == 0


def test_unlinking_frees_the_ticket_for_another_incident(store: Dependencies):
    incident, other = incident_at(), incident_at(1)
    mine, theirs = ticket_ids(2)
    store.incidents.link(incident.incident_id, [mine])
    store.incidents.link(other.incident_id, [theirs])

    assert store.incidents.unlink(incident.incident_id, [mine, theirs, new_ticket_id()]) == [mine]

    assert store.incidents.incident_of(theirs) == other.incident_id  # another incident's: untouched
    assert store.incidents.count_linked(incident.incident_id) == 0
    assert store.incidents.link(other.incident_id, [mine]).linked == (mine,)


def test_linked_tickets_are_read_in_pages_with_a_cursor(store: Dependencies):
    incident = incident_at()
    store.incidents.create(incident)  # the incident item shares the partition with its links
    ids = ticket_ids(7)
    store.incidents.link(incident.incident_id, list(reversed(ids)))

    first = store.incidents.linked_page(incident.incident_id, "", 3)
    second = store.incidents.linked_page(incident.incident_id, first.next_after or "", 3)
    last = store.incidents.linked_page(incident.incident_id, second.next_after or "", 3)

    assert (first.ticket_ids, first.next_after) == (tuple(ids[:3]), ids[2])
    assert (second.ticket_ids, second.next_after) == (tuple(ids[3:6]), ids[5])
    assert (last.ticket_ids, last.next_after) == ((ids[6],), None)
    # A page that ends exactly at the last link says so
    assert store.incidents.linked_page(incident.incident_id, ids[3], 3).next_after is None
    assert store.incidents.linked_page(new_ticket_id(), "", 3).ticket_ids == ()
