"""Translate a ticket when an agent who does not read its language opens or claims it.

A ticket written in a language its desk reads is not machine-translated at intake (its
translation is `on_demand`, `domain/desk_languages.py`): most of its readers read it as written.
When one who does not (their token's languages) opens or claims it, this translates its subject
and description with the same `TextTranslator` as intake (masking, cache, failover), once, and
keeps the result on the ticket with a write conditional on the version it read:

- another open that translated it first wins the race; the loser re-reads and answers that;
- a provider outage answers the ticket with its translation `pending` (and why), stored so that
  the later-translations sweep (`SWEEP#retranslate`) or the next such open completes it;
- a ticket whose translation is already `pending` (an outage at intake) is tried again too: the
  agent needs it now rather than at the sweep's next, ever later, attempt.

An agent who reads the language never causes a provider call, and neither does a ticket whose
translation is done, skipped or failed.

The same goes for the requester's follow-up messages the desk reads (`on_demand`,
`conversation.read_by_desk`): `conversation` translates, for an agent opening the ticket who does
not read them, each one still owed, once, stored with the message's conditional save; an outage
stores it `pending`, so that the sweep (`SWEEP#message`) re-sends it to the translate worker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from chalicelib.domain import stages
from chalicelib.domain.conversation import Author, Message, MessageTranslation, machine_translation
from chalicelib.domain.desk_languages import reader_reads
from chalicelib.domain.ports import Clock
from chalicelib.domain.repositories import MessageRepository, StaleTicket, TicketRepository
from chalicelib.domain.routing import UNDETERMINED
from chalicelib.domain.ticket import Language, Status, Ticket, Translation, TranslationStatus
from chalicelib.domain.translation import TextTranslator
from chalicelib.observability import logger

# (provider, characters sent, what was translated): the characters-per-provider metric.
CountTranslation = Callable[[str | None, int, str], None]
# What the history records as the author of the write (not a desk event: agents' audit trail and
# the requester's view leave it out, like a later translation's).
ACTOR = "translate_on_demand"
SAVE_ATTEMPTS = 3
OWED = (TranslationStatus.ON_DEMAND, TranslationStatus.PENDING)


def owed_to_reader(ticket: Ticket, reader_languages: Sequence[str], pivot: str) -> bool:
    """Whether an agent reading `reader_languages` needs a machine translation of the ticket
    that it does not have yet."""
    translation, language = ticket.translation, ticket.language
    if ticket.status is not Status.ROUTED or translation is None or translation.status not in OWED:
        return False
    if language is not None and language.code == pivot:
        return False
    return not reader_reads(reader_languages, language)


def message_owed_to_reader(message: Message, reader_languages: Sequence[str]) -> bool:
    """Whether an agent reading `reader_languages` needs a machine translation of a requester's
    message its desk reads (`on_demand`). A `pending` one is the translate worker's (queued, or
    left by an outage): the sweep re-sends it, and racing the worker would pay twice."""
    if message.author is not Author.REQUESTER or message.translation.status is not TranslationStatus.ON_DEMAND:
        return False
    return not reader_reads(reader_languages, message.language)


@dataclass(frozen=True)
class TranslateOnDemand:
    tickets: TicketRepository
    translator: TextTranslator
    pivot_language: str
    clock: Clock
    count_translation: CountTranslation
    messages: MessageRepository | None = None  # None: tickets only

    def __call__(self, ticket: Ticket, reader_languages: Sequence[str]) -> Ticket:
        """The ticket as the reader should get it: translated (and stored) when they need it."""
        if not owed_to_reader(ticket, reader_languages, self.pivot_language):
            return ticket
        translation = self._translate(ticket)
        if translation.status is not TranslationStatus.PENDING:
            self.count_translation(translation.provider, translation.characters, "ticket")
        logger.info(
            f"translated on demand translation={translation.status.value} provider={translation.provider}",
            extra={"ticket_id": ticket.ticket_id, "reason": translation.reason},
        )
        return self._keep(ticket, translation)

    def _translate(self, ticket: Ticket) -> Translation:
        try:
            return stages.translate_fields(ticket, self.translator, self.pivot_language)
        except Exception as error:  # the cache's store, say: the agent still gets the ticket
            logger.exception("on-demand translation broke; left pending", extra={"ticket_id": ticket.ticket_id})
            reason = f"translation unavailable ({type(error).__name__})"
            return Translation(status=TranslationStatus.PENDING, target=self.pivot_language, reason=reason)

    def _keep(self, ticket: Ticket, translation: Translation) -> Ticket:
        """Store `translation` on the ticket unless what is stored is as good; the ticket then."""
        current: Ticket | None = ticket
        for _ in range(SAVE_ATTEMPTS):
            if current is None:
                return ticket  # gone meanwhile: answer what was read
            if not _improves(current.translation, translation):
                return current  # another open got there first (or nothing to change)
            after = current.revise(self.clock(), ACTOR, translation=translation)
            try:
                self.tickets.save_transition(current, after, awaiting_notification=False)
            except StaleTicket:
                current = self.tickets.get(ticket.ticket_id)
                continue
            return after
        # Three writes lost to three other changes in a row: answer the translation without
        # storing it (the next open or the sweep stores one).
        logger.warning(
            "on-demand translation not stored: the ticket kept changing", extra={"ticket_id": ticket.ticket_id}
        )
        base = current or ticket
        return replace(base, translation=translation) if _improves(base.translation, translation) else base

    def conversation(
        self, ticket: Ticket, messages: Sequence[Message], reader_languages: Sequence[str]
    ) -> list[Message]:
        """The ticket's conversation as the reader should get it: each requester message its desk
        reads but the reader does not translated (and stored), the others as they are."""
        return [
            self._message(ticket, message) if message_owed_to_reader(message, reader_languages) else message
            for message in messages
        ]

    def _message(self, ticket: Ticket, message: Message) -> Message:
        try:
            translation = machine_translation(message, ticket, message.language or _undetermined(), self.translator)
        except Exception as error:  # the cache's store, say: the agent still gets the conversation
            logger.exception("on-demand message translation broke", extra={"ticket_id": ticket.ticket_id})
            reason = f"translation unavailable ({type(error).__name__})"
            translation = MessageTranslation(TranslationStatus.PENDING, message.translation.target, reason=reason)
        if translation.status is not TranslationStatus.PENDING:
            # The translate worker's dimension for requester messages: one metric, whoever translated.
            self.count_translation(translation.provider, translation.characters, Author.REQUESTER.value)
        logger.info(
            f"message translated on demand translation={translation.status.value} provider={translation.provider}",
            extra={"ticket_id": ticket.ticket_id, "message_id": message.message_id, "reason": translation.reason},
        )
        return self._keep_message(message, translation)

    def _keep_message(self, message: Message, translation: MessageTranslation) -> Message:
        """Store `translation` on the message unless another open settled it first (then that)."""
        current: Message | None = message
        for _ in range(SAVE_ATTEMPTS):
            if current is None:
                return message
            if not _improves_message(current.translation, translation):
                return current  # another open translated it first
            after = replace(current, translation=translation, version=current.version + 1)
            if self.messages is None:
                return after
            try:
                self.messages.save(current, after)
            except StaleTicket:
                current = self.messages.get(message.ticket_id, message.message_id)
                continue
            return after
        return replace(message, translation=translation)


def _improves_message(stored: MessageTranslation, new: MessageTranslation) -> bool:
    """As `_improves`, for a message: over `on_demand` anything, over `pending` (another open's
    outage) a settled translation, over a settled one nothing."""
    if stored.status is TranslationStatus.ON_DEMAND:
        return True
    return stored.status is TranslationStatus.PENDING and new.status is not TranslationStatus.PENDING


def _undetermined() -> Language:
    return Language(UNDETERMINED, 0.0, "none")


def _improves(stored: Translation | None, new: Translation) -> bool:
    """Whether `new` is worth writing over `stored`: a settled translation over an owed one, a
    pending one over `on_demand` (so that the sweep finds it), never anything over a settled one."""
    if stored is None or stored.status is TranslationStatus.ON_DEMAND:
        return True
    if stored.status is TranslationStatus.PENDING:
        return new.status is not TranslationStatus.PENDING
    return False
