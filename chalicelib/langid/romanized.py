"""Romanized writing: languages with a script of their own, typed in Latin letters.

Shared by the build (build_romanized.py) and the runtime. People write Hindi, Bangla, Arabic,
Persian, Greek, Russian, Ukrainian, Japanese, Chinese, Korean and Thai in Latin letters
("mujhe password yaad nahi", "ana msh la2y el order", "den mporw na kanw live"). The model
keeps their Latin-letter n-grams and words under the language's own index: a Latin n-gram
can never meet the native-script ones, so one language byte serves both scripts.

Arabizi writes letters Latin has no sign for with digits (2 hamza, 3 ain, 5 kha, 7 ha, ...).
The text cleaner drops digits, so before cleaning `arabizi_letters` turns a digit that stands
for a letter inside a word into a Latin letter no served language writes.
"""

from __future__ import annotations

import re

from chalicelib.langid.languages import Script

# Languages with a romanized model, in the order of languages.LANGUAGES.
ROMANIZED_LANGUAGES: tuple[str, ...] = ("ru", "uk", "ar", "fa", "hi", "bn", "th", "ja", "ko", "zh", "el")

# Arabizi digit -> a Latin letter that stands for it (all "LATIN ... LETTER" in Unicode, so the
# script table reads them as Latin, and no served language's model has them).
ARABIZI_DIGITS: dict[str, str] = {
    "2": "\u0294",  # ʔ hamza / qaf
    "3": "\u0295",  # ʕ ain
    "5": "\u1e8b",  # ẋ kha
    "6": "\u1e6d",  # ṭ ta (emphatic)
    "7": "\u0127",  # ħ ha
    "8": "\u0263",  # ɣ ghain
    "9": "\u1e63",  # ṣ sad / qaf
}
_ARABIZI_TOKEN = re.compile(r"(?<![\w])[A-Za-z]*[235-9][A-Za-z235-9]*(?![\w])")
_ENGLISH_NUMBER_SUFFIX = re.compile(r"^\d+(st|nd|rd|th|am|pm|k|g|x|gb|mb|h|s|min|d|yo|m)$", re.IGNORECASE)
_DIGIT_RUN = re.compile(r"\d{2,}")


def _arabizi_token(token: str) -> str:
    letters = sum(char.isalpha() for char in token)
    digits = [char for char in token if char.isdigit()]
    if (
        letters < 2
        or len(digits) > 3
        or _DIGIT_RUN.search(token)
        or _ENGLISH_NUMBER_SUFFIX.match(token)
        or token.isupper()
    ):
        return token
    # "masuk2", "apa2": Indonesian and Malay repeat a word with a final 2; Arabizi ends in 2
    # too ("bi3alle2"), so a final 2 alone is reduplication, with another digit it is a letter.
    if digits == ["2"] and token.endswith("2"):
        return token
    return "".join(ARABIZI_DIGITS.get(char, char) for char in token)


def arabizi_letters(text: str) -> str:
    """`la2y` -> `laʔy`, `7sab` -> `ħsab`; ids, numbers, "3rd", "masuk2" are left alone."""
    if not any(char in ARABIZI_DIGITS for char in text):
        return text
    return _ARABIZI_TOKEN.sub(lambda match: _arabizi_token(match.group(0)), text)


# ISO 15924 code of the script a text was written in, as BCP 47 writes it (hi-Latn).
ISO_15924: dict[Script, str] = {
    Script.LATIN: "Latn",
    Script.CYRILLIC: "Cyrl",
    Script.ARABIC: "Arab",
    Script.DEVANAGARI: "Deva",
    Script.BENGALI: "Beng",
    Script.THAI: "Thai",
    Script.GREEK: "Grek",
    Script.HEBREW: "Hebr",
    Script.HANGUL: "Kore",
    Script.KANA: "Jpan",
    Script.HAN: "Hani",
}
# The script each served language is usually written in (what `script: None` means).
USUAL_SCRIPT: dict[str, str] = {
    **dict.fromkeys(("ru", "uk"), "Cyrl"),
    **dict.fromkeys(("ar", "fa"), "Arab"),
    "hi": "Deva",
    "bn": "Beng",
    "th": "Thai",
    "el": "Grek",
    "he": "Hebr",
    "ko": "Kore",
    "ja": "Jpan",
    "zh": "Hani",
}


def usual_script(code: str) -> str | None:
    """The ISO 15924 script a language is usually written in; Latn for the rest, None for und."""
    if code == "und":
        return None
    return USUAL_SCRIPT.get(code, "Latn")
