"""Fit the matcher's knobs and its confidence on the content itself: `make help-calibration`
(= `python -m chalicelib.helpcenter.calibration`), which rewrites calibration.json.

What it learns from, and nothing else (the benchmark's questions stand for questions the
matcher's authors never saw, and are only measured):

- **leave-one-out**: every phrasing of every language, held out of the index and matched
  against the rest as a question in its language (its answer is its own topic);
- **abstain.json**: off-topic questions and chatter per language (the answer is "none").

Steps: a small grid over the word/character mix and the weight of other languages' content,
kept by leave-one-out top-1 accuracy; then a logistic regression of "the best topic is right"
on (best score, margin over the runner-up), off-topic lines counting as wrong; then the
abstention rules: a floor under the best score (no more than `MAX_FLOOR_LOSS` of the right
answers score below it: chatter scores next to nothing, and the regression's straight line
cannot say so), then the lowest confidence threshold that abstains on at least
`TARGET_ABSTAIN` of the off-topic lines, unless that costs more than `MAX_FALSE_ABSTAIN` of the
right answers.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from dataclasses import dataclass, replace
from itertools import product

from chalicelib.helpcenter.content import ABSTAIN_FILE, CONTENT_DIR, Content, default_content
from chalicelib.helpcenter.matcher import Matcher, Tuning

WORD_WEIGHTS = (0.4, 0.6)
GRAM_WEIGHTS = (0.0, 0.5)
CROSS_WEIGHTS = (0.8, 1.0)
PROFILE_WEIGHTS = (0.6, 0.8)
GRID_SAMPLE = 3  # the grid is searched on every third phrasing; the fit uses all
WINDOW_WEIGHTS = (0.7, 0.8, 0.9)
LONG_SAMPLE = 5
TARGET_ABSTAIN = 0.92
MAX_FALSE_ABSTAIN = 0.06
OFF_TOPIC_SHARE = 0.2
MAX_FLOOR_LOSS = 0.01  # the score floor may cost at most this share of the right answers


@dataclass(frozen=True)
class Point:
    best: float
    margin: float
    right: bool  # the best topic is the answer (False for every off-topic line)
    in_top3: bool
    answerable: bool


def abstain_lines(content: Content) -> list[tuple[str, str]]:
    """(language, line) of abstain.json for the languages that have content."""
    path = CONTENT_DIR / ABSTAIN_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        (language, line)
        for language, lines in sorted(data["lines"].items())
        if language in content.articles
        for line in lines
    ]


def held_out(matcher: Matcher, languages: list[str] | None = None) -> list[tuple[str, int, str, str]]:
    """(language, document id, text, topic) of every phrasing (titles stay in the index)."""
    found = []
    for language_index, language in enumerate(matcher.index.languages):
        if languages is not None and language not in languages:
            continue
        index = matcher.index.language(language_index)
        seen: set[int] = set()
        for doc_id, document in enumerate(index.documents):
            if document.profile:
                continue
            if document.topic not in seen:
                seen.add(document.topic)  # the title
                continue
            found.append((language, doc_id, document.text, matcher.index.topics[document.topic]))
    return found


def points(matcher: Matcher, queries: list[tuple[str, int, str, str]], lines: list[tuple[str, str]]) -> list[Point]:
    topics = matcher.index.topics
    measured = []
    for language, doc_id, text, topic in queries:
        scores = matcher.topic_scores(text, language, held_out=(language, doc_id))
        measured.append(_point(scores, topics.index(topic)))
    for language, line in lines:
        measured.append(_point(matcher.topic_scores(line, language), None))
    return measured


def _point(scores: list[float], answer: int | None) -> Point:
    order = sorted(range(len(scores)), key=lambda index: -scores[index])
    best, runner_up = scores[order[0]], scores[order[1]]
    right = answer is not None and order[0] == answer and best > 0
    return Point(best, best - runner_up, right, answer in order[:3], answer is not None)


def fit_logistic(data: list[Point], iterations: int = 25, ridge: float = 1e-3) -> tuple[float, float, float]:
    """Newton's method on (best, margin, 1) -> right."""
    weights = [0.0, 0.0, 0.0]
    answerable = sum(point.answerable for point in data)
    # the off-topic lines weigh OFF_TOPIC_SHARE of the held-out phrasings, however few they are
    off_topic_weight = OFF_TOPIC_SHARE * answerable / max(len(data) - answerable, 1)
    for _ in range(iterations):
        gradient = [0.0, 0.0, 0.0]
        hessian = [[ridge if i == j else 0.0 for j in range(3)] for i in range(3)]
        for point in data:
            x = (point.best, point.margin, 1.0)
            z = sum(w * v for w, v in zip(weights, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))
            weight = 1.0 if point.answerable else off_topic_weight
            for i in range(3):
                gradient[i] += weight * (p - (1.0 if point.right else 0.0)) * x[i]
                for j in range(3):
                    hessian[i][j] += weight * p * (1 - p) * x[i] * x[j]
        step = _solve(hessian, gradient)
        weights = [w - s for w, s in zip(weights, step, strict=True)]
    return weights[0], weights[1], weights[2]


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination for a small system."""
    size = len(vector)
    rows = [[*matrix[i], vector[i]] for i in range(size)]
    for column in range(size):
        pivot = max(range(column, size), key=lambda row: abs(rows[row][column]))
        rows[column], rows[pivot] = rows[pivot], rows[column]
        for row in range(size):
            if row != column and rows[column][column]:
                factor = rows[row][column] / rows[column][column]
                rows[row] = [a - factor * b for a, b in zip(rows[row], rows[column], strict=True)]
    return [rows[i][size] / rows[i][i] if rows[i][i] else 0.0 for i in range(size)]


def threshold(tuning: Tuning, data: list[Point]) -> tuple[Tuning, dict[str, float]]:
    answerable = [point for point in data if point.answerable]
    off_topic = [point for point in data if not point.answerable]
    right = [point for point in answerable if point.right]

    def silent(point: Point, cut: float) -> bool:
        return point.best < tuning.min_score or tuning.confidence(point.best, point.margin) < cut

    def rates(cut: float) -> tuple[float, float]:
        abstains = sum(silent(p, cut) for p in off_topic) / max(len(off_topic), 1)
        false = sum(silent(p, cut) for p in right) / max(len(right), 1)
        return abstains, false

    def floor_rates(floor: float) -> float:
        return sum(p.best < floor for p in right) / max(len(right), 1)

    floor = max((step / 200 for step in range(0, 61) if floor_rates(step / 200) <= MAX_FLOOR_LOSS), default=0.0)
    tuning = replace(tuning, min_score=floor)
    cuts = [step / 100 for step in range(5, 96)]
    chosen = next((cut for cut in cuts if rates(cut)[0] >= TARGET_ABSTAIN), cuts[-1])
    if rates(chosen)[1] > MAX_FALSE_ABSTAIN:
        chosen = max((cut for cut in cuts if rates(cut)[1] <= MAX_FALSE_ABSTAIN), default=cuts[0])
    abstains, false = rates(chosen)
    report = {
        "held_out_phrasings": len(answerable),
        "abstain_lines": len(off_topic),
        "top1": round(len(right) / max(len(answerable), 1), 4),
        "top3": round(sum(p.in_top3 for p in answerable) / max(len(answerable), 1), 4),
        "abstained_off_topic": round(abstains, 4),
        "abstained_right_answers": round(false, 4),
    }
    return replace(tuning, abstain_below=chosen), report


def calibrate(content: Content, log: bool = True) -> Tuning:
    matcher = Matcher(content, Tuning())
    queries, lines = held_out(matcher), abstain_lines(content)
    best: tuple[float, Tuning, list[Point]] | None = None
    grid = product(WORD_WEIGHTS, CROSS_WEIGHTS, PROFILE_WEIGHTS, GRAM_WEIGHTS)
    for word_weight, cross_weight, profile_weight, gram_weight in grid:
        matcher.tuning = replace(
            Tuning(),
            word_weight=word_weight,
            cross_weight=cross_weight,
            profile_weight=profile_weight,
            gram_weight=gram_weight,
        )
        data = points(matcher, queries[::GRID_SAMPLE], lines)
        answerable = [point for point in data if point.answerable]
        accuracy = sum(point.right for point in answerable) / max(len(answerable), 1)
        if log:
            print(
                f"word {word_weight} cross {cross_weight} profile {profile_weight} gram {gram_weight}: "
                f"top-1 {accuracy:.4f}",
                file=sys.stderr,
            )
        if best is None or accuracy > best[0]:
            best = (accuracy, matcher.tuning, data)
    assert best is not None
    tuning = best[1]
    matcher.tuning = tuning
    data = points(matcher, queries, lines)
    slope, margin_slope, intercept = fit_logistic(data)
    tuning = replace(tuning, slope=round(slope, 4), margin_slope=round(margin_slope, 4), intercept=round(intercept, 4))
    window_weight, long_top1 = _long_messages(matcher, queries, lines)
    tuning = replace(tuning, window_weight=window_weight)
    tuning, report = threshold(tuning, data)
    report["synthetic_long_top1"] = round(long_top1, 4)
    return replace(tuning, fingerprint=content.fingerprint(), report=report)


def _long_messages(
    matcher: Matcher, queries: list[tuple[str, int, str, str]], lines: list[tuple[str, str]]
) -> tuple[float, float]:
    """The window weight that finds a held-out phrasing best when it is buried between three of
    abstain.json's lines of its language (a synthetic rambling ticket); and its top-1."""
    by_language: dict[str, list[str]] = {}
    for language, line in lines:
        by_language.setdefault(language, []).append(line)
    rng = random.Random(15)
    buried = []
    for language, doc_id, text, topic in queries[::LONG_SAMPLE]:
        pool = by_language.get(language, [])
        if len(pool) >= 3:
            first, second, last = rng.sample(pool, 3)
            buried.append((language, doc_id, f"{first}. {second}. {text}. {last}.", topic))
    best = (matcher.tuning.window_weight, -1.0)
    for weight in WINDOW_WEIGHTS:
        matcher.tuning = replace(matcher.tuning, window_weight=weight)
        right = sum(
            _point(matcher.topic_scores(text, language, (language, doc_id)), matcher.index.topics.index(topic)).right
            for language, doc_id, text, topic in buried
        )
        if right / max(len(buried), 1) > best[1]:
            best = (weight, right / max(len(buried), 1))
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print, do not write calibration.json")
    args = parser.parse_args(argv)
    tuning = calibrate(default_content())
    print(json.dumps(tuning.__dict__, indent=2))
    if not args.dry_run:
        tuning.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
