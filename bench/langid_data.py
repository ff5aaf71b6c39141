"""Test data for `bench.langid`: the public test sets and the project's support messages.

Stdlib only: the benchmark's worker processes import this before they time a detector's import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The 29 languages the desk serves (docs: DESIGN.md, chalicelib/data/routing.json), in table order.
LANGUAGES: tuple[str, ...] = (
    *("en", "es", "pt", "fr", "de", "it", "nl", "pl", "tr", "ru", "uk", "ar", "fa", "hi", "bn"),
    *("id", "ms", "vi", "th", "ja", "ko", "zh", "tl", "sv", "ro", "el", "he", "cs", "hu"),
)
# Test-set folders, in table order, with the names the tables use.
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("sentences", "sentences"),
    ("word-pairs", "word pairs"),
    ("single-words", "single words"),
)
# Indonesian and Malay are one class when no hint can split them.
MERGED_WITHOUT_HINT = frozenset({"id", "ms"})
UNDETERMINED = "und"

MESSAGES_DIR = Path(__file__).resolve().parent / "data" / "support_messages"


@dataclass(frozen=True)
class Message:
    language: str
    text: str
    locale: str | None
    country: str | None


def load_test_sets(data_dir: Path, limit: int | None) -> dict[str, dict[str, list[str]]]:
    """{category: {language: texts}} for our languages (sw and any other file skipped)."""
    sets: dict[str, dict[str, list[str]]] = {}
    for folder, _ in CATEGORIES:
        by_language: dict[str, list[str]] = {}
        for language in LANGUAGES:
            path = data_dir / folder / f"{language}.txt"
            if not path.is_file():
                continue
            lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
            texts = [line for line in lines if line]
            by_language[language] = texts[:limit] if limit else texts
        if by_language:
            sets[folder] = by_language
    return sets


def load_messages(messages_dir: Path = MESSAGES_DIR) -> list[Message]:
    """Every support message, in language order then file order."""
    messages: list[Message] = []
    for language in LANGUAGES:
        path = messages_dir / f"{language}.tsv"
        rows = path.read_text(encoding="utf-8").splitlines()
        for row in rows[1:]:  # header: text, locale, country
            if not row.strip():
                continue
            text, locale, country = [*row.split("\t"), "", ""][:3]
            messages.append(Message(language, text.strip(), locale.strip() or None, country.strip() or None))
    return messages


def interleaved(by_language: dict[str, list[str]]) -> list[str]:
    """Texts taken one language at a time (en, es, ..., en, es, ...) so every slice mixes scripts."""
    columns = [by_language[language] for language in LANGUAGES if language in by_language]
    longest = max((len(column) for column in columns), default=0)
    return [column[index] for index in range(longest) for column in columns if index < len(column)]


def is_correct(truth: str, predicted: str, *, hinted: bool) -> bool:
    """Exact match; without hints, id and ms count as one class."""
    if predicted == truth:
        return True
    return not hinted and {truth, predicted} <= MERGED_WITHOUT_HINT


ROMANIZED_DIR = Path(__file__).resolve().parent / "data" / "romanized"
ROMANIZED_SPLITS = ("dev", "heldout")


@dataclass(frozen=True)
class RomanizedMessage:
    language: str
    text: str
    locale: str | None
    country: str | None
    romanized: bool  # written in Latin letters though the language has a script of its own
    code_mixed: bool  # English words mixed in
    split: str  # "dev" (tuned on) or "heldout" (never tuned on)


def load_romanized(
    splits: tuple[str, ...] = ROMANIZED_SPLITS, directory: Path = ROMANIZED_DIR
) -> list[RomanizedMessage]:
    """The romanized and code-mixed messages of bench/data/romanized, dev first, in file order."""
    import json

    messages: list[RomanizedMessage] = []
    for split in splits:
        path = directory / f"{split}.jsonl"
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            messages.append(
                RomanizedMessage(
                    row["language"],
                    row["text"],
                    row.get("locale"),
                    row.get("country"),
                    bool(row.get("romanized")),
                    bool(row.get("code_mixed")),
                    split,
                )
            )
    return messages
