"""Which languages each regional desk reads, and so which tickets need a machine translation.

Translation is priced per character and is the largest cost of a ticket (`make cost`), yet a
Spanish ticket routed to the latam desk is read by agents who read Spanish. So a ticket is
machine-translated at intake only when its desk does not read its language; otherwise its
translation is `on_demand`: made when an agent who does not read the language opens or claims it,
or when it is escalated to a desk that does not read it (once, then kept on the ticket).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from chalicelib.domain.catalog import REGIONS, load
from chalicelib.domain.routing import is_low_confidence
from chalicelib.domain.ticket import Language

TRANSLATE_UNREAD = "unread"
TRANSLATE_ALL = "all"


@dataclass(frozen=True)
class DeskReading:
    region: str
    reads: frozenset[str]
    translate: str  # TRANSLATE_UNREAD or TRANSLATE_ALL


@lru_cache(maxsize=1)
def desk_readings() -> dict[str, DeskReading]:
    regions = load("desk_languages.json")["regions"]
    readings: dict[str, DeskReading] = {}
    for region in REGIONS:
        spec = regions.get(region, {})
        translate = spec.get("translate", TRANSLATE_UNREAD)
        if translate not in (TRANSLATE_UNREAD, TRANSLATE_ALL):
            raise ValueError(f"desk_languages.json: region {region}: translate must be 'unread' or 'all'")
        readings[region] = DeskReading(region, frozenset(spec.get("reads", ())), translate)
    return readings


def desk_reads(region: str | None, language: Language | None) -> bool:
    """Whether the agents of `region`'s desk read a ticket in `language` without a machine
    translation. A language the detector is unsure of is never assumed to be read, and neither
    is a romanized one (agents read Hindi in Devanagari, not in Latin letters)."""
    if region is None or language is None or is_low_confidence(language) or language.script == "Latn":
        return False
    reading = desk_readings().get(region)
    return reading is not None and reading.translate == TRANSLATE_UNREAD and language.code in reading.reads


def reader_reads(languages: Iterable[str], language: Language | None) -> bool:
    """Whether an agent who reads `languages` (their token's) reads a ticket in `language`."""
    if language is None or is_low_confidence(language) or language.script == "Latn":
        return False
    return language.code in set(languages)
