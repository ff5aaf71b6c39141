"""Routing when evidence is thin: no country, a locale only, or text with no language in it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.sla_policy import policy_for
from chalicelib.domain.ticket import parse_iso
from tests.pipeline.conftest import all_desk_messages, create_ticket, view


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


def desks_told(pipeline) -> dict[str, list[str]]:
    return {
        region: [message["ticket_id"] for message in messages]
        for region, messages in all_desk_messages(pipeline).items()
        if messages
    }


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("12345 678 !!! ???", id="digits"),
        pytest.param("😡😡😡 💸💸 ❌❌", id="emoji"),
        pytest.param("#4411 $19.99 404", id="numbers-and-amount"),
        pytest.param("ERR-50021", id="error-code"),
        pytest.param("TX-99812", id="transaction-id"),
    ],
)
def test_text_without_language_and_no_country_goes_to_the_global_desk_flagged(api, pipeline, text):
    # Given a report with no words in any language, no country and no locale
    created = create_ticket(api, {"description": text})

    # When the pipeline runs
    pipeline.drain()

    # Then the language is undetermined, flagged for agents, and the global desk gets it
    ticket = view(api, created)
    assert ticket["status"] == "routed"
    assert ticket["language"]["code"] == "und"
    assert ticket["language"]["low_confidence"] is True
    assert ticket["region"] == "global"
    assert desks_told(pipeline) == {"global": [created["ticket_id"]]}


@pytest.mark.parametrize(
    ("locale", "text", "language", "region"),
    [
        pytest.param("es-MX", "Me cobraron dos veces el mismo pedido y nunca llegó.", "es", "latam", id="es-MX"),
        pytest.param("pt_BR", "Meu pedido não chegou e ninguém me responde.", "pt", "latam", id="android-pt_BR"),
        pytest.param("zh-Hant-TW", "我的帳號被停用了，請幫我處理。", "zh", "apac", id="zh-Hant-TW"),
    ],
)
def test_without_a_country_the_locales_region_decides(api, pipeline, locale, text, language, region):
    # Given a report with a locale and no country
    created = create_ticket(api, {"description": text, "requester": {"locale": locale}})

    # When the pipeline runs
    pipeline.drain()

    # Then the desk of the locale's region handles it
    ticket = view(api, created)
    assert (ticket["language"]["code"], ticket["region"]) == (language, region)
    assert desks_told(pipeline) == {region: [created["ticket_id"]]}


def test_the_locales_region_beats_the_language_when_there_is_no_country(api, pipeline):
    # Given an English report from an app set to en-IN, with no country
    created = create_ticket(
        api,
        {"description": "My payout has not arrived for two weeks.", "requester": {"locale": "en-IN"}},
    )

    # When the pipeline runs
    pipeline.drain()

    # Then the desk for India (apac) gets it, not the English-language default (na)
    assert view(api, created)["region"] == "apac"
    assert desks_told(pipeline) == {"apac": [created["ticket_id"]]}


def test_the_country_beats_the_locale_and_the_language(api, pipeline):
    # Given a Spanish report from an es-MX app, by a requester in Spain
    created = create_ticket(
        api,
        {
            "description": "No puedo entrar en mi cuenta desde ayer y no me llega el código.",
            "requester": {"locale": "es-MX", "country": "es"},
        },
    )

    # When the pipeline runs
    pipeline.drain()

    # Then the European desk handles it (the country code's case does not matter)
    assert view(api, created)["region"] == "emea"
    assert desks_told(pipeline) == {"emea": [created["ticket_id"]]}


def test_undetermined_text_with_a_locale_follows_the_locale(api, pipeline):
    # Given an emoji-only report from a pt-BR app
    created = create_ticket(api, {"description": "😡😡😡 💸💸", "requester": {"locale": "pt-BR"}})

    # When the pipeline runs
    pipeline.drain()

    # Then the locale speaks for the requester
    ticket = view(api, created)
    assert ticket["language"]["code"] == "pt"
    assert ticket["region"] == "latam"


@pytest.mark.parametrize(
    ("category", "tier", "priority", "first_response_hours"),
    [
        pytest.param("account.hacked", "standard", "urgent", 4, id="hacked-account"),
        pytest.param("payment.charged_twice", "business", "urgent", 4, id="business-payment"),
        pytest.param("payment.refund", "standard", "high", 24, id="payment"),
        pytest.param("live.stream_quality", "standard", "normal", 48, id="stream-quality"),
        pytest.param("live.stream_quality", "business", "high", 24, id="business-stream-quality"),
    ],
)
def test_priority_and_first_response_deadline_follow_category_and_tier(
    api, pipeline, category, tier, priority, first_response_hours
):
    # Given a report of a given kind from a given kind of requester
    created = create_ticket(
        api,
        {
            "description": "Please help me with this problem as soon as possible, it keeps happening.",
            "category": category,
            "requester": {"country": "US", "tier": tier},
        },
    )

    # When the pipeline runs
    pipeline.drain()

    # Then the desk sees the priority and the first answer is due after that many hours of the
    # region's SLA clock (business hours; urgent runs 24x7)
    ticket = view(api, created)
    assert ticket["priority"] == priority
    due = parse_iso(ticket["sla"]["first_response_due"])
    clock = policy_for("na").clock(priority, parse_iso(ticket["created_at"]))
    assert due == clock.first_response_due
    assert clock.running_time(due) == timedelta(hours=first_response_hours)
    assert ticket["sla"]["eta"]["from"] <= ticket["sla"]["eta"]["to"]
