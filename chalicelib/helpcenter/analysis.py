"""Language-aware analysis of short support text: the terms the index and the queries share.

A text becomes two bags of terms:

- **words**: each word lower-cased, stemmed with the language's Snowball stemmer where
  one exists (snowballstemmer, pure Python), then folded (accents dropped, `ß` -> `ss`, final
  sigma...), so "contraseñas", "contrasena" and "Contraseña" meet. Scripts written without
  spaces (Han, kana, Thai) give overlapping character pairs instead of words; a Korean word
  also gives itself without its last syllable (the particle: "비밀번호를" -> "비밀번호");
  Vietnamese, spaced between syllables, also gives each pair of neighbouring syllables
  ("mật khẩu" -> "mat_khau": one word, two syllables).
- **character n-grams**: 3- and 4-grams of each folded word with its boundaries
  (" pas", "word "), 1- to 3-grams of unspaced runs. They catch misspellings ("pasword"),
  inflections no stemmer knows (Ukrainian, Swahili, Tagalog, Bengali, Hebrew) and words
  shared across languages ("TikTok", "LIVE", "OTP").

Before anything else, Traditional Chinese characters become Simplified (hanzi_t2s.txt), so a
question from Taiwan or Hong Kong meets zh.json; articles and questions pass the same fold.

Folding keeps the marks of scripts where they carry the letter (Devanagari, Bengali, Thai,
Hangul); it drops them from Latin, Greek and Cyrillic, as people typing in a hurry do, and
Arabic harakat and Hebrew points, which most people never type.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

HANZI_FILE = Path(__file__).resolve().parent / "hanzi_t2s.txt"

# Snowball algorithm per served language; the others are analysed without a stemmer.
SNOWBALL = {
    "en": "english",
    "es": "spanish",
    "pt": "portuguese",
    "fr": "french",
    "de": "german",
    "it": "italian",
    "nl": "dutch",
    "pl": "polish",
    "tr": "turkish",
    "ru": "russian",
    "ar": "arabic",
    "fa": "persian",
    "hi": "hindi",
    "id": "indonesian",
    "ms": "indonesian",
    "sv": "swedish",
    "ro": "romanian",
    "el": "greek",
    "cs": "czech",
    "hu": "hungarian",
}

# Languages written a syllable at a time, spaces between syllables rather than words: their
# neighbouring syllables are also paired into word terms, as Han characters are.
SYLLABLE_PAIRS = frozenset({"vi"})

# Runs of letters (and digits) of one kind; unspaced scripts are split into their own runs.
_UNSPACED = "\u0e00-\u0e7f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Combining marks inside words: Python's \w has no marks, and without them "क्रिकेट" fell apart
# into single consonants (Devanagari and Bengali vowel signs and viramas are marks; so are
# Arabic harakat and Hebrew points, which fold() then drops). The dandas (।, ॥) stay separators.
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
    "\u0900-\u0963\u0966-\u0dff"
)
_TOKEN = re.compile(rf"[{_UNSPACED}]+|(?:[^\W_{_UNSPACED}]|[{_MARKS}])+", re.UNICODE)
_OPTIONAL_MARKS = re.compile("[\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_SPECIAL_FOLDS = str.maketrans({"ß": "ss", "ł": "l", "ø": "o", "đ": "d", "ı": "i", "ς": "σ", "æ": "ae", "œ": "oe"})


def _foldable(char: str) -> bool:
    """Latin, Greek, Cyrillic (and Vietnamese's extra Latin): marks may go."""
    code = ord(char)
    return code < 0x0530 or 0x1E00 <= code < 0x1F00


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """`word` without the accents of Latin, Greek and Cyrillic letters, lower case."""
    word = word.lower().translate(_SPECIAL_FOLDS)
    if word.isascii():
        return word
    word = _OPTIONAL_MARKS.sub("", word)  # Arabic harakat, Hebrew points: seldom typed
    out: list[str] = []
    for char in word:
        if _foldable(char):
            out.extend(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
        else:
            out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


@cache
def stemmer_for(language: str) -> Callable[[str], str]:
    """The language's stemmer (cached per word), or the identity."""
    algorithm = SNOWBALL.get(language)
    if algorithm is None:
        return lambda word: word
    import snowballstemmer

    stem_word = snowballstemmer.stemmer(algorithm).stemWord
    return lru_cache(maxsize=65536)(stem_word)


def is_unspaced(token: str) -> bool:
    return bool(re.match(rf"[{_UNSPACED}]", token))


@cache
def _simplified() -> dict[int, int]:
    """Traditional -> Simplified Chinese characters (hanzi_t2s.txt: two aligned lines)."""
    lines = [line for line in HANZI_FILE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    table = str.maketrans(lines[0], lines[1])
    table[ord("帳")] = ord("账")  # an account (帳號), as zh.json writes it, rather than a curtain (帐)
    return table


def tokens(text: str) -> list[str]:
    """Runs of letters and digits, lower-cased (NFKC first: full-width Latin becomes Latin;
    Traditional Chinese characters become Simplified, as zh.json is written)."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).lower().translate(_simplified()))


@dataclass(frozen=True)
class Terms:
    """A text's word terms and character n-grams, with their counts."""

    words: Counter[str]
    chars: Counter[str]

    def __add__(self, other: Terms) -> Terms:
        return Terms(self.words + other.words, self.chars + other.chars)

    def __sub__(self, other: Terms) -> Terms:
        return Terms(self.words - other.words, self.chars - other.chars)


def analyse(text: str, language: str) -> Terms:
    """The text's terms (words and character n-grams), with their counts."""
    words: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    kept = [token for token in tokens(text) if not token.isdigit()]
    for token in kept:
        token_words, token_chars = _token_terms(token, language)
        words.update(token_words)
        chars.update(token_chars)
    if language in SYLLABLE_PAIRS:  # a word is a run of syllables: "mật khẩu" -> "mat_khau"
        folded = [fold(token) for token in kept]
        words.update(f"{first}_{second}" for first, second in itertools.pairwise(folded))
    return Terms(words, chars)


@lru_cache(maxsize=65536)
def _token_terms(token: str, language: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if is_unspaced(token):
        return _unspaced_terms(token)
    return _word_terms(token, stemmer_for(language))


def _unspaced_terms(run: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    words = [run] if len(run) == 1 else [run[first : first + 2] for first in range(len(run) - 1)]
    chars = [run[first : first + size] for size in (1, 2, 3) for first in range(len(run) - size + 1)]
    return tuple(words), tuple(chars)


def _word_terms(token: str, stem: Callable[[str], str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    words = [fold(stem(token))]
    if len(token) >= 3 and _HANGUL.match(token):
        words.append(token[:-1])  # without its particle
    padded = f" {fold(token)} "
    chars = [padded[first : first + size] for size in (3, 4) for first in range(max(len(padded) - size + 1, 1))]
    return tuple(words), tuple(chars)


def sentences(text: str) -> list[str]:
    """The text cut at sentence ends and line breaks (for long, rambling messages)."""
    parts = re.split(r"(?<=[.!?。！？؟।])\s*|\n+", text)
    return [part.strip() for part in parts if part and part.strip()]
