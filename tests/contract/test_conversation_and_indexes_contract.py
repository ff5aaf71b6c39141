"""The store's contract beyond tickets: conversation messages, response times, the desk's work
lists and the escalation index, against both implementations (see conftest.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.composition_root import Dependencies
from chalicelib.domain import desk
from chalicelib.domain.conversation import Author, Message, MessageTranslation, new_message
from chalicelib.domain.projections import SWEEP_MESSAGE
from chalicelib.domain.repositories import StaleTicket, TicketExists
from chalicelib.domain.ticket import DeskState, Status, Ticket, TranslationStatus, utc_now
from tests.integration.builders import T0, detected, received_ticket, routed, seconds, translated


def on_the_desk(store: Dependencies, region: str = "emea", priority: str = "normal", minute: int = 0) -> Ticket:
    created = T0 + timedelta(minutes=minute)
    ticket = routed(translated(detected(received_ticket(created), created), created), created, region, priority)
    store.tickets.create(ticket)
    return ticket


def message_on(ticket: Ticket, text: str, minute: int) -> Message:
    return new_message(ticket, Author.REQUESTER, text, T0 + timedelta(minutes=minute), "en")


def translated_message(message: Message) -> Message:
    done = MessageTranslation(TranslationStatus.DONE, "en", "I was charged twice.", "google")
    return replace(message, translation=done, version=message.version + 1)


# --- messages ---------------------------------------------------------------------------


def test_a_conversation_reads_back_oldest_first(store: Dependencies):
    # Given a ticket with three messages added out of order
    ticket = on_the_desk(store)
    later, first, middle = (message_on(ticket, text, minute) for text, minute in (("c", 3), ("a", 1), ("b", 2)))
    for message in (later, first, middle):
        store.messages.add(message)

    # Then its conversation reads oldest first, and another ticket's is empty
    assert [message.text for message in store.messages.for_ticket(ticket.ticket_id)] == ["a", "b", "c"]
    assert store.messages.for_ticket(received_ticket().ticket_id) == []
    assert store.messages.get(ticket.ticket_id, middle.message_id) == middle


def test_a_message_id_is_stored_once(store: Dependencies):
    ticket = on_the_desk(store)
    message = message_on(ticket, "hola", 1)
    store.messages.add(message)
    with pytest.raises(TicketExists):
        store.messages.add(replace(message, text="overwritten?"))
    assert store.messages.get(ticket.ticket_id, message.message_id) == message


def test_a_message_translation_is_saved_once(store: Dependencies):
    # Given a stored message, translated by two deliveries of the same claim check
    ticket = on_the_desk(store)
    message = message_on(ticket, "Me cobraron dos veces.", 1)
    store.messages.add(message)
    done = translated_message(message)

    # When both save from the version they read
    store.messages.save(message, done)
    with pytest.raises(StaleTicket):
        store.messages.save(message, replace(done, text="second"))

    # Then the first write stands
    assert store.messages.get(ticket.ticket_id, message.message_id) == done


def test_a_message_awaiting_translation_is_swept_until_translated(store: Dependencies):
    # Given a message whose translation is pending
    ticket = on_the_desk(store)
    message = message_on(ticket, "Me cobraron dos veces.", 0)
    store.messages.add(message)

    # Then the sweeper finds it, with the ids it needs to re-send it
    [stuck] = store.sweep_index.stuck(SWEEP_MESSAGE, T0 + seconds(120), 200)
    assert (stuck.ticket_id, stuck.message_id, stuck.version) == (ticket.ticket_id, message.message_id, 1)

    # When it is translated, it leaves the index
    store.messages.save(message, translated_message(message))
    assert store.sweep_index.stuck(SWEEP_MESSAGE, T0 + seconds(3600), 200) == []


# --- response times ---------------------------------------------------------------------


def test_recent_first_responses_are_newest_first_per_region_and_limited(store: Dependencies):
    now = utc_now()
    for minute in range(5):
        store.response_times.add_first_response("emea", f"T{minute}", 10.0 + minute, now + timedelta(minutes=minute))
    store.response_times.add_first_response("apac", "T9", 99.0, now)

    assert store.response_times.recent_first_responses("emea", limit=3) == [14.0, 13.0, 12.0]
    assert store.response_times.recent_first_responses("apac") == [99.0]
    assert store.response_times.recent_first_responses("na") == []


def test_response_times_older_than_two_weeks_are_forgotten(store: Dependencies):
    store.response_times.add_first_response("emea", "T1", 5.0, utc_now() - timedelta(days=15))
    store.response_times.add_first_response("emea", "T2", -3.0, utc_now())  # a clock skew counts as zero
    assert store.response_times.recent_first_responses("emea") == [0.0]


# --- work lists -------------------------------------------------------------------------


def test_the_open_tickets_ahead_are_counted_in_work_list_order(store: Dependencies):
    # Given three normal and one urgent open ticket in emea, and one in apac
    normals = [on_the_desk(store, minute=minute) for minute in range(3)]
    urgent = on_the_desk(store, priority="urgent")
    on_the_desk(store, region="apac", priority="urgent")

    # Then the urgent one has nobody ahead, and each normal one the urgent one and the older normals
    assert store.work_lists.open_ahead_of(urgent) == 0
    assert [store.work_lists.open_ahead_of(ticket) for ticket in normals] == [1, 2, 3]
    # And a ticket not routed yet has no queue at all
    assert store.work_lists.open_ahead_of(received_ticket()) == 0


def test_resolving_a_ticket_takes_it_off_every_work_list(store: Dependencies):
    ticket = on_the_desk(store)
    store.tickets.save_desk_change(ticket, desk.resolve(ticket, "ana", T0 + seconds(5)))
    assert all(store.work_lists.ticket_ids("emea", state) == [] for state in desk.LISTABLE_STATES)


def test_there_is_no_work_list_of_resolved_tickets(store: Dependencies):
    with pytest.raises(ValueError):
        store.work_lists.ticket_ids("emea", DeskState.RESOLVED)


# --- the escalation index ---------------------------------------------------------------


def test_an_open_ticket_comes_due_for_escalation_when_its_level_rises(store: Dependencies):
    # Given an open ticket, and when its escalation level next rises
    ticket = on_the_desk(store)
    rises = desk.next_escalation_due(ticket)
    assert rises is not None

    # Then it is due from that moment (to the millisecond), not before
    assert store.escalation_index.due(rises - timedelta(milliseconds=1), 200) == []
    assert store.escalation_index.due(rises + timedelta(milliseconds=1), 200) == [ticket.ticket_id]


def test_a_waiting_or_resolved_ticket_is_never_due_for_escalation(store: Dependencies):
    waiting, resolved = on_the_desk(store), on_the_desk(store)
    store.tickets.save_desk_change(waiting, desk.wait_on_requester(waiting, "ana", T0 + seconds(1)))
    store.tickets.save_desk_change(resolved, desk.resolve(resolved, "ana", T0 + seconds(1)))
    assert store.escalation_index.due(T0 + timedelta(days=3650), 200) == []


def test_escalations_due_respect_their_limit(store: Dependencies):
    for _ in range(5):
        on_the_desk(store, priority="urgent")
    assert len(store.escalation_index.due(T0 + timedelta(days=30), 3)) == 3


def test_a_ticket_not_routed_yet_is_on_no_desk_index(store: Dependencies):
    ticket = received_ticket()
    store.tickets.create(ticket)
    assert store.escalation_index.due(T0 + timedelta(days=3650), 200) == []
    assert store.work_lists.ticket_ids("latam", DeskState.OPEN) == []
    assert ticket.status is Status.RECEIVED


# --- the translation cache --------------------------------------------------------------


def test_the_translation_cache_answers_what_was_put_and_nothing_else(store: Dependencies):
    cache = store.translation_cache
    cache.put("hash-a#es#en#v1#google", "I was charged twice [[1]].")
    cache.put("hash-b#es#en#v1#google", "Refund, please.")
    cache.put("hash-a#es#en#v1#google", "I was charged twice, [[1]].")  # the later translation wins

    assert cache.get_many(["hash-a#es#en#v1#google", "hash-c#es#en#v1#google", "hash-a#es#en#v1#google"]) == {
        "hash-a#es#en#v1#google": "I was charged twice, [[1]]."
    }
    assert cache.get_many([]) == {}
