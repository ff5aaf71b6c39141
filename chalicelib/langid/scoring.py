"""How likely one word is in each candidate language.

A word's log-likelihood mixes two models (log-sum-exp, i.e. P = P_lexicon + P_characters):

- the character model: every character given up to four before it inside the word (lingua's
  1..5-gram counts), with "stupid backoff" to shorter n-grams when the longer one is unknown;
- the lexicon: the word's frequency in the language (wordfreq), boosted by LEXICON_WEIGHT
  because a known word is much stronger evidence than its letters.

The constants were tuned on word lists that are not the benchmark's test data.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence

from chalicelib.langid.artifact import LOGPROB_STEP, Artifact
from chalicelib.langid.hashing import HASH_BASE, KEY_MIX, MASK64, WORD_TAG

MAX_ORDER = 5  # lingua's longest n-gram
BACKOFF_LOG = math.log(0.1)  # per order the character model falls back
UNSEEN_LOG = -12.0  # a character the language's model has no n-gram for at all
LEXICON_WEIGHT = 4.0  # nats added to a known word's log-frequency

# BASE ** k for the orders we extend a suffix hash by
_POWERS = [pow(HASH_BASE, order, 1 << 64) for order in range(MAX_ORDER)]


class WordScorer:
    """Scores words against a subset of languages (the candidates of one script)."""

    def __init__(self, artifact: Artifact) -> None:
        self._keys = artifact.keys
        self._offsets = artifact.offsets
        self._languages = artifact.languages
        self._logprobs = artifact.logprobs
        self._key_count = len(artifact.keys)

    def _span(self, hash64: int) -> tuple[int, int] | None:
        key = ((hash64 * KEY_MIX) & MASK64) >> 32  # hashing.table_key, inlined: it is the hot path
        position = bisect_left(self._keys, key)
        if position < self._key_count and self._keys[position] == key:
            return self._offsets[position], self._offsets[position + 1]
        return None

    def score(self, codepoints: Sequence[int], column_of: Sequence[int], width: int) -> list[float]:
        """Log-likelihood of the word for each candidate; `column_of[language index]` is the
        candidate's column (or -1 for languages not in the running)."""
        character_model = self._character_log_likelihood(codepoints, column_of, width)
        lexicon = self.lexicon(codepoints, column_of, width)
        scores = character_model
        for column, known in enumerate(lexicon):
            if known is not None:
                characters = character_model[column]
                high, low = (characters, known) if characters > known else (known, characters)
                scores[column] = high + math.log1p(math.exp(low - high))
        return scores

    def _character_log_likelihood(self, codepoints: Sequence[int], column_of: Sequence[int], width: int) -> list[float]:
        # The hot loop of the detector: _span is inlined and memoryviews are sliced, not indexed.
        keys, offsets, key_count = self._keys, self._offsets, self._key_count
        languages, logprobs, step = self._languages, self._logprobs, -LOGPROB_STEP
        totals = [0.0] * width
        for end in range(len(codepoints)):
            longest = min(MAX_ORDER, end + 1)
            # hashes of the 1..longest characters ending here (hashing.suffix_hashes, inlined)
            suffix_hashes = []
            value = 0
            for order in range(longest):
                value = (value + codepoints[end - order] * _POWERS[order]) & MASK64
                suffix_hashes.append(value)
            found: list[float | None] = [None] * width
            missing = width
            # longest n-gram first; a language takes the first order it knows, minus the backoff
            for order in range(longest, 0, -1):
                key = ((suffix_hashes[order - 1] * KEY_MIX) & MASK64) >> 32
                position = bisect_left(keys, key)
                if position == key_count or keys[position] != key:
                    continue
                start, stop = offsets[position], offsets[position + 1]
                penalty = (longest - order) * BACKOFF_LOG
                for language, quantised in zip(languages[start:stop], logprobs[start:stop], strict=True):
                    column = column_of[language]
                    if column >= 0 and found[column] is None:
                        found[column] = quantised * step + penalty
                        missing -= 1
                if not missing:
                    break
            unseen = UNSEEN_LOG + (longest - 1) * BACKOFF_LOG
            for column in range(width):
                logprob = found[column]
                totals[column] += unseen if logprob is None else logprob
        return totals

    def lexicon(self, codepoints: Sequence[int], column_of: Sequence[int], width: int) -> list[float | None]:
        """The word's lexicon log-likelihood per candidate, None where the language lacks it."""
        value = 0
        for codepoint in codepoints:
            value = (value * HASH_BASE + codepoint) & MASK64
        known: list[float | None] = [None] * width
        span = self._span(value ^ WORD_TAG)
        if span is not None:
            for entry in range(span[0], span[1]):
                column = column_of[self._languages[entry]]
                if column >= 0:
                    known[column] = self._logprobs[entry] * -LOGPROB_STEP + LEXICON_WEIGHT
        return known
