"""Which tickets owe a machine translation at intake: only those their desk does not read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from chalicelib.domain import stages
from chalicelib.domain.desk_languages import desk_readings, desk_reads, reader_reads
from chalicelib.domain.ticket import Language, Requester, Status, TranslationStatus
from tests.unit.factories import T0, make_ticket, spanish

LATER = T0 + timedelta(seconds=3)


@dataclass
class FixedDetector:
    answer: Language

    def detect(self, text: str, requester: Requester) -> Language:
        return self.answer


@dataclass
class RecordingTranslator:
    name: str = "google"
    max_chars: int = 5_000
    calls: list[str] = field(default_factory=list)

    def translate(self, text: str, source: str, target: str) -> str:
        self.calls.append(text)
        return f"<{source}>{text}</{target}>"


def desk_queue(region: str) -> str:
    return f"desk-{region}"


def test_every_desk_is_described_and_reads_its_main_languages():
    # Given the shipped data
    readings = desk_readings()

    # Then every region has a reading, and the regional desks read their main languages
    assert set(readings) == {"na", "latam", "emea", "apac", "global"}
    assert {"es", "pt"} <= readings["latam"].reads
    assert {"fr", "de"} <= readings["emea"].reads
    assert {"ja", "hi"} <= readings["apac"].reads


def test_a_desk_reads_a_confident_language_in_its_usual_script_only():
    # Then latam reads Spanish, but not a guess, not Japanese, and emea not romanized Hindi
    assert desk_reads("latam", spanish())
    assert not desk_reads("latam", spanish(0.3))
    assert not desk_reads("latam", Language("ja", 0.99, "script"))
    assert not desk_reads("apac", Language("hi", 0.95, "text", script="Latn"))
    assert not desk_reads(None, spanish())


def test_an_agent_reads_by_their_token_languages():
    assert reader_reads(["es", "en"], spanish())
    assert not reader_reads(["en"], spanish())
    assert not reader_reads(["es"], None)


def test_a_ticket_its_desk_reads_is_routed_by_the_detect_step_without_a_provider():
    # Given a Spanish ticket from Mexico (latam reads Spanish)
    ticket = make_ticket()
    work = stages.through_desk(lambda t, now: stages.detect(t, FixedDetector(spanish()), "en", now), desk_queue)

    # When the detect worker's step runs
    after = work(ticket, LATER)

    # Then it is routed in the same step, its translation left for whoever needs it
    assert after.status is Status.ROUTED
    assert after.routing is not None and after.routing.region == "latam"
    assert after.translation is not None
    assert after.translation.status is TranslationStatus.ON_DEMAND
    assert after.translation.reason == "the latam desk reads es"
    # and the history still shows each step
    assert [entry["to"] for entry in after.history if entry.get("kind") != "desk"][-2:] == ["translated", "routed"]


def test_a_ticket_its_desk_does_not_read_is_translated_then_routed():
    # Given a Japanese ticket from Mexico (latam does not read Japanese)
    detector = FixedDetector(Language("ja", 0.99, "script"))
    detected = stages.detect(make_ticket(description="返金されません"), detector, "en", LATER)
    translator = RecordingTranslator()

    # When detection, then the translate worker's step run
    after = stages.through_desk(lambda t, now: stages.translate(t, [translator], "en", now), desk_queue)(
        detected, LATER
    )

    # Then detection waited for translation, and the translate step translated and routed it
    assert detected.status is Status.DETECTED
    assert after.status is Status.ROUTED
    assert after.translation is not None and after.translation.status is TranslationStatus.DONE
    assert translator.calls


def test_desk_languages_off_translates_every_ticket_as_before():
    # Given DESK_LANGUAGES=off
    after = stages.detect(make_ticket(), FixedDetector(spanish()), "en", LATER, desks_read=False)

    # Then the Spanish ticket waits for its machine translation
    assert after.status is Status.DETECTED
