"""Build time: Devanagari, Bengali and Hangul words -> informal Latin spellings.

Hindi and Bangla: every consonant carries an inherent vowel (a in Hindi, o in Bangla) that is
not written and often not said: at the end of a word, and between two pronounced syllables
("karna", not "karana"). `_aksharas` splits a word into (consonant, vowel) units and
`_drop_schwas` applies that rule. Korean: each syllable block is decomposed into its letters
(jamo) and spelled after the Revised Romanization, with the liaison of a final consonant
before a vowel, plus the shortcuts people type (eo -> o, eu -> u).
"""

from __future__ import annotations

from collections.abc import Sequence

SCHWA = "\x00"  # placeholder for the inherent vowel until it is kept or dropped

# Devanagari consonants (Bengali maps onto the same offsets, +0x80).
_CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n", "च": "ch", "छ": "chh", "ज": "j", "झ": "jh",
    "ञ": "n", "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n", "त": "t", "थ": "th", "द": "d",
    "ध": "dh", "न": "n", "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m", "य": "y", "र": "r",
    "ल": "l", "व": "v", "श": "sh", "ष": "sh", "स": "s", "ह": "h", "ळ": "l", "ऱ": "r",
}  # fmt: skip
_VOWELS = {  # independent vowel letters
    "अ": "a", "आ": "aa", "इ": "i", "ई": "ee", "उ": "u", "ऊ": "oo", "ऋ": "ri", "ए": "e", "ऐ": "ai",
    "ओ": "o", "औ": "au", "ऍ": "e", "ऑ": "o",
}  # fmt: skip
_SIGNS = {  # dependent vowel signs
    "ा": "aa", "ि": "i", "ी": "ee", "ु": "u", "ू": "oo", "ृ": "ri", "े": "e", "ै": "ai", "ो": "o",
    "ौ": "au", "ॅ": "e", "ॉ": "o",
}  # fmt: skip
_NUKTA_FORMS = {"क": "q", "ख": "kh", "ग": "g", "ज": "z", "ड": "r", "ढ": "rh", "फ": "f", "य": "y"}
_VIRAMA, _NUKTA, _ANUSVARA, _CANDRABINDU, _VISARGA = "्", "़", "ं", "ँ", "ः"
_PRECOMPOSED_NUKTA = {"क़": "q", "ख़": "kh", "ग़": "g", "ज़": "z", "ड़": "r", "ढ़": "rh", "फ़": "f", "य़": "y"}

# Informal variants: (from, to) applied to the usual spelling, one at a time and all together.
_HINDI_VARIANTS = (("aa", "a"), ("ee", "i"), ("oo", "u"), ("v", "w"), ("chh", "ch"), ("ai", "e"))
_BANGLA_VARIANTS = (("aa", "a"), ("ee", "i"), ("oo", "u"), ("v", "b"), ("chh", "ch"), ("sh", "s"))


def _to_devanagari(word: str) -> str:
    """Bengali letters sit 0x80 above their Devanagari twins; a few differ in sound (below)."""
    return "".join(chr(ord(char) - 0x80) if 0x0980 <= ord(char) <= 0x09FF else char for char in word)


def _aksharas(word: str, bangla: bool) -> list[list[str]] | None:
    """[[consonant, vowel], ...]; vowel SCHWA for the inherent one, "" after a virama."""
    units: list[list[str]] = []
    for char in word:
        if char in _PRECOMPOSED_NUKTA:
            units.append([_PRECOMPOSED_NUKTA[char], SCHWA])
        elif char in _CONSONANTS:
            units.append([_CONSONANTS[char], SCHWA])
        elif char in _VOWELS:
            units.append(["", _VOWELS[char]])
        elif char in _SIGNS and units:
            units[-1][1] = _SIGNS[char]
        elif char == _VIRAMA and units:
            units[-1][1] = ""
        elif char == _NUKTA and units:
            base = next((key for key, value in _CONSONANTS.items() if value == units[-1][0]), "")
            units[-1][0] = _NUKTA_FORMS.get(base, units[-1][0])
        elif char in (_ANUSVARA, _CANDRABINDU) and units:
            units[-1][1] += "n"
        elif char == _VISARGA and units:
            units[-1][1] += "h"
        elif bangla and char == "ৎ":
            units.append(["t", ""])
        elif bangla and char == "়":
            continue
        else:
            return None
    return units


