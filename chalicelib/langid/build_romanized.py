"""Build time: romanized models, from native-script word frequencies spelled in Latin letters.

For each language of romanized.ROMANIZED_LANGUAGES, its most frequent words (wordfreq; the Thai
National Corpus list shipped with pythainlp for Thai) are spelled the ways people type them
(romanize_rules.py, romanize_syllabic.py; pykakasi for Japanese, pypinyin for Chinese, pythainlp's
rule-based RTGS romanizer for Thai), and two tables come out, keyed like the native ones:

- a lexicon: each spelling with its word's log-frequency, variants a little less likely;
- character 1..5-grams of those spellings, P(character | up to four before it), from the
  spellings weighed by sqrt(frequency), so that function words do not drown the rest.

Entries go under the language's own index (a Latin n-gram never meets a Devanagari one).
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from importlib import metadata

from chalicelib.langid import romanize_rules, romanize_syllabic
from chalicelib.langid.hashing import ngram_hash, word_hash
from chalicelib.langid.romanized import ROMANIZED_LANGUAGES

ROMANIZED_TOP_WORDS = 20_000  # per language, native words (each gives a few spellings)
VARIANT_PENALTY = 0.7  # nats per rank below the usual spelling
MIN_TYPES_HIGH_ORDER = 2  # a 3- to 5-gram must occur in this many different spellings
PINNED = {"pykakasi": "2.3.0", "pypinyin": "0.55.0", "pythainlp": "5.4.0"}
# Thai chat particles the RTGS romanizer cannot produce (ครับ is "khrap", typed "krub"/"kub").
THAI_PARTICLES = {"krub": "ครับ", "krab": "ครับ", "kub": "ครับ", "ka": "ค่ะ", "kha": "ค่ะ", "kaa": "ค่ะ", "jaa": "จ้ะ"}
_LATIN = frozenset("abcdefghijklmnopqrstuvwxyz")


def _check_versions() -> None:
    for name, version in PINNED.items():
        installed = metadata.version(name)
        if installed != version:
            raise SystemExit(f"{name} {version} is pinned, {installed} is installed")


def _wordfreq_words(language: str) -> Iterator[tuple[str, float]]:
    import wordfreq

    frequencies = wordfreq.get_frequency_dict(language, wordlist="best")
    for word, frequency in sorted(frequencies.items(), key=lambda item: (-item[1], item[0])):
        word = unicodedata.normalize("NFC", word).lower()
        if word and not any(char.isdigit() or char.isascii() for char in word):
            yield word, frequency


def _thai_words() -> Iterator[tuple[str, float]]:
    from pythainlp.corpus.common import get_corpus

    rows = [line.split("\t") for line in get_corpus("tnc_freq.txt")]
    counts = [(word, int(count)) for word, count in (row for row in rows if len(row) == 2) if count.isdigit()]
    total = sum(count for _, count in counts)
    for word, count in sorted(counts, key=lambda item: (-item[1], item[0])):
        yield word, count / total


def _japanese() -> Callable[[str], list[str]]:
    import pykakasi

    converter = pykakasi.kakasi()
    particles = {"は": ["wa", "ha"], "を": ["wo", "o"], "へ": ["e", "he"]}

    def spell(word: str) -> list[str]:
        if word in particles:
            return particles[word]
        usual = "".join(part["hepburn"] for part in converter.convert(word))
        short = usual.replace("ou", "o").replace("uu", "u").replace("oo", "o")
        return list(dict.fromkeys([usual, short, usual.replace("ou", "oo")]))

    return spell


def _chinese() -> Callable[[str], list[str]]:
    from pypinyin import Style, lazy_pinyin

    def spell(word: str) -> list[str]:
        syllables = lazy_pinyin(word, style=Style.NORMAL, errors="ignore")
        joined = "".join(syllables)
        return list(dict.fromkeys([joined, joined.replace("ü", "v"), joined.replace("ü", "u")]))

    return spell


def _thai() -> Callable[[str], list[str]]:
    from pythainlp.transliterate import romanize

    informal = (("oe", "er"), ("aeo", "aew"), ("iao", "iew"), ("uea", "uea"), ("ue", "eu"))

    def spell(word: str) -> list[str]:
        usual = romanize(word, engine="royin")
        casual = usual
        for old, new in informal:
            casual = casual.replace(old, new)
        unaspirated = casual.replace("kh", "k").replace("th", "t").replace("ph", "p")
        return list(dict.fromkeys([usual, casual, unaspirated]))

    return spell


def _spellers() -> dict[str, Callable[[str], list[str]]]:
    return {
        "ru": romanize_rules.russian,
        "uk": romanize_rules.ukrainian,
        "ar": romanize_rules.arabic,
        "fa": romanize_rules.persian,
        "el": romanize_rules.greek,
        "hi": romanize_syllabic.hindi,
        "bn": romanize_syllabic.bangla,
        "ko": romanize_syllabic.korean,
        "ja": _japanese(),
        "zh": _chinese(),
        "th": _thai(),
    }


def _is_latin_word(spelling: str) -> bool:
    # ASCII letters, plus the Arabizi letters that stand for digits
    return bool(spelling) and all(char in _LATIN or (not char.isascii() and char.isalpha()) for char in spelling)


def romanized_lexicon(language: str, spell: Callable[[str], list[str]]) -> dict[str, float]:
    """{spelling: log-frequency} for the language's top words, variants penalised."""
    words = _thai_words() if language == "th" else _wordfreq_words(language)
    frequencies: dict[str, float] = defaultdict(float)
    taken = 0
    for word, frequency in words:
        spellings = [spelling.lower() for spelling in spell(word)]
        spellings = [spelling for spelling in spellings if _is_latin_word(spelling)]
        if not spellings:
            continue
        for rank, spelling in enumerate(spellings):
            frequencies[spelling] += frequency * math.exp(-VARIANT_PENALTY * rank)
        if language == "zh" and len(word) > 1:
            from pypinyin import Style, lazy_pinyin  # people also type pinyin syllable by syllable

            for syllable in lazy_pinyin(word, style=Style.NORMAL, errors="ignore"):
                if _is_latin_word(syllable):
                    frequencies[syllable] += frequency / len(word)
        taken += 1
        if taken >= ROMANIZED_TOP_WORDS:
            break
    if language == "th":
        for particle in THAI_PARTICLES:
            frequencies[particle] += 1e-3
    return {spelling: math.log(frequency) for spelling, frequency in sorted(frequencies.items())}


