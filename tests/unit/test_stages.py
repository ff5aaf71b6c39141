"""What each pipeline stage does to a ticket, with fake detectors and translators."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from chalicelib import aws_resource_names
from chalicelib.domain import stages
from chalicelib.domain.ports import ProviderUnavailable, TranslationRejected
from chalicelib.domain.ticket import Language, Requester, Status, Translation, TranslationStatus, parse_iso
from chalicelib.usecases.pipeline_stage import queue_role
from tests.unit.factories import T0, make_ticket, spanish

LATER = T0 + timedelta(seconds=3)


@dataclass
class FixedDetector:
    answer: Language
    seen: list[str] = field(default_factory=list)

    def detect(self, text: str, requester: Requester) -> Language:
        self.seen.append(text)
        return self.answer


@dataclass
class FakeTranslator:
    """Translates by tagging, or fails the way it is told to."""

    name: str
    fails_with: type[Exception] | None = None
    calls: list[tuple[str, str, str]] = field(default_factory=list)
    max_chars: int = 5_000

    def translate(self, text: str, source: str, target: str) -> str:
        self.calls.append((text, source, target))
        if self.fails_with is not None:
            raise self.fails_with(f"{self.name} says no")
        return f"<{source}>{text}</{target}>"


def detected(language: Language | None = None, **changes):
    return make_ticket(status=Status.DETECTED, version=2, language=language or spanish(), **changes)


# --- detect -----------------------------------------------------------------------------


def test_detection_records_the_language_and_moves_to_detected():
    # Given a Spanish ticket and a detector that says so
    detector = FixedDetector(spanish(0.91))

    # When it is detected
    after = stages.detect(make_ticket(), detector, "en", LATER, desks_read=False)

    # Then it waits for translation with the language recorded
    assert after.status is Status.DETECTED
    assert after.language == spanish(0.91)
    assert after.translation is None
    assert after.version == 2


def test_the_detector_reads_the_subject_and_the_description():
    detector = FixedDetector(spanish())
    stages.detect(
        make_ticket(subject="Cobro doble", description="Me cobraron dos veces."),
        detector,
        "en",
        LATER,
        desks_read=False,
    )
    assert detector.seen == ["Cobro doble\nMe cobraron dos veces."]


def test_a_ticket_already_in_the_pivot_language_skips_translation():
    # Given an English ticket and English as the pivot
    detector = FixedDetector(Language("en", 0.99, "text"))

    # When it is detected
    after = stages.detect(make_ticket(description="I was charged twice."), detector, "en", LATER, desks_read=False)

    # Then it goes straight to translated, with the translation marked skipped
    assert after.status is Status.TRANSLATED
    assert after.translation == Translation(status=TranslationStatus.SKIPPED, target="en")
    assert after.history[-1]["from"] == "received"
    assert after.history[-1]["to"] == "translated"
    # And the next hop is the route queue, not the translate queue
    assert stages.next_hop(after.status, None).hop is stages.Hop.ROUTE
    assert queue_role(stages.next_hop(after.status, None)) == aws_resource_names.ROUTE


# --- translate --------------------------------------------------------------------------


def test_the_first_provider_that_answers_translates_both_fields():
    # Given a working provider
    google = FakeTranslator("google")

    # When a Spanish ticket is translated into English
    after = stages.translate(detected(), [google], "en", LATER, desks_read=False)

    # Then the ticket is translated, naming the provider, subject and description both done
    assert after.status is Status.TRANSLATED
    assert after.translation == Translation(
        status=TranslationStatus.DONE,
        target="en",
        provider="google",
        subject="<es>Cobro doble</en>",
        description="<es>Me cobraron dos veces la suscripción.</en>",
        characters=len("Cobro doble") + len("Me cobraron dos veces la suscripción."),
    )


def test_a_ticket_without_subject_translates_only_the_description():
    google = FakeTranslator("google")
    after = stages.translate(detected(subject=None), [google], "en", LATER, desks_read=False)
    assert after.translation is not None
    assert after.translation.subject is None
    assert len(google.calls) == 1


def test_an_unavailable_provider_fails_over_to_the_next():
    # Given a chain whose first provider is down
    down = FakeTranslator("primary", fails_with=ProviderUnavailable)
    backup = FakeTranslator("backup")

    # When translated
    after = stages.translate(detected(), [down, backup], "en", LATER, desks_read=False)

    # Then the second provider did the work
    assert after.translation is not None
    assert after.translation.status is TranslationStatus.DONE
    assert after.translation.provider == "backup"
    assert down.calls and backup.calls


def test_a_provider_that_rejects_the_text_fails_over_to_the_next():
    picky = FakeTranslator("picky", fails_with=TranslationRejected)
    backup = FakeTranslator("backup")
    after = stages.translate(detected(), [picky, backup], "en", LATER, desks_read=False)
    assert after.translation is not None
    assert after.translation.provider == "backup"


def test_when_every_provider_is_down_the_ticket_moves_on_pending_with_the_reason():
    # Given a chain where nobody answers
    chain = [FakeTranslator("primary", ProviderUnavailable), FakeTranslator("backup", ProviderUnavailable)]

    # When translated
    after = stages.translate(detected(), chain, "en", LATER, desks_read=False)

    # Then the ticket is not blocked: it is translated-status with the translation pending
    assert after.status is Status.TRANSLATED
    assert after.translation is not None
    assert after.translation.status is TranslationStatus.PENDING
    assert after.translation.description is None
    # And the reason tells an operator who failed and how
    assert "primary: unavailable" in (after.translation.reason or "")
    assert "backup: unavailable" in (after.translation.reason or "")


def test_when_every_provider_rejects_the_text_the_translation_failed():
    chain = [FakeTranslator("primary", TranslationRejected), FakeTranslator("backup", TranslationRejected)]
    after = stages.translate(detected(), chain, "en", LATER, desks_read=False)
    assert after.status is Status.TRANSLATED
    assert after.translation is not None
    assert after.translation.status is TranslationStatus.FAILED
    assert "rejected" in (after.translation.reason or "")


def test_one_provider_down_and_one_rejecting_is_pending_so_it_is_tried_again():
    chain = [FakeTranslator("primary", TranslationRejected), FakeTranslator("backup", ProviderUnavailable)]
    after = stages.translate(detected(), chain, "en", LATER, desks_read=False)
    assert after.translation is not None
    assert after.translation.status is TranslationStatus.PENDING


def test_with_no_provider_configured_the_translation_is_pending():
    after = stages.translate(detected(), [], "en", LATER, desks_read=False)
    assert after.status is Status.TRANSLATED
    assert after.translation is not None
    assert after.translation.status is TranslationStatus.PENDING
    assert "no translation provider" in (after.translation.reason or "")


def test_an_undetermined_language_is_translated_from_auto():
    # Given a ticket the detector could not place
    google = FakeTranslator("google")

    # When translated
    stages.translate(detected(Language("und", 0.0, "none")), [google], "en", LATER, desks_read=False)

    # Then the provider is asked to detect the source itself
    assert {source for _, source, _ in google.calls} == {"auto"}


def test_the_detected_language_is_sent_as_the_source():
    google = FakeTranslator("google")
    stages.translate(detected(Language("ja", 0.9, "script")), [google], "en", LATER, desks_read=False)
    assert {(source, target) for _, source, target in google.calls} == {("ja", "en")}


def test_a_long_failure_reason_is_capped():
    chain = [FakeTranslator(f"provider-{index}-" + "x" * 80, ProviderUnavailable) for index in range(20)]
    after = stages.translate(detected(), chain, "en", LATER, desks_read=False)
    assert after.translation is not None
    assert len(after.translation.reason or "") <= 500


# --- route ------------------------------------------------------------------------------


def test_routing_sets_region_queue_priority_and_sla():
    # Given a translated ticket from a Mexican business user about a failed payment
    ticket = make_ticket(
        status=Status.TRANSLATED,
        version=3,
        language=spanish(),
        category="payment.failed",
        requester=Requester(country="MX", tier="business"),
    )

    # When routed
    after = stages.route(ticket, LATER, lambda region: f"desk-queue-{region}")

    # Then Latin America's desk gets it at urgent, due 4 hours after creation
    assert after.status is Status.ROUTED
    assert after.routing is not None
    assert (after.routing.region, after.routing.queue, after.routing.reason) == ("latam", "desk-queue-latam", "country")
    assert after.routing.priority == "urgent"
    assert parse_iso(after.routing.sla.first_response_due) == T0 + timedelta(hours=4)
    # And the next hop is that desk's queue, the final one
    hop = stages.next_hop(after.status, stages.region_of(after))
    assert (hop.hop, hop.region, hop.final) == (stages.Hop.DESK, "latam", True)
    assert queue_role(hop) == "desk-latam"


@pytest.mark.parametrize(
    ("status", "role"),
    [
        (Status.RECEIVED, aws_resource_names.DETECT),
        (Status.DETECTED, aws_resource_names.TRANSLATE),
        (Status.TRANSLATED, aws_resource_names.ROUTE),
    ],
)
def test_each_pipeline_status_hands_the_ticket_to_the_next_worker(status: Status, role: str):
    hop = stages.next_hop(status, None)
    assert (queue_role(hop), hop.final) == (role, False)


def test_a_routed_ticket_without_a_region_cannot_be_forwarded():
    with pytest.raises(ValueError):
        stages.next_hop(Status.ROUTED, None)
