"""Character n-gram TF-IDF over whole articles: the matcher's second opinion.

One document per language and topic: title, phrasings and body together (the body carries
words the phrasings lack). Its terms are character 2-4-grams of each folded word with its
boundaries (" pa", "pas", "word "), and 1-3-grams of unspaced runs (Han, kana, Thai). The IDF
is `log((1 + documents) / (1 + documents using the gram)) + 1` over every language's
articles at once: a gram shared by all of one language's topics still counts (it is rare
elsewhere), so this view is flatter than the word index's topic-level IDF, and misspellings,
romanised Hindi or a Chinese question worded unlike any phrasing still find the article whose
body uses the same pieces.

Built lazily: the IDF (every language's articles cut into grams) on the first question that
needs it, then each language's postings on the first question that searches it, so a question
pays only for the languages it searches.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections import Counter
from functools import lru_cache

from chalicelib.helpcenter.analysis import fold, is_unspaced, tokens
from chalicelib.helpcenter.content import Article, Content

# gram -> (topic indexes, normalised TF-IDF weights), per language
Postings = dict[str, tuple[array, array]]


@lru_cache(maxsize=65536)
def _token_grams(token: str) -> tuple[str, ...]:
    if is_unspaced(token):
        return tuple(token[first : first + size] for size in (1, 2, 3) for first in range(len(token) - size + 1))
    padded = f" {fold(token)} "
    return tuple(padded[first : first + size] for size in (2, 3, 4) for first in range(max(len(padded) - size + 1, 1)))


def grams(text: str) -> Counter[str]:
    found: list[str] = []
    for token in tokens(text):
        if not token.isdigit():
            found.extend(_token_grams(token))
    return Counter(found)


def article_grams(article: Article) -> Counter[str]:
    return grams("\n".join((article.title, *article.phrasings, article.body)))


def _tf(count: float) -> float:
    return 1.0 + math.log(count)


class GramIndex:
    def __init__(self, content: Content, languages: list[str], topics: list[str]) -> None:
        self.content = content
        self.languages = languages
        self.topics = topics
        self._counted = False  # the IDF
        self._postings: dict[int, Postings] = {}
        self.idf: dict[str, float] = {}
        self.unknown_idf = 1.0
        self._lock = threading.Lock()

    def postings(self, language: int) -> Postings:
        """One language's postings, built on first use (the IDF, over every language, first)."""
        found = self._postings.get(language)
        if found is None:
            with self._lock:
                if not self._counted:
                    self._count()
                    self._counted = True
                found = self._postings.get(language)
                if found is None:
                    found = self._postings[language] = self._build(self._articles(language))
        return found

    def _articles(self, language: int) -> list[tuple[int, Counter[str]]]:
        """(topic index, grams) of each of the language's articles."""
        found = []
        for topic_index, topic in enumerate(self.topics):
            article = self.content.article(topic, self.languages[language])
            if article is not None:
                found.append((topic_index, article_grams(article)))
        return found

    def _count(self) -> None:
        """The IDF over every language's articles (their grams are cut again, one language at a
        time, when its postings are built: cheaper than keeping them all)."""
        frequency: Counter[str] = Counter()
        documents = 0
        for language in range(len(self.languages)):
            for _, found in self._articles(language):
                frequency.update(found.keys())
                documents += 1
        self.idf = {gram: math.log((1 + documents) / (1 + count)) + 1 for gram, count in frequency.items()}
        self.unknown_idf = math.log(1 + documents) + 1

    def _build(self, per_topic: list[tuple[int, Counter[str]]]) -> Postings:
        lists: dict[str, tuple[list[int], list[float]]] = {}
        for topic_index, found in per_topic:
            weights, norm = self.vector(found)
            for gram, weight in weights.items():
                posting = lists.get(gram)
                if posting is None:
                    posting = lists[gram] = ([], [])
                posting[0].append(topic_index)
                posting[1].append(weight / norm)
        # arrays: a third of the memory of lists of Python numbers
        return {gram: (array("b", topics), array("f", values)) for gram, (topics, values) in lists.items()}

    def vector(self, counts: Counter[str]) -> tuple[dict[str, float], float]:
        idf, unknown = self.idf, self.unknown_idf
        weights = {gram: _tf(count) * idf.get(gram, unknown) for gram, count in counts.items() if count > 0}
        return weights, math.sqrt(sum(weight * weight for weight in weights.values())) or 1.0

    def cosines(
        self, text: str, languages: list[int], held_out: tuple[int, int, str] | None = None
    ) -> dict[int, list[float]]:
        """language -> the question's cosine with each topic's article (index order).
        `held_out`: (language, topic, phrasing) whose article is scored without that phrasing."""
        for language in languages:
            self.postings(language)  # the IDF first
        query = grams(text)
        weights, norm = self.vector(query)
        found: dict[int, list[float]] = {}
        for language in languages:
            row = found[language] = [0.0] * len(self.topics)
            language_postings = self._postings[language]
            for gram, weight in weights.items():
                posting = language_postings.get(gram)
                if posting is not None:
                    for topic_index, value in zip(*posting, strict=True):
                        row[topic_index] += weight * value
            for topic_index in range(len(row)):
                row[topic_index] /= norm
        if held_out is not None and held_out[0] in found:
            language, topic_index, phrasing = held_out
            article = self.content.article(self.topics[topic_index], self.languages[language])
            if article is not None:
                reduced, reduced_norm = self.vector(article_grams(article) - grams(phrasing))
                dot = sum(value * reduced.get(gram, 0.0) for gram, value in weights.items())
                found[language][topic_index] = dot / (norm * reduced_norm)
        return found
