"""TranslateOnDemand on the in-memory store: the races and outages of translating a ticket (and
its requester's follow-ups) when an agent who does not read its language opens or claims it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from chalicelib.composition_root import Dependencies
from chalicelib.domain import desk
from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.conversation import Message, MessageTranslation
from chalicelib.domain.messages import MESSAGE_ADDED, ClaimCheck
from chalicelib.domain.projections import SWEEP_MESSAGE
from chalicelib.domain.ticket import Language, Status, Ticket, Translation, TranslationStatus
from chalicelib.settings import get_settings
from tests.integration.builders import received_ticket, routed
from tests.unit.test_translation import RecordingProvider
from tests.unit.usecases.fakes import T0, StepClock, in_memory_desk, stored, unavailable_provider, working_provider

ON_DEMAND = Translation(TranslationStatus.ON_DEMAND, "en", reason="the latam desk reads es")
ENGLISH_ONLY = ("en",)


def on_demand_ticket(deps: Dependencies) -> Ticket:
    """A Spanish ticket on the latam desk, which reads Spanish: not machine-translated."""
    ticket = received_ticket(T0, language=Language("es", 0.97, "text"))
    on_desk = routed(ticket.advance(Status.TRANSLATED, T0, "detect_language", translation=ON_DEMAND), T0, "latam")
    deps.tickets.create(on_desk)
    return on_desk


def test_an_agent_who_reads_the_language_costs_no_provider_call(clock: StepClock):
    provider = working_provider()
    deps = in_memory_desk(clock, translators=[provider])
    ticket = on_demand_ticket(deps)

    answered = deps.translate_on_demand(ticket, ("es", "en"))

    assert answered == ticket and stored(deps, ticket) == ticket
    assert provider.received == []


def test_another_open_that_translated_it_first_is_answered_and_kept(clock: StepClock):
    # Given two English-only agents opening the same ticket; the other one's translation is stored first
    provider = working_provider()
    deps = in_memory_desk(clock, translators=[provider])
    read = on_demand_ticket(deps)
    theirs = Translation(TranslationStatus.DONE, "en", "deepl", "Double charge", "Charged twice", characters=60)
    deps.tickets.save_transition(read, read.revise(T0, "translate_on_demand", translation=theirs))

    # When this open, which read the ticket before, stores its own
    answered = deps.translate_on_demand(read, ENGLISH_ONLY)

    # Then it lost the race: it answers the stored translation, which stands, written once
    assert answered.translation == theirs
    assert stored(deps, read).translation == theirs
    assert stored(deps, read).version == read.version + 1


def test_a_claim_that_won_meanwhile_keeps_both_the_claim_and_the_translation(clock: StepClock):
    # Given an open ticket another agent claims while this agent's open translates it
    provider = working_provider()
    deps = in_memory_desk(clock, translators=[provider])
    read = on_demand_ticket(deps)
    deps.tickets.save_desk_change(read, desk.claim(read, "bob", T0))

    # When the translation is stored
    answered = deps.translate_on_demand(read, ENGLISH_ONLY)

    # Then it lands on the claimed ticket: bob holds it, translated
    after = stored(deps, read)
    assert after == answered
    assert after.desk is not None and after.desk.assignee == "bob"
    assert after.translation is not None and after.translation.status is TranslationStatus.DONE
    assert after.version == read.version + 2


def test_an_outage_leaves_it_pending_for_the_sweep_and_the_next_open_completes_it(clock: StepClock):
    # Given every provider down
    down = unavailable_provider()
    deps = in_memory_desk(clock, translators=[down])
    ticket = on_demand_ticket(deps)

    # When an English-only agent opens it
    answered = deps.translate_on_demand(ticket, ENGLISH_ONLY)

    # Then they get it pending, stored so that the later-translations sweep finds it
    assert answered.translation is not None and answered.translation.status is TranslationStatus.PENDING
    assert stored(deps, ticket).awaiting_translation

    # When a provider answers at the next open
    up = working_provider()
    back = in_memory_desk(clock, translators=[up])
    back.tickets.create(stored(deps, ticket))
    done = back.translate_on_demand(stored(back, ticket), ENGLISH_ONLY)

    # Then it is translated and stored; a third open costs nothing more
    assert done.translation is not None and done.translation.status is TranslationStatus.DONE
    calls = len(up.received)
    assert back.translate_on_demand(stored(back, ticket), ENGLISH_ONLY) == stored(back, ticket)
    assert len(up.received) == calls


def test_a_ticket_not_yet_on_a_desk_is_left_to_the_pipeline(clock: StepClock):
    provider = working_provider()
    deps = in_memory_desk(clock, translators=[provider])
    ticket = received_ticket(T0, language=Language("es", 0.97, "text"), translation=ON_DEMAND)
    deps.tickets.create(ticket)

    assert deps.translate_on_demand(ticket, ENGLISH_ONLY) == ticket
    assert provider.received == []


# --- the requester's messages the desk reads ------------------------------------------------


def desk_reading(clock: StepClock, provider: RecordingProvider) -> Dependencies:
    """DESK_LANGUAGES on, as deployed (the test environment turns it off)."""
    return in_memory_desk(clock, translators=[provider], settings=replace(get_settings(), desk_languages=True))


def on_demand_follow_up(deps: Dependencies, ticket: Ticket, text: str = "¿Alguna novedad?") -> Message:
    """A Spanish follow-up the translate worker left on_demand (the latam desk reads Spanish)."""
    message = deps.add_message.from_requester(ticket, text, None)
    deps.translate_message(ClaimCheck(MESSAGE_ADDED, ticket.ticket_id, "corr", message.message_id))
    deferred = deps.messages.get(ticket.ticket_id, message.message_id)
    assert deferred is not None and deferred.translation.status is TranslationStatus.ON_DEMAND
    return deferred


def test_an_english_only_agent_gets_the_follow_ups_translated_once_each(clock: StepClock):
    # Given an on_demand Spanish ticket with two Spanish follow-ups and an agent's reply
    provider = working_provider()
    deps = desk_reading(clock, provider)
    ticket = on_demand_ticket(deps)
    first, second = on_demand_follow_up(deps, ticket), on_demand_follow_up(deps, ticket, "Sigo esperando.")
    reply = deps.add_message.from_agent(ticket, Agent("ana", ("latam",), ("es",), 1_999_999_999), "Hola", None)
    conversation = deps.messages.for_ticket(ticket.ticket_id)
    assert provider.received == []

    # When an agent who reads Spanish opens it, Then nothing is translated
    assert deps.translate_on_demand.conversation(ticket, conversation, ("es", "en")) == conversation
    assert provider.received == []

    # When an English-only agent opens it
    answered = deps.translate_on_demand.conversation(ticket, conversation, ENGLISH_ONLY)

    # Then each follow-up is answered translated, and stored so; the reply is left as it was
    by_id = {message.message_id: message for message in answered}
    assert by_id[first.message_id].translation.status is TranslationStatus.DONE
    assert by_id[second.message_id].translation.text == "<en>Sigo esperando."
    assert by_id[reply.message_id] == deps.messages.get(ticket.ticket_id, reply.message_id)
    assert deps.messages.get(ticket.ticket_id, first.message_id) == by_id[first.message_id]
    assert sorted(provider.received) == ["Sigo esperando.", "¿Alguna novedad?"]

    # When they (or another English-only agent) open it again, Then no provider is asked again
    again = deps.translate_on_demand.conversation(ticket, deps.messages.for_ticket(ticket.ticket_id), ENGLISH_ONLY)
    assert again == answered and len(provider.received) == 2


def test_a_follow_up_another_open_translated_first_is_answered_as_stored(clock: StepClock):
    # Given two English-only agents opening the ticket; the other one's translation is stored first
    provider = working_provider()
    deps = desk_reading(clock, provider)
    ticket = on_demand_ticket(deps)
    read = on_demand_follow_up(deps, ticket)
    theirs = MessageTranslation(TranslationStatus.DONE, "en", "Any news?", "deepl", characters=16)
    deps.messages.save(read, replace(read, translation=theirs, version=read.version + 1))

    # When this open, which read the message before, stores its own
    [answered] = deps.translate_on_demand.conversation(ticket, [read], ENGLISH_ONLY)

    # Then it lost the race: it answers the stored translation, which stands
    assert answered.translation == theirs
    assert deps.messages.get(ticket.ticket_id, read.message_id) == answered


def test_an_outage_leaves_the_follow_up_pending_for_the_sweep(clock: StepClock):
    # Given every provider down
    deps = desk_reading(clock, unavailable_provider())
    ticket = on_demand_ticket(deps)
    message = on_demand_follow_up(deps, ticket)

    # When an English-only agent opens the ticket
    [answered] = deps.translate_on_demand.conversation(ticket, [message], ENGLISH_ONLY)

    # Then they get the message as written, pending with the reason, stored so the sweep re-sends it
    assert answered.translation.status is TranslationStatus.PENDING and answered.translation.reason
    assert answered.text == message.text
    assert deps.messages.get(ticket.ticket_id, message.message_id) == answered
    assert [entry.message_id for entry in deps.sweep_index.stuck(SWEEP_MESSAGE, T0 + timedelta(days=1), 10)] == [
        message.message_id
    ]
