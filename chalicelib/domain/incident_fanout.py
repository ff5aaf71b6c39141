"""What an incident's update becomes on each linked ticket, and the claim checks that carry it.

The fan-out worker reads a page of linked tickets, translates the update once per requester
language (`localize`), then per ticket stores `update_message` in the conversation and requests
a notification filled with `notification_params`. Every effect is keyed by the update's id, so
a page delivered twice changes nothing the second time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.conversation import Author, Message, MessageTranslation, requester_language
from chalicelib.domain.ids import is_ticket_id
from chalicelib.domain.incidents import Incident, IncidentUpdate, LocalizedText, incident_title_in
from chalicelib.domain.messages import MalformedMessage
from chalicelib.domain.ticket import Language, Ticket, TranslationStatus
from chalicelib.domain.translation import NotTranslated, TextTranslator


def localize(text: str, source: str, target: str, translator: TextTranslator) -> LocalizedText:
    """`text` in `target`: done, skipped (already in it), pending (an outage) or failed."""
    if source == target:
        return LocalizedText(TranslationStatus.SKIPPED)
    try:
        done = translator.translate(text, source, target)
    except NotTranslated as error:
        retry = error.retry_later or not translator.providers
        return LocalizedText(
            TranslationStatus.PENDING if retry else TranslationStatus.FAILED, reason=error.reason[:300]
        )
    return LocalizedText(TranslationStatus.DONE, done.text, done.provider)


def update_message(
    ticket: Ticket, incident: Incident, update: IncidentUpdate, localized: LocalizedText, pivot: str
) -> Message:
    """The update as a message of the ticket's conversation, by the agent who posted it. Its id is
    the update's, so delivering it twice stores it once. A translation that is pending waits in
    the sweeper's index for the translate worker, as any agent reply does."""
    target = requester_language(ticket, pivot)
    return Message(
        message_id=update.update_id,
        ticket_id=ticket.ticket_id,
        author=Author.AGENT,
        author_name=update.author,
        created_at=update.created_at,
        text=update.text,
        language=Language(incident.language, 1.0, "declared"),
        translation=MessageTranslation(
            status=localized.status,
            target=target,
            text=localized.text,
            provider=localized.provider,
            reason=localized.reason,
        ),
    )


def notification_params(
    incident: Incident, update: IncidentUpdate, language: str, localized: LocalizedText
) -> dict[str, str]:
    """What the `incident.update` template is filled with, in the requester's language when the
    translation is there, else as written (never lost for want of a translation)."""
    translated = localized.status is TranslationStatus.DONE and localized.text is not None
    return {
        "incident_title": incident_title_in(incident, language),
        "incident_status": update.status.value,
        "update_text": localized.text if translated and localized.text else update.text,
    }


# --- the fan-out's claim checks ----------------------------------------------------------------

INCIDENT_UPDATE = "incident.update"
CLAIM_CHECK_VERSION = 1


@dataclass(frozen=True)
class FanOutPage:
    """A claim check on the incidents queue: deliver update `update_id` to one page of the linked
    tickets (those after ticket `after` in link order), or to exactly the `ticket_ids` named
    (tickets linked once the incident was resolved). Ids only: the table holds the rest."""

    incident_id: str
    update_id: str
    after: str = ""  # the last ticket id of the previous page; "" for the first page
    ticket_ids: tuple[str, ...] = ()

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": INCIDENT_UPDATE,
            "v": CLAIM_CHECK_VERSION,
            "incident_id": self.incident_id,
            "update_id": self.update_id,
            "after": self.after,
        }
        if self.ticket_ids:
            body["ticket_ids"] = list(self.ticket_ids)
        return body


def parse_fan_out_page(raw: str) -> FanOutPage:
    try:
        body = json.loads(raw)
    except (TypeError, ValueError) as error:
        raise MalformedMessage(f"not JSON: {error}") from None
    if not isinstance(body, dict) or body.get("type") != INCIDENT_UPDATE or body.get("v") != CLAIM_CHECK_VERSION:
        raise MalformedMessage(f"not an incident update page: {raw[:200]!r}")
    ids = [body.get("incident_id"), body.get("update_id")]
    after, ticket_ids = body.get("after", ""), body.get("ticket_ids", [])
    well_formed = (
        all(isinstance(value, str) and is_ticket_id(value) for value in ids)
        and isinstance(after, str)
        and (after == "" or is_ticket_id(after))
        and isinstance(ticket_ids, list)
        and all(isinstance(value, str) and is_ticket_id(value) for value in ticket_ids)
    )
    if not well_formed:
        raise MalformedMessage(f"bad incident update page: {raw[:200]!r}")
    return FanOutPage(body["incident_id"], body["update_id"], after, tuple(ticket_ids))
