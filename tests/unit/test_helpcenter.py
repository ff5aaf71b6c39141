"""The help center's content and its analysis: every topic in every served language with no
empty field, a valid provenance and a version; words, stems and character n-grams per script."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.domain.catalog import served_languages
from chalicelib.helpcenter import default_content, load_content, validate
from chalicelib.helpcenter.analysis import analyse, fold, sentences, tokens
from chalicelib.helpcenter.content import CONTENT_DIR, PROVENANCES
from chalicelib.helpcenter.index import HelpIndex
from chalicelib.helpcenter.matcher import CALIBRATION_FILE, Tuning

# --- the content -------------------------------------------------------------------------------


def test_every_topic_is_written_in_every_served_language():
    # Given the content as shipped
    content = default_content()
    # When it is validated against the served languages
    problems = validate(content, served_languages())
    # Then nothing is missing, empty or wrong
    assert problems == []


@pytest.mark.parametrize("language", sorted(served_languages()))
def test_each_article_has_what_a_user_needs(language: str):
    content = default_content()
    articles = content.articles.get(language, {})
    assert set(articles) == set(content.topics), f"{language}: topics missing"
    for topic, article in articles.items():
        assert article.title and article.body, topic
        assert 10 <= len(article.phrasings) <= 14, f"{language} {topic}: {len(article.phrasings)} phrasings"
        assert len(set(article.phrasings)) == len(article.phrasings), f"{language} {topic}: a repeated phrasing"
        assert article.provenance in PROVENANCES


def test_a_broken_file_is_reported_not_loaded(tmp_path: Path):
    # Given a content folder with one good and one broken article file
    (tmp_path / "topics.json").write_text(
        json.dumps({"version": 1, "topics": {"app.crash": {"category": "other", "about": "crashes"}}})
    )
    good = {"title": "It crashes", "body": "1. Update.", "phrasings": ["app crashes"], "provenance": "written"}
    (tmp_path / "en.json").write_text(json.dumps({"language": "en", "version": 1, "articles": {"app.crash": good}}))
    broken = {**good, "body": " ", "provenance": "guessed"}
    (tmp_path / "es.json").write_text(json.dumps({"language": "es", "version": 0, "articles": {"app.crash": broken}}))
    # When it is loaded and validated
    content = load_content(tmp_path)
    problems = validate(content, {"en", "es", "fr"})
    # Then the good article is there and every problem is named
    assert content.article("app.crash", "en") is not None and content.article("app.crash", "es") is None
    assert "fr.json: missing" in problems
    assert any("body is empty" in problem for problem in problems)
    assert any("provenance 'guessed'" in problem for problem in problems)
    assert any("es.json: version" in problem for problem in problems)


def test_the_abstain_lines_cover_every_served_language():
    lines = json.loads((CONTENT_DIR / "abstain.json").read_text(encoding="utf-8"))["lines"]
    assert set(lines) == served_languages()
    assert all(len(texts) >= 5 and all(text.strip() for text in texts) for texts in lines.values())


def test_the_calibration_is_for_these_topics_and_sane():
    tuning = Tuning.load(CALIBRATION_FILE)
    assert 0 < tuning.abstain_below < 1 and tuning.slope > 0 and tuning.margin_slope > 0
    assert tuning.report["held_out_phrasings"] > 0 and tuning.report["abstain_lines"] > 0
    # Then likeness to the off-topic lines lowers the confidence, and every served language
    # has its own scale (Chinese pairs and Spanish stems score on different scales)
    assert tuning.off_topic_slope < 0
    assert set(tuning.scales) == served_languages()
    assert all(spread > 0 for _, spread in tuning.scales.values())


# --- analysis, per script ----------------------------------------------------------------------


def words(text: str, language: str) -> set[str]:
    return set(analyse(text, language).words)


def test_latin_words_are_stemmed_then_folded():
    # Spanish plural and accents meet their singular typed without accents
    assert words("contraseñas", "es") == words("contrasena", "es")
    # English inflections share a stem
    assert words("charged", "en") == words("charging", "en")
    # German umlauts and sharp s fold
    assert fold("Straße") == "strasse" and fold("Rückerstattung") == "ruckerstattung"


def test_greek_and_cyrillic_fold_their_accents():
    assert fold("λογαριασμός") == "λογαριασμοσ"
    assert fold("ёлка") == "елка"


def test_scripts_without_spaces_become_character_pairs():
    # Chinese and Japanese: overlapping pairs; Thai the same
    assert {"退款", "款没", "没到"} <= words("退款没到", "zh")
    assert {"パス", "スワ"} <= words("パスワード", "ja")
    assert "รหั" in analyse("รหัสผ่าน", "th").chars


def test_traditional_chinese_meets_the_simplified_articles():
    # Given a question typed in Traditional characters (Taiwan, Hong Kong) and zh.json's Simplified
    # Then both give the same terms
    assert words("更改帳號電子郵件", "zh") == words("更改账号电子邮件", "zh")
    assert words("忘記密碼", "zh") == words("忘记密码", "zh")
    assert words("退款沒到", "zh") == words("退款没到", "zh")


def test_vietnamese_syllables_also_pair_into_words():
    # "mật khẩu" (password) is one word of two syllables; typed without tones it still meets
    assert "mat_khau" in words("quên mật khẩu", "vi")
    assert words("quen mat khau", "vi") == words("quên mật khẩu", "vi")


def test_han_pairs_weigh_as_terms_no_topic_shares_count_most():
    # A Han pair is both a word and a character n-gram: its topics are counted once per kind,
    # so no weight goes negative (that silenced Chinese questions made of common pairs)
    index = HelpIndex(default_content())
    chinese = index.language(index.languages.index("zh"))
    assert all(weight > 0 for idf in chinese.idfs for weight in idf.values())


def test_korean_words_drop_their_particle():
    assert "비밀번호" in words("비밀번호를", "ko")


def test_devanagari_and_bengali_words_keep_their_vowel_signs():
    # Vowel signs and viramas are combining marks: a word is not cut at each of them
    assert tokens("पासवर्ड भूल गया। ठीक है") == ["पासवर्ड", "भूल", "गया", "ठीक", "है"]
    assert tokens("আমার পাসওয়ার্ড ভুলে গেছি") == ["আমার", "পাসওয়ার্ড", "ভুলে", "গেছি"]
    # Arabic harakat stay in the word and fold away: a vowelled word meets its usual spelling
    assert words("مُشكلة", "ar") == words("مشكلة", "ar")


def test_marks_that_carry_a_letter_are_kept():
    # Devanagari vowel signs are letters, not accents
    assert fold("पासवर्ड") == "पासवर्ड"


def test_digits_alone_are_not_terms_and_misspellings_share_ngrams():
    assert words("123456", "en") == set()
    shared = set(analyse("password", "en").chars) & set(analyse("pasword", "en").chars)
    assert {" pas", "word", "ord "} <= shared


def test_long_messages_are_cut_into_sentences():
    text = "Hi there! I bought coins yesterday.\nThey never arrived. Can you help? Thanks"
    assert sentences(text) == [
        "Hi there!",
        "I bought coins yesterday.",
        "They never arrived.",
        "Can you help?",
        "Thanks",
    ]
    assert sentences("你好。我的视频被删除了！为什么？") == ["你好。", "我的视频被删除了！", "为什么？"]
