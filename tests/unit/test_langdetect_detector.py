"""The langdetect adapter: script rules, locale evidence, Indonesian vs Malay, noise removal."""

from __future__ import annotations

import pytest

from chalicelib.adapters.langdetect_detector import LangdetectDetector, clean
from chalicelib.domain.ticket import Requester

NOBODY = Requester()


@pytest.fixture(scope="module")
def detector() -> LangdetectDetector:
    found = LangdetectDetector()
    found.warm_up()
    return found


CLEAR_SENTENCES = {
    "en": "I was charged twice for my subscription and I cannot find the refund button anywhere.",
    "es": "Me cobraron dos veces la suscripción y no encuentro el botón para pedir el reembolso.",
    "pt": "Fui cobrado duas vezes pela assinatura e não consigo encontrar o botão de reembolso.",
    "fr": "J'ai été débité deux fois pour mon abonnement et je ne trouve pas le bouton de remboursement.",
    "de": "Mir wurde das Abonnement doppelt berechnet und ich finde die Schaltfläche für die Rückerstattung nicht.",
    "it": "Mi è stato addebitato due volte l'abbonamento e non riesco a trovare il pulsante per il rimborso.",
    "nl": "Ik heb twee keer betaald voor mijn abonnement en ik kan de knop voor terugbetaling niet vinden.",
    "pl": "Zostałem obciążony dwa razy za subskrypcję i nie mogę znaleźć przycisku zwrotu pieniędzy.",
    "tr": "Aboneliğim için iki kez ücret alındı ve para iadesi düğmesini hiçbir yerde bulamıyorum.",
    "ru": "С меня дважды списали деньги за подписку, и я нигде не могу найти кнопку возврата средств.",
    "uk": "З мене двічі зняли гроші за підписку, і я ніде не можу знайти кнопку повернення коштів.",
    "ar": "تم خصم المبلغ مرتين مقابل اشتراكي ولا أستطيع العثور على زر استرداد الأموال في أي مكان.",
    "fa": "برای اشتراکم دو بار از من پول کسر شد و نمی‌توانم دکمه بازپرداخت را در هیچ جا پیدا کنم.",
    "hi": "मेरी सदस्यता के लिए मुझसे दो बार पैसे लिए गए और मुझे रिफंड का बटन कहीं नहीं मिल रहा है।",
    "vi": "Tôi bị trừ tiền hai lần cho gói đăng ký và tôi không tìm thấy nút hoàn tiền ở đâu cả.",
    "th": "ฉันถูกเรียกเก็บเงินค่าสมาชิกสองครั้งและหาปุ่มขอคืนเงินไม่เจอเลย",
    "ja": "サブスクリプションの料金が二回請求されました。返金ボタンがどこにも見つかりません。",
    "ko": "구독료가 두 번 청구되었는데 환불 버튼을 어디에서도 찾을 수 없습니다.",
    "zh": "我的订阅被扣了两次钱，而且我到处都找不到退款按钮。",
    "sv": "Jag debiterades två gånger för min prenumeration och jag hittar inte knappen för återbetalning.",
    "el": "Χρεώθηκα δύο φορές για τη συνδρομή μου και δεν μπορώ να βρω πουθενά το κουμπί επιστροφής χρημάτων.",
    "he": "חויבתי פעמיים על המנוי שלי ואני לא מוצא בשום מקום את הכפתור להחזר כספי.",
    "cs": "Za předplatné mi byla stržena platba dvakrát a nikde nemohu najít tlačítko pro vrácení peněz.",
    "hu": "Kétszer vonták le az előfizetés díját, és sehol sem találom a visszatérítés gombját.",
    "id": "Saya ditagih dua kali untuk langganan saya dan saya tidak dapat menemukan tombol pengembalian dana.",
    "tl": "Dalawang beses akong siningil para sa aking subscription at hindi ko mahanap ang button para sa refund.",
}


@pytest.mark.parametrize(("code", "sentence"), sorted(CLEAR_SENTENCES.items()), ids=sorted(CLEAR_SENTENCES))
def test_a_clear_sentence_is_detected_in_its_language(detector: LangdetectDetector, code: str, sentence: str):
    # Given a full support sentence and nothing known about the requester
    # When detected
    language = detector.detect(sentence, NOBODY)

    # Then the language is right and confidently so
    assert language.code == code
    assert language.confidence >= 0.8


def test_detection_is_repeatable(detector: LangdetectDetector):
    # Given a short, ambiguous text (langdetect is random unless seeded)
    text = "problema con pago"

    # Then asking again gives the same answer
    answers = {detector.detect(text, NOBODY) for _ in range(5)}
    assert len(answers) == 1


