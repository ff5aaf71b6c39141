"""The incident's pure rules (domain/incidents.py) and what an update becomes on each ticket
(domain/incident_fanout.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.catalog import REGIONS
from chalicelib.domain.conversation import Author
from chalicelib.domain.incident_fanout import (
    FanOutPage,
    localize,
    notification_params,
    parse_fan_out_page,
    update_message,
)
from chalicelib.domain.incidents import (
    MAX_UPDATES,
    Incident,
    IncidentDraft,
    IncidentStatus,
    LocalizedText,
    TooManyUpdates,
    append_update,
    concerns,
    incident_title_in,
    is_repeat,
    may_act_on,
    may_run,
    new_incident,
    pivot_text,
    with_translations,
)
from chalicelib.domain.messages import MalformedMessage
from chalicelib.domain.ports import ProviderUnavailable, TranslationRejected
from chalicelib.domain.ticket import Language, Requester, TranslationStatus
from chalicelib.domain.translation import TextTranslator
from tests.integration.builders import T0, detected, received_ticket, routed, translated
from tests.unit.test_translation import MemoryCache, RecordingProvider

DRAFT = IncidentDraft("LIVE is down", "Streams freeze with error LV-503.", ("latam",), ("content",))


def agent(*regions: str) -> Agent:
    return Agent("ana", regions, ("en",), 2**40)


def opened(draft: IncidentDraft = DRAFT) -> Incident:
    return new_incident(draft, "ana", T0, "en")


def done(text: str) -> LocalizedText:
    return LocalizedText(TranslationStatus.DONE, text, "google")


# --- the incident -------------------------------------------------------------------------------


def test_a_new_incident_is_investigating_and_reads_back_from_its_record():
    incident = opened()
    assert (incident.status, incident.version, incident.created_by, incident.language) == (
        IncidentStatus.INVESTIGATING,
        1,
        "ana",
        "en",
    )
    # The record survives JSON, as DynamoDB and the in-memory store keep it
    after = append_update(incident, IncidentStatus.IDENTIFIED, "Found it.", "bob", T0 + timedelta(minutes=5))
    kept = with_translations(after, after.updates[-1].update_id, {"es": done("Lo encontramos.")}, {"es": "LIVE caído"})
    assert kept is not None
    assert Incident.from_record(json.loads(json.dumps(kept.to_record()))) == kept


@pytest.mark.parametrize(
    ("regions", "incident_regions", "allowed"),
    [
        (("latam",), ("latam", "emea"), True),
        (("na",), ("latam",), False),
        (("global",), ("latam",), True),
        (("latam",), (), False),  # an incident of every region is run by global agents
        (("global",), (), True),
    ],
)
def test_who_may_act_on_an_incident(regions, incident_regions, allowed):
    assert may_act_on(agent(*regions), incident_regions) is allowed


def test_a_global_incident_concerns_every_region():
    assert opened(replace(DRAFT, regions=())).affected_regions == REGIONS


def test_an_update_becomes_the_incidents_status_and_older_updates_forget_their_translations():
    # Given an incident whose first update was translated into Spanish
    first = append_update(opened(), IncidentStatus.IDENTIFIED, "Found it.", "ana", T0)
    first = with_translations(first, first.updates[0].update_id, {"es": done("Lo encontramos.")}, {}) or first
    assert first.updates[0].translations

    # When a second update is posted
    second = append_update(first, IncidentStatus.RESOLVED, "Fixed.", "bob", T0 + timedelta(hours=1))

    # Then the incident is resolved, the new update last, and the old one keeps no translations
    assert second.status is IncidentStatus.RESOLVED and second.version == first.version + 1
    assert [update.text for update in second.updates] == ["Found it.", "Fixed."]
    assert second.updates[0].translations == {}
    assert second.latest_update == second.updates[-1] and second.update(second.updates[0].update_id)


def test_an_incident_holds_a_bounded_number_of_updates():
    incident = opened()
    for minute in range(MAX_UPDATES):
        incident = append_update(incident, IncidentStatus.MONITORING, f"still watching {minute}", "ana", T0)
    with pytest.raises(TooManyUpdates):
        append_update(incident, IncidentStatus.MONITORING, "one more", "ana", T0)


def test_a_big_update_is_refused_when_the_record_would_outgrow_its_budget():
    incident = opened()
    with pytest.raises(TooManyUpdates):
        for _ in range(MAX_UPDATES):
            incident = append_update(incident, IncidentStatus.MONITORING, "é" * 2000 + str(incident.version), "ana", T0)


def test_posting_the_latest_update_again_is_a_repeat_not_a_new_update():
    incident = append_update(opened(), IncidentStatus.IDENTIFIED, "Found it.", "ana", T0)
    assert is_repeat(incident, IncidentStatus.IDENTIFIED, "Found it.", "ana") == incident.updates[-1]
    assert is_repeat(incident, IncidentStatus.MONITORING, "Found it.", "ana") is None
    assert is_repeat(incident, IncidentStatus.IDENTIFIED, "Found it.", "bob") is None


def test_only_settled_and_new_translations_are_kept():
    incident = append_update(opened(), IncidentStatus.IDENTIFIED, "Found it.", "ana", T0)
    update_id = incident.updates[-1].update_id
    pending = LocalizedText(TranslationStatus.PENDING, reason="outage")
    failed = LocalizedText(TranslationStatus.FAILED, reason="refused")

    # When an outage's answer is all there is, nothing is kept (the next page asks again)
    assert with_translations(incident, update_id, {"de": pending}, {}) is None

    # Done and failed are kept, with the title; asking to keep them again changes nothing
    kept = with_translations(
        incident, update_id, {"es": done("Lo encontramos."), "ja": failed, "de": pending}, {"es": "T"}
    )
    assert kept is not None and kept.version == incident.version + 1
    assert set(kept.updates[-1].translations) == {"es", "ja"} and kept.title_translations == {"es": "T"}
    assert with_translations(kept, update_id, {"es": done("otra")}, {"es": "otro"}) is None


def test_the_title_reads_in_the_requesters_language_when_translated():
    incident = replace(opened(), title_translations={"es": "LIVE no funciona"})
    assert incident_title_in(incident, "es") == "LIVE no funciona"
    assert incident_title_in(incident, "de") == "LIVE is down"


# --- which tickets may report it ------------------------------------------------------------------


def routed_ticket(region: str = "latam", category: str = "content.live", minutes: int = 0, **changes):
    at = T0 + timedelta(minutes=minutes)
    ticket = translated(detected(received_ticket(at, category=category, **changes), at), at)
    return routed(ticket, at, region=region)


def test_a_ticket_concerns_an_incident_of_its_region_and_category_written_since_it_began():
    incident = opened()
    assert concerns(incident, routed_ticket())
    assert concerns(incident, routed_ticket(category="content"))  # the parent itself
    assert not concerns(incident, routed_ticket(category="contentious"))  # a prefix is not a parent
    assert not concerns(incident, routed_ticket(region="emea"))
    assert not concerns(incident, routed_ticket(category="payment.failed"))
    # The first reports came before anyone opened the incident; last week's did not
    assert concerns(incident, routed_ticket(minutes=-90))
    assert not concerns(incident, routed_ticket(minutes=-7 * 24 * 60))
    assert not concerns(incident, received_ticket(T0, category="content.live"))  # not on a desk yet
    assert concerns(opened(replace(DRAFT, regions=(), categories=())), routed_ticket(region="apac", category="other"))


def test_tickets_are_compared_in_the_pivot_language():
    ticket = routed_ticket()
    assert pivot_text(ticket, "en") == "Double charge I was charged twice."  # its translation
    assert pivot_text(ticket, "fr") == "Cobro doble Me cobraron dos veces la suscripción."  # its own words


# --- what an update becomes on a ticket --------------------------------------------------------------


def test_localize_translates_skips_or_says_why_not():
    provider = RecordingProvider("google")
    translator = TextTranslator([provider], MemoryCache())
    assert localize("It is fixed.", "en", "es", translator) == done("<es>It is fixed.")
    assert localize("It is fixed.", "en", "en", translator).status is TranslationStatus.SKIPPED
    outage = TextTranslator([RecordingProvider("google", fails_with=ProviderUnavailable)])
    refusal = TextTranslator([RecordingProvider("google", fails_with=TranslationRejected)])
    assert localize("It is fixed.", "en", "es", outage).status is TranslationStatus.PENDING
    assert localize("It is fixed.", "en", "es", refusal).status is TranslationStatus.FAILED
    assert localize("It is fixed.", "en", "es", TextTranslator([])).status is TranslationStatus.PENDING


def test_the_update_becomes_an_agent_message_keyed_by_the_update():
    incident = append_update(opened(), IncidentStatus.IDENTIFIED, "Found it.", "bob", T0)
    update = incident.updates[-1]
    ticket = routed_ticket(language=Language("es", 0.97, "text"))
    message = update_message(ticket, incident, update, done("Lo encontramos."), "en")
    assert (message.message_id, message.ticket_id, message.author, message.author_name) == (
        update.update_id,
        ticket.ticket_id,
        Author.AGENT,
        "bob",
    )
    assert (message.text, message.language.code if message.language else None) == ("Found it.", "en")
    assert (message.translation.status, message.translation.target, message.translation.text) == (
        TranslationStatus.DONE,
        "es",
        "Lo encontramos.",
    )
    # An unsure language falls back to the requester's locale, as for any reply
    unsure = replace(ticket, language=Language("und", 0.1, "none"), requester=Requester(locale="pt-BR"))
    assert update_message(unsure, incident, update, done("x"), "en").translation.target == "pt"


def test_the_notification_says_it_in_the_requesters_language_or_as_written():
    incident = replace(
        append_update(opened(), IncidentStatus.MONITORING, "Watching.", "ana", T0),
        title_translations={"es": "LIVE caído"},
    )
    update = incident.updates[-1]
    assert notification_params(incident, update, "es", done("Vigilando.")) == {
        "incident_title": "LIVE caído",
        "incident_status": "monitoring",
        "update_text": "Vigilando.",
    }
    pending = LocalizedText(TranslationStatus.PENDING, reason="outage")
    assert notification_params(incident, update, "de", pending)["update_text"] == "Watching."
    assert notification_params(incident, update, "de", pending)["incident_title"] == "LIVE is down"


def test_fan_out_pages_round_trip_and_malformed_ones_are_refused():
    incident = opened()
    page = FanOutPage(incident.incident_id, incident.incident_id, after=incident.incident_id)
    explicit = FanOutPage(incident.incident_id, incident.incident_id, ticket_ids=(incident.incident_id,))
    for original in (page, explicit, FanOutPage(incident.incident_id, incident.incident_id)):
        assert parse_fan_out_page(json.dumps(original.to_body())) == original
    for raw in ("nope", "[]", json.dumps({**page.to_body(), "v": 2}), json.dumps({**page.to_body(), "after": "x"})):
        with pytest.raises(MalformedMessage):
            parse_fan_out_page(raw)
    with pytest.raises(MalformedMessage):
        parse_fan_out_page(json.dumps({**page.to_body(), "ticket_ids": ["short"]}))


@pytest.mark.parametrize(
    ("regions", "incident_regions", "allowed"),
    [
        (("latam",), ("latam",), True),
        (("latam", "na"), ("latam", "na"), True),
        (("latam",), ("latam", "na"), False),  # its resolution would resolve na's tickets
        (("latam",), (), False),
        (("global",), ("latam", "na"), True),
        (("global",), (), True),
    ],
)
def test_who_may_open_an_incident_and_post_its_updates(regions, incident_regions, allowed):
    assert may_run(agent(*regions), incident_regions) is allowed
