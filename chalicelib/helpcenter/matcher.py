"""Rank the help center's topics for a question, or abstain.

1. **Similarities.** The question is analysed with its language's analyser and scored against
   every phrasing of every language at once (index.py). Per language and topic:
   `s = word_weight * (0.75 best + 0.25 second best word cosine)
      + (1 - word_weight) * (the same for character n-grams)`, then
   `(1 - gram_weight) * s + gram_weight * max(0, g - mean g)`, g the cosine with the whole
   article's character n-grams (ngrams.py: one IDF over every language, the body's vocabulary
   included) and the mean over the language's topics taken off (any text shares grams such as
   " th" with every article: ~0.18 for an off-topic story). Only for the asker's language, its
   sibling and the pivot, after the asker's language is decided on the word index alone.
2. **Languages.** The asker's language (and its sibling: Indonesian and Malay share most words)
   gives `own`; the best of every other language gives `cross` (a loanword such as "password"
   in an Indonesian question, or a question whose language the detector got wrong). A topic
   scores `max(own, cross_weight * cross)`. When the detector was unsure and another
   language's content (word index alone) matches clearly better, that language is taken as the asker's.
3. **Long messages.** Past `long_words` words the text is also cut into sentences; every
   sentence and every pair of neighbours is scored too, and a topic keeps its best window
   mixed with the whole text (`window_weight`), so a question buried in a story is found.
4. **Confidence.** `p = sigmoid(a * z + b * (s1 - s2) / spread + d * off + c)` for the best
   topic, `z = (s1 - offset) / spread` its score on its language's scale (s2: the runner-up;
   `offset`, `spread`: per language, where its off-topic lines and its right answers score, so
   that Chinese pairs and Spanish stems, whose cosines run on different scales, meet one
   threshold), `off` the question's likeness to the language's off-topic lines (offtopic.py).
   Fitted by logistic regression on the content itself (each phrasing held out and matched
   against the rest, plus the off-topic and chatter lines of abstain.json, each held out of its
   own language's lines): calibration.py, `make help-calibration`. Below `abstain_below`, or
   with `z` under `min_score`, the matcher abstains. The runners-up get the same formula with
   their own (negative) margin over the best.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from chalicelib.helpcenter.analysis import sentences, tokens
from chalicelib.helpcenter.content import Content
from chalicelib.helpcenter.index import HelpIndex
from chalicelib.helpcenter.ngrams import GramIndex
from chalicelib.helpcenter.offtopic import OffTopicIndex

CALIBRATION_FILE = Path(__file__).resolve().parent / "calibration.json"
SIBLINGS = {"id": "ms", "ms": "id"}
PIVOT = "en"
HeldOut = tuple[str, int] | None  # (language, document id) of a held-out phrasing
MAX_ANSWERS = 3
MAX_WINDOWS = 24


@dataclass(frozen=True)
class Tuning:
    """The matcher's knobs; calibration.py fits them and writes calibration.json."""

    word_weight: float = 0.5
    gram_weight: float = 0.0  # of the whole-article character n-gram cosine (ngrams.py)
    profile_weight: float = 0.4
    cross_weight: float = 0.85
    window_weight: float = 0.8
    long_words: int = 14
    single_sentences: bool = True  # windows of one sentence, besides pairs of neighbours
    unsure_language_below: float = 0.6  # detector confidence under which the content may overrule it
    switch_margin: float = 0.1
    slope: float = 12.0  # a
    margin_slope: float = 8.0  # b
    intercept: float = -5.0  # c
    off_topic_slope: float = 0.0  # d, of the likeness to the off-topic lines
    abstain_below: float = 0.35
    min_score: float = -1.0  # of z: below it the best topic is no answer, whatever the margin
    # language -> (offset, spread) of its scores; (0, 1) for a language not listed
    scales: dict[str, tuple[float, float]] = field(default_factory=dict)
    fingerprint: str = ""  # of the content it was fitted on
    report: dict[str, float] = field(default_factory=dict)  # what the fit measured

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Tuning:
        if not path.exists():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        known = {name: value for name, value in data.items() if name in cls.__dataclass_fields__}
        return cls(**known)

    def save(self, path: Path = CALIBRATION_FILE) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n", encoding="utf-8")

    def scaled(self, score: float, language: str | None) -> float:
        offset, spread = self.scales.get(language or "", (0.0, 1.0))
        return (score - offset) / spread

    def confidence(self, score: float, margin: float, off_topic: float = 0.0, language: str | None = None) -> float:
        spread = self.scales.get(language or "", (0.0, 1.0))[1]
        return _sigmoid(
            self.slope * self.scaled(score, language)
            + self.margin_slope * margin / spread
            + self.off_topic_slope * off_topic
            + self.intercept
        )

    def silent(self, score: float, margin: float, off_topic: float, language: str | None) -> bool:
        """Abstain: the best topic's score is under the floor, or its confidence too low."""
        return (
            self.scaled(score, language) < self.min_score
            or self.confidence(score, margin, off_topic, language) < self.abstain_below
        )


