"""The language-ID runtime's building blocks: hashes shared with the build, scripts, the artifact."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pycountry
import pytest

from chalicelib.domain.catalog import load, served_languages
from chalicelib.langid import LANGUAGES, MODEL_DIR, LanguageIdentifier, ModelNotBuilt, Script
from chalicelib.langid.artifact import META_FILE, NOTICE_FILE, open_artifact
from chalicelib.langid.hashing import ngram_hash, suffix_hashes, table_key, word_hash
from chalicelib.langid.languages import CANDIDATES_BY_SCRIPT, SINGLE_LANGUAGE_SCRIPTS, script_of


def test_the_rolling_suffix_hash_is_the_hash_the_build_stores():
    # Given a word with accents and a non-Latin word
    for word in ("verificación", "подтверждения", "账号被封"):
        codepoints = [ord(char) for char in word]
        for end in range(len(word)):
            longest = min(5, end + 1)
            # Then every suffix hash built one character at a time equals the hash of the n-gram
            expected = [ngram_hash(word[end - order + 1 : end + 1]) for order in range(1, longest + 1)]
            assert suffix_hashes(codepoints, end, longest) == expected


@pytest.mark.parametrize(
    ("char", "script"),
    [
        ("a", Script.LATIN), ("ß", Script.LATIN), ("ư", Script.LATIN), ("ж", Script.CYRILLIC),
        ("ї", Script.CYRILLIC), ("ب", Script.ARABIC), ("پ", Script.ARABIC), ("क", Script.DEVANAGARI),
        ("ি", Script.BENGALI), ("ก", Script.THAI), ("λ", Script.GREEK), ("ש", Script.HEBREW),
        ("한", Script.HANGUL), ("あ", Script.KANA), ("ー", Script.KANA), ("ｱ", Script.KANA),
        ("字", Script.HAN), ("々", Script.HAN), ("ა", Script.OTHER), ("7", Script.NONE),
        ("!", Script.NONE), ("\u200c", Script.NONE), ("€", Script.NONE),
    ],
)  # fmt: skip
def test_scripts_of_code_points(char: str, script: Script):
    assert script_of(ord(char)) is script


def test_the_model_covers_exactly_the_served_languages():
    modelled = set(SINGLE_LANGUAGE_SCRIPTS.values()).union(*CANDIDATES_BY_SCRIPT.values())
    assert set(LANGUAGES) == modelled == served_languages()


def test_the_built_model_carries_its_licences():
    notice = (MODEL_DIR / NOTICE_FILE).read_text(encoding="utf-8")
    assert "Apache License, Version 2.0" in notice and "Leipzig" in notice
    assert "CC BY-SA 4.0" in notice and "creativecommons.org/licenses/by-sa/4.0" in notice
    assert "Apache License" in (MODEL_DIR / "LICENSE-lingua.txt").read_text(encoding="utf-8")
    meta = json.loads((MODEL_DIR / META_FILE).read_text(encoding="utf-8"))
    assert meta["sources"]["lingua-language-detector"]["version"] == "1.3.5"
    assert meta["sources"]["wordfreq"]["version"] == "3.1.1"


def test_a_missing_model_names_the_command_that_builds_it(tmp_path: Path):
    with pytest.raises(ModelNotBuilt, match="make model"):
        LanguageIdentifier(tmp_path)


def test_a_truncated_model_is_refused(tmp_path: Path):
    # Given a copy of the model whose table lost its tail
    model = tmp_path / "model"
    shutil.copytree(MODEL_DIR, model)
    keys = (model / "keys.u32").read_bytes()
    (model / "keys.u32").write_bytes(keys[: len(keys) // 2])

    # Then opening it fails instead of answering from half a table
    with pytest.raises(ModelNotBuilt, match="rebuild"):
        open_artifact(model)


def test_the_artifact_finds_an_ngram_and_a_word_it_was_built_from():
    artifact = open_artifact()
    ngram = artifact.entries(table_key(ngram_hash("ción")))
    word = artifact.entries(table_key(word_hash("obrigado")))
    assert ngram is not None and LANGUAGES.index("es") in {artifact.languages[entry] for entry in ngram}
    assert word is not None and LANGUAGES.index("pt") in {artifact.languages[entry] for entry in word}


def test_country_languages_name_real_countries_and_served_languages():
    countries = load("country_languages.json")["countries"]
    assert {"MX", "BR", "MY", "ID", "JP", "CN"} <= set(countries)
    for country, languages in countries.items():
        assert pycountry.countries.get(alpha_2=country) is not None, country
        assert languages and set(languages) <= served_languages(), country
