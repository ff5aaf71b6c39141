"""The routing table, priority rules and SLA deadlines."""

from __future__ import annotations

from collections import Counter

import pycountry
import pytest

from chalicelib.domain.catalog import REGIONS as CATALOG_REGIONS
from chalicelib.domain.catalog import load, served_languages
from chalicelib.domain.routing import priority_for, priority_rank, routing_table
from chalicelib.domain.ticket import Language, Requester

REGIONS = {"na", "latam", "emea", "apac", "global"}
# The 29 languages the design says the desk serves, with the region of each (design table).
LANGUAGE_REGIONS = {
    "en": "na",
    **dict.fromkeys(["es", "pt"], "latam"),
    **dict.fromkeys(
        ["fr", "de", "it", "nl", "pl", "tr", "ru", "uk", "ar", "fa", "he", "sv", "ro", "el", "cs", "hu"], "emea"
    ),
    **dict.fromkeys(["hi", "bn", "id", "ms", "vi", "th", "ja", "ko", "zh", "tl"], "apac"),
}


def text_in(code: str) -> Language:
    return Language(code, 0.95, "text")


# --- region -----------------------------------------------------------------------------


def test_the_design_lists_29_served_languages():
    assert len(LANGUAGE_REGIONS) == 29


def test_every_iso_country_maps_to_exactly_one_region():
    # Given the routing data file
    regions = load("routing.json")["regions"]
    appearances = Counter(country for spec in regions.values() for country in spec["countries"])

    # Then every ISO 3166-1 alpha-2 country is listed once, in a known region
    for country in pycountry.countries:
        assert appearances[country.alpha_2] == 1, country.alpha_2
    assert set(regions) == REGIONS


def test_every_iso_country_is_routed_by_country():
    table = routing_table()
    for country in pycountry.countries:
        region, reason = table.region_for(Requester(country=country.alpha_2), None)
        assert region in REGIONS
        assert reason == "country"


@pytest.mark.parametrize(
    ("country", "region"),
    [
        ("US", "na"),
        ("CA", "na"),
        ("MX", "latam"),
        ("BR", "latam"),
        ("AR", "latam"),
        ("PR", "latam"),
        ("DE", "emea"),
        ("GB", "emea"),
        ("SA", "emea"),
        ("KE", "emea"),
        ("KZ", "emea"),
        ("IL", "emea"),
        ("ZA", "emea"),
        ("JP", "apac"),
        ("IN", "apac"),
        ("AU", "apac"),
        ("CN", "apac"),
        ("PH", "apac"),
        ("NZ", "apac"),
        ("AQ", "global"),
    ],
)
def test_the_design_examples_route_by_country(country: str, region: str):
    assert routing_table().region_for(Requester(country=country), None) == (region, "country")


def test_the_country_beats_the_language():
    # Given a Spanish-speaking requester living in Germany
    requester = Requester(country="DE", locale="es-MX")

    # When routed
    # Then Germany's desk gets the ticket, not Mexico's nor the Spanish speakers'
    assert routing_table().region_for(requester, text_in("es")) == ("emea", "country")


def test_the_locale_region_decides_when_no_country_is_given():
    # Given a requester with a Brazilian locale writing in English
    requester = Requester(locale="pt-BR")

    # Then the locale's region decides
    assert routing_table().region_for(requester, text_in("en")) == ("latam", "locale")


def test_an_unknown_country_falls_back_to_the_locale_region():
    requester = Requester(country="ZZ", locale="ja-JP")
    assert routing_table().region_for(requester, text_in("en")) == ("apac", "locale")


@pytest.mark.parametrize(("language", "region"), sorted(LANGUAGE_REGIONS.items()))
def test_each_served_language_has_its_desk_when_nothing_else_is_known(language: str, region: str):
    # Given no country and a locale without a region
    requester = Requester(locale=language)

    # Then the detected language decides
    assert routing_table().region_for(requester, text_in(language)) == (region, "language")


def test_every_language_of_the_design_is_served():
    assert set(LANGUAGE_REGIONS) <= served_languages()


@pytest.mark.parametrize(
    "language",
    [Language("und", 0.0, "none"), Language("xx", 0.9, "text"), Language("eo", 0.99, "text"), None],
    ids=["undetermined", "unknown-code", "unserved", "not-detected"],
)
def test_without_country_locale_or_known_language_the_global_desk_gets_it(language: Language | None):
    assert routing_table().region_for(Requester(), language) == ("global", "default")


# --- priority ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "priority"),
    [
        ("account.hacked", "urgent"),
        ("account.banned", "high"),
        ("account.suspended", "high"),
        ("account.login", "normal"),
        ("account", "normal"),
        ("payment", "high"),
        ("payment.failed", "high"),
        ("payment.refund", "high"),
        ("shop.order_missing", "high"),
        ("shop.order_wrong", "normal"),
        ("ads.billing", "high"),
        ("ads.review", "normal"),
        ("content.report", "normal"),
        ("live.cannot_go_live", "normal"),
        ("other", "normal"),
    ],
)
def test_the_category_sets_the_priority_for_standard_users(category: str, priority: str):
    assert priority_for(category, "standard") == priority


@pytest.mark.parametrize(
    ("category", "priority"),
    [("account.login", "high"), ("payment.failed", "urgent"), ("other", "high"), ("account.hacked", "urgent")],
)
def test_business_users_are_raised_one_level_capped_at_urgent(category: str, priority: str):
    assert priority_for(category, "business") == priority


def test_priority_rank_puts_the_most_urgent_first():
    levels = ["urgent", "high", "normal", "low"]
    assert sorted(levels, key=priority_rank) == levels
    assert priority_rank("urgent") == 0


# --- SLA --------------------------------------------------------------------------------


def test_a_low_confidence_language_does_not_pick_the_desk():
    # Given Dutch detected with little confidence, and no country or locale to go by
    guess = Language("nl", 0.29, "text")
    # When routed
    region, reason = routing_table().region_for(Requester(), guess)
    # Then the ticket goes to the global desk rather than to a region chosen by a guess
    assert (region, reason) == ("global", "default")
    # And the same language, detected confidently, does pick its region
    assert routing_table().region_for(Requester(), Language("nl", 0.9, "text")) == ("emea", "language")


@pytest.mark.parametrize(
    ("texts", "priority"),
    [
        (["Someone hacked my account and changed the e-mail"], "urgent"),
        (["me robaron la cuenta, ayuda"], "urgent"),
        (["我的账号被盗了"], "urgent"),
        (["Cobraron dos veces", "I was charged twice"], "high"),
        (["quiero un REEMBOLSO ya"], "high"),
        (["le paiement a échoué"], "high"),
        (["the app crashes when I open it"], "normal"),
    ],
)
def test_words_raise_the_priority_when_the_category_was_left_as_other(texts: list[str], priority: str):
    # Given a ticket whose requester did not pick a category
    # When its text (original and pivot translation) names fraud or money
    # Then the priority follows the words, whatever the language or accents
    assert priority_for("other", "standard", texts) == priority


def test_words_do_not_override_a_chosen_category():
    assert priority_for("live.cannot_go_live", "standard", ["my account was hacked"]) == "normal"
    assert priority_for("other", "business", ["I was charged twice"]) == "urgent"


def test_the_regions_the_code_names_are_the_routing_tables():
    assert set(CATALOG_REGIONS) == set(load("routing.json")["regions"])
