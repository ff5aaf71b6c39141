"""The production detector: the compact n-gram + lexicon model, weighed with the requester's
locale and country.

How an answer is reached:
1. Noise is removed (URLs, e-mail addresses, ids, digits, emoji: domain/text_cleaning.py).
2. Fewer than two letters: the language of the requester's locale (`source = "locale"`), else `und`.
3. A script one served language alone writes decides (Hangul, kana, Thai, ...: `"script"`).
4. Otherwise the text's log-likelihood per candidate language, divided by a temperature, plus
   a log-prior for the locale's language and (smaller) the country's languages, goes through a
   softmax. The temperature makes the confidence calibrated; the priors settle short ambiguous
   texts (Spanish or Portuguese, Chinese or Japanese) and are too small to override clear text.
5. Indonesian and Malay count as one language for the text; the locale or the country then
   tells them apart, else the text does, with a confidence to match.

`source` is "text+locale" when the hints changed the answer or lifted it out of low confidence.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path

from chalicelib.domain.catalog import load, served_languages
from chalicelib.domain.routing import UNDETERMINED
from chalicelib.domain.text_cleaning import clean
from chalicelib.domain.ticket import Language, Requester
from chalicelib.langid import MODEL_DIR, LanguageIdentifier, Script, TextEvidence
from chalicelib.langid.romanized import arabizi_letters

# Calibration (checked on random word lists from simplemma's dictionaries and on the support
# messages in tests/data/langid, never on the benchmark's test data): the words of one message
# are not independent evidence, so their summed log-likelihood is divided by 3 * words**0.3
# (3.0 for one word, 3.7 for two, 6 for ten). Expected calibration error on the word lists 0.3%.
TEMPERATURE = 3.0
TEMPERATURE_WORD_EXPONENT = 0.3
# Log-priors in nats. At 2.0 the right locale fixes ~60% of single-word errors, while a wrong
# one turns 1% of right answers on two words, and none on sentences, into wrong ones.
LOCALE_LOG_PRIOR = 2.0
# Japanese is almost never written without kana, so Han-only text leans Chinese unless a
# Japanese locale or country says otherwise (lingua's Chinese/Japanese models are single characters only:
# "支付失败" alone came out Japanese).
HAN_ONLY_CHINESE_LOG_PRIOR = 1.5
COUNTRY_LOG_PRIOR = 1.0
# Latin letters are a language's usual script far more often than a romanized one: the romanized
# readings start this many nats behind, so only clear text (or the requester's country and
# locale, as for native script) makes "mera account" Hindi and never "casa" Hindi.
ROMANIZED_LOG_PRIOR = -2.5
ROMANIZED_SCRIPT = "Latn"
# Indonesian and Malay share most of their words: text alone splits them less surely than its
# likelihoods claim (62% right on random dictionary words), so the split is damped.
MALAY_SPLIT_DAMPING = 2.0
MALAY_COUNTRIES = frozenset({"MY", "BN", "SG"})

MIN_LETTERS = 2  # one Latin or Cyrillic letter is no word; one Han, kana or Hangul character is
SYLLABIC_SCRIPTS = frozenset({Script.HAN, Script.KANA, Script.HANGUL})
LOW_CONFIDENCE = 0.5  # below this the ticket view flags the language (api/contract/views.py)
UNDETERMINED_BELOW = 0.2  # a guess this weak is worse than "und" (translation then auto-detects)
LOCALE_ONLY_CONFIDENCE = 0.6  # no words at all: the locale is the language the requester reads
MAX_CONFIDENCE = 0.999  # a statistical answer is never certain

# Old or three-letter codes some platforms still send in locales.
_LOCALE_ALIASES = {"fil": "tl", "in": "id", "iw": "he"}

UNKNOWN = Language(UNDETERMINED, 0.0, "none")


@dataclass(frozen=True)
class Hints:
    """What the ticket says about its language besides the text."""

    locale_language: str | None = None  # a served language
    country: str | None = None  # the requester's country, else the locale's region
    country_languages: frozenset[str] = frozenset()

    @classmethod
    def of(cls, requester: Requester, served: frozenset[str]) -> Hints:
        language = requester.locale_language
        language = _LOCALE_ALIASES.get(language or "", language)
        country = (requester.country or requester.locale_region or "").upper() or None
        spoken: list[str] = load("country_languages.json")["countries"].get(country or "", [])
        return cls(
            locale_language=language if language in served else None,
            country=country,
            country_languages=frozenset(code for code in spoken if code in served),
        )

    @property
    def empty(self) -> bool:
        return not (self.locale_language or self.country_languages or self.malay_or_indonesian())

    def log_prior(self, code: str) -> float:
        prior = LOCALE_LOG_PRIOR if code == self.locale_language else 0.0
        return prior + (COUNTRY_LOG_PRIOR if code in self.country_languages else 0.0)

    def malay_or_indonesian(self) -> str | None:
        """Which of the two the requester writes, when the locale or the country says."""
        if self.locale_language in ("ms", "id"):
            return self.locale_language
        if self.country in MALAY_COUNTRIES:
            return "ms"
        if self.country == "ID":
            return "id"
        return None


NO_HINTS = Hints()


@dataclass(frozen=True)
class _Answer:
    code: str
    confidence: float


class NgramDetector:
    """Detector protocol (domain/ports.py). The model is memory-mapped on first use."""

    def __init__(self, model_dir: Path = MODEL_DIR) -> None:
        self._model_dir = model_dir
        self._served = served_languages()
        self._identifier: LanguageIdentifier | None = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Open the model and run one detection, so that the first ticket pays nothing extra."""
        self.detect("Warm-up: the quick brown fox", Requester())

    def detect(self, text: str, requester: Requester) -> Language:
        hints = Hints.of(requester, self._served)
        # Arabizi digits (la2y, 7sab) are letters: made Latin letters before the cleaner drops digits
        evidence = self._loaded().identify(clean(arabizi_letters(text)))
        if evidence.letters < (1 if evidence.script in SYLLABIC_SCRIPTS else MIN_LETTERS):
            if hints.locale_language:
                return Language(hints.locale_language, LOCALE_ONLY_CONFIDENCE, "locale")
            return UNKNOWN
        if evidence.decided_by_script:
            if evidence.decided_by_script not in self._served:
                return UNKNOWN
            # mixed with as many Latin letters (English product names) it is a little less sure
            return Language(evidence.decided_by_script, round(min(0.99, 0.5 + evidence.script_share), 4), "script")
        return self._weigh(evidence, hints)

    def _loaded(self) -> LanguageIdentifier:
        if self._identifier is None:
            with self._lock:
                if self._identifier is None:
                    self._identifier = LanguageIdentifier(self._model_dir)
        return self._identifier

    def _weigh(self, evidence: TextEvidence, hints: Hints) -> Language:
        temperature = TEMPERATURE * max(evidence.words, 1) ** TEMPERATURE_WORD_EXPONENT
        text_logits = {
            code: log_likelihood / temperature
            for code, log_likelihood in evidence.log_likelihoods.items()
            if code in self._served
        }
        if not text_logits:
            return UNKNOWN  # letters of a script no served language writes
        japanese_hint = hints.locale_language == "ja" or "ja" in hints.country_languages
        if evidence.script is Script.HAN and "zh" in text_logits and not japanese_hint:
            text_logits["zh"] += HAN_ONLY_CHINESE_LOG_PRIOR
        for code in evidence.romanized & text_logits.keys():
            text_logits[code] += ROMANIZED_LOG_PRIOR
        answer = _decide(text_logits, hints)
        text_alone = answer if hints.empty else _decide(text_logits, NO_HINTS)
        if answer.confidence < UNDETERMINED_BELOW:
            # The text cannot tell (romanized Bangla, say): the app's language is the best guess.
            if hints.locale_language:
                return Language(hints.locale_language, LOCALE_ONLY_CONFIDENCE, "locale")
            return UNKNOWN
        hints_decided = answer.code != text_alone.code or text_alone.confidence < LOW_CONFIDENCE <= answer.confidence
        return Language(
            answer.code,
            round(min(answer.confidence, MAX_CONFIDENCE), 4),
            "text+locale" if hints_decided else "text",
            ROMANIZED_SCRIPT if answer.code in evidence.romanized else None,
        )