def character_model(lexicon: dict[str, float]) -> dict[str, float]:
    """{n-gram: log P(last character | the ones before)} for n = 1..5, as lingua's tables."""
    counts: Counter[str] = Counter()
    types: Counter[str] = Counter()
    for spelling, logprob in lexicon.items():
        weight = math.exp(logprob / 2)  # sqrt(frequency)
        seen = set()
        for end in range(1, len(spelling) + 1):
            for order in range(1, min(5, end) + 1):
                gram = spelling[end - order : end]
                counts[gram] += weight
                seen.add(gram)
        types.update(seen)
    unigram_total = sum(count for gram, count in counts.items() if len(gram) == 1)
    model: dict[str, float] = {}
    for gram, count in sorted(counts.items()):
        if len(gram) >= 3 and types[gram] < MIN_TYPES_HIGH_ORDER:
            continue
        context = unigram_total if len(gram) == 1 else counts[gram[:-1]]
        model[gram] = math.log(count / context)
    return model


def romanized_entries(add: Callable[[int, str, float], None], log: Callable[[str], None]) -> dict[str, str]:
    """Adds every romanized language's n-gram and word entries; returns the sources' versions."""
    _check_versions()
    spellers = _spellers()
    for language in ROMANIZED_LANGUAGES:
        lexicon = romanized_lexicon(language, spellers[language])
        model = character_model(lexicon)
        for gram, logprob in model.items():
            add(ngram_hash(gram), language, logprob)
        for spelling, logprob in lexicon.items():
            add(word_hash(spelling), language, logprob)
        log(f"romanized {language}: {len(lexicon)} spellings, {len(model)} n-grams")
    return dict(PINNED)
