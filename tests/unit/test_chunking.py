"""Long text is split under a provider's limit on sentence boundaries and joined back exactly."""

from __future__ import annotations

import random

import pytest

from chalicelib.domain.chunking import join_chunks, split_text, translate_in_chunks

WORDS = ["hola", "mundo.", "Esto", "es", "una", "prueba!", "¿Qué", "tal?", "x" * 70, "\n\n", "。", "日本語の文です。"]


def test_short_text_is_one_chunk() -> None:
    assert split_text("Hola, ¿qué tal?", 100) == [("Hola, ¿qué tal?", "")]


def test_sentences_are_kept_whole_when_they_fit() -> None:
    # Given three sentences that do not fit together under the limit
    text = "Me cobraron dos veces. Quiero un reembolso!\n\nGracias."
    # When split under 25 characters
    chunks = split_text(text, 25)
    # Then each chunk is a whole sentence and the separators are kept
    assert chunks == [("Me cobraron dos veces.", " "), ("Quiero un reembolso!", "\n\n"), ("Gracias.", "")]


def test_chinese_and_japanese_sentences_split_after_their_full_stops() -> None:
    chunks = split_text("支付失败了。我的钱没了！请帮忙。", 7)
    assert [chunk for chunk, _ in chunks] == ["支付失败了。", "我的钱没了！", "请帮忙。"]


def test_a_byte_limit_counts_utf8_bytes() -> None:
    # Given Japanese, three bytes a character in UTF-8, and a 12-byte limit
    chunks = split_text("支払いが失敗しました", 100, max_bytes=12)
    # Then every chunk is at most 4 characters
    assert all(len(chunk.encode()) <= 12 for chunk, _ in chunks)
    assert "".join(chunk for chunk, _ in chunks) == "支払いが失敗しました"


def test_a_word_longer_than_the_limit_is_cut() -> None:
    assert split_text("A" * 25, 10) == [("A" * 10, ""), ("A" * 10, ""), ("A" * 5, "")]


@pytest.mark.parametrize("seed", range(20))
def test_any_text_joins_back_exactly_and_every_chunk_fits(seed: int) -> None:
    # Given random text of words, sentence ends, line breaks and CJK
    generator = random.Random(seed)
    for _ in range(200):
        text = generator.choice(["", " ", "\n"]) + "".join(
            generator.choice(WORDS) + generator.choice([" ", "  ", "\n", ""]) for _ in range(generator.randint(0, 60))
        )
        limit = generator.randint(3, 80)
        # When split
        chunks = split_text(text, limit)
        # Then nothing is lost or reordered, and no chunk is over the limit
        assert join_chunks([chunk for chunk, _ in chunks], [separator for _, separator in chunks]) == text
        assert all(len(chunk) <= limit for chunk, _ in chunks)


def test_translating_in_chunks_sends_no_blank_chunk_and_keeps_the_layout() -> None:
    sent: list[str] = []

    def translate(chunk: str) -> str:
        sent.append(chunk)
        return chunk.upper()

    assert translate_in_chunks("uno. dos.\n\ntres.", translate, max_chars=5) == "UNO. DOS.\n\nTRES."
    assert sent == ["uno.", "dos.", "tres."]
