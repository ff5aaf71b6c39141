"""Text to per-language evidence: script rules first, then the word models.

The identifier only weighs the text. What a caller knows besides it (the requester's locale
and country) and how sure the answer is are the caller's business: see
chalicelib/adapters/ngram_detector.py.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class TextEvidence:
    letters: int  # letters in the text (any script)
    script: Script  # the script most letters are in (Script.NONE when there are none)
    decided_by_script: str | None = None  # the language when the script alone decides
    script_share: float = 0.0  # share of the letters in the deciding or dominant script
    words: int = 0  # words the model scored
    # log-likelihood of the text per candidate language of `script`; empty when not scored
    log_likelihoods: dict[str, float] = field(default_factory=dict)


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
        self._columns = {script: _columns(candidates) for script, candidates in CANDIDATES_BY_SCRIPT.items()}

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
        candidates = CANDIDATES_BY_SCRIPT.get(dominant)
        if candidates is None:  # letters of a script no served language writes
            return TextEvidence(letters, dominant, script_share=counts[dominant] / letters)

        column_of, width = self._columns[dominant], len(candidates)
        totals = [0.0] * width
        words = _words_in_script(normalized, scripts, dominant)
        for word in words:
            for column, score in enumerate(self._scorer.score(word, column_of, width)):
                totals[column] += score
        return TextEvidence(
            letters,
            dominant,
            script_share=counts[dominant] / letters,
            words=len(words),
            log_likelihoods=dict(zip(candidates, totals, strict=True)),
        )

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
