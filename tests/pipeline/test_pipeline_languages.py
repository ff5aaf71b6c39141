"""End to end in 29 languages: POST a real complaint, run the pipeline, read the routed ticket.

Each language runs twice: with the requester's country (the country decides the desk) and
without it (the detected language decides; Malay needs its locale, ms-MY, to be told from
Indonesian). Translation goes through the real Google adapter to the local fake server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import aws_resource_names
from chalicelib.domain.catalog import load
from chalicelib.domain.sla_policy import policy_for
from chalicelib.domain.ticket import parse_iso
from chalicelib.settings import get_settings
from tests.fakes.google_translate import FakeGoogleTranslate
from tests.pipeline.conftest import all_desk_messages, create_ticket, stored_ticket, view


@dataclass(frozen=True)
class Complaint:
    language: str
    text: str
    category: str
    priority: str  # what the category is worth for a standard requester
    country: str
    region_by_country: str
    region_by_language: str


COMPLAINTS = [
    Complaint(
        "es",
        "No puedo pagar mi suscripción, la tarjeta es rechazada cada vez aunque tengo saldo suficiente. "
        "Por favor ayúdenme a resolverlo hoy.",
        category="payment.subscription",
        priority="high",
        country="ES",
        region_by_country="emea",
        region_by_language="latam",
    ),
    Complaint(
        "pt",
        "Meu pagamento foi recusado duas vezes e mesmo assim o valor foi descontado da minha conta. "
        "Quero o meu dinheiro de volta.",
        category="payment.charged_twice",
        priority="high",
        country="BR",
        region_by_country="latam",
        region_by_language="latam",
    ),
    Complaint(
        "fr",
        "Mon compte a été suspendu sans aucune explication et je ne peux plus me connecter. Pouvez-vous "
        "vérifier ce qui se passe ?",
        category="account.suspended",
        priority="high",
        country="CA",
        region_by_country="na",
        region_by_language="emea",
    ),
    Complaint(
        "de",
        "Ich wurde zweimal für dieselbe Bestellung belastet und habe bis heute keine Rückerstattung "
        "erhalten. Bitte prüfen Sie das dringend.",
        category="payment.charged_twice",
        priority="high",
        country="AT",
        region_by_country="emea",
        region_by_language="emea",
    ),
    Complaint(
        "it",
        "Non riesco ad andare in diretta da ieri sera, l'applicazione si blocca appena premo il "
        "pulsante. Potete aiutarmi per favore?",
        category="live.cannot_go_live",
        priority="normal",
        country="IT",
        region_by_country="emea",
        region_by_language="emea",
    ),
    Complaint(
        "nl",
        "Ik kan sinds gisteren niet meer inloggen op mijn account en de verificatiecode komt nooit aan. "
        "Wilt u mij alstublieft zo snel mogelijk helpen?",
        category="account.login",
        priority="normal",
        country="BE",
        region_by_country="emea",
        region_by_language="emea",
    ),
    Complaint(
        "pl",
        "Moje konto zostało zablokowane bez żadnego powodu i nie mogę się zalogować. Proszę o pilne "
        "sprawdzenie tej sprawy.",
        category="account.banned",
        priority="high",
        country="PL",
        region_by_country="emea",
        region_by_language="emea",
    ),
    Complaint(
        "tr",
        "Hesabım nedensiz yere askıya alındı ve giriş yapamıyorum. Lütfen bu sorunu en kısa sürede çözün.",
        category="account.suspended",
        priority="high",
        country="TR",
        region_by_country="emea",
        region_by_language="emea",
    ),
    Complaint(
        "ru",
        "Мой аккаунт заблокировали без объяснения причин, и я не могу войти уже третий день. Пожалуйста, "
        "помогите разобраться.",
        category="account.banned",
        priority="high",
        country="KZ",
        region_by_country="emea",
        region_by_language="emea",
    ),
    Complaint(
        "uk",
        "Мій обліковий запис заблокували без пояснень, і я не можу увійти вже третій день. Будь ласка, "
        "допоможіть це виправити.",
        category="account.banned",
        priority="high",
        country="UA",
        region_by_country="emea",
        region_by_language="emea",
    ),
    Complaint(
        "ar",
        "تم خصم المبلغ من بطاقتي مرتين ولم أستلم طلبي حتى الآن. أرجو مساعدتي في استرداد أموالي.",
        category="shop.order_missing",
        priority="high",
        country="EG",
        region_by_country="emea",
        region_by_language="emea",
    ),
    Complaint(
        "fa",
        "حساب کاربری من بدون هیچ دلیلی مسدود شده است و نمی\u200cتوانم وارد شوم. لطفا هر چه زودتر این مشکل را "
        "بررسی کنید.",
        category="account.banned",
        priority="high",
        country="IR",
        region_by_country="emea",
        region_by_language="emea",
    ),
    Complaint(
        "hi",
        "मेरा भुगतान दो बार कट गया है लेकिन मेरा ऑर्डर अभी तक नहीं आया। कृपया मेरी मदद करें और पैसे वापस करें।",
        category="shop.order_missing",
        priority="high",
        country="IN",
        region_by_country="apac",
        region_by_language="apac",
    ),
    Complaint(
        "bn",
        "আমার অ্যাকাউন্ট কোনো কারণ ছাড়াই বন্ধ করে দেওয়া হয়েছে এবং আমি লগইন করতে পারছি না। দয়া করে দ্রুত সাহায্য করুন।",
        category="account.banned",
        priority="high",
        country="BD",
        region_by_country="apac",
        region_by_language="apac",
    ),
    Complaint(
        "id",
        "Saya tidak bisa masuk ke akun saya sejak kemarin dan kode verifikasi tidak pernah dikirim. "
        "Tolong bantu saya secepatnya.",
        category="account.login",
        priority="normal",
        country="ID",
        region_by_country="apac",
        region_by_language="apac",
    ),
    Complaint(
        "ms",
        "Saya tidak boleh log masuk ke akaun saya sejak semalam dan kod pengesahan tidak pernah "
        "dihantar. Sila bantu saya dengan segera.",
        category="account.login",
        priority="normal",
        country="MY",
        region_by_country="apac",
        region_by_language="apac",
    ),
    Complaint(
        "vi",
        "Tài khoản của tôi bị khóa mà không có lý do và tôi không thể đăng nhập được. Xin hãy giúp tôi kiểm tra sớm.",
        category="account.banned",
        priority="high",
        country="VN",
        region_by_country="apac",
        region_by_language="apac",
    ),
    Complaint(
        "th",
        "บัญชีของฉันถูกระงับโดยไม่มีเหตุผล และฉันไม่สามารถเข้าสู่ระบบได้ กรุณาช่วยตรวจสอบด่วน",
        category="account.suspended",
        priority="high",
        country="TH",
        region_by_country="apac",
        region_by_language="apac",
    ),
    Complaint(
        "ja",
        "昨日からライブ配信ができません。ボタンを押すとアプリが止まってしまいます。助けてください。",
        category="live.cannot_go_live",
        priority="normal",
        country="JP",
        region_by_country="apac",
        region_by_language="apac",
    ),
    Complaint(
        "ko",
        "어제부터 라이브 방송을 시작할 수 없습니다. 버튼을 누르면 앱이 멈춥니다. 도와주세요.",
        category="live.cannot_go_live",
        priority="normal",
        country="KR",
        region_by_country="apac",
        region_by_language="apac",
    ),
    Complaint(
        "zh",
        "我的账户被无故封禁了，现在无法登录。请尽快帮我处理这个问题。",
        category="account.banned",
        priority="high",
        country="TW",
        region_by_country="apac",
        region_by_language="apac",
    ),
    Complaint(
        "tl",
        "Hindi ako makapag-login sa aking account mula kahapon at hindi dumarating ang verification "
        "code. Pakitulungan po ako agad.",
        category="account.login",
        priority="normal",
        country="PH",
        region_by_country="apac",
        region_by_language="apac",
    ),
    Complaint(
        "sv",
        "Mitt konto har stängts av utan förklaring och jag kan inte logga in. Snälla hjälp mig att lösa "
        "det här så snart som möjligt.",
        category="account.suspended",
        priority="high",
        country="SE",
        region_by_country="emea",
        region_by_language="emea",
    ),
    Complaint(
        "ro",
        "Contul meu a fost suspendat fără niciun motiv și nu mă mai pot autentifica. Vă rog să mă "
        "ajutați cât mai repede.",
        category="account.suspended",
        priority="high",
        country="RO",
        region_by_country="emea",
        region_by_language="emea",
    ),
    Complaint(
        "el",
        "Ο λογαριασμός μου έχει ανασταλεί χωρίς καμία εξήγηση και δεν μπορώ να συνδεθώ. Παρακαλώ "
        "βοηθήστε με το συντομότερο.",
        category="account.suspended",
        priority="high",
        country="GR",
        region_by_country="emea",
        region_by_language="emea",
    ),
    Complaint(
        "he",
        "החשבון שלי נחסם בלי שום הסבר ואני לא מצליח להתחבר. אנא עזרו לי בהקדם.",
        category="account.banned",
        priority="high",
        country="IL",
        region_by_country="emea",
        region_by_language="emea",
    ),
    Complaint(
        "cs",
        "Můj účet byl bez vysvětlení zablokován a nemohu se přihlásit. Prosím, pomozte mi to co nejdříve vyřešit.",
        category="account.banned",
        priority="high",
        country="CZ",
        region_by_country="emea",
        region_by_language="emea",
    ),
    Complaint(
        "hu",
        "A fiókomat minden magyarázat nélkül felfüggesztették, és nem tudok bejelentkezni. Kérem, segítsenek mielőbb.",
        category="account.suspended",
        priority="high",
        country="HU",
        region_by_country="emea",
        region_by_language="emea",
    ),
    Complaint(
        "en",
        "I was charged twice for the same order and the refund never arrived. Please look into it as soon as possible.",
        category="payment.charged_twice",
        priority="high",
        country="GB",
        region_by_country="emea",
        region_by_language="na",
    ),
]


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


@pytest.fixture
def translate_deliveries(pipeline) -> list[dict[str, Any]]:
    """Every record the translate worker is handed, recorded on its way in."""
    delivered: list[dict[str, Any]] = []
    poller = pipeline.pollers[aws_resource_names.TRANSLATE]
    handler = poller.handler

    def recording(event: dict[str, Any], context: Any) -> Any:
        delivered.extend(event["Records"])
        return handler(event, context)

    poller.handler = recording
    return delivered


def requester_for(complaint: Complaint, with_country: bool) -> dict[str, str]:
    if with_country:
        return {"id": f"u-{complaint.language}", "country": complaint.country}
    # Without a country, Malay can only be told from Indonesian through the app's locale.
    return {"id": f"u-{complaint.language}", **({"locale": "ms-MY"} if complaint.language == "ms" else {})}


@pytest.mark.parametrize("with_country", [True, False], ids=["with-country", "without-country"])
@pytest.mark.parametrize("complaint", COMPLAINTS, ids=[complaint.language for complaint in COMPLAINTS])
def test_a_complaint_is_detected_translated_and_routed_to_its_regional_desk(
    api, pipeline, google_fake: FakeGoogleTranslate, translate_deliveries, complaint: Complaint, with_country: bool
):
    # Given a requester reporting a problem in their own language
    created = create_ticket(
        api,
        {
            "description": complaint.text,
            "category": complaint.category,
            "requester": requester_for(complaint, with_country),
        },
    )

    # When the pipeline has run
    pipeline.drain()

    # Then the ticket is routed, in the language it was written in
    ticket = view(api, created)
    assert ticket["status"] == "routed"
    assert ticket["language"]["code"] == complaint.language, ticket["language"]
    # And it sits on the right desk: the country decides, else the language
    region = complaint.region_by_country if with_country else complaint.region_by_language
    assert ticket["region"] == region
    assert ticket["queue"] == get_settings().desk_queue_name(region)
    # With the category's priority and the matching first-response deadline
    assert ticket["priority"] == complaint.priority
    hours = load("sla_policies.json")["default"]["targets"][complaint.priority]["first_response_hours"]
    clock = policy_for(region).clock(complaint.priority, parse_iso(ticket["created_at"]))
    due = parse_iso(ticket["sla"]["first_response_due"])
    assert due == clock.first_response_due and clock.running_time(due) == timedelta(hours=hours)
    # And the desk got exactly one claim check for it, and no other desk got anything
    desks = all_desk_messages(pipeline)
    assert desks[region] == [
        {
            "type": "ticket.routed",
            "v": 1,
            "ticket_id": created["ticket_id"],
            "correlation_id": ticket_correlation(created),
        }
    ]
    assert not any(messages for other, messages in desks.items() if other != region)

    actors = [event["by"] for event in stored_ticket(created["ticket_id"]).history]
    if complaint.language == "en":
        # English is the agents' language: no translation, and the translate queue never sees it
        assert ticket["translation"] == {
            "status": "skipped",
            "target": "en",
            "provider": None,
            "subject": None,
            "description": None,
        }
        assert translate_deliveries == []
        assert google_fake.received == []
        assert actors == ["intake", "detect_language", "route_ticket"]
    else:
        # Agents read it in English, translated by Google (here: the fake, which tags its output)
        assert ticket["translation"]["status"] == "done"
        assert ticket["translation"]["provider"] == "google"
        assert ticket["translation"]["target"] == "en"
        assert ticket["translation"]["description"] == FakeGoogleTranslate.translate(complaint.text, "en")
        assert actors == ["intake", "detect_language", "translate_ticket", "route_ticket"]


def ticket_correlation(created: dict[str, Any]) -> str:
    return stored_ticket(created["ticket_id"]).correlation_id
