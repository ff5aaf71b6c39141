"""Protecting text before it leaves for a translation provider, and restoring it afterwards.

Personal data (e-mail addresses, phone numbers, payment cards, IBANs, order and transaction ids,
URLs) and glossary terms are replaced by numbered placeholders such as `[[3]]`, which machine
translation leaves alone. The provider never sees the values; the agent sees them restored, and
glossary terms come back in the target language's preferred rendering.

Masking errs on the side of masking: a span masked needlessly costs nothing (it is restored),
a span missed leaks personal data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from chalicelib.domain.catalog import load

# What a provider may do to `[[3]]`: spaces inside, full-width brackets or digits (CJK output).
_PLACEHOLDER = re.compile(r"[\[［]\s*[\[［]\s*([0-9０-９]{1,4})\s*[\]］]\s*[\]］]")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# 13-19 digits, optionally grouped by spaces or dashes: checked with Luhn before masking.
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b")
# Ids: letters and digits joined (ORD-99812, TXN2024000123, A1B2C3D4E5) with at least one digit.
_ID = re.compile(r"\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*\b")
# Any other long run of digits (phone numbers in formats phonenumbers did not parse, account
# numbers): six or more digits, possibly grouped.
_DIGITS = re.compile(r"(?<!\w)\+?\d(?:[ .\-/]?\d){5,}(?!\w)")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # email, phone, card, iban, id, url, number, glossary, literal
    replacement: str | None = None  # for glossary terms: what the target language should read


@dataclass(frozen=True)
class GlossaryTerm:
    term: str
    case_sensitive: bool
    renderings: dict[str, str]

    def rendering(self, language: str) -> str:
        return self.renderings.get(language, self.term)


@dataclass(frozen=True)
class Glossary:
    version: str
    terms: tuple[GlossaryTerm, ...]
    _patterns: tuple[tuple[re.Pattern[str], GlossaryTerm], ...] = field(default=(), repr=False)

    def spans(self, text: str, target: str) -> list[Span]:
        found: list[Span] = []
        for pattern, term in self._patterns:
            for match in pattern.finditer(text):
                found.append(Span(match.start(), match.end(), "glossary", term.rendering(target)))
        return found


def build_glossary(data: dict[str, Any]) -> Glossary:
    terms = tuple(
        GlossaryTerm(item["term"], bool(item.get("case_sensitive", False)), dict(item.get("renderings", {})))
        for item in data["terms"]
    )
    patterns: list[tuple[re.Pattern[str], GlossaryTerm]] = []
    for term in terms:
        # A term is recognised as written or in any of its renderings; longest forms first.
        forms = sorted({term.term, *term.renderings.values()}, key=len, reverse=True)
        alternatives = "|".join(re.escape(form) for form in forms)
        flags = 0 if term.case_sensitive else re.IGNORECASE
        patterns.append((re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", flags), term))
    # Longer terms win overlaps ("TikTok Shop" over "TikTok"): try them first.
    patterns.sort(key=lambda pair: len(pair[1].term), reverse=True)
    return Glossary(str(data["version"]), terms, tuple(patterns))


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    return build_glossary(load("glossary.json"))


@dataclass(frozen=True)
class MaskedText:
    """The text to send (`masked`) and what each placeholder stands for."""

    original: str
    masked: str
    values: tuple[str, ...]  # placeholder n (1-based) restores to values[n - 1]
    kinds: tuple[str, ...]

    def restore(self, translated: str) -> str:
        """Put every protected value back. Raises LostPlaceholder if the provider dropped one."""
        seen: set[int] = set()

        def put_back(match: re.Match[str]) -> str:
            number = int(unicodedata.normalize("NFKC", match.group(1)))
            if not 1 <= number <= len(self.values):
                return match.group(0)
            seen.add(number)
            return self.values[number - 1]

        restored = _PLACEHOLDER.sub(put_back, translated)
        missing = set(range(1, len(self.values) + 1)) - seen
        if missing:
            raise LostPlaceholder(f"the provider dropped {len(missing)} protected span(s)")
        return restored

    @property
    def has_text(self) -> bool:
        """False when nothing but placeholders, digits and punctuation is left to translate."""
        return any(char.isalpha() for char in _PLACEHOLDER.sub("", self.masked))


class LostPlaceholder(ValueError):
    """The translation came back without one of the placeholders: its value cannot be restored."""


def mask(
    text: str,
    target: str,
    glossary: Glossary | None = None,
    known_ids: Sequence[str] = (),
    regions: Iterable[str | None] = (),
) -> MaskedText:
    """Replace personal data, ids, URLs and glossary terms in `text` by placeholders.

    `known_ids` are values the requester gave as evidence (order or transaction ids), masked
    wherever they appear; `regions` are ISO countries to parse national phone numbers for.
    """
    spans = _find_spans(text, target, glossary or default_glossary(), known_ids, regions)
    pieces: list[str] = []
    values: list[str] = []
    kinds: list[str] = []
    position = 0
    for span in spans:
        pieces.append(text[position : span.start])
        values.append(span.replacement if span.replacement is not None else text[span.start : span.end])
        kinds.append(span.kind)
        pieces.append(f"[[{len(values)}]]")
        position = span.end
    pieces.append(text[position:])
    return MaskedText(text, "".join(pieces), tuple(values), tuple(kinds))


def _find_spans(
    text: str, target: str, glossary: Glossary, known_ids: Sequence[str], regions: Iterable[str | None]
) -> list[Span]:
    # Order matters: an earlier finder wins where spans overlap.
    candidates: list[Span] = [Span(m.start(), m.end(), "literal") for m in _PLACEHOLDER.finditer(text)]
    candidates += [Span(m.start(), m.end(), "url") for m in _URL.finditer(text)]
    candidates += [Span(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)]
    for known in sorted({value for value in known_ids if len(value) >= 3}, key=len, reverse=True):
        candidates += [Span(m.start(), m.end(), "id") for m in re.finditer(re.escape(known), text)]
    candidates += [Span(m.start(), m.end(), "iban") for m in _IBAN.finditer(text) if _iban_valid(m.group())]
    candidates += [Span(m.start(), m.end(), "card") for m in _CARD.finditer(text) if _luhn_valid(m.group())]
    candidates += _phone_spans(text, regions)
    candidates += glossary.spans(text, target)
    candidates += [Span(m.start(), m.end(), "id") for m in _ID.finditer(text)]
    candidates += [Span(m.start(), m.end(), "number") for m in _DIGITS.finditer(text)]
    chosen: list[Span] = []
    taken: list[tuple[int, int]] = []
    for span in candidates:
        if span.end <= span.start or any(span.start < end and start < span.end for start, end in taken):
            continue
        chosen.append(span)
        taken.append((span.start, span.end))
    return sorted(chosen, key=lambda span: span.start)


def _phone_spans(text: str, regions: Iterable[str | None]) -> list[Span]:
    import phonenumbers  # here, not at the top: `import app` (every cold start) stays without it

    spans: list[Span] = []
    # None finds international (+...) numbers; each region adds its national formats.
    for region in dict.fromkeys([None, *regions]):
        try:
            matches = list(phonenumbers.PhoneNumberMatcher(text, region))
        except Exception:  # an unknown region code: nothing to learn from it
            continue
        spans += [Span(match.start, match.end, "phone") for match in matches]
    return spans


def _luhn_valid(candidate: str) -> bool:
    digits = [int(char) for char in candidate if char.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _iban_valid(candidate: str) -> bool:
    compact = candidate.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1
