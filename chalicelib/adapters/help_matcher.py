"""The help center (domain/ports.HelpMatcher) on chalicelib/helpcenter: the language from our
detector with the requester's locale and country, then the matcher, then the articles in the
asker's language, or the nearest one that has the article (each answer says its language).

The index is built on first use (under a lock) and kept for the process; `warm_up()` builds it
ahead of the first question.
"""

from __future__ import annotations

import threading

from chalicelib.domain.ports import Detector, HelpAnswer, HelpArticle
from chalicelib.domain.routing import UNDETERMINED
from chalicelib.domain.ticket import Requester
from chalicelib.helpcenter import Content, Matcher, default_content

PIVOT = "en"
# Where an article missing in one language is looked for first (then the pivot).
NEAREST = {"ms": "id", "id": "ms", "uk": "ru", "ru": "uk", "pt": "es", "es": "pt"}


class HelpCenterMatcher:
    def __init__(self, detector: Detector, content: Content | None = None) -> None:
        self._detector = detector
        self._content = content
        self._matcher: Matcher | None = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        self._loaded()

    def _loaded(self) -> Matcher:
        if self._matcher is None:
            with self._lock:
                if self._matcher is None:
                    self._matcher = Matcher(self._content or default_content())
        return self._matcher

    def answer(self, text: str, language_hint: Requester) -> HelpAnswer:
        matcher = self._loaded()
        detected = self._detector.detect(text, language_hint)
        code = None if detected.code == UNDETERMINED else detected.code
        match = matcher.match(text, code, detected.confidence)
        asker = match.language or code or self._locale_language(language_hint) or PIVOT
        answers = []
        for ranked in match.ranked:
            article = self.article(ranked.topic, asker)
            if article is not None:
                answers.append(
                    HelpArticle(
                        article.topic,
                        article.title,
                        article.body,
                        article.language,
                        article.category,
                        ranked.confidence,
                    )
                )
        return HelpAnswer(language=asker, abstained=match.abstained, answers=tuple(answers))

    def topics(self, language: str) -> list[HelpArticle]:
        content = self._content_loaded()
        return [found for topic in content.topics if (found := self.article(topic, language)) is not None]

    def article(self, topic: str, language: str) -> HelpArticle | None:
        content = self._content_loaded()
        if topic not in content.topics:
            return None
        for candidate in (language, NEAREST.get(language), PIVOT, *content.languages):
            article = content.article(topic, candidate) if candidate else None
            if article is not None:
                category = content.topics[topic].category
                return HelpArticle(topic, article.title, article.body, article.language, category)
        return None

    def languages(self) -> frozenset[str]:
        return frozenset(self._content_loaded().languages)

    def _content_loaded(self) -> Content:
        return self._content or default_content()

    def _locale_language(self, requester: Requester) -> str | None:
        language = requester.locale_language
        return language if language in self.languages() else None