def _decide(text_logits: dict[str, float], hints: Hints) -> _Answer:
    logits = (
        text_logits if hints.empty else {code: logit + hints.log_prior(code) for code, logit in text_logits.items()}
    )
    probabilities = _softmax(logits)
    if "id" not in probabilities or "ms" not in probabilities:
        best = max(probabilities, key=probabilities.__getitem__)
        return _Answer(best, probabilities[best])
    others = {code: p for code, p in probabilities.items() if code not in ("id", "ms")}
    best = max(others, key=others.__getitem__, default=None)
    malay_group = probabilities["id"] + probabilities["ms"]
    if best is not None and others[best] >= malay_group:
        return _Answer(best, others[best])
    hinted = hints.malay_or_indonesian()
    if hinted:
        return _Answer(hinted, malay_group)
    malay_share = _sigmoid((text_logits["ms"] - text_logits["id"]) / MALAY_SPLIT_DAMPING)
    if malay_share > 0.5:
        return _Answer("ms", malay_group * malay_share)
    return _Answer("id", malay_group * (1.0 - malay_share))


def _softmax(logits: dict[str, float]) -> dict[str, float]:
    top = max(logits.values())
    weights = {code: math.exp(logit - top) for code, logit in logits.items()}
    total = sum(weights.values())
    return {code: weight / total for code, weight in weights.items()}


def _sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)
