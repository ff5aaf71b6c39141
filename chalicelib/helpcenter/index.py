"""Inverted indexes over the articles, one per language, each built on first use.

Per topic a language's index holds the title and each phrasing as a document, and a
*profile*: title, phrasings and body together. Each is analysed with the language's analyser
(analysis.py) into word terms and character n-grams, weighted TF-IDF and L2-normed per kind of
term. The IDF counts topics, not documents: a word every Spanish topic uses says nothing about
a Spanish question. Words and character n-grams have an IDF each (a Han pair is both).

`similarities` scores a question against the documents of the languages asked for (the
matcher asks for the asker's language, its sibling and the pivot; every language only when
the detector was unsure) and answers, per language and topic, the cosines of the best and
second best phrasing and of the profile, for each kind of term. Building one language takes
~0.1 s, so a cold start pays for the languages its first question needs, not for thirty.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.helpcenter.analysis import Terms, analyse
from chalicelib.helpcenter.content import Article, Content

# (best, second best) phrasing cosine and profile cosine, for words then character n-grams.
Similarity = tuple[float, float, float, float, float, float]
Postings = dict[str, tuple[list[int], list[float]]]


@dataclass(frozen=True)
class Document:
    topic: int  # index into HelpIndex.topics
    text: str
    profile: bool = False  # the topic's whole article (title, phrasings and body) in one


def _tf(count: float) -> float:
    return 1.0 + math.log(count) if count > 0 else 0.0


def profile_terms(article: Article, language: str, without: str | None = None) -> Terms:
    profile = analyse(article.body, language)
    for text in (article.title, *article.phrasings):
        terms = analyse(text, language)
        profile.words.update(terms.words)
        profile.chars.update(terms.chars)
    if without is not None:
        return profile - analyse(without, language)
    return profile


class LanguageIndex:
    def __init__(self, content: Content, language: str, topics: list[str]) -> None:
        self.language = language
        self.documents: list[Document] = []
        analysed: list[Terms] = []
        for topic_index, topic in enumerate(topics):
            article = content.article(topic, language)
            if article is None:
                continue
            for text in (article.title, *article.phrasings):
                self.documents.append(Document(topic_index, text))
                analysed.append(analyse(text, language))
            self.documents.append(Document(topic_index, "", profile=True))
            analysed.append(profile_terms(article, language))
        topic_count = sum(document.profile for document in self.documents)
        # one IDF per kind of term: a Han pair is both a word and a character n-gram, and
        # counting its topics twice made the commonest pairs' weights negative
        word_frequency: Counter[str] = Counter()
        char_frequency: Counter[str] = Counter()
        for document, terms in zip(self.documents, analysed, strict=True):
            if document.profile:
                word_frequency.update(terms.words.keys())
                char_frequency.update(terms.chars.keys())
        # log((topics + 1) / (topics using the term + 0.5)); a term no topic uses counts most
        self.idfs = (_idf(word_frequency, topic_count), _idf(char_frequency, topic_count))
        self.unknown_idf = math.log((topic_count + 1) / 0.5)
        self.words: Postings = {}
        self.chars: Postings = {}
        for doc_id, terms in enumerate(analysed):
            for kind, (counts, postings) in enumerate(((terms.words, self.words), (terms.chars, self.chars))):
                weights, norm = self.vector(counts, kind)
                idf = self.idfs[kind]
                for term, weight in weights.items():
                    found = postings.get(term)
                    if found is None:
                        found = postings[term] = ([], [])
                    found[0].append(doc_id)
                    # the question's IDF folded in: one multiply per posting at query time
                    found[1].append(weight / norm * idf[term])

    def vector(self, counts: Counter[str], kind: int) -> tuple[dict[str, float], float]:
        """TF-IDF weights of one kind of terms (0 words, 1 character n-grams), and their norm."""
        idf, unknown = self.idfs[kind], self.unknown_idf
        weights = {
            term: (1.0 + math.log(count)) * idf.get(term, unknown) for term, count in counts.items() if count > 0
        }
        return weights, math.sqrt(sum(weight * weight for weight in weights.values())) or 1.0

    def similarities(self, terms: Terms, exclude: frozenset[int] = frozenset()) -> dict[int, list[float]]:
        """topic -> [best, second, profile] word cosines then the same for character n-grams."""
        sums: dict[int, list[float]] = {}
        _accumulate(sums, terms.words, self.words, 0)
        _accumulate(sums, terms.chars, self.chars, 1)
        # terms no article of the language uses count at the highest IDF: they dilute the match
        word_norm, char_norm = self.vector(terms.words, 0)[1], self.vector(terms.chars, 1)[1]
        best: dict[int, list[float]] = {}
        for doc_id, (word, char) in sums.items():
            if doc_id in exclude:
                continue
            document = self.documents[doc_id]
            top = best.get(document.topic)
            if top is None:
                top = best[document.topic] = [0.0] * 6
            if document.profile:
                top[2], top[5] = word / word_norm, char / char_norm
            else:
                _keep_two(top, 0, word / word_norm)
                _keep_two(top, 3, char / char_norm)
        return best

    def profile_cosines(self, terms: Terms, profile: Terms) -> tuple[float, float]:
        """The cosines of a question with a profile given as terms (calibration's held-out one)."""
        cosines = []
        for kind, (query_counts, profile_counts) in enumerate(
            ((terms.words, profile.words), (terms.chars, profile.chars))
        ):
            weights, profile_norm = self.vector(profile_counts, kind)
            query, query_norm = self.vector(query_counts, kind)
            dot = sum(value * weights.get(term, 0.0) for term, value in query.items())
            cosines.append(dot / (query_norm * profile_norm))
        return cosines[0], cosines[1]


class HelpIndex:
    def __init__(self, content: Content) -> None:
        self.content = content
        self.languages: list[str] = content.languages
        self.topics: list[str] = list(content.topics)
        self._built: dict[int, LanguageIndex] = {}
        self._lock = threading.Lock()

    def language(self, index: int) -> LanguageIndex:
        built = self._built.get(index)
        if built is None:
            with self._lock:
                built = self._built.get(index)
                if built is None:
                    built = self._built[index] = LanguageIndex(self.content, self.languages[index], self.topics)
        return built

    def similarities(
        self, text: str, analysis_language: str, languages: Iterable[int], held_out: tuple[int, int] | None = None
    ) -> dict[tuple[int, int], Similarity]:
        """(language, topic) -> Similarity for `languages`; absent when nothing matched.
        `held_out`: (language, document id) of a phrasing left out, with its profile
        recomputed without it (calibration: a phrasing must not match itself)."""
        terms = analyse(text, analysis_language)
        found: dict[tuple[int, int], Similarity] = {}
        for language in languages:
            index = self.language(language)
            excluded = frozenset({held_out[1]}) if held_out is not None and held_out[0] == language else frozenset()
            best = index.similarities(terms, excluded)
            for doc_id in excluded:
                document = index.documents[doc_id]
                article = self.content.article(self.topics[document.topic], index.language)
                if article is not None:
                    profile = profile_terms(article, index.language, without=document.text)
                    top = best.setdefault(document.topic, [0.0] * 6)
                    top[2], top[5] = index.profile_cosines(terms, profile)
            for topic, top in best.items():
                found[(language, topic)] = (top[0], top[1], top[2], top[3], top[4], top[5])
        return found


def _idf(frequency: Counter[str], topic_count: int) -> dict[str, float]:
    return {term: math.log((topic_count + 1) / (count + 0.5)) for term, count in frequency.items()}


def _accumulate(sums: dict[int, list[float]], counts: Counter[str], postings: Postings, kind: int) -> None:
    for term, count in counts.items():
        posting = postings.get(term)
        if posting is None:
            continue
        weight = _tf(count)
        for doc_id, value in zip(*posting, strict=True):
            slot = sums.get(doc_id)
            if slot is None:
                slot = sums[doc_id] = [0.0, 0.0]
            slot[kind] += weight * value


def _keep_two(top: list[float], at: int, value: float) -> None:
    if value > top[at]:
        top[at], top[at + 1] = value, top[at]
    elif value > top[at + 1]:
        top[at + 1] = value
