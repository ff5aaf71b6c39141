"""RetranslateTicket and TranslateMessage on the in-memory store: the translate worker's later
translations. Still pending writes nothing; done writes once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from chalicelib.composition_root import Dependencies
from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.conversation import Message
from chalicelib.domain.messages import MESSAGE_ADDED, RETRANSLATE, ClaimCheck
from chalicelib.domain.projections import SWEEP_MESSAGE, SWEEP_RETRANSLATE
from chalicelib.domain.repositories import StuckTicket, TicketRepository
from chalicelib.domain.ticket import Language, Status, Ticket, Translation, TranslationStatus
from chalicelib.settings import get_settings
from chalicelib.usecases.later_translations import RetranslateTicket, TranslateMessage
from tests.integration.builders import received_ticket, routed
from tests.unit.test_stages import FixedDetector
from tests.unit.usecases.fakes import (
    T0,
    Interfering,
    RecordingProvider,
    StepClock,
    delivered,
    in_memory_desk,
    stored,
    unavailable_provider,
    with_parts,
    working_provider,
)

ANA = Agent("ana", ("latam",), ("es",), 1_999_999_999)
LATER = T0 + timedelta(days=365)


def desk_with(clock: StepClock, provider: RecordingProvider) -> Dependencies:
    return in_memory_desk(clock, translators=[provider])


def routed_untranslated(deps: Dependencies) -> Ticket:
    """A ticket routed while every provider was down: on the desk, its translation pending."""
    ticket = received_ticket(T0, language=Language("es", 0.97, "text"))
    pending = Translation(TranslationStatus.PENDING, "en", reason="google: unavailable")
    on_desk = routed(ticket.advance(Status.TRANSLATED, T0, "translate_ticket", translation=pending), T0, "latam")
    deps.tickets.create(on_desk)
    return on_desk


def deliver(deps: Dependencies, *checks: ClaimCheck) -> list[str]:
    return deps.run_stage(deps.stages["translate_ticket"], delivered([check.to_body() for check in checks]))


def retranslate(ticket: Ticket) -> ClaimCheck:
    return ClaimCheck(RETRANSLATE, ticket.ticket_id, ticket.correlation_id)


def message_added(message: Message) -> ClaimCheck:
    return ClaimCheck(MESSAGE_ADDED, message.ticket_id, "corr", message.message_id)


def swept(deps: Dependencies, kind: str) -> list[StuckTicket]:
    return deps.sweep_index.stuck(kind, LATER, 10)


# --- RetranslateTicket -------------------------------------------------------------------------


def test_a_retranslation_that_is_still_pending_writes_nothing(clock: StepClock):
    # Given a routed ticket with its translation pending, and the provider still down
    provider = unavailable_provider()
    deps = desk_with(clock, provider)
    ticket = routed_untranslated(deps)

    # When the translate worker gets its retranslate claim check
    failed = deliver(deps, retranslate(ticket))

    # Then it tried, and wrote nothing: the ticket and its sweep entry are as they were
    assert failed == []
    assert provider.received
    assert stored(deps, ticket) == ticket
    assert [entry.ticket_id for entry in swept(deps, SWEEP_RETRANSLATE)] == [ticket.ticket_id]


def test_a_retranslation_that_succeeds_writes_once(clock: StepClock):
    # Given a routed ticket with its translation pending, and the provider back
    provider = working_provider("google")
    deps = desk_with(clock, provider)
    ticket = routed_untranslated(deps)
    clock.move_to(T0 + timedelta(hours=1))

    # When the retranslate claim check is delivered, then delivered again
    assert deliver(deps, retranslate(ticket)) == []
    once, calls = stored(deps, ticket), len(provider.received)
    assert deliver(deps, retranslate(ticket)) == []

    # Then the translation is done and stored once, and the duplicate cost no provider call
    assert once.translation is not None
    assert (once.translation.status, once.translation.provider) == (TranslationStatus.DONE, "google")
    assert once.translation.description == "<en>Me cobraron dos veces la suscripción."
    assert (once.status, once.version, once.desk) == (Status.ROUTED, ticket.version + 1, ticket.desk)
    assert once.history[-1]["by"] == "translate_ticket"
    assert stored(deps, ticket) == once
    assert len(provider.received) == calls
    # And the sweeper owes it nothing more
    assert swept(deps, SWEEP_RETRANSLATE) == []


def test_a_retranslation_is_metered_only_when_done(clock: StepClock):
    provider = unavailable_provider()
    deps = desk_with(clock, provider)
    ticket = routed_untranslated(deps)
    metered: list[tuple[str | None, int, str]] = []
    use_case = RetranslateTicket(deps.tickets, deps.text_translator, "en", clock, lambda *args: metered.append(args))

    use_case(retranslate(ticket))
    provider.fails_with = None
    use_case(retranslate(ticket))
    use_case(retranslate(ticket))

    assert metered == [("google", len("Cobro doble") + len("Me cobraron dos veces la suscripción."), "ticket")]


def test_a_retranslation_that_loses_to_another_delivery_writes_nothing_more(clock: StepClock):
    # Given a second delivery of the same claim check that saves its translation first
    deps = desk_with(clock, working_provider())
    ticket = routed_untranslated(deps)

    def other_delivery(store: TicketRepository, read: Ticket) -> None:
        done = Translation(TranslationStatus.DONE, "en", "deepl", "Double charge", "Charged twice")
        store.save_transition(read, read.revise(T0, "translate_ticket", translation=done))

    racing = with_parts(deps, tickets=Interfering(deps.tickets, other_delivery))

    # When this delivery runs
    failed = deliver(racing, retranslate(ticket))

    # Then it is acknowledged and the other delivery's translation stands
    assert failed == []
    after = stored(deps, ticket)
    assert after.version == ticket.version + 1
    assert after.translation is not None and after.translation.provider == "deepl"


def test_a_retranslate_claim_check_for_a_translated_ticket_is_a_no_op(clock: StepClock):
    provider = working_provider()
    deps = desk_with(clock, provider)
    ticket = routed(received_ticket(T0), T0, "latam")
    deps.tickets.create(ticket)

    assert deliver(deps, retranslate(ticket)) == []

    assert stored(deps, ticket) == ticket
    assert provider.received == []


# --- TranslateMessage --------------------------------------------------------------------------


def test_a_message_translation_that_is_still_pending_writes_nothing(clock: StepClock):
    # Given a requester message, and the provider down
    deps = desk_with(clock, unavailable_provider())
    ticket = routed_untranslated(deps)
    message = deps.add_message.from_requester(ticket, "¿Alguna novedad con mi reembolso?", None)

    # When the translate worker gets its claim check
    failed = deliver(deps, message_added(message))

    # Then the message is untouched (not even its detected language), and the sweeper still has it
    assert failed == []
    assert deps.messages.get(ticket.ticket_id, message.message_id) == message
    assert [entry.message_id for entry in swept(deps, SWEEP_MESSAGE)] == [message.message_id]


def test_a_message_translation_that_succeeds_writes_once(clock: StepClock):
    # Given a requester message, and a provider that answers
    provider = working_provider("google")
    deps = desk_with(clock, provider)
    ticket = routed_untranslated(deps)
    message = deps.add_message.from_requester(ticket, "¿Alguna novedad con mi reembolso?", None)

    # When its claim check is delivered twice
    assert deliver(deps, message_added(message)) == []
    once, calls = deps.messages.get(ticket.ticket_id, message.message_id), len(provider.received)
    assert deliver(deps, message_added(message)) == []

    # Then its language is detected and its pivot translation stored, once
    assert once is not None and once.version == message.version + 1
    assert once.language == Language("es", 0.97, "text")
    assert (once.translation.status, once.translation.text) == (
        TranslationStatus.DONE,
        "<en>¿Alguna novedad con mi reembolso?",
    )
    assert deps.messages.get(ticket.ticket_id, message.message_id) == once
    assert len(provider.received) == calls == 1
    assert swept(deps, SWEEP_MESSAGE) == []


def test_a_reply_already_in_the_requesters_language_needs_no_provider(clock: StepClock):
    provider = working_provider()
    deps = desk_with(clock, provider)
    ticket = routed_untranslated(deps)
    reply = deps.add_message.from_agent(ticket, ANA, "Hola, ya lo reviso.", None)

    deliver(deps, message_added(reply))

    after = deps.messages.get(ticket.ticket_id, reply.message_id)
    assert after is not None and after.translation.status is TranslationStatus.SKIPPED
    assert provider.received == []


def test_a_message_claim_check_for_an_unknown_message_is_a_no_op(clock: StepClock):
    deps = desk_with(clock, working_provider())
    ticket = routed_untranslated(deps)
    message = deps.add_message.from_requester(ticket, "Hola", None)
    unknown = ClaimCheck(MESSAGE_ADDED, ticket.ticket_id, "corr", ticket.ticket_id)

    assert deliver(deps, unknown) == []
    assert deps.messages.get(ticket.ticket_id, message.message_id) == message


class BrokenDetector:
    def detect(self, text: str, requester: object) -> Language:
        raise RuntimeError("model not loaded")


def test_a_later_translation_that_raises_fails_only_its_record(clock: StepClock):
    # Given a message the detector chokes on, next to a ticket to retranslate
    deps = with_parts(desk_with(clock, working_provider()), detector=BrokenDetector())
    ticket = routed_untranslated(deps)
    message = deps.add_message.from_requester(ticket, "Hola", None)

    # When both claim checks come in one batch
    failed = deliver(deps, message_added(message), retranslate(ticket))

    # Then only the message's record is retried; the ticket's translation is done
    assert failed == ["sqs-0"]
    after = stored(deps, ticket)
    assert after.translation is not None and after.translation.status is TranslationStatus.DONE


# --- TranslateMessage with the desks' languages on ------------------------------------------


def desk_reading(clock: StepClock, provider: RecordingProvider, detector: FixedDetector | None = None) -> Dependencies:
    """DESK_LANGUAGES on, as deployed (the test environment turns it off)."""
    settings = replace(get_settings(), desk_languages=True)
    return in_memory_desk(clock, translators=[provider], settings=settings, detector=detector)


def test_a_follow_up_the_desk_reads_is_left_on_demand_without_a_provider_call(clock: StepClock):
    # Given a ticket on the latam desk (which reads Spanish), and a Spanish follow-up from its requester
    provider = working_provider()
    deps = desk_reading(clock, provider)
    ticket = routed_untranslated(deps)
    message = deps.add_message.from_requester(ticket, "¿Alguna novedad con mi reembolso?", None)
    metered: list[tuple[str | None, int, str]] = []
    announced: list[Message] = []
    use_case = TranslateMessage(
        deps.tickets,
        deps.messages,
        deps.detector,
        deps.text_translator,
        lambda *args: metered.append(args),
        on_translated=lambda _, settled: announced.append(settled),
        desks_read=True,
    )

    # When the translate worker gets its claim check, twice
    use_case(message_added(message))
    use_case(message_added(message))

    # Then its language is known and its translation on_demand, saying which desk reads it
    after = deps.messages.get(ticket.ticket_id, message.message_id)
    assert after is not None and after.language == Language("es", 0.97, "text")
    assert (after.translation.status, after.translation.reason) == (
        TranslationStatus.ON_DEMAND,
        "the latam desk reads es",
    )
    # And no provider was asked, nothing was metered, and the sweeper owes it nothing
    assert provider.received == [] and metered == []
    assert after.version == message.version + 1  # the duplicate wrote nothing
    # (announcing is for agent replies: AnnounceReply ignores a requester's message)
    assert [settled.translation.status for settled in announced] == [TranslationStatus.ON_DEMAND] * 2
    assert swept(deps, SWEEP_MESSAGE) == []


def test_a_follow_up_the_desk_does_not_read_is_translated_as_before(clock: StepClock):
    # Given a Japanese follow-up on the latam desk, which does not read Japanese
    provider = working_provider()
    deps = desk_reading(clock, provider, FixedDetector(Language("ja", 0.99, "text")))
    ticket = routed_untranslated(deps)
    message = deps.add_message.from_requester(ticket, "返金はまだですか?", None)

    # When the translate worker gets its claim check
    deliver(deps, message_added(message))

    # Then it is machine-translated into the pivot at once
    after = deps.messages.get(ticket.ticket_id, message.message_id)
    assert after is not None and after.translation.status is TranslationStatus.DONE
    assert provider.received == ["返金はまだですか?"]


def test_an_agents_reply_is_never_left_on_demand(clock: StepClock):
    # Given an English reply to a Spanish requester on the latam desk (which reads English too)
    provider = working_provider()
    deps = desk_reading(clock, provider, FixedDetector(Language("en", 0.99, "text")))
    ticket = routed_untranslated(deps)
    reply = deps.add_message.from_agent(ticket, ANA, "We refunded the second charge.", None)

    # When the translate worker gets its claim check
    deliver(deps, message_added(reply))

    # Then it is translated for the requester, who reads Spanish, as before
    after = deps.messages.get(ticket.ticket_id, reply.message_id)
    assert after is not None and after.translation.status is TranslationStatus.DONE
    assert after.translation.target == "es" and provider.received == ["We refunded the second charge."]


def test_a_message_the_on_demand_translation_left_pending_is_translated_by_the_sweeps_retry(clock: StepClock):
    # Given a Spanish follow-up an English-only agent's open could not translate (every provider down)
    provider = unavailable_provider()
    deps = desk_reading(clock, provider)
    ticket = routed_untranslated(deps)
    message = deps.add_message.from_requester(ticket, "¿Alguna novedad con mi reembolso?", None)
    deliver(deps, message_added(message))
    deferred = deps.messages.get(ticket.ticket_id, message.message_id)
    assert deferred is not None
    [pending] = deps.translate_on_demand.conversation(ticket, [deferred], ("en",))
    assert pending.translation.status is TranslationStatus.PENDING
    assert [entry.message_id for entry in swept(deps, SWEEP_MESSAGE)] == [message.message_id]

    # When the provider is back and the sweep re-sends its claim check
    provider.fails_with = None
    clock.move_to(LATER)
    assert deliver(deps, message_added(message)) == []

    # Then the translate worker translates it (it does not leave it on_demand again), once
    after = deps.messages.get(ticket.ticket_id, message.message_id)
    assert after is not None and after.translation.status is TranslationStatus.DONE
    assert after.translation.text == "<en>¿Alguna novedad con mi reembolso?"
    assert swept(deps, SWEEP_MESSAGE) == []
