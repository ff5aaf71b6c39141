"""Splitting long text under a provider's size limit without cutting sentences, and joining back."""

from __future__ import annotations

import re
from collections.abc import Callable

# A sentence ends at . ! ? … followed by white space, after CJK 。！？, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])\s*|\n\s*")
_SPACE = re.compile(r"\s+")

Atom = tuple[str, str]  # (text, the white space that follows it)


def split_text(text: str, max_chars: int, max_bytes: int | None = None) -> list[Atom]:
    """(chunk, separator) pairs whose chunks each fit `max_chars` characters (and `max_bytes`
    bytes of UTF-8, for providers that count bytes).

    Sentence and paragraph boundaries are preferred, then spaces, then a hard cut inside a
    word. Joining every chunk with its separator gives back the text exactly.
    """

    def fits(candidate: str) -> bool:
        return len(candidate) <= max_chars and (max_bytes is None or len(candidate.encode("utf-8")) <= max_bytes)

    if fits(text):
        return [(text, "")]
    atoms: list[Atom] = []
    for sentence in _split(text, _SENTENCE_END):
        if fits(sentence[0]):
            atoms.append(sentence)
            continue
        words = _split(sentence[0], _SPACE)
        words[-1] = (words[-1][0], words[-1][1] + sentence[1])
        for word, space in words:
            atoms.extend(_cut(word, space, fits))
    chunks: list[Atom] = []
    current, separator = atoms[0]
    for atom_text, atom_separator in atoms[1:]:
        candidate = current + separator + atom_text
        if fits(candidate):
            current, separator = candidate, atom_separator
        else:
            chunks.append((current, separator))
            current, separator = atom_text, atom_separator
    chunks.append((current, separator))
    return chunks


def join_chunks(translated: list[str], separators: list[str]) -> str:
    return "".join(chunk + separator for chunk, separator in zip(translated, separators, strict=True))


def translate_in_chunks(
    text: str, translate: Callable[[str], str], max_chars: int, max_bytes: int | None = None
) -> str:
    """Translate chunk by chunk under the provider's limits; white-space-only chunks are not sent."""
    chunks = split_text(text, max_chars, max_bytes)
    translated = [translate(chunk) if chunk.strip() else chunk for chunk, _ in chunks]
    return join_chunks(translated, [separator for _, separator in chunks])


def _split(text: str, boundary: re.Pattern[str]) -> list[Atom]:
    atoms: list[Atom] = []
    position = 0
    for match in boundary.finditer(text):
        if match.end() == match.start() and match.start() in (0, len(text)):
            continue  # a zero-width boundary at either end splits nothing
        atoms.append((text[position : match.start()], match.group()))
        position = match.end()
    if position < len(text) or not atoms:
        atoms.append((text[position:], ""))
    return atoms


def _cut(word: str, space: str, fits: Callable[[str], bool]) -> list[Atom]:
    """A word longer than the limit, cut into the longest prefixes that fit (binary search)."""
    pieces: list[Atom] = []
    while not fits(word):
        low, high = 1, len(word)
        while low < high:
            middle = (low + high + 1) // 2
            if fits(word[:middle]):
                low = middle
            else:
                high = middle - 1
        pieces.append((word[:low], ""))
        word = word[low:]
    pieces.append((word, space))
    return pieces
