"""The incident desk's use cases on the in-memory store: open, read, link, candidates, post an
update, and the fan-out that tells every linked requester in their language."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import aws_resource_names
from chalicelib.composition_root import Dependencies
from chalicelib.domain import desk
from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.incidents import (
    FanOutNotQueued,
    Incident,
    IncidentDraft,
    IncidentNotFound,
    IncidentStatus,
    NotYourRegion,
)
from chalicelib.domain.notifications import NotificationType
from chalicelib.domain.ports import ProviderUnavailable
from chalicelib.domain.ticket import DeskState, Language, Ticket, Translation, TranslationStatus, iso
from tests.unit.test_translation import RecordingProvider
from tests.unit.usecases.fakes import (
    T0,
    RecordingPublisher,
    StepClock,
    delivered,
    in_memory_desk,
    on_the_desk,
    queue,
    stored,
    with_parts,
)

ANA = Agent("ana", ("latam",), ("es", "en"), 2**40)
NADIA = Agent("nadia", ("na",), ("en",), 2**40)
GUS = Agent("gus", ("global",), ("en",), 2**40)
LIVE = IncidentDraft(
    "LIVE streaming is down", "Live streams freeze and fail to start with error LV-503.", ("latam",), ("content",)
)
INCIDENTS_QUEUE = queue(aws_resource_names.INCIDENTS)


@dataclass
class NotifyRecorder:
    """Stands in for RequestNotification: what the fan-out asked to tell whom."""

    calls: list[tuple[str, NotificationType, str, dict[str, str]]] = field(default_factory=list)

    def __call__(self, ticket: Ticket, kind: NotificationType, cause: str, params: Any = None) -> None:
        self.calls.append((ticket.ticket_id, kind, cause, dict(params or {})))


@pytest.fixture
def provider() -> RecordingProvider:
    return RecordingProvider("google")


@pytest.fixture
def notified() -> NotifyRecorder:
    return NotifyRecorder()


@pytest.fixture
def deps(clock: StepClock, publisher: RecordingPublisher, provider: RecordingProvider, notified) -> Dependencies:
    return with_parts(in_memory_desk(clock, publisher, translators=[provider]), incident_notify=notified)


def reporter(deps: Dependencies, language: str = "es", minutes: int = 0, **changes: Any) -> Ticket:
    """A latam ticket about LIVE (unless told otherwise), written in `language`."""
    changes.setdefault("category", "content.live")
    return on_the_desk(deps, T0 + timedelta(minutes=minutes), language=Language(language, 0.97, "text"), **changes)


def fan_out(deps: Dependencies, publisher: RecordingPublisher, rounds: int = 50) -> list[dict[str, Any]]:
    """Run the fan-out worker over everything queued for it until nothing is left; the bodies."""
    handled: list[dict[str, Any]] = []
    for _ in range(rounds):
        pages = publisher.take(INCIDENTS_QUEUE)
        if not pages:
            return handled
        for page in pages:
            handled.append(page.body)
            assert deps.fan_out_incident_update.handle(delivered([page])) == []
    raise AssertionError("the fan-out did not settle")


def opened(deps: Dependencies, draft: IncidentDraft = LIVE, by: Agent = ANA) -> Incident:
    return deps.open_incident(by, draft)


# --- opening and reading ------------------------------------------------------------------------


def test_an_agent_opens_incidents_for_the_regions_they_work(deps: Dependencies):
    incident = opened(deps)
    assert (incident.status, incident.created_by, incident.regions) == (IncidentStatus.INVESTIGATING, "ana", ("latam",))
    assert deps.incidents.get(incident.incident_id) == incident
    with pytest.raises(NotYourRegion):
        opened(deps, by=NADIA)
    with pytest.raises(NotYourRegion):  # every region: only global agents
        opened(deps, replace(LIVE, regions=()))
    assert opened(deps, replace(LIVE, regions=()), by=GUS).regions == ()


def test_agents_list_and_read_the_incidents_of_their_regions_only(deps: Dependencies, clock: StepClock):
    latam = opened(deps)
    clock.advance(timedelta(minutes=1))
    everywhere = opened(deps, replace(LIVE, regions=()), by=GUS)
    na = opened(deps, replace(LIVE, regions=("na",)), by=NADIA)

    assert [i.incident_id for i in deps.read_incidents.listing(ANA, resolved=False)] == [latam.incident_id]
    assert {i.incident_id for i in deps.read_incidents.listing(GUS, resolved=False)} == {
        latam.incident_id,
        everywhere.incident_id,
        na.incident_id,
    }
    assert deps.read_incidents.listing(ANA, resolved=True) == []
    assert deps.read_incidents.one(ANA, latam.incident_id).linked_tickets == 0
    for unknown in (na.incident_id, everywhere.incident_id, "0" * 26):
        with pytest.raises(IncidentNotFound):
            deps.read_incidents.one(ANA, unknown)


# --- linking ------------------------------------------------------------------------------------


def test_linking_counts_new_links_and_skips_what_the_agent_cannot_link(deps: Dependencies):
    incident = opened(deps)
    first, second = reporter(deps), reporter(deps, "de")
    other_region = reporter(deps, region="na")
    unknown = "7" * 26

    outcome = deps.link_tickets.link(ANA, incident.incident_id, [first.ticket_id, second.ticket_id, first.ticket_id])
    assert (outcome.linked, outcome.skipped) == (2, [])

    # Linking again is a no-op; tickets of another region and unknown ids get one reason
    again = deps.link_tickets.link(ANA, incident.incident_id, [first.ticket_id, other_region.ticket_id, unknown])
    assert again.linked == 0
    assert again.skipped == [(other_region.ticket_id, "not_found"), (unknown, "not_found")]

    # A ticket of another incident stays there
    other = opened(deps, replace(LIVE, title="Payments down"))
    moved = deps.link_tickets.link(ANA, other.incident_id, [first.ticket_id])
    assert (moved.linked, moved.skipped) == (0, [(first.ticket_id, "linked_to_another_incident")])
    assert deps.incidents.incident_of(first.ticket_id) == incident.incident_id
    assert deps.read_incidents.one(ANA, incident.incident_id).linked_tickets == 2


def test_unlinking_removes_only_this_incidents_links(deps: Dependencies):
    incident, other = opened(deps), opened(deps)
    mine, theirs = reporter(deps), reporter(deps)
    deps.link_tickets.link(ANA, incident.incident_id, [mine.ticket_id])
    deps.link_tickets.link(ANA, other.incident_id, [theirs.ticket_id])

    assert deps.link_tickets.unlink(ANA, incident.incident_id, [mine.ticket_id, theirs.ticket_id]) == 1
    assert deps.incidents.incident_of(mine.ticket_id) is None
    assert deps.incidents.incident_of(theirs.ticket_id) == other.incident_id
    with pytest.raises(IncidentNotFound):
        deps.link_tickets.unlink(NADIA, incident.incident_id, [mine.ticket_id])


# --- candidates -----------------------------------------------------------------------------------


def translated_as(ticket_language: str, english: str, **changes: Any) -> dict[str, Any]:
    translation = Translation(TranslationStatus.DONE, "en", "google", None, english)
    return {"language": Language(ticket_language, 0.97, "text"), "translation": translation, **changes}


def test_candidates_are_ranked_across_languages_among_the_incidents_tickets(deps: Dependencies):
    incident = opened(deps, replace(LIVE, categories=()))
    spanish = on_the_desk(
        deps, description="Mi LIVE se congela", **translated_as("es", "My LIVE freezes, error LV-503")
    )
    german = on_the_desk(
        deps, description="LIVE startet nicht", **translated_as("de", "The live stream does not start")
    )
    payment = on_the_desk(deps, category="payment.failed", **translated_as("pt", "My card payment failed"))
    # Not candidates: another region, written last week, resolved, or linked already
    on_the_desk(deps, region="emea", **translated_as("fr", "LIVE streaming is down"))
    on_the_desk(deps, at=T0 - timedelta(days=7), **translated_as("es", "LIVE streaming is down"))
    resolved = on_the_desk(deps, **translated_as("es", "LIVE streaming is down"))
    deps.tickets.save_desk_change(resolved, desk.resolve(resolved, "ana", T0))
    linked = on_the_desk(deps, **translated_as("es", "LIVE streaming is down"))
    deps.link_tickets.link(ANA, opened(deps).incident_id, [linked.ticket_id])

    candidates = deps.find_candidates(ANA, incident.incident_id)

    # Then the two reports of the outage, whatever their language, rank above the payment ticket
    ranked = [candidate.ticket.ticket_id for candidate in candidates]
    assert set(ranked[:2]) == {spanish.ticket_id, german.ticket_id} and ranked[2:] == [payment.ticket_id]
    assert candidates[1].score > 2 * candidates[2].score
    with pytest.raises(IncidentNotFound):
        deps.find_candidates(NADIA, incident.incident_id)


# --- posting an update ------------------------------------------------------------------------------


def test_an_update_is_stored_then_its_fan_out_queued(deps: Dependencies, publisher: RecordingPublisher):
    incident = opened(deps)
    update = deps.post_incident_update(ANA, incident.incident_id, IncidentStatus.IDENTIFIED, "Found the cause.")

    stored_incident = deps.incidents.get(incident.incident_id)
    assert stored_incident is not None and stored_incident.status is IncidentStatus.IDENTIFIED
    assert stored_incident.updates[-1] == update and update.author == "ana"
    assert publisher.on(INCIDENTS_QUEUE) == [
        {
            "type": "incident.update",
            "v": 1,
            "incident_id": incident.incident_id,
            "update_id": update.update_id,
            "after": "",
        }
    ]


def test_an_update_whose_fan_out_was_not_queued_is_announced_again_when_posted_again(
    deps: Dependencies, publisher: RecordingPublisher
):
    incident = opened(deps)
    publisher.lose_all = True
    with pytest.raises(FanOutNotQueued):
        deps.post_incident_update(ANA, incident.incident_id, IncidentStatus.IDENTIFIED, "Found it.")
    publisher.recover()

    again = deps.post_incident_update(ANA, incident.incident_id, IncidentStatus.IDENTIFIED, "Found it.")

    after = deps.incidents.get(incident.incident_id)
    assert after is not None and [update.update_id for update in after.updates] == [again.update_id]
    assert [body["update_id"] for body in publisher.on(INCIDENTS_QUEUE)] == [again.update_id]


# --- the fan-out ----------------------------------------------------------------------------------


def linked_reporters(deps: Dependencies, incident: Incident, languages: list[str]) -> list[Ticket]:
    tickets = [reporter(deps, language, minutes=index) for index, language in enumerate(languages)]
    deps.link_tickets.link(ANA, incident.incident_id, [ticket.ticket_id for ticket in tickets])
    return tickets


def test_each_requester_is_told_in_their_language_translating_once_per_language(
    deps: Dependencies, publisher: RecordingPublisher, provider: RecordingProvider, notified: NotifyRecorder
):
    # Given 12 linked tickets in four languages, and fan-out pages of five
    deps = with_parts(deps, incident_fanout_page_size=5)
    incident = opened(deps)
    tickets = linked_reporters(deps, incident, ["es", "de", "ja", "en"] * 3)

    # When an update is posted and the worker runs every page
    update = deps.post_incident_update(ANA, incident.incident_id, IncidentStatus.IDENTIFIED, "We found the cause.")
    pages = fan_out(deps, publisher)

    # Then three pages ran, each after the last ticket of the one before
    assert [page["after"] for page in pages] == ["", tickets[4].ticket_id, tickets[9].ticket_id]
    # And the provider was asked once per language for the update and once for the title (whose
    # "LIVE", a glossary term, it never sees)
    assert sorted(provider.received) == sorted(["We found the cause.", "[[1]] streaming is down"] * 3)
    # And every requester has the update in their language, as a message by the posting agent
    for ticket in tickets:
        language = ticket.language.code if ticket.language else ""
        (message,) = deps.messages.for_ticket(ticket.ticket_id)
        assert (message.message_id, message.author_name, message.translation.target) == (
            update.update_id,
            "ana",
            language,
        )
        expected = "skipped" if language == "en" else "done"
        assert message.translation.status.value == expected
    # And one notification each, in their language
    assert len(notified.calls) == 12 and {call[2] for call in notified.calls} == {update.update_id}
    spanish = next(call for call in notified.calls if call[0] == tickets[0].ticket_id)
    assert spanish[1:] == (
        NotificationType.INCIDENT_UPDATE,
        update.update_id,
        {
            "incident_title": "<es>LIVE streaming is down",
            "incident_status": "identified",
            "update_text": "<es>We found the cause.",
        },
    )
    # And the incident keeps the translations for later pages and readers
    kept = deps.incidents.get(incident.incident_id)
    assert kept is not None and set(kept.updates[-1].translations) == {"es", "de", "ja"}
    assert set(kept.title_translations) == {"es", "de", "ja"}


def test_a_page_delivered_twice_changes_nothing_the_second_time(
    deps: Dependencies, publisher: RecordingPublisher, provider: RecordingProvider, notified: NotifyRecorder
):
    incident = opened(deps)
    tickets = linked_reporters(deps, incident, ["es", "de"])
    deps.post_incident_update(ANA, incident.incident_id, IncidentStatus.MONITORING, "Watching it.")
    (page,) = publisher.take(INCIDENTS_QUEUE)
    assert deps.fan_out_incident_update.handle(delivered([page])) == []
    asked = len(provider.received)

    assert deps.fan_out_incident_update.handle(delivered([page])) == []

    assert len(provider.received) == asked  # the incident kept the translations
    assert [len(deps.messages.for_ticket(ticket.ticket_id)) for ticket in tickets] == [1, 1]
    # Asked twice, the notification use case stores each once (its ids come from the cause)
    assert {(call[0], call[2]) for call in notified.calls} == {(t.ticket_id, notified.calls[0][2]) for t in tickets}


def test_resolving_the_incident_resolves_its_open_tickets_once(
    deps: Dependencies, publisher: RecordingPublisher, clock: StepClock
):
    incident = opened(deps)
    open_one, claimed, waiting, done = linked_reporters(deps, incident, ["es", "es", "de", "en"])
    deps.tickets.save_desk_change(claimed, desk.claim(claimed, "bob", T0))
    deps.tickets.save_desk_change(waiting, desk.wait_on_requester(waiting, "bob", T0))
    deps.tickets.save_desk_change(done, desk.resolve(done, "bob", T0, "fixed already"))
    clock.advance(timedelta(hours=1))

    deps.post_incident_update(ANA, incident.incident_id, IncidentStatus.RESOLVED, "LIVE works again.")
    (page,) = publisher.take(INCIDENTS_QUEUE)
    deps.fan_out_incident_update.handle(delivered([page]))

    for ticket in (open_one, claimed, waiting):
        after = stored(deps, ticket)
        assert after.desk is not None and after.desk.state is DeskState.RESOLVED
        assert (after.history[-1]["by"], after.history[-1]["note"]) == ("ana", "LIVE works again.")
    assert stored(deps, done).history[-1]["note"] == "fixed already"  # resolved before: left alone
    # A requester who writes again reopens their ticket; the same page delivered again does not overrule them
    reopened = desk.reopen(stored(deps, open_one), "requester", clock.advance(timedelta(minutes=5)))
    deps.tickets.save_desk_change(stored(deps, open_one), reopened)
    deps.fan_out_incident_update.handle(delivered([page]))
    assert stored(deps, open_one).desk.state is DeskState.OPEN  # type: ignore[union-attr]


def test_a_ticket_linked_after_resolution_gets_the_final_update_at_once(
    deps: Dependencies, publisher: RecordingPublisher, notified: NotifyRecorder
):
    incident = opened(deps)
    final = deps.post_incident_update(ANA, incident.incident_id, IncidentStatus.RESOLVED, "LIVE works again.")
    fan_out(deps, publisher)
    late = reporter(deps, "de")

    assert deps.link_tickets.link(ANA, incident.incident_id, [late.ticket_id]).linked == 1
    pages = fan_out(deps, publisher)

    assert pages[0]["ticket_ids"] == [late.ticket_id]
    assert [message.message_id for message in deps.messages.for_ticket(late.ticket_id)] == [final.update_id]
    assert stored(deps, late).desk.state is DeskState.RESOLVED  # type: ignore[union-attr]
    assert [call[0] for call in notified.calls] == [late.ticket_id]


def test_an_outage_delivers_the_original_marked_pending_and_keeps_no_translation(
    deps: Dependencies, publisher: RecordingPublisher, provider: RecordingProvider, notified: NotifyRecorder
):
    provider.fails_with = ProviderUnavailable
    incident = opened(deps)
    (ticket,) = linked_reporters(deps, incident, ["es"])
    deps.post_incident_update(ANA, incident.incident_id, IncidentStatus.IDENTIFIED, "Found it.")
    fan_out(deps, publisher)

    (message,) = deps.messages.for_ticket(ticket.ticket_id)
    assert (message.translation.status, message.text) == (TranslationStatus.PENDING, "Found it.")
    assert message.awaiting_translation  # the sweeper hands it to the translate worker, like any reply
    assert notified.calls[0][3]["update_text"] == "Found it."
    kept = deps.incidents.get(incident.incident_id)
    assert kept is not None and kept.updates[-1].translations == {} and kept.title_translations == {}


class BrokenForOne:
    """A message store that fails for one ticket (its item is somehow unwritable)."""

    def __init__(self, inner: Any, ticket_id: str) -> None:
        self.inner, self.ticket_id = inner, ticket_id

    def add(self, message: Any) -> None:
        if message.ticket_id == self.ticket_id:
            raise RuntimeError("throttled")
        self.inner.add(message)


def test_a_ticket_that_fails_is_retried_on_its_own_without_holding_up_the_others(
    deps: Dependencies, publisher: RecordingPublisher
):
    incident = opened(deps)
    good, bad = linked_reporters(deps, incident, ["es", "de"])
    broken = with_parts(deps, messages=BrokenForOne(deps.messages, bad.ticket_id))
    deps.post_incident_update(ANA, incident.incident_id, IncidentStatus.IDENTIFIED, "Found it.")
    (page,) = publisher.take(INCIDENTS_QUEUE)

    # The page succeeds for the good ticket and queues a retry of the bad one alone
    assert broken.fan_out_incident_update.handle(delivered([page])) == []
    (retry,) = publisher.take(INCIDENTS_QUEUE)
    assert retry.body["ticket_ids"] == [bad.ticket_id] and len(deps.messages.for_ticket(good.ticket_id)) == 1
    # A retry that fails again is left to SQS (then the dead-letter queue); once it works, it is done
    assert broken.fan_out_incident_update.handle(delivered([retry])) == ["sqs-0"]
    assert deps.fan_out_incident_update.handle(delivered([retry])) == []
    assert len(deps.messages.for_ticket(bad.ticket_id)) == 1
    assert deps.fan_out_incident_update.handle(delivered(["not a page"])) == ["sqs-0"]


def test_an_update_is_the_first_response_of_the_tickets_still_waiting_for_one(
    deps: Dependencies, publisher: RecordingPublisher, clock: StepClock
):
    # Given two linked tickets, one resolved before the incident's first update
    incident = opened(deps)
    waiting_for_answer, closed = linked_reporters(deps, incident, ["es", "de"])
    deps.tickets.save_desk_change(closed, desk.resolve(closed, "bob", T0, "fixed already"))
    clock.advance(timedelta(minutes=20))
    # When the first update fans out
    deps.post_incident_update(ANA, incident.incident_id, IncidentStatus.IDENTIFIED, "We found the cause.")
    (page,) = publisher.take(INCIDENTS_QUEUE)
    deps.fan_out_incident_update.handle(delivered([page]))
    # Then the open ticket has its first response, by the agent who posted, when it was posted
    answered = stored(deps, waiting_for_answer).desk
    assert answered is not None and answered.first_responded_at == iso(T0 + timedelta(minutes=20))
    # And the resolved one is left as it was
    assert stored(deps, closed).desk.first_responded_at is None
