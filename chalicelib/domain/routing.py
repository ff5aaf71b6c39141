"""Which regional desk gets a ticket, at what priority, and by when it must be answered."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from chalicelib.domain.catalog import load
from chalicelib.domain.ticket import Language, Requester

UNDETERMINED = "und"
# Below this a detected language is a guess: it is shown (flagged low_confidence) but does not
# pick the desk; the ticket falls back to the global desk instead of a wrong region.
LOW_CONFIDENCE = 0.5


def is_low_confidence(language: Language | None) -> bool:
    return language is None or language.code == UNDETERMINED or language.confidence < LOW_CONFIDENCE


@dataclass(frozen=True)
class RoutingTable:
    region_by_country: dict[str, str]
    region_by_language: dict[str, str]
    default_region: str

    def region_for(self, requester: Requester, language: Language | None) -> tuple[str, str]:
        """(region, reason). The country decides when known, then the locale's region,
        then the detected language when it is confident, else the default desk."""
        if requester.country and requester.country in self.region_by_country:
            return self.region_by_country[requester.country], "country"
        locale_country = requester.locale_region
        if locale_country and locale_country in self.region_by_country:
            return self.region_by_country[locale_country], "locale"
        if language is not None and not is_low_confidence(language) and language.code in self.region_by_language:
            return self.region_by_language[language.code], "language"
        return self.default_region, "default"


@lru_cache(maxsize=1)
def routing_table() -> RoutingTable:
    data = load("routing.json")
    by_country: dict[str, str] = {}
    by_language: dict[str, str] = {}
    for region, spec in data["regions"].items():
        for country in spec["countries"]:
            by_country[country] = region
        for language in spec["languages"]:
            by_language[language] = region
    return RoutingTable(by_country, by_language, data["default_region"])


def priority_for(category: str, tier: str, texts: Sequence[str] = ()) -> str:
    """The category's priority (longest matching prefix wins); for category `other`, raised by
    words in `texts` (the ticket in its language and in the pivot); then one level up for
    business users."""
    rules = load("priority_rules.json")
    levels: list[str] = rules["levels"]
    level = rules["default"]
    by_category: dict[str, str] = rules["by_category"]
    if category in by_category:
        level = by_category[category]
    elif category.split(".")[0] in by_category:
        level = by_category[category.split(".")[0]]
    if category == "other":
        for word_level in _levels_named_by_words(texts):
            if levels.index(word_level) > levels.index(level):
                level = word_level
    raised = levels.index(level) + int(rules["tier_raise"].get(tier, 0))
    return levels[min(raised, len(levels) - 1)]


def _levels_named_by_words(texts: Sequence[str]) -> list[str]:
    folded = " ".join(_fold(text) for text in texts if text)
    return [level for level, pattern in _word_patterns().items() if pattern.search(folded)]


@lru_cache(maxsize=1)
def _word_patterns() -> dict[str, re.Pattern[str]]:
    words: dict[str, list[str]] = load("priority_rules.json").get("words_when_other", {})
    patterns = {}
    for level, listed in words.items():
        if level == "comment":
            continue
        alternatives = []
        for word in sorted({_fold(word) for word in listed}, key=len, reverse=True):
            # Latin words from a word start (so "refund" also matches "refunded"); other scripts
            # have no spaces to lean on, so anywhere.
            alternatives.append(rf"\b{re.escape(word)}" if word.isascii() else re.escape(word))
        patterns[level] = re.compile("|".join(alternatives))
    return patterns


def _fold(text: str) -> str:
    """Lower case without accents: requesters often type without them."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return unicodedata.normalize("NFC", "".join(char for char in decomposed if unicodedata.category(char) != "Mn"))


def priority_rank(priority: str) -> int:
    """0 for the most urgent level: sorts a region's work list most urgent first."""
    levels: list[str] = load("priority_rules.json")["levels"]
    return len(levels) - 1 - levels.index(priority)


def raised_priority(priority: str) -> str:
    """One level more urgent, capped at the most urgent."""
    levels: list[str] = load("priority_rules.json")["levels"]
    return levels[min(levels.index(priority) + 1, len(levels) - 1)]
