"""Personal data and glossary terms never reach a provider, and come back restored."""

from __future__ import annotations

import pytest

from chalicelib.domain.masking import LostPlaceholder, build_glossary, mask

GLOSSARY = build_glossary(
    {
        "version": "test-1",
        "terms": [
            {"term": "TikTok"},
            {"term": "TikTok Shop"},
            {"term": "LIVE", "case_sensitive": True},
            {"term": "TikTok Coins", "renderings": {"es": "Monedas de TikTok", "ja": "TikTokコイン"}},
        ],
    }
)

PERSONAL = [
    ("email", "escríbeme a maria.lopez+shop@correo.example.mx por favor", "maria.lopez+shop@correo.example.mx"),
    ("phone MX national", "mi número es 55 1234 5678 llámame", "55 1234 5678"),
    ("phone international", "appelez le +33 6 12 34 56 78 svp", "+33 6 12 34 56 78"),
    ("phone JP", "電話番号は090-1234-5678です", "090-1234-5678"),
    ("card with spaces", "cobraron mi tarjeta 4111 1111 1111 1111 dos veces", "4111 1111 1111 1111"),
    ("card with dashes", "karte 5500-0000-0000-0004 belastet", "5500-0000-0000-0004"),
    ("card bare", "بطاقتي 4012888888881881 تم خصمها", "4012888888881881"),
    ("iban", "überweisung an DE89 3704 0044 0532 0130 00 fehlgeschlagen", "DE89 3704 0044 0532 0130 00"),
    ("order id", "pedido ORD-99812 não chegou", "ORD-99812"),
    ("transaction id", "giao dịch TXN2024000123 bị lỗi", "TXN2024000123"),
    ("url", "ver https://shop.example.com/orders/123?ref=app ya", "https://shop.example.com/orders/123?ref=app"),
]


@pytest.mark.parametrize(("kind", "text", "secret"), PERSONAL, ids=[case[0] for case in PERSONAL])
def test_personal_data_is_replaced_before_sending_and_restored_after(kind: str, text: str, secret: str) -> None:
    # Given a message carrying personal data
    # When it is masked for an English translation
    masked = mask(text, "en", GLOSSARY, regions=["MX", "FR", "JP"])
    # Then the provider-bound text holds a placeholder, not the value
    assert secret not in masked.masked
    assert "[[1]]" in masked.masked
    # And a translation that kept the placeholder gets the value back
    assert secret in masked.restore(masked.masked.upper())


def test_evidence_ids_are_masked_wherever_they_appear() -> None:
    masked = mask("el pedido abc77 y otra vez abc77", "en", GLOSSARY, known_ids=["abc77"])
    assert "abc77" not in masked.masked
    assert masked.restore(masked.masked) == "el pedido abc77 y otra vez abc77"


def test_a_card_number_that_fails_luhn_is_still_masked_as_a_number() -> None:
    masked = mask("ref 4111 1111 1111 1112 gracias", "en", GLOSSARY)
    assert "4111" not in masked.masked
    assert masked.kinds == ("number",)


def test_glossary_terms_are_kept_and_the_longest_term_wins() -> None:
    masked = mask("compré en TikTok Shop durante un LIVE de TikTok, can't go live", "es", GLOSSARY)
    # "live" (the verb) is not the feature LIVE: only the capitalised term is protected
    assert masked.masked == "compré en [[1]] durante un [[2]] de [[3]], can't go live"
    assert masked.values == ("TikTok Shop", "LIVE", "TikTok")


def test_a_glossary_term_comes_back_in_the_targets_preferred_rendering() -> None:
    # Given Spanish text naming the coins the Spanish way
    masked = mask("no recibí mis Monedas de TikTok", "en", GLOSSARY)
    # Then English readers get the canonical term, Japanese readers theirs
    assert masked.restore(masked.masked) == "no recibí mis TikTok Coins"
    assert mask("my TikTok Coins are gone", "ja", GLOSSARY).restore("[[1]]が消えました") == "TikTokコインが消えました"


def test_placeholders_survive_what_providers_do_to_them() -> None:
    masked = mask("correo a@b.co y tel +44 20 7946 0958", "ja", GLOSSARY)
    # Providers add spaces or answer with full-width brackets and digits
    assert masked.restore("メール ［［１］］ 電話 [[ 2 ]]") == "メール a@b.co 電話 +44 20 7946 0958"


def test_a_dropped_placeholder_is_an_error_not_a_silent_loss() -> None:
    masked = mask("correo a@b.co y tel +44 20 7946 0958", "en", GLOSSARY)
    with pytest.raises(LostPlaceholder):
        masked.restore("email [[1]] and phone")


def test_text_that_already_looks_like_a_placeholder_is_protected_too() -> None:
    masked = mask("el código [[1]] no funciona, mail x@y.io", "en", GLOSSARY)
    assert masked.restore(masked.masked) == "el código [[1]] no funciona, mail x@y.io"


def test_text_of_only_ids_and_numbers_has_nothing_to_translate() -> None:
    assert not mask("ORD-99812 4111 1111 1111 1111", "en", GLOSSARY).has_text
    assert mask("ORD-99812 no llegó", "en", GLOSSARY).has_text
