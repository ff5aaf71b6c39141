"""The help center's matcher on the committed sample of questions (tests/data): the right topic
among the first three, in the asker's language, and silence on off-topic questions; plus the
behaviours the API relies on (long messages, unknown languages, the fallback language)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.adapters.help_matcher import HelpCenterMatcher
from chalicelib.adapters.ngram_detector import NgramDetector
from chalicelib.domain.ports import HelpAnswer
from chalicelib.domain.ticket import Requester
from chalicelib.helpcenter import Matcher, default_content

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "help_questions_sample.jsonl"


@pytest.fixture(scope="module")
def help_center() -> HelpCenterMatcher:
    return HelpCenterMatcher(NgramDetector())


@pytest.fixture(scope="module")
def sample(help_center: HelpCenterMatcher) -> list[tuple[dict, HelpAnswer]]:
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        (row, help_center.answer(row["text"], Requester(locale=row.get("locale"), country=row.get("country"))))
        for row in rows
    ]


def test_the_right_topic_is_among_the_first_three(sample):
    # Given the sample's answerable questions
    answerable = [(row, answer) for row, answer in sample if row["topic"]]
    # When the help center answers them
    hits = sum(row["topic"] in [item.topic for item in answer.answers] for row, answer in answerable)
    # Then nine in ten have the right topic among the first three
    assert hits / len(answerable) >= 0.90


def test_the_best_answer_is_mostly_the_right_one(sample):
    answerable = [(row, answer) for row, answer in sample if row["topic"]]
    hits = sum(bool(answer.answers) and answer.answers[0].topic == row["topic"] for row, answer in answerable)
    assert hits / len(answerable) >= 0.80


def test_answers_come_in_the_askers_language(sample):
    answered = [(row, answer) for row, answer in sample if row["topic"] and answer.answers]
    same = sum(answer.answers[0].language == row["language"] for row, answer in answered)
    assert same / len(answered) >= 0.95


def test_off_topic_questions_are_abstained_on(sample):
    off_topic = [answer for row, answer in sample if row["topic"] is None]
    assert off_topic
    assert sum(answer.abstained for answer in off_topic) >= 0.8 * len(off_topic)
    assert all(answer.answers == () for answer in off_topic if answer.abstained)


@pytest.mark.parametrize("chatter", ["hello", "thanks a lot, bye!", "ok", "?", "🙂🙂", "merci beaucoup !", "谢谢你们"])
def test_chatter_is_abstained_on(help_center: HelpCenterMatcher, chatter: str):
    assert help_center.answer(chatter, Requester()).abstained


def test_a_question_buried_in_a_long_message_is_found(help_center: HelpCenterMatcher):
    # Given a rambling ticket: greeting, story, the question in the middle, a sign-off
    text = (
        "Hello support team, I hope you are having a good week. I have been using the app for three "
        "years and I love it, my whole family watches my videos. Yesterday I went to a concert with my "
        "friends and wanted to share it. Since this morning the app crashes every time I open it, it "
        "just closes after the logo and I cannot do anything. I already restarted my phone twice. "
        "Thank you so much for your help and have a nice day, Tom"
    )
    answer = help_center.answer(text, Requester(locale="en-GB"))
    assert not answer.abstained and answer.answers[0].topic == "app.crash"


def test_confidences_are_probabilities_best_first(help_center: HelpCenterMatcher):
    answer = help_center.answer("me cobraron dos veces la misma compra", Requester(locale="es-MX"))
    confidences = [item.confidence for item in answer.answers]
    assert answer.answers[0].topic == "payment.charged_twice"
    assert all(0 <= value <= 1 for value in confidences) and confidences == sorted(confidences, reverse=True)


def test_a_question_like_the_off_topic_lines_is_abstained_on(help_center: HelpCenterMatcher):
    # Given questions of kinds abstain.json lists (the time abroad, a message to write), worded anew
    # When they are asked
    # Then the help center stays silent
    for text, locale in (
        ("what time is it in Sydney right now", "en-AU"),
        ("can you write a poem for my girlfriend", "en-US"),
        ("¿qué hora es en Tokio ahora mismo?", "es-ES"),
        ("東京は今何時？", "ja-JP"),
    ):
        assert help_center.answer(text, Requester(locale=locale)).abstained, text


def test_off_topic_likeness_ignores_the_line_held_out():
    # Given the English off-topic lines
    matcher = Matcher(default_content())
    english = matcher.index.languages.index("en")
    line = "what's the weather like tomorrow"
    # Then a line matches itself fully, less once held out, and a real question hardly at all
    assert matcher.off_topic.score(line, english) > 0.99
    assert matcher.off_topic.score(line, english, held_out=line) < 0.99
    assert matcher.off_topic.score("I forgot my password and the code never arrives", english) < 0.3


def test_a_traditional_chinese_question_is_answered(help_center: HelpCenterMatcher):
    answer = help_center.answer("忘記密碼了，驗證碼一直收不到", Requester(locale="zh-TW", country="TW"))
    assert not answer.abstained and answer.answers[0].topic == "account.password_reset"


def test_an_unknown_language_is_answered_in_the_best_matching_content(help_center: HelpCenterMatcher):
    # A question the detector cannot place still gets an answer from the content that matches it
    matcher = Matcher(default_content())
    match = matcher.match("password reset code not arriving", None, 0.0)
    assert not match.abstained and match.ranked[0].topic == "account.password_reset"
    assert match.language == "en"


def test_indonesian_and_malay_share_their_content(help_center: HelpCenterMatcher):
    answer = help_center.answer("saya lupa kata laluan akaun saya", Requester(country="MY"))
    assert answer.language == "ms" and answer.answers[0].topic == "account.password_reset"


def test_an_article_missing_in_a_language_falls_back_to_the_nearest(help_center: HelpCenterMatcher):
    article = help_center.article("app.crash", "xx")
    assert article is not None and article.language == "en"
    assert help_center.article("no.such_topic", "en") is None
    assert len(help_center.topics("es")) == len(default_content().topics)
