"""Build the language-ID artifact from two pinned pip packages; numpy is needed here only.

    python -m chalicelib.langid.build chalicelib/langid/model [--lingua-wheel PATH]

Sources (nothing from the benchmark's test data):
- lingua-language-detector 1.3.5 (Apache-2.0): its wheel's character 1..5-gram models,
  `lingua/language-models/<iso>/<n>grams.json.br` (brotli JSON of count/prefix-count fractions).
  pip downloads the wheel; its SHA-256 is pinned.
- wordfreq 3.1.1 (code Apache-2.0, data CC-BY-SA 4.0): the most frequent words per language.

The output is deterministic: the same inputs give byte-identical files (model.json lists their
SHA-256). It is written to a temporary folder and swapped in whole, so an interrupted build
never leaves a half model behind.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from array import array
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np

from chalicelib.langid.artifact import (
    FORMAT_VERSION,
    KEYS_FILE,
    LANGUAGES_FILE,
    LOGPROB_STEP,
    LOGPROBS_FILE,
    META_FILE,
    NOTICE_FILE,
    OFFSETS_FILE,
    SCRIPTS_FILE,
)
from chalicelib.langid.build_romanized import ROMANIZED_TOP_WORDS, romanized_entries
from chalicelib.langid.hashing import KEY_MIX, ngram_hash, word_hash
from chalicelib.langid.languages import (
    CANDIDATES_BY_SCRIPT,
    LANGUAGE_INDEX,
    LANGUAGES,
    MODELLED_LANGUAGES,
    Script,
    build_script_table,
)
from chalicelib.langid.romanized import ROMANIZED_LANGUAGES

LINGUA_VERSION = "1.3.5"
LINGUA_WHEEL = f"lingua_language_detector-{LINGUA_VERSION}-py3-none-any.whl"
LINGUA_WHEEL_SHA256 = "7254696753c4ee8ce127190cfb985d8b4621690d355c55b278c883f5bb5e152b"
LINGUA_LICENSE_MEMBER = f"lingua_language_detector-{LINGUA_VERSION}.dist-info/LICENSE.txt"
NGRAM_FILES = ("unigrams", "bigrams", "trigrams", "quadrigrams", "fivegrams")
WORDFREQ_VERSION = "3.1.1"
WORDFREQ_CODES = {"tl": "fil"}  # wordfreq files Tagalog under Filipino

TOP_WORDS = 50_000  # per language; the next 50k words add 30 MB for a tenth of a point
MIN_HIGH_ORDER_COUNT = 2  # 4- and 5-grams seen once are mostly noise and half of the table
UNACCENTED_PENALTY = 2.0  # nats: "educacion" is a real way to type "educación", a bit rarer

REPO_ROOT = Path(__file__).resolve().parents[2]
WHEEL_CACHE = REPO_ROOT / "build" / "langid"


@dataclass
class Entries:
    """(64-bit hash, language index, log-probability) triples, kept compact."""

    hashes: array = field(default_factory=lambda: array("Q"))
    languages: array = field(default_factory=lambda: array("B"))
    logprobs: array = field(default_factory=lambda: array("d"))

    def add(self, hash64: int, language: str, logprob: float) -> None:
        self.hashes.append(hash64)
        self.languages.append(LANGUAGE_INDEX[language])
        self.logprobs.append(logprob)

    def extend(self, other: Entries) -> None:
        self.hashes.extend(other.hashes)
        self.languages.extend(other.languages)
        self.logprobs.extend(other.logprobs)


def log(message: str) -> None:
    print(f"langid build: {message}", file=sys.stderr, flush=True)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_lingua_wheel(cache: Path) -> Path:
    """The pinned wheel from the cache, else downloaded by pip (PyPI, or a configured mirror)."""
    wheel = cache / LINGUA_WHEEL
    if not (wheel.is_file() and sha256_of(wheel) == LINGUA_WHEEL_SHA256):
        cache.mkdir(parents=True, exist_ok=True)
        log(f"downloading lingua-language-detector {LINGUA_VERSION} (72 MB, once)")
        with tempfile.TemporaryDirectory(dir=cache) as download:
            # the wheel is pure data and Python: its Requires-Python (<3.13) does not concern us
            command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
            command += ["--ignore-requires-python", "--dest", download, f"lingua-language-detector=={LINGUA_VERSION}"]
            subprocess.run(command, check=True)
            shutil.move(Path(download) / LINGUA_WHEEL, wheel)
    if sha256_of(wheel) != LINGUA_WHEEL_SHA256:
        raise SystemExit(f"{wheel}: SHA-256 differs from the pinned {LINGUA_WHEEL_SHA256}")
    return wheel


def ngram_entries(wheel: Path) -> Entries:
    import brotli

    entries = Entries()
    with zipfile.ZipFile(wheel) as archive:
        members = set(archive.namelist())
        for language in MODELLED_LANGUAGES:
            for order, name in enumerate(NGRAM_FILES, start=1):
                member = f"lingua/language-models/{language}/{name}.json.br"
                if member not in members:
                    continue  # lingua has unigrams only for Chinese and Japanese
                model: dict[str, str] = json.loads(brotli.decompress(archive.read(member)))["ngrams"]
                for fraction, ngrams in model.items():
                    count, context_count = (int(part) for part in fraction.split("/"))
                    if order >= 4 and count < MIN_HIGH_ORDER_COUNT:
                        continue
                    logprob = math.log(count / context_count)
                    for ngram in ngrams.split(" "):
                        entries.add(ngram_hash(ngram), language, logprob)
    return entries


def without_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize("NFC", "".join(char for char in decomposed if unicodedata.category(char) != "Mn"))


def lexicon_entries(script_table: bytes) -> Entries:
    import wordfreq

    installed = metadata.version("wordfreq")
    if installed != WORDFREQ_VERSION:
        raise SystemExit(f"wordfreq {WORDFREQ_VERSION} is pinned, {installed} is installed")
    latin = set(CANDIDATES_BY_SCRIPT[Script.LATIN])
    entries = Entries()
    available = set(wordfreq.available_languages(wordlist="best"))
    for language in MODELLED_LANGUAGES:
        if WORDFREQ_CODES.get(language, language) not in available:
            log(f"lexicon {language}: none in wordfreq, character model only")
            continue
        frequencies = wordfreq.get_frequency_dict(WORDFREQ_CODES.get(language, language), wordlist="best")
        # most frequent first, ties by spelling: the build must not depend on dict order
        ranked = sorted(frequencies.items(), key=lambda item: (-item[1], item[0]))
        words: dict[str, float] = {}
        for raw, frequency in ranked:
            word = unicodedata.normalize("NFC", raw).lower()
            # the runtime looks up runs of letters only: skip what it could never meet
            if not word or word in words or not all(ord(char) < 0x10000 and script_table[ord(char)] for char in word):
                continue
            words[word] = math.log(frequency)
            if len(words) >= TOP_WORDS:
                break
        typed_forms: dict[str, float] = {}
        if language in latin:
            # People type without accents: index "educacion" and "ascii-only" forms too.
            for word, logprob in words.items():
                for form in (without_accents(word), "".join(char for char in word if ord(char) < 128)):
                    if form and form not in words:
                        typed_forms[form] = max(typed_forms.get(form, -math.inf), logprob - UNACCENTED_PENALTY)
        for word, logprob in [*words.items(), *sorted(typed_forms.items())]:
            entries.add(word_hash(word), language, logprob)
        log(f"lexicon {language}: {len(words)} words + {len(typed_forms)} unaccented forms")
    return entries


@dataclass(frozen=True)
class Table:
    keys: np.ndarray  # uint32, sorted, unique
    offsets: np.ndarray  # uint32, len(keys) + 1
    languages: np.ndarray  # uint8
    logprobs: np.ndarray  # uint8, quantised -log p / LOGPROB_STEP


def pack(entries: Entries) -> Table:
    keys = _table_keys(np.frombuffer(entries.hashes, dtype=np.uint64))
    languages = np.frombuffer(entries.languages, dtype=np.uint8)
    logprobs = np.frombuffer(entries.logprobs, dtype=np.float64)
    # by key, then language, the most likely first: of a (key, language) pair met twice (two
    # strings that share a 32-bit key, or an n-gram and a word) the likelier one is kept
    order = np.lexsort((-logprobs, languages, keys))
    keys, languages, logprobs = keys[order], languages[order], logprobs[order]
    repeated = np.zeros(len(keys), dtype=bool)
    repeated[1:] = (keys[1:] == keys[:-1]) & (languages[1:] == languages[:-1])
    log(f"{int(repeated.sum())} colliding (key, language) pairs merged")
    keys, languages, logprobs = keys[~repeated], languages[~repeated], logprobs[~repeated]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    offsets = np.concatenate([np.flatnonzero(first), [len(keys)]]).astype("<u4")
    quantised = np.clip(np.round(-logprobs / LOGPROB_STEP), 0, 255).astype(np.uint8)
    return Table(keys[first].astype("<u4"), offsets, languages.astype(np.uint8), quantised)


def _table_keys(hashes: np.ndarray) -> np.ndarray:
    """hashing.table_key over an array (numpy's uint64 multiply wraps mod 2**64, as the mask)."""
    with np.errstate(over="ignore"):
        return (hashes * np.uint64(KEY_MIX)) >> np.uint64(32)


def notice(wordfreq_license: str) -> str:
    return f"""polyglot-desk language-identification model (chalicelib/langid/model)

This folder is built by `python -m chalicelib.langid.build` from two third-party sources. It
is distributed with polyglot-desk's Lambda bundle under the terms below.

1. Character n-gram models: lingua-language-detector {LINGUA_VERSION}
   Copyright (c) 2022-present Peter M. Stahl <pemistahl@gmail.com>
   https://github.com/pemistahl/lingua-py
   Licensed under the Apache License, Version 2.0 (full text in LICENSE-lingua.txt, copied
   from the wheel). The project ships no NOTICE file of its own. Its models were trained on
   the Wortschatz corpora of Leipzig University, Germany (https://wortschatz.uni-leipzig.de).
   Changes: the 1..5-gram probabilities of 23 languages were re-keyed by a 32-bit hash,
   quantised to 1/8 nat, and 4- and 5-grams seen fewer than {MIN_HIGH_ORDER_COUNT} times were dropped.

2. Word frequencies: wordfreq {WORDFREQ_VERSION} data, by Robyn Speer and contributors
   https://github.com/rspeer/wordfreq
   The data is licensed under Creative Commons Attribution-ShareAlike 4.0 International
   (https://creativecommons.org/licenses/by-sa/4.0/). The word table derived from it here
   (the {TOP_WORDS:,} most frequent words per language, their unaccented spellings, log
   frequencies, keyed by hash and quantised) is likewise distributed under CC BY-SA 4.0.
   wordfreq's own licence and attribution statement follows, verbatim:

{wordfreq_license}

3. Romanized models (Latin-letter spellings of ru, uk, ar, fa, hi, bn, th, ja, ko, zh, el):
   derived from the wordfreq data above (CC BY-SA 4.0, as above) and, for Thai, from the word
   frequencies of the Thai National Corpus as shipped by PyThaiNLP (tnc_freq.txt, CC0-1.0).
   Spellings were produced at build time by polyglot-desk's own rule tables, pykakasi 2.3.0
   (Japanese readings), pypinyin 0.55.0 (MIT; Chinese readings) and PyThaiNLP 5.4.0
   (Apache-2.0; Thai RTGS romanization). None of these programs is distributed with the model.
"""


def wordfreq_license_section() -> str:
    text = metadata.metadata("wordfreq").get_payload()  # the README, which holds the licence section
    assert isinstance(text, str)
    start = text.index("## License")
    end = text.index("## Citing wordfreq", start)
    return "\n".join("   " + line if line else "" for line in text[start:end].strip().splitlines())


def write_artifact(out_dir: Path, table: Table, script_table: bytes, wheel: Path, romanizers: dict[str, str]) -> None:
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    files = {
        KEYS_FILE: table.keys.tobytes(),
        OFFSETS_FILE: table.offsets.tobytes(),
        LANGUAGES_FILE: table.languages.tobytes(),
        LOGPROBS_FILE: table.logprobs.tobytes(),
        SCRIPTS_FILE: script_table,
    }
    for name, payload in files.items():
        (staging / name).write_bytes(payload)
    with zipfile.ZipFile(wheel) as archive:
        (staging / "LICENSE-lingua.txt").write_bytes(archive.read(LINGUA_LICENSE_MEMBER))
    (staging / NOTICE_FILE).write_text(notice(wordfreq_license_section()), encoding="utf-8")
    meta = {
        "format": FORMAT_VERSION,
        "languages": list(LANGUAGES),
        "keys": len(table.keys),
        "entries": len(table.languages),
        "sources": {
            "lingua-language-detector": {"version": LINGUA_VERSION, "sha256": LINGUA_WHEEL_SHA256},
            "wordfreq": {"version": WORDFREQ_VERSION},
            **{name: {"version": version} for name, version in sorted(romanizers.items())},
        },
        "romanized": list(ROMANIZED_LANGUAGES),
        "settings": {
            "top_words": TOP_WORDS,
            "min_high_order_count": MIN_HIGH_ORDER_COUNT,
            "unaccented_penalty": UNACCENTED_PENALTY,
            "romanized_top_words": ROMANIZED_TOP_WORDS,
            "logprob_step": LOGPROB_STEP,
        },
        "sha256": {name: hashlib.sha256(payload).hexdigest() for name, payload in files.items()},
    }
    # written last: the Makefile's target and the runtime's "is it built" check
    (staging / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    for path in staging.iterdir():
        path.chmod(0o644)
    staging.chmod(0o755)
    retired = out_dir.with_name(f".{out_dir.name}.old")
    shutil.rmtree(retired, ignore_errors=True)
    if out_dir.exists():
        out_dir.rename(retired)
    staging.rename(out_dir)
    shutil.rmtree(retired, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.langid.build", description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=Path, help="where the model goes (chalicelib/langid/model)")
    parser.add_argument("--lingua-wheel", type=Path, help=f"a local {LINGUA_WHEEL} instead of pip download")
    parser.add_argument("--cache", type=Path, default=WHEEL_CACHE, help="where the downloaded wheel is kept")
    args = parser.parse_args(argv)
    started = time.monotonic()
    wheel = args.lingua_wheel or fetch_lingua_wheel(args.cache)
    if args.lingua_wheel and sha256_of(wheel) != LINGUA_WHEEL_SHA256:
        raise SystemExit(f"{wheel}: not lingua-language-detector {LINGUA_VERSION} (SHA-256 differs)")
    script_table = build_script_table()
    entries = ngram_entries(wheel)
    log(f"{len(entries.hashes):,} n-gram entries ({time.monotonic() - started:.0f} s)")
    entries.extend(lexicon_entries(script_table))
    log(f"{len(entries.hashes):,} entries with the lexicon ({time.monotonic() - started:.0f} s)")
    romanizers = romanized_entries(entries.add, log)
    log(f"{len(entries.hashes):,} entries with the romanized models ({time.monotonic() - started:.0f} s)")
    table = pack(entries)
    write_artifact(args.out_dir, table, script_table, wheel, romanizers)
    size = sum(path.stat().st_size for path in args.out_dir.iterdir())
    log(
        f"wrote {args.out_dir}: {len(table.keys):,} keys, {len(table.languages):,} entries, "
        f"{size / 2**20:.1f} MiB in {time.monotonic() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