def _drop_schwas(units: list[list[str]]) -> None:
    if len(units) > 1 and units[-1][1] == SCHWA and units[-1][0]:
        units[-1][1] = ""
    for index in range(1, len(units) - 1):
        before, here, after = units[index - 1], units[index], units[index + 1]
        if here[1] == SCHWA and before[1] not in ("", SCHWA + "x") and after[0] and after[1]:
            here[1] = ""


def _spell(units: Sequence[Sequence[str]], schwa: str) -> str:
    return "".join(consonant + vowel.replace(SCHWA, schwa) for consonant, vowel in units)


def _variants(usual: str, rules: Sequence[tuple[str, str]]) -> list[str]:
    spellings = [usual]
    everything = usual
    for old, new in rules:
        if old in usual:
            spellings.append(usual.replace(old, new))
            everything = everything.replace(old, new)
    spellings.insert(1, everything)
    if usual.endswith(("n", "an", "en", "in")) and len(usual) > 3:
        spellings.append(everything[:-1])  # "nahin" / "nahi": the final nasal is often not typed
    return list(dict.fromkeys(spellings))[:5]


def hindi(word: str) -> list[str]:
    units = _aksharas(word, bangla=False)
    if not units:
        return []
    _drop_schwas(units)
    return _variants(_spell(units, "a"), _HINDI_VARIANTS)


def bangla(word: str) -> list[str]:
    # য is j in Bangla and its nukta form য় is y: map them to the Devanagari letters for j and y
    word = word.replace("\u09af\u09bc", "\u092f").replace("\u09df", "\u092f").replace("\u09af", "\u091c")
    units = _aksharas(_to_devanagari(word), bangla=True)
    if not units:
        return []
    for unit in units:
        unit[0] = {"v": "b", "ph": "f"}.get(unit[0], unit[0])  # Bangla has no v; ফ is mostly f
    kept = _spell(units, "o")
    _drop_schwas(units)
    # Bangla keeps the final inherent o more often than Hindi keeps its a: "keno", "bhalo"
    spellings = _variants(_spell(units, "o"), _BANGLA_VARIANTS)
    spellings += _variants(kept, _BANGLA_VARIANTS)[1:2]
    return list(dict.fromkeys(spellings))[:5]


# --- Hangul ----------------------------------------------------------------------------------

_INITIALS = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"]
_MEDIALS = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi",
    "yu", "eu", "ui", "i",
]  # fmt: skip
_FINALS = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t",
    "ng", "t", "t", "k", "t", "p", "t",
]  # fmt: skip
# a final consonant moved to the next syllable when that one starts with a vowel (liaison)
_FINALS_BEFORE_VOWEL = [
    "", "g", "kk", "gs", "n", "nj", "n", "d", "r", "lg", "lm", "lb", "ls", "lt", "lp", "r", "m", "b",
    "bs", "s", "ss", "ng", "j", "ch", "k", "t", "p", "",
]  # fmt: skip
_KOREAN_SHORTCUTS = (("eo", "o"), ("eu", "u"), ("ae", "e"), ("yeo", "yo"), ("oe", "we"))


def _hangul_syllables(word: str) -> list[tuple[int, int, int]] | None:
    syllables = []
    for char in word:
        index = ord(char) - 0xAC00
        if not 0 <= index < 11172:
            return None
        syllables.append((index // 588, (index % 588) // 28, index % 28))
    return syllables


def korean(word: str) -> list[str]:
    syllables = _hangul_syllables(word)
    if not syllables:
        return []
    out = []
    for position, (initial, medial, final) in enumerate(syllables):
        out.append(_INITIALS[initial] if not (position and initial == 11) else "")
        out.append(_MEDIALS[medial])
        next_starts_with_vowel = position + 1 < len(syllables) and syllables[position + 1][0] == 11
        if final and next_starts_with_vowel and final != 21:
            out.append(_FINALS_BEFORE_VOWEL[final])
        elif final == 8 and position + 1 < len(syllables) and syllables[position + 1][0] == 5:
            out.append("l")  # ㄹ + ㄹ is ll
        else:
            out.append(_FINALS[final])
    usual = "".join(out).replace("lr", "ll")
    spellings = [usual]
    shortcut = usual
    for old, new in _KOREAN_SHORTCUTS:
        shortcut = shortcut.replace(old, new)
    spellings.append(shortcut)
    spellings.append(usual.replace("eo", "o"))
    return list(dict.fromkeys(spellings))
