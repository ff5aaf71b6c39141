"""The languages the model knows and the scripts that narrow the choice between them.

Shared by the build and the runtime: a language's position in `LANGUAGES` is the byte the
artifact stores for it, and a script's number is the byte of the script table.
"""

from __future__ import annotations

import unicodedata
from enum import IntEnum

LANGUAGES: tuple[str, ...] = (
    "en", "es", "pt", "fr", "de", "it", "nl", "pl", "tr", "ru", "uk", "ar", "fa", "hi", "bn",
    "id", "ms", "vi", "th", "ja", "ko", "zh", "tl", "sv", "ro", "el", "he", "cs", "hu", "sw",
)  # fmt: skip
LANGUAGE_INDEX: dict[str, int] = {code: index for index, code in enumerate(LANGUAGES)}


class Script(IntEnum):
    NONE = 0  # not a letter: digits, punctuation, symbols, emoji, spaces
    LATIN = 1
    CYRILLIC = 2
    ARABIC = 3
    DEVANAGARI = 4
    BENGALI = 5
    THAI = 6
    GREEK = 7
    HEBREW = 8
    HANGUL = 9
    KANA = 10
    HAN = 11
    OTHER = 12  # letters of a script no served language writes (Armenian, Tamil, ...)


# Scripts that only one served language writes: they decide on their own.
SINGLE_LANGUAGE_SCRIPTS: dict[Script, str] = {
    Script.DEVANAGARI: "hi",
    Script.BENGALI: "bn",
    Script.THAI: "th",
    Script.GREEK: "el",
    Script.HEBREW: "he",
    Script.HANGUL: "ko",
    Script.KANA: "ja",
}

_NOT_LATIN = {"ru", "uk", "ar", "fa", "hi", "bn", "th", "ja", "ko", "zh", "el", "he"}
# Scripts several served languages share: the n-gram model chooses among these.
CANDIDATES_BY_SCRIPT: dict[Script, tuple[str, ...]] = {
    Script.LATIN: tuple(code for code in LANGUAGES if code not in _NOT_LATIN),
    Script.CYRILLIC: ("ru", "uk"),
    Script.ARABIC: ("ar", "fa"),
    Script.HAN: ("zh", "ja"),
}
MODELLED_LANGUAGES: tuple[str, ...] = tuple(code for codes in CANDIDATES_BY_SCRIPT.values() for code in codes)

# Unicode names start with the script for letters ("LATIN SMALL LETTER A", "CJK UNIFIED ...").
_SCRIPT_BY_NAME_PREFIX: dict[str, Script] = {
    "LATIN": Script.LATIN,
    "CYRILLIC": Script.CYRILLIC,
    "ARABIC": Script.ARABIC,
    "DEVANAGARI": Script.DEVANAGARI,
    "BENGALI": Script.BENGALI,
    "THAI": Script.THAI,
    "GREEK": Script.GREEK,
    "HEBREW": Script.HEBREW,
    "HANGUL": Script.HANGUL,
    "HIRAGANA": Script.KANA,
    "KATAKANA": Script.KANA,
    "CJK": Script.HAN,
    "IDEOGRAPHIC": Script.HAN,  # 々 (iteration mark) and 〇
}
_KANA_MARKS = (0x30FC, 0x30FB)  # prolonged sound mark and middle dot are written only with kana


def script_of(codepoint: int) -> Script:
    """The script of one code point, from the Unicode database (build time: it is slow)."""
    char = chr(codepoint)
    category = unicodedata.category(char)
    if not (category.startswith("L") or category in ("Mn", "Mc")):
        return Script.NONE
    if codepoint in _KANA_MARKS:
        return Script.KANA
    name = unicodedata.name(char, "")
    prefix = name.split(" ")[0]
    if prefix == "HALFWIDTH" and "KATAKANA" in name:
        return Script.KANA
    if prefix == "HALFWIDTH" and "HANGUL" in name:
        return Script.HANGUL
    if prefix == "COMBINING":
        return Script.LATIN  # accents left unattached after NFC: Latin is where they occur
    return _SCRIPT_BY_NAME_PREFIX.get(prefix, Script.OTHER)


def build_script_table() -> bytes:
    """One byte per code point of the Basic Multilingual Plane: its Script."""
    return bytes(script_of(codepoint) for codepoint in range(0x10000))


def script_of_astral(codepoint: int) -> Script:
    """Beyond the BMP only the CJK extension planes hold letters we use; emoji are not letters."""
    return Script.HAN if 0x20000 <= codepoint < 0x40000 else Script.NONE
