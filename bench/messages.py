"""Realistic support complaints, one per served language, for the benchmark and smoke checks.

Each sample is what a user of the app would type into "report a problem", with the country
and locale the app would send. `expected_region` follows chalicelib/data/routing.json: the
country decides; without one, the locale's region; without that, the language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sample:
    language: str
    country: str
    locale: str
    category: str
    text: str

    def body(self, *, with_country: bool = True, with_locale: bool = True, requester_id: str = "") -> dict[str, Any]:
        requester: dict[str, str] = {}
        if requester_id:
            requester["id"] = requester_id
        if with_country:
            requester["country"] = self.country
        if with_locale:
            requester["locale"] = self.locale
        body: dict[str, Any] = {"description": self.text, "category": self.category}
        if requester:
            body["requester"] = requester
        return body


REGION_BY_LANGUAGE = {
    "en": "na",
    **dict.fromkeys(("es", "pt"), "latam"),
    **dict.fromkeys(
        ("fr", "de", "it", "nl", "pl", "tr", "ru", "uk", "ar", "fa", "he", "sv", "ro", "el", "cs", "hu"), "emea"
    ),
    **dict.fromkeys(("hi", "bn", "id", "ms", "vi", "th", "ja", "ko", "zh", "tl"), "apac"),
}

SAMPLES: tuple[Sample, ...] = (
    Sample(
        "en",
        "US",
        "en-US",
        "payment.charged_twice",
        "I was charged twice for my monthly subscription and I still can't access the premium features. "
        "Please refund the duplicate payment.",
    ),
    Sample(
        "es",
        "MX",
        "es-MX",
        "payment.charged_twice",
        "Me cobraron dos veces la suscripción este mes y todavía no puedo usar las funciones premium. "
        "Por favor, devuélvanme el pago duplicado.",
    ),
    Sample(
        "pt",
        "BR",
        "pt-BR",
        "account.banned",
        "Minha conta foi banida sem nenhum aviso e não consigo mais entrar no aplicativo. "
        "Preciso recuperar meu acesso urgentemente.",
    ),
    Sample(
        "fr",
        "FR",
        "fr-FR",
        "payment.failed",
        "Mon paiement a été refusé trois fois alors que ma carte fonctionne parfaitement ailleurs. "
        "Pouvez-vous vérifier ce qui se passe avec mon compte ?",
    ),
    Sample(
        "de",
        "DE",
        "de-DE",
        "shop.order_missing",
        "Ich habe meine Bestellung vor zwei Wochen bezahlt, aber das Paket ist immer noch nicht angekommen. "
        "Bitte helfen Sie mir, das zu klären.",
    ),
    Sample(
        "it",
        "IT",
        "it-IT",
        "live.cannot_go_live",
        "Non riesco ad andare in diretta da ieri sera, l'app si blocca ogni volta che premo il pulsante. "
        "Ho già reinstallato tutto ma il problema continua.",
    ),
    Sample(
        "nl",
        "NL",
        "nl-NL",
        "account.hacked",
        "Mijn account is gehackt en iemand heeft mijn wachtwoord en e-mailadres veranderd. "
        "Ik kan niet meer inloggen, help me alstublieft.",
    ),
    Sample(
        "pl",
        "PL",
        "pl-PL",
        "shop.order_missing",
        "Zapłaciłem za zamówienie tydzień temu, ale paczka wciąż nie dotarła. Proszę o sprawdzenie statusu przesyłki.",
    ),
    Sample(
        "tr",
        "TR",
        "tr-TR",
        "account.suspended",
        "Hesabım hiçbir sebep yokken askıya alındı ve giriş yapamıyorum. Lütfen hesabımı en kısa sürede tekrar açın.",
    ),
    Sample(
        "ru",
        "RU",
        "ru-RU",
        "payment.charged_twice",
        "С моей карты дважды списали деньги за одну покупку. Пожалуйста, верните лишний платёж как можно скорее.",
    ),
    Sample(
        "uk",
        "UA",
        "uk-UA",
        "account.banned",
        "Мій обліковий запис заблокували без жодного пояснення, і я не можу увійти. "
        "Будь ласка, допоможіть відновити доступ.",
    ),
    Sample(
        "ar",
        "SA",
        "ar-SA",
        "payment.charged_twice",
        "تم خصم المبلغ من بطاقتي مرتين مقابل نفس الطلب. أرجو استرداد المبلغ الإضافي في أقرب وقت.",
    ),
    Sample(
        "fa",
        "IR",
        "fa-IR",
        "account.banned",
        "حساب کاربری من بدون هیچ دلیلی مسدود شده است و نمی‌توانم وارد شوم. لطفاً هر چه زودتر بررسی کنید.",
    ),
    Sample(
        "hi",
        "IN",
        "hi-IN",
        "shop.order_missing",
        "मेरे खाते से दो बार पैसे कट गए हैं लेकिन मेरा ऑर्डर अभी तक नहीं आया है। कृपया जल्दी से मेरी मदद करें।",
    ),
    Sample(
        "bn",
        "BD",
        "bn-BD",
        "account.suspended",
        "আমার অ্যাকাউন্ট হঠাৎ বন্ধ করে দেওয়া হয়েছে এবং আমি লগইন করতে পারছি না। দয়া করে আমাকে সাহায্য করুন।",
    ),
    Sample(
        "id",
        "ID",
        "id-ID",
        "shop.order_missing",
        "Saya sudah membayar pesanan saya seminggu yang lalu tetapi barangnya belum juga sampai. "
        "Tolong bantu cek status pengiriman saya.",
    ),
    Sample(
        "ms",
        "MY",
        "ms-MY",
        "shop.order_missing",
        "Saya telah membuat bayaran untuk pesanan saya minggu lepas tetapi barang masih belum sampai. "
        "Sila bantu saya semak status penghantaran.",
    ),
    Sample(
        "vi",
        "VN",
        "vi-VN",
        "shop.order_missing",
        "Tôi đã thanh toán đơn hàng từ tuần trước nhưng vẫn chưa nhận được hàng. Vui lòng kiểm tra giúp tôi.",
    ),
    Sample(
        "th",
        "TH",
        "th-TH",
        "account.suspended",
        "บัญชีของฉันถูกระงับโดยไม่มีเหตุผล และฉันไม่สามารถเข้าสู่ระบบได้ กรุณาช่วยตรวจสอบด้วยค่ะ",
    ),
    Sample(
        "ja",
        "JP",
        "ja-JP",
        "live.cannot_go_live",
        "ライブ配信を始めようとするとアプリが毎回落ちてしまいます。昨日から何度も再インストールしましたが直りません。",
    ),
    Sample(
        "ko",
        "KR",
        "ko-KR",
        "payment.charged_twice",
        "같은 주문에 대해 카드에서 두 번 결제되었습니다. 중복 결제된 금액을 환불해 주세요.",
    ),
    Sample(
        "zh",
        "CN",
        "zh-CN",
        "account.hacked",
        "我的账号被盗了，对方修改了我的密码和绑定的邮箱。请尽快帮我找回账号。",
    ),
    Sample(
        "tl",
        "PH",
        "fil-PH",
        "payment.payout",
        "Hindi ko ma-withdraw ang kinita ko sa live dahil palaging nabibigo ang payout. "
        "Pakitulungan po ninyo ako agad dahil kailangan ko na ang pera.",
    ),
    Sample(
        "sv",
        "SE",
        "sv-SE",
        "payment.subscription",
        "Jag har blivit debiterad två gånger för samma prenumeration denna månad. "
        "Kan ni återbetala den extra avgiften?",
    ),
    Sample(
        "ro",
        "RO",
        "ro-RO",
        "account.suspended",
        "Contul meu a fost suspendat fără niciun motiv și nu mă mai pot conecta. Vă rog să mă ajutați cât mai repede.",
    ),
    Sample(
        "el",
        "GR",
        "el-GR",
        "account.banned",
        "Ο λογαριασμός μου αποκλείστηκε χωρίς καμία εξήγηση και δεν μπορώ να συνδεθώ. Παρακαλώ βοηθήστε με.",
    ),
    Sample(
        "he",
        "IL",
        "he-IL",
        "account.banned",
        "החשבון שלי נחסם בלי שום הסבר ואני לא מצליח להתחבר. אנא עזרו לי בהקדם.",
    ),
    Sample(
        "cs",
        "CZ",
        "cs-CZ",
        "shop.order_missing",
        "Moje objednávka měla dorazit před týdnem, ale stále nic nepřišlo. Prosím, zkontrolujte stav zásilky.",
    ),
    Sample(
        "hu",
        "HU",
        "hu-HU",
        "account.suspended",
        "A fiókomat indoklás nélkül letiltották, és nem tudok bejelentkezni. Kérem, segítsenek minél hamarabb.",
    ),
)

BY_LANGUAGE: dict[str, Sample] = {sample.language: sample for sample in SAMPLES}
