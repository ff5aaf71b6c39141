"""How alike two short texts are: TF-IDF weighted cosine over words and character n-grams.

Used to rank the tickets that may report an incident. Words carry the meaning; character
n-grams (3 to 5 letters inside a word) catch what words miss in support text: inflections
("freezing" / "freezes"), typos, and names written the same in every language ("LIVE", an
error code). IDF is computed over the texts being ranked, so words every ticket uses ("app",
"please") weigh little and the ones the incident is about weigh most. Pure and deterministic.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping

# Character n-grams count for less than words: they overlap (one word gives many), and a shared
# n-gram is weaker evidence than a shared word.
CHARACTER_WEIGHT = 0.5
NGRAM_SIZES = (3, 4, 5)
_WORD = re.compile(r"\w+")
# The pivot language's words that say nothing about a problem (English by default).
_STOP_WORDS = (
    "a an and are as at be been but by can do does for from has have i if in is it its me my no not of on or our "
    "so that the their this to was we were what when with you your"
)
STOP_WORDS = frozenset(_STOP_WORDS.split())


def words(text: str) -> list[str]:
    """Lower-cased, accents removed, one- and stop-words dropped, digits-only runs dropped."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in folded if not unicodedata.combining(char))
    return [word for word in _WORD.findall(plain) if len(word) > 1 and not word.isdigit() and word not in STOP_WORDS]


def features(text: str) -> Counter[str]:
    """Counts of words (`w:`) and of character n-grams inside padded words (`c:`)."""
    counted: Counter[str] = Counter()
    for word in words(text):
        counted[f"w:{word}"] += 1
        padded = f" {word} "
        for size in NGRAM_SIZES:
            for start in range(len(padded) - size + 1):
                counted[f"c:{padded[start : start + size]}"] += 1
    return counted


def _inverse_document_frequency(documents: Iterable[Counter[str]]) -> dict[str, float]:
    frequency: Counter[str] = Counter()
    total = 0
    for document in documents:
        total += 1
        frequency.update(document.keys())
    return {feature: math.log((1 + total) / (1 + count)) + 1 for feature, count in frequency.items()}


def _weighted(document: Counter[str], idf: Mapping[str, float]) -> dict[str, float]:
    vector = {
        feature: (1 + math.log(count)) * idf.get(feature, 1.0) * (CHARACTER_WEIGHT if feature[0] == "c" else 1.0)
        for feature, count in document.items()
    }
    norm = math.sqrt(sum(value * value for value in vector.values()))
    return {feature: value / norm for feature, value in vector.items()} if norm else {}


def rank(query: str, documents: Mapping[str, str], limit: int) -> list[tuple[str, float]]:
    """The ids of `documents` most like `query`, best first, with their cosine (0..1, four
    decimals); ties keep the documents' order. Documents sharing nothing score 0 and still rank
    (last): a caller lists candidates, and an untranslated report may still be one."""
    counted = {key: features(text) for key, text in documents.items()}
    asked = features(query)
    idf = _inverse_document_frequency([asked, *counted.values()])
    query_vector = _weighted(asked, idf)
    scored = []
    for position, (key, document) in enumerate(counted.items()):
        vector = _weighted(document, idf)
        cosine = sum(value * vector.get(feature, 0.0) for feature, value in query_vector.items())
        scored.append((-round(cosine, 4), position, key))
    scored.sort()
    return [(key, (-negative) or 0.0) for negative, _, key in scored[:limit]]