@dataclass(frozen=True)
class Ranked:
    topic: str
    score: float
    confidence: float


@dataclass(frozen=True)
class Match:
    language: str | None  # whose content is the asker's (None: nobody's; the caller falls back)
    abstained: bool
    ranked: tuple[Ranked, ...]  # best first; empty when abstained

    @property
    def confidence(self) -> float:
        return self.ranked[0].confidence if self.ranked else 0.0


@dataclass(frozen=True)
class Evidence:
    """What the decision is made on: every topic's score (index order), the likeness to the
    off-topic lines, and whose content is the asker's (None: nobody's)."""

    scores: list[float]
    off_topic: float
    language: str | None


@dataclass(frozen=True)
class Scores:
    """A question's scores: per language, per topic (index order)."""

    by_language: dict[int, list[float]]

    def of(self, language: int | None) -> list[float] | None:
        return self.by_language.get(language) if language is not None else None


class Matcher:
    def __init__(self, content: Content, tuning: Tuning | None = None) -> None:
        self.content = content
        self.tuning = tuning or Tuning.load()
        self.index = HelpIndex(content)
        self.grams = GramIndex(content, self.index.languages, self.index.topics)
        self.off_topic = OffTopicIndex(self.index)

    def match(
        self, text: str, language: str | None, language_confidence: float = 1.0, held_out: HeldOut = None
    ) -> Match:
        """`language`: the detected one (None or "und" when unknown), with the detector's
        confidence. `held_out`: (language, document id) of a phrasing left out (calibration)."""
        return self._decide(self.evidence(text, language, language_confidence, held_out))

    def evidence(
        self,
        text: str,
        language: str | None,
        language_confidence: float = 1.0,
        held_out: HeldOut = None,
        held_out_line: str | None = None,
    ) -> Evidence:
        """The scores, the likeness to the off-topic lines and the asker's language (calibration
        holds out a phrasing, or an off-topic line of the asker's language)."""
        topic_scores, asker, focus = self._evaluate(text, language, language_confidence, held_out)
        languages = self.index.languages
        pivot = languages.index(PIVOT) if PIVOT in languages else None
        # of the part the best topic was found in: a long ticket's greeting is not its question
        off_topic = self.off_topic.score(focus, asker if asker is not None else pivot, held_out_line)
        return Evidence(topic_scores, off_topic, languages[asker] if asker is not None else None)

    def topic_scores(self, text: str, language: str | None, held_out: HeldOut = None) -> list[float]:
        """The combined score of every topic (index order), for calibration."""
        return self._evaluate(text, language, 1.0, held_out)[0]

    # --- steps ----------------------------------------------------------------------------

    def _evaluate(
        self, text: str, language: str | None, confidence: float, held_out: HeldOut
    ) -> tuple[list[float], int | None, str]:
        """Every topic's score, the asker's language and the window the best topic was found in."""
        languages = self.index.languages
        known = language in languages
        if known and confidence >= self.tuning.unsure_language_below:
            near = (language, SIBLINGS.get(language or ""), PIVOT)
            searched = sorted({languages.index(code) for code in near if code in languages})
        else:  # the detector was unsure: every language's content may tell
            searched = list(range(len(languages)))
        analysis_language = language if known else PIVOT
        held = (languages.index(held_out[0]), held_out[1]) if held_out and held_out[0] in languages else None
        windows = self._windows(text)
        per_window = [self._scores(window, analysis_language, searched, held) for window in windows]
        asker = self._asker(per_window[0], language, confidence)  # on the word index alone
        if self.tuning.gram_weight > 0:
            near_asker = {asker, self._sibling(asker), languages.index(PIVOT) if PIVOT in languages else None}
            gram_languages = [index for index in searched if index in near_asker]
            per_window = [
                self._with_grams(scores, window, gram_languages, held)
                for scores, window in zip(per_window, windows, strict=True)
            ]
        combined, sources = self._combine(per_window, asker)
        best = max(range(len(combined)), key=combined.__getitem__) if combined else 0
        return combined, asker, windows[sources[best]] if combined else text

    def _sibling(self, language_index: int | None) -> int | None:
        languages = self.index.languages
        if language_index is None:
            return None
        sibling = SIBLINGS.get(languages[language_index])
        return languages.index(sibling) if sibling in languages else None

    def _windows(self, text: str) -> list[str]:
        """The whole text, then (when long) its sentences and pairs of neighbouring sentences."""
        if len(tokens(text)) < self.tuning.long_words and len(text) < 4 * self.tuning.long_words:
            return [text]
        parts = sentences(text)
        if len(parts) < 2:
            return [text]
        while len(parts) > MAX_WINDOWS // 2:  # a very long message: merge neighbours
            parts = [" ".join(parts[i : i + 2]) for i in range(0, len(parts), 2)]
        pairs = [f"{first} {second}" for first, second in itertools.pairwise(parts)]
        return [text, *(parts if self.tuning.single_sentences else ()), *pairs]

    def _scores(self, text: str, language: str, searched: list[int], held_out: tuple[int, int] | None) -> Scores:
        similarities = self.index.similarities(text, language, searched, held_out)
        weight, profile = self.tuning.word_weight, self.tuning.profile_weight
        by_language: dict[int, list[float]] = {}
        for (language_index, topic_index), (w1, w2, wp, c1, c2, cp) in similarities.items():
            row = by_language.setdefault(language_index, [0.0] * len(self.index.topics))
            words = (1 - profile) * (0.75 * w1 + 0.25 * w2) + profile * wp
            chars = (1 - profile) * (0.75 * c1 + 0.25 * c2) + profile * cp
            row[topic_index] = weight * words + (1 - weight) * chars
        return Scores(by_language)

    def _with_grams(self, scores: Scores, text: str, languages: list[int], held_out: tuple[int, int] | None) -> Scores:
        """The scores mixed with the whole-article n-gram cosines, for `languages` only (the
        asker's, its sibling's and the pivot's: the pooled IDF makes every language's article
        look a little alike, so the n-grams choose among topics, not among languages)."""
        gram_weight = self.tuning.gram_weight
        held = None
        if held_out is not None:
            document = self.index.language(held_out[0]).documents[held_out[1]]
            held = (held_out[0], document.topic, document.text)
        # the other languages (searched when the detector was unsure) keep their word score on
        # the same scale, as if their n-gram cosine were no more than the baseline
        by_language = {index: [(1 - gram_weight) * value for value in row] for index, row in scores.by_language.items()}
        for language_index, cosines in self.grams.cosines(text, languages, held).items():
            row = by_language.setdefault(language_index, [0.0] * len(self.index.topics))
            baseline = sum(cosines) / len(cosines) if cosines else 0.0  # what any text shares
            for topic_index, cosine in enumerate(cosines):
                row[topic_index] += gram_weight * max(cosine - baseline, 0.0)
        return Scores(by_language)

    def _asker(self, whole: Scores, language: str | None, confidence: float) -> int | None:
        """The language whose content is the asker's: the detected one, unless the detector was
        unsure and another language's content matches the text clearly better."""
        languages = self.index.languages
        detected = languages.index(language) if language in languages else None
        best_of = {index: max(row) for index, row in whole.by_language.items()}
        if not best_of:
            return detected
        challenger = max(best_of, key=best_of.__getitem__)
        if detected is None:
            return challenger
        if confidence < self.tuning.unsure_language_below and challenger != detected:
            sibling = SIBLINGS.get(language or "")
            if languages[challenger] != sibling and best_of[challenger] > best_of.get(detected, 0.0) + (
                self.tuning.switch_margin
            ):
                return challenger
        return detected

    def _combine(self, per_window: list[Scores], asker: int | None) -> tuple[list[float], list[int]]:
        """Per topic: the best of its languages (others damped by cross_weight) in each window;
        then, for a long message, the best window mixed with the whole text
        (`window_weight * window + (1 - window_weight) * whole`), so that a question buried in a
        story is found while one stray sentence ("I restarted my phone twice") does not outweigh
        what the whole message is about. Also, per topic, the window its score comes from (0: the
        whole text)."""
        languages = self.index.languages
        own_languages = set()
        if asker is not None:
            own_languages.add(asker)
            sibling = SIBLINGS.get(languages[asker])
            if sibling in languages:
                own_languages.add(languages.index(sibling))
        per_topic = []
        for scores in per_window:
            combined = [0.0] * len(self.index.topics)
            for language_index, row in scores.by_language.items():
                factor = 1.0 if language_index in own_languages else self.tuning.cross_weight
                for topic_index, value in enumerate(row):
                    combined[topic_index] = max(combined[topic_index], value * factor)
            per_topic.append(combined)
        whole = per_topic[0]
        weight = self.tuning.window_weight
        combined, sources = list(whole), [0] * len(whole)
        for source, window in enumerate(per_topic[1:], start=1):
            for topic, value in enumerate(window):
                mixed = weight * value + (1 - weight) * whole[topic]
                if mixed > combined[topic]:
                    combined[topic], sources[topic] = mixed, source
        return combined, sources

    def _decide(self, evidence: Evidence) -> Match:
        topic_scores, language, off_topic = evidence.scores, evidence.language, evidence.off_topic
        order = sorted(range(len(topic_scores)), key=lambda index: -topic_scores[index])
        if not order or topic_scores[order[0]] <= 0.0:
            return Match(language, True, ())
        best = topic_scores[order[0]]
        runner_up = topic_scores[order[1]] if len(order) > 1 else 0.0
        if self.tuning.silent(best, best - runner_up, off_topic, language):
            return Match(language, True, ())
        confidence = self.tuning.confidence(best, best - runner_up, off_topic, language)
        ranked = [Ranked(self.index.topics[order[0]], round(best, 4), round(confidence, 4))]
        for index in order[1:MAX_ANSWERS]:
            score = topic_scores[index]
            if score <= 0.0:
                break
            ranked.append(
                Ranked(
                    self.index.topics[index],
                    round(score, 4),
                    round(self.tuning.confidence(score, score - best, off_topic, language), 4),
                )
            )
        return Match(language, False, tuple(ranked))


def _sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)
