"""The hashes that key the artifact's table, shared by the build and the runtime.

An n-gram's key is a polynomial hash of its code points (so the runtime can extend it one
character at a time), folded to 32 bits; a word's key is tagged so that a word never meets
an n-gram of the same letters.
"""

from __future__ import annotations

MASK64 = (1 << 64) - 1
# Odd 64-bit constants from splitmix64 / golden-ratio hashing: good bit mixing, nothing more.
HASH_BASE = 0x9E3779B97F4A7C15
WORD_TAG = 0xD6E8FEB86659FD93
KEY_MIX = 0xBF58476D1CE4E5B9


def ngram_hash(text: str) -> int:
    """sum(ord(text[j]) * HASH_BASE ** (len(text) - 1 - j)) mod 2**64."""
    value = 0
    for char in text:
        value = (value * HASH_BASE + ord(char)) & MASK64
    return value


def word_hash(word: str) -> int:
    return ngram_hash(word) ^ WORD_TAG


def table_key(hash64: int) -> int:
    """The 32-bit key stored in the artifact: the top half of a multiplicative mix."""
    return ((hash64 * KEY_MIX) & MASK64) >> 32


def suffix_hashes(codepoints: list[int], end: int, longest: int) -> list[int]:
    """ngram_hash of the 1..longest characters ending at `end`, shortest first.

    The runtime inlines this loop for speed; this is the readable version the tests compare with.
    """
    hashes: list[int] = []
    value, power = 0, 1
    for order in range(1, longest + 1):
        value = (value + codepoints[end - order + 1] * power) & MASK64
        power = (power * HASH_BASE) & MASK64
        hashes.append(value)
    return hashes