# --- script rules -----------------------------------------------------------------------


def test_chinese_is_chinese_not_korean(detector: LangdetectDetector):
    language = detector.detect("账号被封了，请帮我解封", NOBODY)
    assert (language.code, language.source) == ("zh", "script")


def test_hangul_is_korean_even_with_some_hanzi(detector: LangdetectDetector):
    assert detector.detect("계정이 정지되었습니다 账号", NOBODY).code == "ko"


def test_kanji_only_text_from_a_japanese_locale_is_japanese(detector: LangdetectDetector):
    # Given Han characters alone from a requester whose app speaks Japanese
    language = detector.detect("账号被封", Requester(locale="ja-JP"))

    # Then the locale decides between Chinese and Japanese
    assert (language.code, language.source) == ("ja", "script+locale")


def test_kanji_only_text_from_another_locale_stays_chinese(detector: LangdetectDetector):
    assert detector.detect("账号被封", Requester(locale="ko-KR")).code == "zh"


def test_text_with_kana_is_japanese(detector: LangdetectDetector):
    language = detector.detect("アカウントが凍結されました", NOBODY)
    assert (language.code, language.source) == ("ja", "script")


@pytest.mark.parametrize(
    "sentence",
    ["配信開始不可、原因不明です", "注文番号の商品未着", "二重請求発生、至急返金希望します"],
    ids=["cannot-go-live", "order-missing", "charged-twice"],
)
def test_kanji_heavy_japanese_with_some_kana_is_japanese_not_chinese(detector: LangdetectDetector, sentence: str):
    assert detector.detect(sentence, NOBODY).code == "ja"


# --- Indonesian or Malay ----------------------------------------------------------------

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
        (NOBODY, "id"),
    ],
)
def test_indonesian_and_malay_are_split_by_country_then_locale(
    detector: LangdetectDetector, requester: Requester, code: str
):
    assert detector.detect(MALAY_OR_INDONESIAN, requester).code == code


# --- thin or no text --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "12345 !!! ???", "#42 / 99%", "x"])
def test_text_without_letters_falls_back_to_a_served_locale(detector: LangdetectDetector, text: str):
    language = detector.detect(text, Requester(locale="pt-BR"))
    assert (language.code, language.source) == ("pt", "locale")
    assert language.confidence < 0.8


@pytest.mark.parametrize("locale", [None, "eo", "xx-YY"])
def test_text_without_letters_and_no_served_locale_is_undetermined(detector: LangdetectDetector, locale: str | None):
    language = detector.detect("12345 !!! ???", Requester(locale=locale))
    assert (language.code, language.confidence, language.source) == ("und", 0.0, "none")


# --- noise ------------------------------------------------------------------------------


def test_links_emails_and_order_ids_are_removed_before_detection():
    cleaned = clean(
        "Bestellung 9F3K2L8Q7Z fehlt, siehe https://shop.example.com/orders/9F3K2L8Q7Z?x=1 "
        "und www.example.org/help, Antwort an ana.garcia@example.com bitte"
    )
    assert cleaned == "Bestellung fehlt, siehe und Antwort an bitte"


def test_a_sentence_buried_in_links_and_ids_is_still_detected(detector: LangdetectDetector):
    # Given German text surrounded by English-looking URLs, an e-mail and an order id
    text = (
        "https://shop.example.com/customer/orders/tracking/details?order=A7F3K9Q2L8 "
        "Meine Bestellung ist nicht angekommen und niemand antwortet mir "
        "customer.support.team@example.com A7F3K9Q2L8"
    )

    # Then the German is what is detected
    assert detector.detect(text, NOBODY).code == "de"


def test_a_ticket_of_links_and_emails_only_falls_back_to_the_locale(detector: LangdetectDetector):
    text = "https://shop.example.com/orders/tracking ana.garcia@example.com 4417-2210-9981"
    language = detector.detect(text, Requester(locale="de-DE"))
    assert (language.code, language.source) == ("de", "locale")


def test_a_ticket_of_prefixed_order_ids_only_falls_back_to_the_locale(detector: LangdetectDetector):
    # Given a ticket whose text is nothing but an order id and a transaction id
    text = "ORD-99812 TXN-2024-000123"

    # When detected for a German-speaking requester
    language = detector.detect(text, Requester(locale="de-DE"))

    # Then the ids are noise and the locale decides
    assert (language.code, language.source) == ("de", "locale")
