"""The ticket's status machine and its persisted shape."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.domain.ticket import (
    Desk,
    DeskState,
    Language,
    Requester,
    Routing,
    Sla,
    Status,
    TransitionError,
    Translation,
    TranslationStatus,
    iso,
    parse_iso,
)
from tests.unit.factories import T0, make_ticket, spanish


def test_statuses_are_ordered_received_detected_translated_routed():
    # Given / When the statuses in declaration order
    ranks = [status.rank for status in (Status.RECEIVED, Status.DETECTED, Status.TRANSLATED, Status.ROUTED)]

    # Then each ranks after the one before
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == 4


def test_advancing_moves_the_ticket_forward_and_grows_the_version():
    # Given a received ticket at version 1
    ticket = make_ticket()
    later = T0 + timedelta(seconds=5)

    # When the detector moves it on
    detected = ticket.advance(Status.DETECTED, later, "detect_language", language=spanish())

    # Then the new ticket is detected, one version up, stamped, with the change applied
    assert detected.status is Status.DETECTED
    assert detected.version == 2
    assert detected.updated_at == iso(later)
    assert detected.language == spanish()
    # And the ticket as read is left untouched
    assert ticket.status is Status.RECEIVED
    assert ticket.version == 1


def test_advancing_records_from_to_and_by_in_the_history():
    # Given a received ticket with its intake history entry
    ticket = make_ticket()
    later = T0 + timedelta(minutes=1)

    # When it moves forward twice
    detected = ticket.advance(Status.DETECTED, later, "detect_language")
    translated = detected.advance(Status.TRANSLATED, later, "translate_ticket")

    # Then every move is appended, in order, with who made it
    assert translated.history[1:] == (
        {"at": iso(later), "from": "received", "to": "detected", "by": "detect_language"},
        {"at": iso(later), "from": "detected", "to": "translated", "by": "translate_ticket"},
    )
    assert translated.history[0] == ticket.history[0]


def test_a_stage_may_skip_ahead_past_an_intermediate_status():
    # Given a received ticket already in the pivot language
    ticket = make_ticket()

    # When the detector sends it straight to translated
    skipped = ticket.advance(Status.TRANSLATED, T0, "detect_language")

    # Then it is accepted as a forward move
    assert skipped.status is Status.TRANSLATED
    assert skipped.version == 2


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.DETECTED, Status.RECEIVED),
        (Status.ROUTED, Status.TRANSLATED),
        (Status.ROUTED, Status.RECEIVED),
        (Status.RECEIVED, Status.RECEIVED),
        (Status.TRANSLATED, Status.TRANSLATED),
    ],
)
def test_moving_backwards_or_sideways_is_refused(current: Status, target: Status):
    # Given a ticket in `current`
    ticket = make_ticket(status=current, version=3)

    # When something tries to move it to `target`
    # Then the status machine refuses, naming the ticket and both statuses
    with pytest.raises(TransitionError) as refused:
        ticket.advance(target, T0, "someone")
    assert ticket.ticket_id in str(refused.value)
    assert current.value in str(refused.value)
    assert target.value in str(refused.value)


def _fully_routed_ticket():
    sla = Sla(
        first_response_due="2030-01-03T03:04:05.000Z",
        resolution_due="2030-01-05T03:04:05.000Z",
        eta_from="2030-01-03T03:04:05.000Z",
        eta_to="2030-01-05T03:04:05.000Z",
    )
    return make_ticket(
        status=Status.ROUTED,
        version=4,
        requester=Requester(id="u-9", email="ana@example.com", locale="es-MX", country="MX", tier="business"),
        language=Language("es", 0.9731, "text+locale"),
        translation=Translation(
            status=TranslationStatus.DONE,
            target="en",
            provider="google",
            subject="Double charge",
            description="I was charged twice.",
        ),
        routing=Routing(
            region="latam", queue="polyglot-desk-test-desk-latam", priority="urgent", sla=sla, reason="country"
        ),
        desk=Desk(
            DeskState.WAITING,
            "ana",
            "2030-01-02T05:00:00.000Z",
            (("2030-01-02T04:00:00.000Z", "2030-01-02T04:30:00.000Z"), ("2030-01-02T06:00:00.000Z", None)),
        ),
    )


def test_a_fully_routed_ticket_survives_the_record_round_trip():
    # Given a ticket with every optional part filled in
    ticket = _fully_routed_ticket()

    # When it is turned into a record, through JSON, and back
    record = json.loads(json.dumps(ticket.to_record()))
    restored = type(ticket).from_record(record)

    # Then nothing is lost or changed
    assert restored == ticket


def test_a_record_holds_plain_strings_for_statuses():
    # Given a routed ticket
    record = _fully_routed_ticket().to_record()

    # Then the persisted statuses are plain strings, not enums
    assert type(record["status"]) is str
    assert record["status"] == "routed"
    assert type(record["translation"]["status"]) is str
    assert record["translation"]["status"] == "done"
    assert record["evidence"] == [{"kind": "transaction_id", "value": "TXN-1"}]


def test_a_fresh_ticket_round_trips_with_its_empty_optional_parts():
    # Given a just-received ticket (no language, translation or routing yet)
    ticket = make_ticket(subject=None, evidence=(), requester=Requester())

    # When it round-trips through its record
    restored = type(ticket).from_record(ticket.to_record())

    # Then the empty parts come back empty
    assert restored == ticket
    assert restored.language is None
    assert restored.translation is None
    assert restored.routing is None


def test_a_ticket_routed_before_the_desk_existed_reads_as_open_on_its_desk():
    # Given a routed ticket's record written without a desk
    record = _fully_routed_ticket().to_record()
    record.pop("desk")

    # Then it reads back open and unassigned, so the desk can claim it
    assert type(_fully_routed_ticket()).from_record(record).desk == Desk()


def test_a_record_without_a_category_reads_back_as_other():
    # Given a record written before categories existed
    record = make_ticket().to_record()
    del record["category"]

    # When it is read
    ticket = type(make_ticket()).from_record(record)

    # Then it falls in the catch-all category
    assert ticket.category == "other"


def test_timestamps_are_utc_with_milliseconds_and_parse_back():
    # Given a moment
    # When it is written as ISO 8601
    text = iso(T0)

    # Then it ends in Z with milliseconds and reads back as the same moment
    assert text == "2030-01-02T03:04:05.000Z"
    assert parse_iso(text) == T0


@pytest.mark.parametrize(
    ("locale", "language", "region"),
    [
        ("es-MX", "es", "MX"),
        ("pt_BR", "pt", "BR"),
        ("zh-Hant-TW", "zh", "TW"),
        ("es-419", "es", None),
        ("ja", "ja", None),
    ],
)
def test_the_requester_locale_splits_into_language_and_region(locale: str, language: str, region: str | None):
    # Given a requester with a locale
    requester = Requester(locale=locale)

    # Then its language and region subtags are read from it
    assert requester.locale_language == language
    assert requester.locale_region == region
