"""Tell every ticket linked to an incident about an update: the fan-out worker's use case.

One claim check covers one page of linked tickets (FAN_OUT_PAGE), so 10,000 linked tickets are
a hundred short invocations, never a Lambda timeout. Per page:

1. read the incident and the page of links, then the tickets (one BatchGetItem);
2. translate the update and the title once per requester language, reusing (and keeping on the
   incident) the translations earlier pages made: the provider is asked once per language per
   update, not once per ticket;
3. per ticket: add the update to the conversation (its id is the update's, so a second delivery
   finds it there), request the `incident.update` notification (deterministic ids: requested
   twice, stored once), and for a `resolved` update resolve the ticket (unless it was resolved
   since the update was posted: a requester who reopened it is not overruled by a re-delivery);
4. queue the next page (a claim check with the cursor) and a retry of the tickets that failed.

Every effect is idempotent, so a page delivered twice is harmless. A page that fails as a whole
(the store unreachable, the next page not queued) is retried by SQS, then dead-lettered.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from chalicelib.domain import desk
from chalicelib.domain.conversation import requester_language
from chalicelib.domain.dead_letters import failure_reason
from chalicelib.domain.desk import LISTABLE_STATES, record_first_response
from chalicelib.domain.incident_fanout import (
    FanOutPage,
    localize,
    notification_params,
    parse_fan_out_page,
    update_message,
)
from chalicelib.domain.incidents import (
    Incident,
    IncidentStatus,
    IncidentUpdate,
    LocalizedText,
    with_translations,
)
from chalicelib.domain.notifications import NotificationType
from chalicelib.domain.ports import Publisher
from chalicelib.domain.repositories import (
    IncidentRepository,
    MessageRepository,
    StaleTicket,
    TicketExists,
    TicketRepository,
)
from chalicelib.domain.ticket import DeskState, Ticket, TranslationStatus, parse_iso
from chalicelib.domain.translation import TextTranslator
from chalicelib.observability import logger, record_context
from chalicelib.usecases.desk_work import FOLLOW_UP_ATTEMPTS, ChangeDeskState, apply_follow_up
from chalicelib.usecases.incidents import FAN_OUT_PAGE, SAVE_ATTEMPTS, announce
from chalicelib.usecases.pipeline_stage import QueuedRecord

# notify(ticket, kind, cause=..., params=...): the RequestNotification use case.
Notify = Callable[..., object]


class PageIncomplete(RuntimeError):
    """Some tickets of an explicit page failed: the claim check is retried by SQS."""


@dataclass(frozen=True)
class FanOutUpdate:
    incidents: IncidentRepository
    tickets: TicketRepository
    messages: MessageRepository
    translator: TextTranslator
    change_desk_state: ChangeDeskState
    notify: Notify
    publisher: Publisher
    incidents_queue: str
    pivot_language: str
    page_size: int = FAN_OUT_PAGE

    def handle(self, records: Sequence[QueuedRecord]) -> list[str]:
        """A batch of claim checks; the message ids that failed and must be retried."""
        return list(self.run(records))

    def run(self, records: Sequence[QueuedRecord]) -> dict[str, str]:
        """A batch of claim checks; why each one to retry failed, by message id."""
        failed: dict[str, str] = {}
        for record in records:
            try:
                page = parse_fan_out_page(record.body)
                with record_context(incident_id=page.incident_id, update_id=page.update_id):
                    self(page)
            except Exception as error:
                logger.exception("incident fan-out page failed", extra={"message_id": record.message_id})
                failed[record.message_id] = failure_reason(error)
        return failed

    def __call__(self, page: FanOutPage) -> None:
        incident = self.incidents.get(page.incident_id)
        update = incident.update(page.update_id) if incident is not None else None
        if incident is None or update is None:
            logger.warning("incident or update not found; nothing to deliver")
            return
        following: list[FanOutPage] = []
        if page.ticket_ids:
            owners = self.incidents.incidents_of(page.ticket_ids)
            ids = [ticket_id for ticket_id in page.ticket_ids if owners.get(ticket_id) == incident.incident_id]
        else:
            links = self.incidents.linked_page(incident.incident_id, page.after, self.page_size)
            ids = list(links.ticket_ids)
            if links.next_after is not None:
                following.append(FanOutPage(incident.incident_id, update.update_id, after=links.next_after))
        found = self.tickets.get_many(ids)
        tickets = [found[ticket_id] for ticket_id in ids if ticket_id in found]
        languages = {requester_language(ticket, self.pivot_language) for ticket in tickets}
        incident, texts = self._translated(incident, update, sorted(languages))
        failed = [ticket.ticket_id for ticket in tickets if not self._deliver(ticket, incident, update, texts)]
        if failed and page.ticket_ids:
            raise PageIncomplete(f"{len(failed)} of {len(tickets)} tickets failed")
        if failed:
            # Retried on their own, so one bad ticket never holds up the pages after it.
            following.append(FanOutPage(incident.incident_id, update.update_id, ticket_ids=tuple(failed)))
        if following:
            announce(self.publisher, self.incidents_queue, following)
        logger.info(f"incident update delivered to {len(tickets) - len(failed)} tickets", extra={"failed": len(failed)})

    # --- translation, once per language -------------------------------------------------------

    def _translated(
        self, incident: Incident, update: IncidentUpdate, languages: Sequence[str]
    ) -> tuple[Incident, dict[str, LocalizedText]]:
        """The update in each language (kept ones reused, the others translated now), and the
        incident with the title's translations; what was new is kept on the incident."""
        texts: dict[str, LocalizedText] = {}
        titles: dict[str, str] = {}
        for language in languages:
            texts[language] = update.translations.get(language) or localize(
                update.text, incident.language, language, self.translator
            )
            if language != incident.language and language not in incident.title_translations:
                title = localize(incident.title, incident.language, language, self.translator)
                if title.status is TranslationStatus.DONE and title.text:
                    titles[language] = title.text
                elif title.settled:
                    titles[language] = incident.title  # refused for good: as written, not asked again
        self._remember(incident, update.update_id, texts, titles)
        return replace(incident, title_translations={**incident.title_translations, **titles}), texts

    def _remember(
        self, incident: Incident, update_id: str, texts: Mapping[str, LocalizedText], titles: Mapping[str, str]
    ) -> None:
        """Keep new translations on the incident for later pages and readers. Best effort: when
        the incident keeps changing, the translation cache still spares the provider."""
        for _ in range(SAVE_ATTEMPTS):
            after = with_translations(incident, update_id, texts, titles)
            if after is None:
                return
            try:
                self.incidents.save(incident, after)
                return
            except StaleTicket:
                fresh = self.incidents.get(incident.incident_id)
                if fresh is None:
                    return
                incident = fresh
        logger.warning("incident translations not kept: it kept changing")

    # --- one ticket -----------------------------------------------------------------------------

    def _deliver(
        self, ticket: Ticket, incident: Incident, update: IncidentUpdate, texts: Mapping[str, LocalizedText]
    ) -> bool:
        """Message, notification and (for `resolved`) the desk change; False when it failed."""
        with record_context(ticket_id=ticket.ticket_id):
            try:
                language = requester_language(ticket, self.pivot_language)
                localized = texts[language]
                with contextlib.suppress(TicketExists):  # delivered before: the page is re-delivered
                    self.messages.add(update_message(ticket, incident, update, localized, self.pivot_language))
                # An agent's word on the problem, in the requester's conversation: the ticket's
                # first response if it had none (so it stops escalating for want of one).
                if ticket.desk is not None and ticket.desk.state in LISTABLE_STATES:  # not a closed one
                    answered_at = parse_iso(update.created_at)
                    ticket = (
                        apply_follow_up(
                            self.tickets, ticket, lambda now: record_first_response(now, update.author, answered_at)
                        )
                        or ticket
                    )
                params = notification_params(incident, update, language, localized)
                self.notify(ticket, NotificationType.INCIDENT_UPDATE, cause=update.update_id, params=params)
                if update.status is IncidentStatus.RESOLVED:
                    self._resolve(ticket, update)
            except Exception:
                logger.exception("incident update not delivered to this ticket")
                return False
        return True

    def _resolve(self, ticket: Ticket, update: IncidentUpdate) -> None:
        """Resolve the ticket with the update as the note, by the agent who posted it; re-read
        and retried when a concurrent change won, like the desk changes a message implies."""
        for _ in range(FOLLOW_UP_ATTEMPTS):
            if ticket.desk is None or ticket.desk.state not in LISTABLE_STATES or _resolved_since(ticket, update):
                return
            try:
                self.change_desk_state(ticket, desk.resolve, update.author, update.text)
                return
            except StaleTicket:
                fresh = self.tickets.get(ticket.ticket_id)
                if fresh is None:
                    return
                ticket = fresh
        raise StaleTicket(ticket.ticket_id)


def _resolved_since(ticket: Ticket, update: IncidentUpdate) -> bool:
    """Was the ticket resolved after the update was posted (by this fan-out or anyone)?"""
    return any(
        event.get("kind") == "desk" and event.get("to") == DeskState.RESOLVED.value and event["at"] >= update.created_at
        for event in ticket.history
    )
