"""One detector in a fresh process, for `bench.langid`: everything it measures about that detector.

    python -m bench.langid_worker --detector lingua-high --data ../shared/data/langid --out result.json

In this order, so each figure is what it claims to be:

1. first call: import + construct (+ warm_up for our adapters) + the first detect of a short
   Latin-script text, timed in-process from before the detector's first import (the interpreter's
   own start-up, the same for all, is not included);
2. accuracy on the sentences (which also warms every model up: lazy loaders load all languages);
3. texts/s on the word pairs, warm, pinned to one core (`--cpu`), before the word pairs are scored
   for accuracy, so a detector that caches answers cannot gain from having seen them;
4. accuracy on the word pairs, the single words, the support messages and the romanized and
   code-mixed messages (without and, for detectors that take them, with the locale/country hints);
5. peak RSS: the process's high-water mark (VmHWM, else ru_maxrss) after all of that.

The result is one JSON object written to `--out`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections import Counter
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.langid_data import interleaved, load_messages, load_romanized, load_test_sets
from bench.langid_detectors import DETECTORS, Detect

FIRST_TEXT = "no puedo hacer live, me cobraron dos veces"
CLOCK_EVERY = 32  # texts between clock reads in the throughput loop


def peak_rss_mb() -> float:
    """This process's peak resident set: VmHWM from /proc (Linux), else ru_maxrss.

    VmHWM first: after fork + exec, Linux folds the parent's high-water mark into ru_maxrss, so
    a worker started by a 40 MB orchestrator would never report less than 40 MB.
    """
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def predictions(detect: Detect, by_language: dict[str, list[str]]) -> dict[str, dict[str, int]]:
    """{true language: {predicted code: count}}."""
    return {
        language: dict(Counter(detect(text, None, None)[0] for text in texts))
        for language, texts in by_language.items()
    }


def throughput(detect: Detect, texts: Sequence[str], seconds: float) -> dict[str, float]:
    """Texts/s over at least `seconds` of wall time, cycling through `texts` if needed."""
    if not texts:
        return {"texts": 0, "seconds": 0.0, "cpu_seconds": 0.0, "passes": 0.0}
    count = 0
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    elapsed = 0.0
    while elapsed < seconds:
        for offset in range(CLOCK_EVERY):
            text = texts[(count + offset) % len(texts)]
            detect(text, None, None)
        count += CLOCK_EVERY
        elapsed = time.perf_counter() - wall_start
    cpu = time.process_time() - cpu_start
    return {"texts": count, "seconds": elapsed, "cpu_seconds": cpu, "passes": count / len(texts)}


def imported_distributions(modules: set[str]) -> list[str]:
    """The installed distributions that provide the modules the detector imported."""
    providers = metadata.packages_distributions()
    top_level = {name.split(".")[0] for name in modules}
    return sorted({dist for name in top_level for dist in providers.get(name, ())})


def versions(distributions: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in distributions:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def run(args: argparse.Namespace) -> dict[str, Any]:
    spec = DETECTORS[args.detector]
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    phases: dict[str, float] = {}
    modules_before = set(sys.modules)

    started, cpu_started = time.perf_counter(), time.process_time()
    detect = spec.build()
    first_code, first_note = detect(FIRST_TEXT, None, None)
    first_call_ms = (time.perf_counter() - started) * 1000
    first_call_cpu_ms = (time.process_time() - cpu_started) * 1000
    rss_first_call = peak_rss_mb()

    data_dir = Path(args.data) if args.data else None
    sets = load_test_sets(data_dir, args.limit) if data_dir and data_dir.is_dir() else {}
    messages = load_messages()
    accuracy: dict[str, dict[str, dict[str, int]]] = {}

    mark = time.perf_counter()
    if "sentences" in sets:
        accuracy["sentences"] = predictions(detect, sets["sentences"])
    else:  # no test sets: warm up on the support messages
        for message in messages:
            detect(message.text, None, None)
    phases["sentences"] = time.perf_counter() - mark

    if "word-pairs" in sets:
        speed_texts, speed_source = interleaved(sets["word-pairs"]), "word pairs"
    else:
        speed_texts, speed_source = [message.text for message in messages], "support messages"
    speed = throughput(detect, speed_texts, args.throughput_seconds)

    for category in ("word-pairs", "single-words"):
        if category in sets:
            mark = time.perf_counter()
            accuracy[category] = predictions(detect, sets[category])
            phases[category] = time.perf_counter() - mark

    mark = time.perf_counter()
    support: list[dict[str, str]] = []
    for message in messages:
        code, note = detect(message.text, None, None)
        row = {"code": code, "note": note}
        if spec.takes_hints:
            row["hinted_code"], row["hinted_note"] = detect(message.text, message.locale, message.country)
        support.append(row)
    phases["support"] = time.perf_counter() - mark

    mark = time.perf_counter()
    romanized: list[dict[str, str]] = []
    for item in load_romanized():
        code, note = detect(item.text, None, None)
        row = {"code": code, "note": note}
        if spec.takes_hints:
            row["country_code"], row["country_note"] = detect(item.text, None, item.country)
            row["hinted_code"], row["hinted_note"] = detect(item.text, item.locale, item.country)
        romanized.append(row)
    phases["romanized"] = time.perf_counter() - mark

    return {
        "detector": spec.name,
        "first_call_ms": first_call_ms,
        "first_call_cpu_ms": first_call_cpu_ms,
        "first_call_answer": f"{first_code} {first_note}".strip(),
        "rss_first_call_mb": rss_first_call,
        "rss_peak_mb": peak_rss_mb(),
        "accuracy": accuracy,
        "support": support,
        "romanized": romanized,
        "throughput": {**speed, "source": speed_source},
        "phases": phases,
        "versions": versions(spec.distributions),
        "imported_distributions": imported_distributions(set(sys.modules) - modules_before),
        "python": sys.version.split()[0],
        "cpu_affinity": sorted(os.sched_getaffinity(0)),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--detector", required=True, choices=sorted(DETECTORS))
    parser.add_argument("--data", help="the langid test sets (sentences/, word-pairs/, single-words/)")
    parser.add_argument("--limit", type=int, default=None, help="lines per file (default: all)")
    parser.add_argument("--cpu", type=int, default=None, help="pin this process to one core")
    parser.add_argument("--throughput-seconds", type=float, default=3.0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    result = run(args)
    Path(args.out).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
