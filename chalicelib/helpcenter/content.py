"""The help center's content: `chalicelib/data/help_center/<lang>.json` per served language and
`topics.json` (the topics and the ticket category each belongs to), loaded and checked.

`load_content()` reads what is there (a language whose file is missing is answered in the
nearest language that has one); `validate(content, languages)` lists every problem, and the
test suite requires none for the served languages: every topic in every language, no empty
field, provenance one of written|machine|reviewed, a version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CONTENT_DIR = Path(__file__).resolve().parent.parent / "data" / "help_center"
PROVENANCES = frozenset({"written", "machine", "reviewed"})
TOPICS_FILE = "topics.json"
ABSTAIN_FILE = "abstain.json"
NON_LANGUAGE_FILES = frozenset({TOPICS_FILE, ABSTAIN_FILE})


class ContentError(ValueError):
    """A content file that cannot be read as help-center content."""


@dataclass(frozen=True)
class Article:
    topic: str
    language: str
    title: str
    body: str
    phrasings: tuple[str, ...]
    provenance: str


@dataclass(frozen=True)
class Topic:
    topic: str
    category: str
    about: str


@dataclass(frozen=True)
class Content:
    topics: Mapping[str, Topic]  # in topics.json's order
    articles: Mapping[str, Mapping[str, Article]]  # language -> topic -> article
    versions: Mapping[str, int]  # language -> its file's version
    problems: tuple[str, ...]  # what was skipped while loading (the validation lists all)

    @property
    def languages(self) -> list[str]:
        return sorted(self.articles)

    def article(self, topic: str, language: str) -> Article | None:
        return self.articles.get(language, {}).get(topic)

    def fingerprint(self) -> str:
        """A hash of every article's text: what the calibration was computed on."""
        digest = hashlib.sha256()
        for language in self.languages:
            for topic, article in sorted(self.articles[language].items()):
                digest.update(json.dumps([language, topic, article.title, article.phrasings]).encode())
        return digest.hexdigest()[:16]


def load_content(directory: Path = CONTENT_DIR) -> Content:
    topics = _topics(directory / TOPICS_FILE)
    articles: dict[str, dict[str, Article]] = {}
    versions: dict[str, int] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*.json")):
        if path.name in NON_LANGUAGE_FILES:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            problems.append(f"{path.name}: not readable JSON ({error})")
            continue
        language = path.stem
        found, file_problems = _articles(language, data, topics)
        problems += [f"{path.name}: {problem}" for problem in file_problems]
        if found:
            articles[language] = found
            versions[language] = data.get("version") if isinstance(data.get("version"), int) else 0
    return Content(topics, articles, versions, tuple(problems))


@cache
def default_content() -> Content:
    return load_content()


def validate(content: Content, languages: Iterable[str]) -> list[str]:
    """Every problem: a file's own, and each topic missing from each of `languages`."""
    problems = list(content.problems)
    for language in sorted(languages):
        if language not in content.articles:
            problems.append(f"{language}.json: missing")
            continue
        if content.versions.get(language, 0) < 1:
            problems.append(f"{language}.json: version must be a whole number from 1")
        missing = [topic for topic in content.topics if topic not in content.articles[language]]
        problems += [f"{language}.json: topic {topic} missing" for topic in missing]
    return problems


def _topics(path: Path) -> dict[str, Topic]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            name: Topic(name, str(entry["category"]), str(entry.get("about", "")))
            for name, entry in data["topics"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise ContentError(f"{path}: {error}") from error


def _articles(language: str, data: Any, topics: Mapping[str, Topic]) -> tuple[dict[str, Article], list[str]]:
    """The file's valid articles, and what is wrong with the rest."""
    if not isinstance(data, dict) or not isinstance(data.get("articles"), dict):
        return {}, ["not an object with articles"]
    problems: list[str] = []
    if data.get("language") != language:
        problems.append(f"language is {data.get('language')!r}, the file name says {language!r}")
    if not isinstance(data.get("version"), int) or isinstance(data.get("version"), bool) or data["version"] < 1:
        problems.append("version must be a whole number from 1")
    articles: dict[str, Article] = {}
    for topic, entry in data["articles"].items():
        if topic not in topics:
            problems.append(f"{topic}: not a topic of {TOPICS_FILE}")
            continue
        article, wrong = _article(topic, language, entry)
        problems += [f"{topic}: {problem}" for problem in wrong]
        if article is not None:
            articles[topic] = article
    return articles, problems


def _article(topic: str, language: str, entry: Any) -> tuple[Article | None, list[str]]:
    if not isinstance(entry, dict):
        return None, ["not an object"]
    problems = [
        f"{name} is empty or not text"
        for name in ("title", "body")
        if not isinstance(entry.get(name), str) or not entry[name].strip()
    ]
    phrasings = entry.get("phrasings")
    if not isinstance(phrasings, list) or not phrasings:
        problems.append("phrasings must be a non-empty list")
        phrasings = []
    elif not all(isinstance(text, str) and text.strip() for text in phrasings):
        problems.append("a phrasing is empty or not text")
    if entry.get("provenance") not in PROVENANCES:
        problems.append(f"provenance {entry.get('provenance')!r} is not one of {sorted(PROVENANCES)}")
    if problems:
        return None, problems
    return (
        Article(
            topic=topic,
            language=language,
            title=entry["title"].strip(),
            body=entry["body"].strip(),
            phrasings=tuple(text.strip() for text in phrasings),
            provenance=entry["provenance"],
        ),
        [],
    )
