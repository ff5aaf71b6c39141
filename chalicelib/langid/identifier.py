"""Text to per-language evidence: script rules first, then the word models.

The identifier only weighs the text. What a caller knows besides it (the requester's locale
and country) and how sure the answer is are the caller's business: see
chalicelib/adapters/ngram_detector.py.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from chalicelib.langid.artifact import MODEL_DIR, open_artifact
from chalicelib.langid.languages import (
    CANDIDATES_BY_SCRIPT,
    LANGUAGE_INDEX,
    LANGUAGES,
    SINGLE_LANGUAGE_SCRIPTS,
    Script,
    script_of_astral,
)
from chalicelib.langid.romanized import ARABIZI_DIGITS, ROMANIZED_LANGUAGES
from chalicelib.langid.scoring import WordScorer

MAX_CHARS = 2000  # the opening of a long ticket says enough, and scoring time grows with length
# A script that one language alone writes decides once it holds this share of the letters
# (the rest is often English product names, or boilerplate).
SCRIPT_DECIDES_AT = 0.3
# Latin letters next to another script are mostly English product words ("充值coins失败",
# "мой аккаунт banned"): the other script wins once it holds this share of the letters.
OTHER_SCRIPT_OVER_LATIN_AT = 0.3
SYLLABIC = frozenset({Script.HAN, Script.KANA, Script.HANGUL})
SYLLABIC_WEIGHT = 3
# Kana among Han characters mean Japanese; Chinese never writes them.
KANA_SHARE_OF_HAN = 0.1
# Romanized writing is code-mixed: "mera account ban ho gaya" is Hindi with English words. A
# romanized language's word model is a mixture, P(word) = P_romanized(word) + this * P_en(word),
# so English words do not pull a Hinglish message to English (English keeps the full P_en).
CODE_MIX_ENGLISH = 0.25
_CODE_MIX_LOG = math.log(CODE_MIX_ENGLISH)
CODE_MIX_MIN_OWN = 0.3
# A romanized language is scored only if its lexicon knows a word of the text within this many
# nats of the best Latin-script language's lexicon; all are, when a word of at least
# UNKNOWN_WORD_LETTERS letters is in no Latin-script lexicon ("jeongjidwaesseoyo").
PLAUSIBLE_MARGIN = 2.0
UNKNOWN_WORD_LETTERS = 4
_ARABIZI_LETTERS = frozenset(ARABIZI_DIGITS.values())


@dataclass(frozen=True)
class TextEvidence:
    letters: int  # letters in the text (any script)
    script: Script  # the script most letters are in (Script.NONE when there are none)
    decided_by_script: str | None = None  # the language when the script alone decides
    script_share: float = 0.0  # share of the letters in the deciding or dominant script
    words: int = 0  # words the model scored
    # log-likelihood of the text per candidate language of `script`; empty when not scored
    log_likelihoods: dict[str, float] = field(default_factory=dict)
    # candidates scored by their romanized model: Latin letters for a language with its own script
    romanized: frozenset[str] = frozenset()


def _columns(candidates: tuple[str, ...]) -> list[int]:
    columns = [-1] * len(LANGUAGES)
    for column, code in enumerate(candidates):
        columns[LANGUAGE_INDEX[code]] = column
    return columns


class LanguageIdentifier:
    def __init__(self, model_dir: Path = MODEL_DIR) -> None:
        artifact = open_artifact(model_dir)
        self._scripts = artifact.scripts
        self._scorer = WordScorer(artifact)
        # romanized models only if the artifact has them (built by build_romanized.py)
        self._romanized = tuple(code for code in ROMANIZED_LANGUAGES if code in artifact.meta.get("romanized", ()))
        self._candidates = {**CANDIDATES_BY_SCRIPT, Script.LATIN: CANDIDATES_BY_SCRIPT[Script.LATIN] + self._romanized}
        self._columns = {script: _columns(candidates) for script, candidates in self._candidates.items()}
        self._column_cache: dict[tuple[str, ...], list[int]] = {}

    def identify(self, text: str) -> TextEvidence:
        normalized = unicodedata.normalize("NFC", text).lower()[:MAX_CHARS]
        scripts = [
            self._scripts[codepoint] if codepoint < 0x10000 else script_of_astral(codepoint)
            for codepoint in map(ord, normalized)
        ]
        counts = [0] * len(Script)
        for script in scripts:
            counts[script] += 1
        letters = len(scripts) - counts[Script.NONE]
        if letters == 0:
            return TextEvidence(letters=0, script=Script.NONE)
        counts[Script.NONE] = 0
        dominant = _dominant_script(counts, letters)

        decided = self._decided_by_script(counts, letters, dominant)
        if decided is not None:
            script, language = decided
            # kana decide for the Han characters around them too
            written = counts[script] + (counts[Script.HAN] if script is Script.KANA else 0)
            return TextEvidence(letters, script, language, written / letters)
        candidates = self._candidates.get(dominant)
        if candidates is None:  # letters of a script no served language writes
            return TextEvidence(letters, dominant, script_share=counts[dominant] / letters)

        words = _words_in_script(normalized, scripts, dominant)
        romanized: tuple[str, ...] = ()
        if dominant is Script.LATIN and self._romanized:
            romanized = self._plausible_romanized(words, normalized)
            candidates = CANDIDATES_BY_SCRIPT[Script.LATIN] + romanized
        column_of, width = self._columns_of(candidates), len(candidates)
        totals = [0.0] * width
        scored = [self._scorer.score(word, column_of, width) for word in words]
        for scores in scored:
            for column, score in enumerate(scores):
                totals[column] += score
        if romanized:
            mixed = [candidates.index(code) for code in romanized]
            self._code_mix(scored, totals, mixed, candidates.index("en"))
        return TextEvidence(
            letters,
            dominant,
            script_share=counts[dominant] / letters,
            words=len(words),
            log_likelihoods=dict(zip(candidates, totals, strict=True)),
            romanized=frozenset(romanized),
        )

    def _columns_of(self, candidates: tuple[str, ...]) -> list[int]:
        columns = self._column_cache.get(candidates)
        if columns is None:
            columns = self._column_cache[candidates] = _columns(candidates)
        return columns

    def _plausible_romanized(self, words: list[list[int]], text: str) -> tuple[str, ...]:
        """The romanized languages worth scoring: those that know one of the words (almost) as
        well as the Latin-script languages do, and Arabic when Arabizi digits were there. The
        character model of the others is skipped: it is most of the cost, for nothing."""
        latin = self._candidates[Script.LATIN]
        column_of, width, natives = self._columns[Script.LATIN], len(latin), len(CANDIDATES_BY_SCRIPT[Script.LATIN])
        plausible = {"ar"} if any(letter in text for letter in _ARABIZI_LETTERS) else set()
        for word in words:
            known = self._scorer.lexicon(word, column_of, width)
            native = max((logprob for logprob in known[:natives] if logprob is not None), default=None)
            if native is None and len(word) >= UNKNOWN_WORD_LETTERS:
                return self._romanized  # a word no Latin-script language knows: any could be it
            for column in range(natives, width):
                logprob = known[column]
                if logprob is not None and (native is None or logprob >= native - PLAUSIBLE_MARGIN):
                    plausible.add(latin[column])
        return tuple(code for code in self._romanized if code in plausible)

    @staticmethod
    def _code_mix(scored: list[list[float]], totals: list[float], mixed: list[int], english: int) -> None:
        """A romanized language's total becomes its code-mixed one (English words allowed at
        CODE_MIX_ENGLISH) when its own words are there: at least CODE_MIX_MIN_OWN of the words
        are likelier in it than in English. Without that, English text would make every
        romanized language nearly as likely as English and leave English a weak answer."""
        for column in mixed:
            own_words = sum(scores[column] > scores[english] for scores in scored)
            if own_words < max(1.0, CODE_MIX_MIN_OWN * len(scored)):
                continue
            total = 0.0
            for scores in scored:
                own, other = scores[column], scores[english] + _CODE_MIX_LOG
                high, low = (own, other) if own > other else (other, own)
                total += high + math.log1p(math.exp(low - high))
            totals[column] = total

    @staticmethod
    def _decided_by_script(counts: list[int], letters: int, dominant: Script) -> tuple[Script, str] | None:
        for script, language in SINGLE_LANGUAGE_SCRIPTS.items():
            if script is not Script.KANA and counts[script] >= SCRIPT_DECIDES_AT * letters:
                return script, language
        kana, han = counts[Script.KANA], counts[Script.HAN]
        if kana and kana + han >= SCRIPT_DECIDES_AT * letters and kana >= KANA_SHARE_OF_HAN * han:
            return Script.KANA, "ja"
        if dominant in SINGLE_LANGUAGE_SCRIPTS:
            return dominant, SINGLE_LANGUAGE_SCRIPTS[dominant]
        return None


def _words_in_script(text: str, scripts: list[int], wanted: Script) -> list[list[int]]:
    """Code points of each run of letters in `wanted` script; other scripts (an English brand
    in a Russian message) say nothing about which of the script's languages this is."""
    words: list[list[int]] = []
    current: list[int] = []
    for char, script in zip(text, scripts, strict=True):
        if script == wanted:
            current.append(ord(char))
        elif current:
            words.append(current)
            current = []
    if current:
        words.append(current)
    return words


def _dominant_script(counts: list[int], letters: int) -> Script:
    dominant = Script(max(range(len(counts)), key=counts.__getitem__))
    if dominant is not Script.LATIN:
        return dominant
    # One Han, kana or hangul character carries about as much as a Latin syllable or word.
    weighted = [count * (SYLLABIC_WEIGHT if Script(index) in SYLLABIC else 1) for index, count in enumerate(counts)]
    total = sum(weighted)
    others = [
        Script(index)
        for index, weight in enumerate(weighted)
        if index != Script.LATIN
        and weight >= OTHER_SCRIPT_OVER_LATIN_AT * total
        and Script(index) in CANDIDATES_BY_SCRIPT
    ]
    return max(others, key=lambda script: weighted[script], default=dominant)
