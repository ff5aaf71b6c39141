"""What each pipeline stage does to a ticket, free of queues and tables.

Each function takes the ticket as read and returns it advanced by one stage; the worker
around it does the conditional write and sends the claim check named by `next_queue_role`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from chalicelib import resources
from chalicelib.domain.chunking import translate_in_chunks
from chalicelib.domain.ports import Detector, ProviderUnavailable, TranslationRejected, Translator
from chalicelib.domain.routing import UNDETERMINED, priority_for, routing_table, sla_for
from chalicelib.domain.ticket import (
    Language,
    Routing,
    Status,
    Ticket,
    Translation,
    TranslationStatus,
    parse_iso,
)


def ticket_text(ticket: Ticket) -> str:
    return f"{ticket.subject}\n{ticket.description}" if ticket.subject else ticket.description


def detect(ticket: Ticket, detector: Detector, pivot: str, now: datetime) -> Ticket:
    language = detector.detect(ticket_text(ticket), ticket.requester)
    if language.code == pivot:
        # Nothing to translate: skip the translate hop and go straight to routing.
        skipped = Translation(status=TranslationStatus.SKIPPED, target=pivot)
        return ticket.advance(Status.TRANSLATED, now, "detect_language", language=language, translation=skipped)
    return ticket.advance(Status.DETECTED, now, "detect_language", language=language)


def translate(ticket: Ticket, translators: Sequence[Translator], pivot: str, now: datetime) -> Ticket:
    translation = translate_fields(ticket, translators, pivot)
    return ticket.advance(Status.TRANSLATED, now, "translate_ticket", translation=translation)


def translate_fields(ticket: Ticket, translators: Sequence[Translator], pivot: str) -> Translation:
    """Try each provider in order; the first that translates every field wins.

    Never raises for provider trouble: an outage gives `pending` (retry later), a refusal by
    every provider that answered gives `failed`. Either way the ticket moves on to its desk.
    """
    language = ticket.language or Language(UNDETERMINED, 0.0, "none")
    if language.code == pivot:
        return Translation(status=TranslationStatus.SKIPPED, target=pivot)
    if not translators:
        return Translation(status=TranslationStatus.PENDING, target=pivot, reason="no translation provider configured")
    source = "auto" if language.code == UNDETERMINED else language.code
    problems: list[str] = []
    any_unavailable = False
    for translator in translators:
        try:
            subject = _translate_text(translator, ticket.subject, source, pivot) if ticket.subject else None
            description = _translate_text(translator, ticket.description, source, pivot)
        except ProviderUnavailable as error:
            any_unavailable = True
            problems.append(f"{translator.name}: unavailable ({error})")
            continue
        except TranslationRejected as error:
            problems.append(f"{translator.name}: rejected ({error})")
            continue
        return Translation(
            status=TranslationStatus.DONE,
            target=pivot,
            provider=translator.name,
            subject=subject,
            description=description,
        )
    return Translation(
        status=TranslationStatus.PENDING if any_unavailable else TranslationStatus.FAILED,
        target=pivot,
        reason="; ".join(problems)[:500],
    )


def _translate_text(translator: Translator, text: str, source: str, target: str) -> str:
    return translate_in_chunks(text, translator.max_chars, lambda chunk: translator.translate(chunk, source, target))


def route(ticket: Ticket, now: datetime, desk_queue_name: Callable[[str], str]) -> Ticket:
    region, reason = routing_table().region_for(ticket.requester, ticket.language)
    priority = priority_for(ticket.category, ticket.requester.tier)
    routing = Routing(
        region=region,
        queue=desk_queue_name(region),
        priority=priority,
        sla=sla_for(priority, parse_iso(ticket.created_at)),
        reason=reason,
    )
    return ticket.advance(Status.ROUTED, now, "route_ticket", routing=routing)


@dataclass(frozen=True)
class NextHop:
    queue_role: str
    # The routed ticket's desk message is the last one; the store keeps the ticket in the
    # sweeper's index until it is confirmed sent.
    final: bool


def next_hop(status: Status, region: str | None) -> NextHop:
    """Where the claim check goes once a ticket has reached `status` (routed: in `region`)."""
    if status is Status.RECEIVED:
        return NextHop(resources.DETECT, final=False)
    if status is Status.DETECTED:
        return NextHop(resources.TRANSLATE, final=False)
    if status is Status.TRANSLATED:
        return NextHop(resources.ROUTE, final=False)
    if region is None:
        raise ValueError("a routed ticket needs its region to be forwarded")
    return NextHop(resources.desk_role(region), final=True)


def region_of(ticket: Ticket) -> str | None:
    return ticket.routing.region if ticket.routing is not None else None
