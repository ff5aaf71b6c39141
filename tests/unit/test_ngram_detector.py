"""The production detector: accuracy on committed samples, script rules, requester hints,
noise removal, the no-letter fallback, `und`, and what its confidence means.

Needs the built model (`make model`); the samples in tests/data/langid are committed, so the
suite reads nothing outside the repository.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from chalicelib.adapters.ngram_detector import NgramDetector
from chalicelib.domain.ticket import Requester

DATA = Path(__file__).resolve().parents[1] / "data" / "langid"
NOBODY = Requester()
# The app locale a requester writing each language would typically have.
LOCALE = {
    "en": "en-US", "es": "es-MX", "pt": "pt-BR", "fr": "fr-FR", "de": "de-DE", "it": "it-IT",
    "nl": "nl-NL", "pl": "pl-PL", "tr": "tr-TR", "ru": "ru-RU", "uk": "uk-UA", "ar": "ar-SA",
    "fa": "fa-IR", "hi": "hi-IN", "bn": "bn-BD", "id": "id-ID", "ms": "ms-MY", "vi": "vi-VN",
    "th": "th-TH", "ja": "ja-JP", "ko": "ko-KR", "zh": "zh-CN", "tl": "fil-PH", "sv": "sv-SE",
    "ro": "ro-RO", "el": "el-GR", "he": "he-IL", "cs": "cs-CZ", "hu": "hu-HU", "sw": "sw-KE",
}  # fmt: skip


@pytest.fixture(scope="module")
def detector() -> NgramDetector:
    found = NgramDetector()
    found.warm_up()  # raises ModelNotBuilt, with the command to run, when `make model` was skipped
    return found


def read_tsv(name: str) -> list[tuple[str, str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [(code, text) for code, text in (line.split("\t", 1) for line in lines if line and not line.startswith("#"))]


def same_class(code: str, expected: str) -> bool:
    """Indonesian and Malay are one class when nothing but the text is known."""
    merged = {"ms": "id"}
    return merged.get(code, code) == merged.get(expected, expected)


# --- accuracy ---------------------------------------------------------------------------

# Mean per-language accuracy on the committed samples (30 texts per language from the shared
# benchmark data, lingua's test set), text only. Measured when written: 99.7 / 97.6 / 87.7.
ACCURACY_FLOORS = {"sentences": 99.0, "word-pairs": 95.5, "single-words": 85.5}


@pytest.mark.parametrize(("category", "floor"), ACCURACY_FLOORS.items(), ids=list(ACCURACY_FLOORS))
def test_accuracy_on_the_benchmark_sample_stays_above_its_floor(detector: NgramDetector, category: str, floor: float):
    # Given 30 texts in each of the 30 served languages and nothing known about the requesters
    right: dict[str, list[bool]] = defaultdict(list)

    # When each is detected
    for code, text in read_tsv(f"{category}.tsv"):
        right[code].append(same_class(detector.detect(text, NOBODY).code, code))

    # Then the mean of the per-language accuracies stays above the floor
    assert len(right) == 30
    accuracy = {code: 100.0 * sum(answers) / len(answers) for code, answers in right.items()}
    mean = sum(accuracy.values()) / len(accuracy)
    worst = sorted(accuracy.items(), key=lambda item: item[1])[:5]
    assert mean >= floor, f"{category}: {mean:.2f} < {floor}; worst {worst}"


def test_short_support_messages_are_right_from_their_text_alone(detector: NgramDetector):
    # Given 300 short messages typed the way people type (no accents, slang, English words)
    messages = read_tsv("support_messages.tsv")

    # When detected with nothing known about the requester
    wrong = [(code, text) for code, text in messages if not same_class(detector.detect(text, NOBODY).code, code)]

    # Then at most one in a hundred is wrong
    assert len(messages) == 300
    assert len(wrong) <= 3, wrong


def test_short_support_messages_are_all_right_with_the_requesters_locale(detector: NgramDetector):
    # Given the same messages, each from a requester whose app speaks the language
    # When detected
    wrong = [
        (code, text, detector.detect(text, Requester(locale=LOCALE[code])))
        for code, text in read_tsv("support_messages.tsv")
        if detector.detect(text, Requester(locale=LOCALE[code])).code != code
    ]

    # Then every one is right, Indonesian and Malay told apart too
    assert wrong == []


def test_english_product_words_do_not_turn_a_spanish_message_english(detector: NgramDetector):
    assert detector.detect("me cobraron 2 veces, quiero refund", NOBODY).code == "es"
    assert detector.detect("mi cuenta fue baneada y no puedo hacer live, pls help", NOBODY).code == "es"


def test_detection_is_repeatable(detector: NgramDetector):
    answers = {detector.detect("problema con pago", NOBODY) for _ in range(5)}
    assert len(answers) == 1


# --- scripts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("계정이 정지되었습니다 账号", "ko"),
        ("アカウントが凍結されました", "ja"),
        ("配信開始不可、原因不明です", "ja"),  # kanji-heavy, but with kana
        ("บัญชีโดนแบนไม่มีเหตุผล", "th"),
        ("החשבון שלי נחסם בלי סיבה", "he"),
        ("ο λογαριασμος μου μπλοκαρε", "el"),
        ("আমার অর্ডার কোথায়", "bn"),
        ("मेरा ऑर्डर कहां है", "hi"),
        ("이 앱 live 방송 안돼요 please fix", "ko"),  # Hangul decides beside English words
    ],
)
def test_a_script_one_language_writes_decides_alone(detector: NgramDetector, text: str, code: str):
    language = detector.detect(text, NOBODY)
    assert (language.code, language.source) == (code, "script")
    assert language.confidence >= 0.8


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("我的账户被无故封禁了，现在无法登录。", "zh"),
        ("мій акаунт зламали допоможіть", "uk"),
        ("اکانتم هک شده کمک کنید", "fa"),
    ],
)
def test_a_shared_script_is_settled_by_the_text(detector: NgramDetector, text: str, code: str):
    language = detector.detect(text, NOBODY)
    assert (language.code, language.source) == (code, "text")


def test_text_in_a_script_no_served_language_writes_is_undetermined(detector: NgramDetector):
    # Georgian: letters, but no language the desk serves
    language = detector.detect("ბარათი დაიბლოკა", Requester(locale="en-GE"))
    assert (language.code, language.confidence, language.source) == ("und", 0.0, "none")


def test_one_han_character_is_a_word(detector: NgramDetector):
    assert detector.detect("钱", NOBODY).code in ("zh", "ja")


# --- the requester's locale and country -------------------------------------------------

MALAY_OR_INDONESIAN = "Saya tidak bisa login ke akun saya sejak kemarin, tolong bantu."


@pytest.mark.parametrize(
    ("requester", "code"),
    [
        (Requester(country="ID"), "id"),
        (Requester(country="MY"), "ms"),
        (Requester(country="BN"), "ms"),
        (Requester(country="SG"), "ms"),
        (Requester(locale="ms"), "ms"),
        (Requester(locale="ms-MY", country="MY"), "ms"),
        (Requester(locale="en-MY"), "ms"),
        (Requester(locale="id-ID"), "id"),
        (Requester(locale="en-MY", country="ID"), "id"),
        (Requester(locale="in-ID"), "id"),  # Java's old code for Indonesian
        (NOBODY, "id"),  # "bisa", "kemarin": the text leans Indonesian
    ],
)
def test_indonesian_and_malay_are_split_by_locale_then_country(
    detector: NgramDetector, requester: Requester, code: str
):
    assert detector.detect(MALAY_OR_INDONESIAN, requester).code == code


def test_the_split_by_a_hint_is_reported_as_resting_on_it(detector: NgramDetector):
    language = detector.detect(MALAY_OR_INDONESIAN, Requester(country="MY"))
    assert (language.code, language.source) == ("ms", "text+locale")
    assert language.confidence >= 0.9


@pytest.mark.parametrize("text", ["cancelar pedido", "pedido cancelado"])
@pytest.mark.parametrize(
    ("requester", "code"),
    [
        (Requester(locale="es-MX"), "es"),
        (Requester(locale="pt-BR"), "pt"),
        (Requester(country="MX"), "es"),
        (Requester(country="BR"), "pt"),
        (Requester(locale="es-US", country="BR"), "es"),  # the locale weighs more than the country
    ],
)
def test_two_words_spanish_or_portuguese_follow_the_requester(
    detector: NgramDetector, text: str, requester: Requester, code: str
):
    assert detector.detect(text, requester).code == code


@pytest.mark.parametrize("text", ["配信停止", "出金不可", "返金希望"])
def test_kanji_only_text_follows_a_japanese_locale(detector: NgramDetector, text: str):
    # Given Han characters alone, which the text model leans to read as Chinese
    assert detector.detect(text, NOBODY).code == "zh"

    # When the requester's app speaks Japanese
    language = detector.detect(text, Requester(locale="ja-JP"))

    # Then it is Japanese, and the answer says the locale settled it
    assert (language.code, language.source) == ("ja", "text+locale")


@pytest.mark.parametrize(
    ("text", "requester", "code"),
    [
        (
            "Mir wurde das Abonnement doppelt berechnet und ich finde die Schaltfläche für die Rückerstattung nicht.",
            Requester(locale="es-MX", country="MX"),
            "de",
        ),
        ("我的账户被无故封禁了，现在无法登录。请尽快帮我处理这个问题。", Requester(locale="ja-JP", country="JP"), "zh"),
        ("Meu pedido não chegou e ninguém me responde", Requester(locale="es-AR", country="AR"), "pt"),
        ("I was charged twice for my order", Requester(locale="fr-FR", country="FR"), "en"),
        ("tarjeta rechazada", Requester(locale="pt-BR", country="BR"), "es"),
        ("Saya tidak boleh log masuk ke akaun saya", Requester(locale="fil-PH", country="PH"), "ms"),
    ],
    ids=["de-from-es-MX", "zh-from-ja-JP", "pt-from-es-AR", "en-from-fr-FR", "es-two-words-from-pt-BR", "ms-from-PH"],
)
def test_a_wrong_locale_never_overrides_clear_text(detector: NgramDetector, text: str, requester: Requester, code: str):
    language = detector.detect(text, requester)
    assert (language.code, language.source) == (code, "text")


def test_the_locale_lifts_a_weak_answer_out_of_low_confidence(detector: NgramDetector):
    # Given a greeting that several languages use
    alone = detector.detect("hola", NOBODY)

    # When the requester's app speaks Spanish
    hinted = detector.detect("hola", Requester(locale="es-MX"))

    # Then the answer is the same, now confident, and says it rests on the locale too
    assert (alone.code, hinted.code) == ("es", "es")
    assert alone.confidence < 0.5 <= hinted.confidence
    assert (alone.source, hinted.source) == ("text", "text+locale")


# --- noise and text without letters -----------------------------------------------------


def test_a_sentence_buried_in_links_and_ids_is_still_detected(detector: NgramDetector):
    text = (
        "https://shop.example.com/customer/orders/tracking/details?order=A7F3K9Q2L8 "
        "Meine Bestellung ist nicht angekommen und niemand antwortet mir "
        "customer.support.team@example.com A7F3K9Q2L8"
    )
    assert detector.detect(text, NOBODY).code == "de"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "12345 !!! ???",
        "#42 / 99%",
        "x",
        "😡😡😡 💸💸 ❌❌",
        "ORD-99812 TXN-2024-000123",
        "https://example.com/a/b",
    ],
)
def test_text_without_letters_falls_back_to_a_served_locale(detector: NgramDetector, text: str):
    language = detector.detect(text, Requester(locale="pt-BR"))
    assert (language.code, language.source) == ("pt", "locale")
    assert 0.5 <= language.confidence < 0.8


@pytest.mark.parametrize("locale", [None, "eo", "xx-YY"])
def test_text_without_letters_and_no_served_locale_is_undetermined(detector: NgramDetector, locale: str | None):
    language = detector.detect("12345 !!! ???", Requester(locale=locale))
    assert (language.code, language.confidence, language.source) == ("und", 0.0, "none")


def test_a_word_every_language_borrows_is_undetermined_without_hints(detector: NgramDetector):
    # "ok" is in every language's word list: a guess this weak is worth less than "und"
    assert detector.detect("ok", NOBODY).code == "und"


# --- what the confidence means ----------------------------------------------------------


def test_a_sentence_is_more_confident_than_an_ambiguous_word(detector: NgramDetector):
    word = detector.detect("pedido", NOBODY)  # Spanish and Portuguese alike
    sentence = detector.detect("Meu pedido não chegou e ninguém me responde", NOBODY)
    assert word.confidence < 0.7
    assert sentence.confidence > 0.99
    assert word.confidence < sentence.confidence


def test_confidence_grows_with_the_evidence(detector: NgramDetector):
    texts = ["verificacion", "codigo de verificacion", "no me llega el codigo de verificacion desde ayer"]
    confidences = [detector.detect(text, NOBODY).confidence for text in texts]
    assert [detector.detect(text, NOBODY).code for text in texts] == ["es", "es", "es"]
    assert confidences == sorted(confidences)
    assert 0.0 < confidences[0] < confidences[-1] < 1.0


def test_ambiguous_short_text_can_be_low_confidence(detector: NgramDetector):
    # Indonesian or Malay, from the text alone: a real answer, flagged by the ticket view
    language = detector.detect("pembayaran saya belum masuk juga", NOBODY)
    assert language.code in ("id", "ms")
    assert language.confidence < 0.8


@pytest.mark.parametrize("text", ["支付失败", "退款", "直播开不了", "我的订单没有收到"])
def test_short_chinese_without_hints_is_chinese_not_japanese(detector: NgramDetector, text: str):
    # Japanese is almost never written without kana: Han-only text with no hint reads as Chinese
    assert detector.detect(text, NOBODY).code == "zh"


@pytest.mark.parametrize(
    ("text", "code"),
    [("充值coins失败", "zh"), ("TikTok Shop 订单", "zh"), ("мой аккаунт banned", "ru"), ("LIVE 방송이 안 돼요", "ko")],
)
def test_english_product_words_do_not_decide_the_script(detector: NgramDetector, text: str, code: str):
    # Given a message mostly in another script with English product words mixed in,
    # and a requester whose app speaks English
    language = detector.detect(text, Requester(locale="en-SG", country="SG"))
    # Then the other script's language wins: Han or Cyrillic letters cannot be English
    assert language.code == code


def test_text_the_model_cannot_read_falls_back_to_the_locale(detector: NgramDetector):
    # Given text no language owns ("ok ok"; romanized Bangla is read since issue 14), from a Bangladeshi app
    language = detector.detect("ok ok", Requester(locale="bn-BD", country="BD"))
    # Then the app's language is the answer, and it says it rests on the locale
    assert (language.code, language.source) == ("bn", "locale")
