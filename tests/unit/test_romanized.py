"""Romanized and code-mixed text (issue 14): Hinglish, Arabizi, Greeklish, translit, romaji,
pinyin, ... is its language, in Latin script, and Latin-script languages stay what they are.

Needs the built model (`make model`). The examples in tests/data/langid/romanized.tsv are
committed; the benchmark's own set (bench/data/romanized) is never read here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chalicelib.adapters.ngram_detector import LOW_CONFIDENCE, NgramDetector
from chalicelib.domain.ticket import Language, Requester, Ticket
from chalicelib.langid.romanize_rules import arabic, greek, russian
from chalicelib.langid.romanize_syllabic import bangla, hindi, korean
from chalicelib.langid.romanized import arabizi_letters

DATA = Path(__file__).resolve().parents[1] / "data" / "langid" / "romanized.tsv"
EXAMPLES = [
    tuple(line.split("\t"))
    for line in DATA.read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]


@pytest.fixture(scope="module")
def detector() -> NgramDetector:
    found = NgramDetector()
    found.warm_up()
    return found


@pytest.mark.parametrize(("code", "country", "text"), EXAMPLES)
def test_a_romanized_message_with_the_requesters_country_is_its_language_in_latin(
    detector: NgramDetector, code: str, country: str, text: str
):
    # Given a message typed in Latin letters by a requester from the language's country
    language = detector.detect(text, Requester(country=country))

    # Then it is that language, written in Latin script (BCP 47 hi-Latn), and says so surely
    assert (language.code, language.script) == (code, "Latn")
    assert language.confidence >= LOW_CONFIDENCE


def test_most_romanized_messages_are_right_from_their_text_alone(detector: NgramDetector):
    # Given the same messages with nothing known of the requester
    right = [detector.detect(text, Requester()).code == code for code, _, text in EXAMPLES]
    # Then at least nine in ten are still right
    assert sum(right) >= 0.9 * len(EXAMPLES)


def test_hindi_mixed_with_english_words_is_hindi_not_english(detector: NgramDetector):
    # Given Hinglish where half the words are English product words
    language = detector.detect("bhai my account got banned, please unban karo yaar", Requester())
    # Then the matrix language wins: Hindi, in Latin script
    assert (language.code, language.script) == ("hi", "Latn")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("my account got banned for no reason, please help", "en"),
        ("no puedo entrar a mi cuenta, ayuda por favor", "es"),
        ("akun saya diblokir tanpa alasan", "id"),
        ("hindi ko ma-open yung account ko", "tl"),
        ("tai khoan cua toi bi khoa", "vi"),
        ("ich kann mich nicht anmelden", "de"),
    ],
)
def test_latin_script_languages_are_not_read_as_romanized(detector: NgramDetector, text: str, code: str):
    # Given messages in languages whose usual script is Latin, even from an Indian requester
    for requester in (Requester(), Requester(country="IN")):
        language = detector.detect(text, requester)
        # Then they keep their language, and no romanized script is claimed
        assert (language.code, language.script) == (code, None)


def test_native_script_keeps_the_usual_script(detector: NgramDetector):
    # Given Hindi in Devanagari and Russian in Cyrillic
    hindi_native = detector.detect("मेरा अकाउंट बैन हो गया", Requester())
    russian_native = detector.detect("мой аккаунт заблокировали", Requester())
    # Then the script is the usual one, left unsaid (None), as before issue 14
    assert (hindi_native.code, hindi_native.script) == ("hi", None)
    assert (russian_native.code, russian_native.script) == ("ru", None)


def test_arabizi_digits_are_letters_but_ids_and_reduplication_are_not():
    assert arabizi_letters("ana msh la2y el order") == "ana msh la\u0294y el order"
    assert arabizi_letters("3ayez a3mel refund") == "\u0295ayez a\u0295mel refund"
    # an order id, a number, an ordinal, and Indonesian "masuk2" (reduplication) are left alone
    for text in ("ORD-99812 not arrived", "paid 250 twice", "my 3rd order", "saldo gak masuk2"):
        assert arabizi_letters(text) == text


def test_the_language_record_keeps_the_script_and_old_records_still_load():
    # Given a ticket's language record with a script, and one stored before issue 14
    romanized = Language("hi", 0.97, "text", "Latn")
    assert Language.from_record({"code": "hi", "confidence": 0.97, "source": "text", "script": "Latn"}) == romanized
    assert Language.from_record({"code": "es", "confidence": 0.9, "source": "text"}) == Language("es", 0.9, "text")
    # When tickets are stored, a usual script adds nothing to the record
    ticket = Ticket.from_record(_minimal_ticket_record())
    assert "script" not in Ticket.to_record(_with_language(ticket, Language("es", 0.9, "text")))["language"]
    assert Ticket.to_record(_with_language(ticket, romanized))["language"]["script"] == "Latn"


@pytest.mark.parametrize(
    ("spell", "word", "typed"),
    [
        (hindi, "करना", "karna"),  # the inherent a between two sounded syllables is dropped
        (hindi, "नहीं", "nahi"),  # the final nasal is often not typed
        (bangla, "আমার", "amar"),
        (korean, "계정이", "gyejeongi"),  # the final consonant runs into the next vowel
        (arabic, "مش", "msh"),
        (greek, "κωδικό", "kwdiko"),  # omega typed as w
        (russian, "пожалуйста", "pozhalujsta"),
    ],
)
def test_the_build_spells_native_words_the_way_people_type_them(spell, word: str, typed: str):
    assert typed in spell(word)


def _minimal_ticket_record() -> dict[str, object]:
    return {
        "ticket_id": "t-1",
        "status": "received",
        "version": 1,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "description": "mera account ban ho gaya",
        "token_hash": "x",
        "correlation_id": "c-1",
    }


def _with_language(ticket: Ticket, language: Language) -> Ticket:
    from dataclasses import replace

    return replace(ticket, language=language)
