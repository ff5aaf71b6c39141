"""`make bench-help`: the help center's matcher against two peers, on held-out questions.

    python -m bench.help --data bench/data/help_questions.jsonl

Each line: {"id", "language", "text", "topic" (null: nothing to answer), "kind": short|long|
offtopic|chatter, "locale"?, "country"?}. The questions are only measured here: the matcher is
calibrated on the articles' own phrasings and abstain.json, never on this file.

Measured, by language and overall, for ours (detector + chalicelib/helpcenter, as
POST /help/answers runs it) and, on the same articles in the same run:
- **bm25**: plain BM25 (rank_bm25's Okapi), one document per article and language (title,
  phrasings, body), lower-cased whitespace tokens, no language-aware analysis;
- **char-tfidf**: TF-IDF over character 2-4-grams within word boundaries, cosine, same documents.
A peer answers the topics of its best documents and abstains only when nothing overlaps; its
answer language is the best document's.

Figures: top-1 and top-3 accuracy on answerable questions (an abstention counts as wrong),
abstention on off-topic and chatter, false abstentions on answerable ones, the answer in the
asker's language, long-message top-1, queries/s with p50/p95 latency, and the first call in a
fresh process (imports, content, index, detector).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"top1": 0.90, "top3": 0.97, "asker_language": 0.95, "long_top1": 0.80, "abstain_off_topic": 10 / 12}


@dataclass(frozen=True)
class Question:
    id: str
    language: str
    text: str
    topic: str | None
    kind: str
    locale: str | None = None
    country: str | None = None

    @property
    def answerable(self) -> bool:
        return self.topic is not None


@dataclass(frozen=True)
class Reply:
    topics: tuple[str, ...]  # best first; empty when abstained
    language: str | None  # of the best answer
    seconds: float


def load_questions(path: Path) -> list[Question]:
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            questions.append(Question(**{key: data.get(key) for key in Question.__dataclass_fields__}))
    return questions


# --- the contestants -----------------------------------------------------------------------------


def ours() -> Callable[[Question], Reply]:
    from chalicelib.adapters.help_matcher import HelpCenterMatcher
    from chalicelib.adapters.ngram_detector import NgramDetector
    from chalicelib.domain.ticket import Requester

    matcher = HelpCenterMatcher(NgramDetector())
    matcher.warm_up()

    def answer(question: Question) -> Reply:
        started = time.perf_counter()
        found = matcher.answer(question.text, Requester(locale=question.locale, country=question.country))
        seconds = time.perf_counter() - started
        best_language = found.answers[0].language if found.answers else None
        return Reply(tuple(item.topic for item in found.answers), best_language, seconds)

    return answer


def _documents() -> tuple[list[str], list[tuple[str, str]]]:
    """One text per article and language (title, phrasings, body), and its (language, topic)."""
    from chalicelib.helpcenter import default_content

    content = default_content()
    texts, keys = [], []
    for language in content.languages:
        for topic, article in content.articles[language].items():
            texts.append(" ".join([article.title, *article.phrasings, article.body]))
            keys.append((language, topic))
    return texts, keys


def _ranked(scores: Sequence[float], keys: list[tuple[str, str]]) -> tuple[tuple[str, ...], str | None]:
    best: dict[str, float] = {}
    language_of: dict[str, str] = {}
    for score, (language, topic) in zip(scores, keys, strict=True):
        if score > best.get(topic, 0.0):
            best[topic], language_of[topic] = score, language
    order = sorted(best, key=lambda topic: -best[topic])[:3]
    return tuple(order), (language_of[order[0]] if order else None)


def plain_bm25() -> Callable[[Question], Reply]:
    from rank_bm25 import BM25Okapi

    texts, keys = _documents()
    index = BM25Okapi([text.lower().split() for text in texts])

    def answer(question: Question) -> Reply:
        started = time.perf_counter()
        topics, language = _ranked(list(index.get_scores(question.text.lower().split())), keys)
        return Reply(topics, language, time.perf_counter() - started)

    return answer


def _char_grams(text: str) -> Counter[str]:
    grams: Counter[str] = Counter()
    for word in text.lower().split():
        padded = f" {word} "
        for size in (2, 3, 4):
            grams.update(padded[i : i + size] for i in range(max(len(padded) - size + 1, 1)))
    return grams


def char_tfidf() -> Callable[[Question], Reply]:
    texts, keys = _documents()
    counted = [_char_grams(text) for text in texts]
    frequency = Counter(gram for grams in counted for gram in grams)
    idf = {gram: math.log((1 + len(texts)) / (1 + count)) + 1 for gram, count in frequency.items()}
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for doc_id, grams in enumerate(counted):
        weights = {gram: (1 + math.log(count)) * idf[gram] for gram, count in grams.items()}
        norm = math.sqrt(sum(weight * weight for weight in weights.values())) or 1.0
        for gram, weight in weights.items():
            postings[gram].append((doc_id, weight / norm))

    def answer(question: Question) -> Reply:
        started = time.perf_counter()
        scores = [0.0] * len(texts)
        for gram, count in _char_grams(question.text).items():
            weight = (1 + math.log(count)) * idf.get(gram, 0.0)
            for doc_id, value in postings.get(gram, ()):
                scores[doc_id] += weight * value
        topics, language = _ranked(scores, keys)
        return Reply(topics, language, time.perf_counter() - started)

    return answer


CONTESTANTS: dict[str, Callable[[], Callable[[Question], Reply]]] = {
    "ours": ours,
    "bm25": plain_bm25,
    "char-tfidf": char_tfidf,
}


# --- the figures ---------------------------------------------------------------------------------


def figures(questions: list[Question], replies: list[Reply]) -> dict[str, float]:
    pairs = list(zip(questions, replies, strict=True))
    answerable = [(q, r) for q, r in pairs if q.answerable]
    off_topic = [(q, r) for q, r in pairs if not q.answerable]
    long = [(q, r) for q, r in answerable if q.kind == "long"]
    answered = [(q, r) for q, r in answerable if r.topics]
    latencies = sorted(reply.seconds for reply in replies)

    def share(found: int, of: int) -> float:
        return found / of if of else float("nan")

    return {
        "questions": len(questions),
        "top1": share(sum(bool(r.topics) and r.topics[0] == q.topic for q, r in answerable), len(answerable)),
        "top3": share(sum(q.topic in r.topics for q, r in answerable), len(answerable)),
        "false_abstain": share(sum(not r.topics for _, r in answerable), len(answerable)),
        "abstain_off_topic": share(sum(not r.topics for _, r in off_topic), len(off_topic)),
        "off_topic": len(off_topic),
        "asker_language": share(sum(r.language == q.language for q, r in answered), len(answered)),
        "long_top1": share(sum(bool(r.topics) and r.topics[0] == q.topic for q, r in long), len(long)),
        "long": len(long),
        "qps": len(replies) / sum(latencies) if latencies and sum(latencies) else float("nan"),
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p95_ms": 1000 * latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] if latencies else float("nan"),
    }


COLUMNS = ("top1", "top3", "false_abstain", "abstain_off_topic", "asker_language", "long_top1")


def print_overall(results: dict[str, dict[str, float]], cold: dict[str, float]) -> None:
    header = f"{'':12}" + "".join(f"{name:>18}" for name in (*COLUMNS, "qps", "p50_ms", "p95_ms", "cold_s"))
    print(header)
    for name, found in results.items():
        cells = "".join(f"{found[column]:>18.1%}" for column in COLUMNS)
        timing = (
            f"{found['qps']:>18.0f}{found['p50_ms']:>18.2f}{found['p95_ms']:>18.2f}{cold.get(name, math.nan):>18.2f}"
        )
        print(f"{name:12}{cells}{timing}")
    mine = results["ours"]
    for peer in (name for name in results if name != "ours"):
        ratios = "".join(f"{_ratio(mine[column], results[peer][column]):>18}" for column in COLUMNS)
        print(f"{'ours/' + peer:12}{ratios}")
    print()
    print("targets: " + ", ".join(f"{name} >= {value:.0%}" for name, value in TARGETS.items()) + ", p95 < 100 ms")
    verdicts = [f"{name} {'met' if mine[name] >= target else 'MISSED'}" for name, target in TARGETS.items()]
    print("ours: " + ", ".join(verdicts) + f", p95 {'met' if mine['p95_ms'] < 100 else 'MISSED'}")


def _ratio(mine: float, theirs: float) -> str:
    return "n/a" if not theirs or math.isnan(theirs) or math.isnan(mine) else f"x{mine / theirs:.2f}"


def print_by_language(questions: list[Question], replies: dict[str, list[Reply]]) -> None:
    print(f"\n{'lang':6}{'n':>5}" + "".join(f"{name + ' top1':>16}{name + ' top3':>16}" for name in replies))
    for language in sorted({question.language for question in questions}):
        chosen = [i for i, question in enumerate(questions) if question.language == language]
        subset = [questions[i] for i in chosen]
        row = f"{language:6}{len(chosen):>5}"
        for found in replies.values():
            measured = figures(subset, [found[i] for i in chosen])
            row += f"{measured['top1']:>16.1%}{measured['top3']:>16.1%}"
        print(row)


def cold_start(name: str) -> float:
    """The first answer in a fresh interpreter: imports, content, index (and detector for ours)."""
    code = (
        "import time; t = time.perf_counter(); import bench.help as b; "
        f"answer = b.CONTESTANTS[{name!r}](); "
        "answer(b.Question('cold', 'en', 'I forgot my password', None, 'short')); "
        "print(time.perf_counter() - t)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data" / "help_questions.jsonl")
    parser.add_argument("--by-language", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args(argv)
    questions = load_questions(args.data)
    print(f"{len(questions)} questions from {args.data}")
    replies: dict[str, list[Reply]] = {}
    cold: dict[str, float] = {}
    for name, build in CONTESTANTS.items():
        cold[name] = cold_start(name)
        answer = build()
        answer(questions[0])  # warm: the figures are per answer in a warm process
        replies[name] = [answer(question) for question in questions]
    results = {name: figures(questions, found) for name, found in replies.items()}
    print_overall(results, cold)
    if args.by_language:
        print_by_language(questions, replies)
    return 0


if __name__ == "__main__":
    sys.exit(main())
