"""Build time: native-script words -> the informal Latin spellings people type (rule tables).

Each function returns a few spellings of one word, the most usual first; the build weighs the
others a little lower. These are chat spellings, not a standard transliteration: vowels typed
short or doubled, `sh`/`ch`/`kh` digraphs, digits for Arabic letters, `w` for omega, and so on.
Japanese, Chinese and Thai go through their pip romanizers in build_romanized.py.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from chalicelib.langid.romanized import ARABIZI_DIGITS

MAX_VARIANTS = 4
ABJAD_VARIANTS = 6  # the short vowels the script leaves out are guessed several ways

# --- alphabets: one table per spelling scheme, the usual one first ---------------------------

_RU_COMMON = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
_RU_SCHEMES = (
    _RU_COMMON,
    {**_RU_COMMON, "й": "y", "х": "kh", "ц": "ts", "щ": "shch", "ё": "yo"},
    {**_RU_COMMON, "й": "i", "ц": "ts", "ю": "ju", "я": "ja", "ж": "j", "х": "x"},
    {**_RU_COMMON, "й": "y", "ы": "i", "ю": "iu", "я": "ia", "щ": "sh"},
)
_UK_COMMON = {
    **_RU_COMMON, "г": "h", "ґ": "g", "е": "e", "є": "ye", "и": "y", "і": "i", "ї": "yi", "й": "i",
    "х": "kh", "ц": "ts", "щ": "shch", "ь": "",
}  # fmt: skip
_UK_SCHEMES = (
    _UK_COMMON,
    {**_UK_COMMON, "г": "g", "х": "h", "й": "j", "ї": "i", "є": "je", "ю": "ju", "я": "ja", "щ": "sch"},
    {**_UK_COMMON, "й": "y", "є": "ie", "ю": "iu", "я": "ia", "ц": "c"},
    {**_UK_COMMON, "г": "g", "и": "i", "й": "y"},
)
_EL_COMMON = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i", "κ": "k",
    "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t",
    "υ": "y", "φ": "f", "χ": "x", "ψ": "ps", "ω": "w",
}  # fmt: skip
_EL_DIGRAPHS = {"ου": "ou", "αι": "ai", "ει": "ei", "οι": "oi", "μπ": "mp", "ντ": "nt", "γκ": "gk", "γγ": "gg"}
_EL_SCHEMES: tuple[tuple[dict[str, str], dict[str, str]], ...] = (
    ({**_EL_COMMON, "ω": "o", "υ": "i"}, {**_EL_DIGRAPHS, "ει": "i", "οι": "i", "αι": "e", "ου": "ou"}),
    (_EL_COMMON, _EL_DIGRAPHS),
    ({**_EL_COMMON, "η": "h", "θ": "8", "υ": "u"}, {**_EL_DIGRAPHS, "ου": "ou"}),
    ({**_EL_COMMON, "χ": "ch", "ξ": "ks", "ω": "o", "γ": "gh", "δ": "d"}, {**_EL_DIGRAPHS, "μπ": "b", "ντ": "d"}),
)

# Arabizi: letters with their usual Latin or digit forms (digits become ARABIZI_DIGITS letters).
_AR_COMMON = {
    "ء": "2", "أ": "a", "إ": "e", "آ": "a", "ؤ": "2", "ئ": "2", "ا": "a", "ب": "b", "ة": "a", "ت": "t",
    "ث": "th", "ج": "g", "ح": "7", "خ": "5", "د": "d", "ذ": "z", "ر": "r", "ز": "z", "س": "s", "ش": "sh",
    "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "3", "غ": "gh", "ف": "f", "ق": "2", "ك": "k", "ل": "l",
    "م": "m", "ن": "n", "ه": "h", "و": "w", "ى": "a", "ي": "y",
}  # fmt: skip
_AR_SCHEMES = (
    _AR_COMMON,
    {**_AR_COMMON, "ج": "j", "خ": "kh", "ق": "q", "ص": "9", "ط": "6", "ث": "s", "ة": "ah"},
    {**_AR_COMMON, "ج": "j", "ق": "k", "ذ": "th", "ة": "e", "أ": "2a"},
)
_AR_LONG_VOWELS = {"ا", "و", "ي", "ى", "آ", "أ", "إ", "ة"}
_FA_COMMON = {
    "ا": "a", "آ": "a", "ب": "b", "پ": "p", "ت": "t", "ث": "s", "ج": "j", "چ": "ch", "ح": "h", "خ": "kh",
    "د": "d", "ذ": "z", "ر": "r", "ز": "z", "ژ": "zh", "س": "s", "ش": "sh", "ص": "s", "ض": "z", "ط": "t",
    "ظ": "z", "ع": "", "غ": "gh", "ف": "f", "ق": "gh", "ک": "k", "ك": "k", "گ": "g", "ل": "l", "م": "m",
    "ن": "n", "و": "v", "ه": "h", "ی": "y", "ي": "y", "ئ": "y", "ء": "", "أ": "a", "ؤ": "o", "ة": "e",
}  # fmt: skip
_FA_SCHEMES = (
    _FA_COMMON,
    {**_FA_COMMON, "ق": "q", "خ": "x"},
    {**_FA_COMMON, "ا": "aa", "آ": "aa"},
)
_FA_LONG_VOWELS = {"ا", "آ", "و", "ی", "ي", "ه", "ة", "أ", "ؤ", "ئ"}
_VOWEL_FILLERS = ("a", "e", "", "o")
_ALEFS = {"ا", "آ", "أ", "إ"}
_AR_VOWELS = ({"و": "o", "ي": "i"}, {"و": "ou", "ي": "ee"}, {"و": "u", "ي": "e"})
_FA_VOWELS = ({"و": "u", "ی": "i", "ي": "i"}, {"و": "o", "ی": "i", "ي": "i"}, {"و": "oo", "ی": "ee", "ي": "ee"})


def _strip_marks(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(char for char in decomposed if unicodedata.category(char) != "Mn")


def _unique(spellings: Sequence[str | None], limit: int = MAX_VARIANTS) -> list[str]:
    return [spelling for spelling in dict.fromkeys(spellings) if spelling][:limit]


def _alphabet(word: str, table: dict[str, str]) -> str | None:
    out = []
    for char in word:
        latin = table.get(char)
        if latin is None:
            return None
        out.append(latin)
    return "".join(out)


def russian(word: str) -> list[str]:
    return _unique([spelling for table in _RU_SCHEMES if (spelling := _alphabet(word, table))])


def ukrainian(word: str) -> list[str]:
    word = word.replace("'", "").replace("\u2019", "")
    return _unique([spelling for table in _UK_SCHEMES if (spelling := _alphabet(word, table))])


def greek(word: str) -> list[str]:
    plain = _strip_marks(word)
    spellings = []
    for letters, digraphs in _EL_SCHEMES:
        text = plain
        for pair, latin in digraphs.items():
            text = text.replace(pair, latin)
        spelling = _alphabet(text, {**letters, **{char: char for char in "abcdefghijklmnopqrstuvwxyz8"}})
        if spelling:
            spellings.append(spelling)
    return _unique(spellings)


def _abjad(word: str, table: dict[str, str], long_vowels: set[str], filler: str, vowels: dict[str, str]) -> str | None:
    """Letters to Latin, with `filler` for the short vowels the script does not write (between
    two consonants, and after a first consonant). Waw and yeh are the vowels `vowels` spells
    inside a word, and the consonants w/v and y at its start or before an alef."""
    out: list[str] = []
    previous_consonant = False
    for index, char in enumerate(word):
        latin = table.get(char)
        if latin is None:
            return None
        following = word[index + 1] if index + 1 < len(word) else ""
        if char in vowels and index > 0 and following not in _ALEFS:
            latin, consonant = vowels[char], False
        else:
            consonant = char not in long_vowels and bool(latin)
        if consonant and previous_consonant:
            out.append(filler)
        out.append(latin)
        previous_consonant = consonant
    return "".join(out)


def _digits_to_letters(spelling: str) -> str:
    return "".join(ARABIZI_DIGITS.get(char, char) for char in spelling)


def arabic(word: str) -> list[str]:
    word = _strip_marks(word).replace("\u0640", "")  # harakat and tatweel
    stem = word[2:] if word.startswith("ال") and len(word) > 3 else word
    # the usual scheme with no, a and e short vowels, then the others
    plans = [(0, ""), (0, "e"), (0, "a"), (1, ""), (1, "a"), (2, "e")]
    spellings = [_abjad(stem, _AR_SCHEMES[s], _AR_LONG_VOWELS, filler, _AR_VOWELS[s]) for s, filler in plans]
    return _unique([_digits_to_letters(spelling) for spelling in spellings if spelling], ABJAD_VARIANTS)


def persian(word: str) -> list[str]:
    word = _strip_marks(word).replace("\u200c", "")  # zero-width non-joiner: "mishavad" is one word
    plans = [(0, filler) for filler in _VOWEL_FILLERS] + [(1, "a"), (2, "e")]
    spellings = []
    for scheme, filler in plans:
        spelling = _abjad(word, _FA_SCHEMES[scheme], _FA_LONG_VOWELS, filler, _FA_VOWELS[scheme])
        if spelling and word.endswith(("ه", "ة")) and len(word) > 1:
            spelling = spelling[:-1] + "e"  # the silent final he is the vowel e: "khane"
        spellings.append(spelling)
    return _unique(spellings, ABJAD_VARIANTS)
