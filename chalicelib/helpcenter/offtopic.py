"""What the help center must not answer, as a pseudo-topic: abstain.json's lines per language.

Off-topic questions and chatter are formulaic ("hello? anyone there", "thanks, bye", "my parcel
from another shop is late", "what's the weather"): a question that resembles one of them more
than it resembles any article is a reason to stay silent that a low score alone does not give
(an off-topic question shares a word or two with some article by chance). `score` is the best
cosine of a question with one of its language's lines, words and character n-grams mixed as
the phrasings are (index.py), weighted with the language's own IDF: a word no article uses
("weather", "Amazon") weighs most, and is exactly what such lines share. The matcher feeds it
to the calibrated confidence (matcher.py); calibration.py holds each line out of its own
language's lines when it scores it.

Built per language on first use (~1 ms: a dozen lines).
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from functools import cache
from pathlib import Path

from chalicelib.helpcenter.analysis import analyse
from chalicelib.helpcenter.content import ABSTAIN_FILE, CONTENT_DIR
from chalicelib.helpcenter.index import HelpIndex

Vector = dict[str, float]
WORD_SHARE = 0.4  # of the word cosine, the rest the character n-grams'


@cache
def abstain_lines(path: Path = CONTENT_DIR / ABSTAIN_FILE) -> dict[str, tuple[str, ...]]:
    """language -> its lines (abstain.json)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {language: tuple(lines) for language, lines in sorted(data["lines"].items())}


class OffTopicIndex:
    def __init__(self, index: HelpIndex, lines: dict[str, tuple[str, ...]] | None = None) -> None:
        self.index = index
        self.lines = abstain_lines() if lines is None else lines
        self._vectors: dict[int, list[tuple[str, Vector, Vector]]] = {}
        self._lock = threading.Lock()

    def _built(self, language: int) -> list[tuple[str, Vector, Vector]]:
        found = self._vectors.get(language)
        if found is None:
            with self._lock:
                found = self._vectors.get(language)
                if found is None:
                    code = self.index.languages[language]
                    found = self._vectors[language] = [
                        (line, *self._vector(line, language)) for line in self.lines.get(code, ())
                    ]
        return found

    def _vector(self, text: str, language: int) -> tuple[Vector, Vector]:
        language_index = self.index.language(language)
        terms = analyse(text, language_index.language)
        vectors = []
        for kind, counts in enumerate((terms.words, terms.chars)):
            weights, norm = language_index.vector(Counter(counts), kind)
            vectors.append({term: weight / norm for term, weight in weights.items()})
        return vectors[0], vectors[1]

    def score(self, text: str, language: int | None, held_out: str | None = None) -> float:
        """The question's best cosine with one of the language's lines (0 when it has none);
        `held_out`: a line left out (calibration: a line must not match itself)."""
        if language is None:
            return 0.0
        lines = self._built(language)
        if not lines:
            return 0.0
        words, chars = self._vector(text, language)
        best = 0.0
        for line, line_words, line_chars in lines:
            if line == held_out:
                continue
            word = sum(value * line_words.get(term, 0.0) for term, value in words.items())
            char = sum(value * line_chars.get(term, 0.0) for term, value in chars.items())
            best = max(best, WORD_SHARE * word + (1 - WORD_SHARE) * char)
        return best
