"""Add a requester message or an agent reply: store it, ask the translate worker for its
language and translation, and apply what it means for the desk."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.conversation import Author, Message, new_message
from chalicelib.domain.desk import on_requester_message, record_first_response
from chalicelib.domain.messages import MESSAGE_ADDED, ClaimCheck
from chalicelib.domain.ports import Clock, OutgoingMessage, Publisher
from chalicelib.domain.repositories import MessageRepository, ResponseTimes, TicketRepository
from chalicelib.domain.ticket import Ticket, parse_iso
from chalicelib.usecases.desk_work import apply_follow_up


@dataclass(frozen=True)
class AddMessage:
    tickets: TicketRepository
    messages: MessageRepository
    response_times: ResponseTimes
    publisher: Publisher
    translate_queue: str
    clock: Clock
    pivot_language: str

    def from_requester(self, ticket: Ticket, text: str, declared_language: str | None) -> Message:
        """The requester answered: a waiting ticket resumes (its SLA clock runs again), a resolved
        one reopens."""
        message = new_message(
            ticket, Author.REQUESTER, text, self.clock(), self.pivot_language, declared_language=declared_language
        )
        self.accept(message, ticket.correlation_id)
        if ticket.desk is not None:
            now = self.clock()
            apply_follow_up(self.tickets, ticket, lambda current: on_requester_message(current, now))
        return message

    def from_agent(self, ticket: Ticket, agent: Agent, text: str, declared_language: str | None) -> Message:
        """An agent's reply; the first one is the ticket's first response."""
        message = new_message(
            ticket,
            Author.AGENT,
            text,
            self.clock(),
            self.pivot_language,
            author_name=agent.name,
            # Undeclared, the reply's language is detected: the token's language is a hint only.
            declared_language=declared_language,
            language_hint=agent.language,
        )
        self.accept(message, ticket.correlation_id)
        if ticket.desk is not None:
            now = self.clock()
            answered = apply_follow_up(
                self.tickets, ticket, lambda current: record_first_response(current, agent.name, now)
            )
            if answered is not None and answered.routing is not None:
                # The region's recent first-response times are what the requester's ETA is made of.
                waited = (now - parse_iso(answered.created_at)).total_seconds() / 60
                self.response_times.add_first_response(answered.routing.region, answered.ticket_id, waited, now)
        return message

    def accept(self, message: Message, correlation_id: str) -> None:
        """Store the message, then ask the translate worker for its language and translation
        (nothing else: a survey comment, say, changes nothing on the desk)."""
        self.messages.add(message)
        check = ClaimCheck(MESSAGE_ADDED, message.ticket_id, correlation_id, message.message_id)
        with contextlib.suppress(Exception):  # stored already: the sweeper sends it if this did not
            self.publisher.send([OutgoingMessage(self.translate_queue, check.to_body(), message.message_id)])
