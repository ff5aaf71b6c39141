"""What each pipeline stage does to a ticket, free of queues and tables.

Each function takes the ticket as read and returns it advanced by one stage; the use case
around it (`usecases/pipeline_stage.py`) does the conditional write and sends the claim check to
the queue of the `next_hop`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from chalicelib.domain.desk import deadlines, deflect
from chalicelib.domain.desk_languages import desk_reads
from chalicelib.domain.ports import Detector, Translator
from chalicelib.domain.routing import UNDETERMINED, priority_for, routing_table
from chalicelib.domain.sla_policy import policy_for
from chalicelib.domain.ticket import (
    Desk,
    Language,
    Requester,
    Routing,
    Status,
    Ticket,
    Translation,
    TranslationStatus,
    parse_iso,
)
from chalicelib.domain.translation import NotTranslated, TextTranslator, romanized_reason


def ticket_text(ticket: Ticket) -> str:
    return f"{ticket.subject}\n{ticket.description}" if ticket.subject else ticket.description


def detect(ticket: Ticket, detector: Detector, pivot: str, now: datetime, *, desks_read: bool = True) -> Ticket:
    """The ticket with its language. When no machine translation is owed at intake (written in
    the pivot, or its desk reads the language) it is `translated` at once: the translate hop is
    skipped and the same worker routes it (`through_desk`)."""
    language = detector.detect(ticket_text(ticket), ticket.requester)
    unneeded = translation_not_owed(ticket.requester, language, pivot, desks_read=desks_read)
    if unneeded is not None:
        return ticket.advance(Status.TRANSLATED, now, "detect_language", language=language, translation=unneeded)
    return ticket.advance(Status.DETECTED, now, "detect_language", language=language)


def translation_not_owed(
    requester: Requester, language: Language, pivot: str, *, desks_read: bool = True
) -> Translation | None:
    """The translation a ticket gets without a provider (skipped: already in the pivot;
    on_demand: its desk reads it), or None when the desk needs a machine translation.
    `desks_read=False` ignores what the desks read (DESK_LANGUAGES=off)."""
    if language.code == pivot:
        return Translation(status=TranslationStatus.SKIPPED, target=pivot)
    if not desks_read:
        return None
    region, _ = routing_table().region_for(requester, language)
    if desk_reads(region, language):
        return Translation(
            status=TranslationStatus.ON_DEMAND, target=pivot, reason=f"the {region} desk reads {language.code}"
        )
    return None


def translate(
    ticket: Ticket,
    translator: TextTranslator | Sequence[Translator],
    pivot: str,
    now: datetime,
    *,
    desks_read: bool = True,
) -> Ticket:
    language = ticket.language or Language(UNDETERMINED, 0.0, "none")
    owed = translation_not_owed(ticket.requester, language, pivot, desks_read=desks_read)
    translation = owed or translate_fields(ticket, translator, pivot)
    return ticket.advance(Status.TRANSLATED, now, "translate_ticket", translation=translation)


def through_desk(
    stage: Callable[[Ticket, datetime], Ticket], desk_queue_name: Callable[[str], str]
) -> Callable[[Ticket, datetime], Ticket]:
    """`stage`, then routing in the same step when the stage left the ticket `translated`: one
    conditional write and no hop through the route queue (fewer AWS requests per ticket). The
    history still records each stage, so the requester sees every step it went through."""

    def work(ticket: Ticket, now: datetime) -> Ticket:
        after = stage(ticket, now)
        if after.status is not Status.TRANSLATED:
            return after
        # One write, one version: the version counts writes, not steps.
        return replace(route(after, now, desk_queue_name), version=ticket.version + 1)

    return work


def translate_fields(ticket: Ticket, translator: TextTranslator | Sequence[Translator], pivot: str) -> Translation:
    """The ticket's subject and description in the pivot language.

    Never raises for provider trouble: an outage gives `pending` (retried later), a refusal by
    every provider gives `failed`. Either way the ticket moves on to its desk. A plain list of
    providers is used without a cache.
    """
    if not isinstance(translator, TextTranslator):
        translator = TextTranslator(translator)
    language = ticket.language or Language(UNDETERMINED, 0.0, "none")
    if language.code == pivot:
        return Translation(status=TranslationStatus.SKIPPED, target=pivot)
    romanized = romanized_reason(language)
    if romanized is not None:
        return Translation(status=TranslationStatus.FAILED, target=pivot, reason=romanized)
    source = "auto" if language.code == UNDETERMINED else language.code
    known_ids = [item.value for item in ticket.evidence if item.kind in ("order_id", "transaction_id")]
    regions = [ticket.requester.country, ticket.requester.locale_region]
    try:
        subject = translator.translate(ticket.subject, source, pivot, known_ids, regions) if ticket.subject else None
        description = translator.translate(ticket.description, source, pivot, known_ids, regions)
    except NotTranslated as error:
        # No provider configured counts as pending: configuring one later translates it.
        retry = error.retry_later or not translator.providers
        status = TranslationStatus.PENDING if retry else TranslationStatus.FAILED
        return Translation(status=status, target=pivot, reason=error.reason)
    # "none" means the text needed no provider (only ids or glossary terms): name the one used.
    used = [part.provider for part in (description, subject) if part is not None and part.provider != "none"]
    return Translation(
        status=TranslationStatus.DONE,
        target=pivot,
        provider=used[0] if used else "none",
        subject=subject.text if subject else None,
        description=description.text,
        characters=sum(part.characters_sent for part in (subject, description) if part is not None),
    )


def route(ticket: Ticket, now: datetime, desk_queue_name: Callable[[str], str]) -> Ticket:
    region, reason = routing_table().region_for(ticket.requester, ticket.language)
    pivot_text = ticket.translation.description if ticket.translation else None
    priority = priority_for(
        ticket.category, ticket.requester.tier, [ticket.subject or "", ticket.description, pivot_text or ""]
    )
    routing = Routing(
        region=region,
        queue=desk_queue_name(region),
        priority=priority,
        # Business hours of the region (urgent runs 24x7), from the region's SLA policy.
        sla=deadlines(policy_for(region).clock(priority, parse_iso(ticket.created_at))),
        reason=reason,
    )
    routed = ticket.advance(Status.ROUTED, now, "route_ticket", routing=routing, desk=Desk())
    outcome = ticket.self_service.outcome if ticket.self_service is not None else None
    if outcome is not None and outcome.solved:
        # The requester said the help center's answer solved it before the ticket reached its
        # desk: it arrives resolved (deflected), in the same write.
        return deflect(routed, outcome.topic, now)
    return routed


class Hop(StrEnum):
    """The kind of worker a claim check goes to next; the worker maps it to its queue."""

    DETECT = "detect"
    TRANSLATE = "translate"
    ROUTE = "route"
    DESK = "desk"  # the routed ticket's regional desk


@dataclass(frozen=True)
class NextHop:
    hop: Hop
    region: str | None = None  # the desk's region, for Hop.DESK
    # The routed ticket's desk message is the last one; the store keeps the ticket in the
    # sweeper's index until it is confirmed sent.
    final: bool = False


def next_hop(status: Status, region: str | None) -> NextHop:
    """Where the claim check goes once a ticket has reached `status` (routed: in `region`)."""
    if status is Status.RECEIVED:
        return NextHop(Hop.DETECT)
    if status is Status.DETECTED:
        return NextHop(Hop.TRANSLATE)
    if status is Status.TRANSLATED:
        return NextHop(Hop.ROUTE)
    if region is None:
        raise ValueError("a routed ticket needs its region to be forwarded")
    return NextHop(Hop.DESK, region, final=True)


def region_of(ticket: Ticket) -> str | None:
    return ticket.routing.region if ticket.routing is not None else None
