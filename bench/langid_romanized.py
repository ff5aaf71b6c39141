"""Ours alone on the romanized and code-mixed messages (bench/data/romanized): the quick loop.

    python -m bench.langid_romanized [--split dev|heldout|all] [--misses]

Three figures per split: text alone (id = ms), the requester's country alone, and the locale and
country as the app sends them (id and ms apart). `make bench-langid` prints the same category
for ours and the peers; this one runs in a second and prints what ours got wrong. Tune on `dev`
only: `heldout` is the honest figure (see bench/data/romanized/README.md).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.langid_data import ROMANIZED_SPLITS, RomanizedMessage, is_correct, load_romanized

MODES = ("text", "country", "locale+country")


def detect_all(messages: Sequence[RomanizedMessage], model_dir: Path | None = None) -> list[dict[str, str]]:
    from chalicelib.adapters.ngram_detector import NgramDetector
    from chalicelib.domain.ticket import Requester
    from chalicelib.langid import MODEL_DIR

    detector = NgramDetector(model_dir or MODEL_DIR)
    rows = []
    for message in messages:
        row: dict[str, str] = {}
        for mode, requester in (
            ("text", Requester()),
            ("country", Requester(country=message.country)),
            ("locale+country", Requester(locale=message.locale, country=message.country)),
        ):
            language = detector.detect(message.text, requester)
            script = getattr(language, "script", None) or ""
            row[mode] = language.code
            row[mode + " note"] = (
                f"{language.code}{'-' + script if script else ''} {language.confidence:.2f} {language.source}"
            )
        rows.append(row)
    return rows


def _percent(flags: Sequence[bool]) -> str:
    return f"{100 * sum(flags) / len(flags):.1f}" if flags else "—"


def report_lines(listed: Sequence[Any], messages: Sequence[RomanizedMessage]) -> list[str]:
    """The "romanized" category of `make bench-langid`: ours and the peers, dev and held-out.

    `listed` are bench.langid Outcomes whose worker result has a "romanized" row per message."""
    from bench.langid import label, table, worst_five

    rows = []
    for outcome in listed:
        data = outcome.result or {}
        results = data.get("romanized")
        if not results or len(results) != len(messages):
            rows.append([label(outcome), "failed" if not outcome.ok else "—", "", "", "", "", ""])
            continue
        cells = [label(outcome)]
        for split in ROMANIZED_SPLITS:
            picked = [(m, r) for m, r in zip(messages, results, strict=True) if m.split == split]
            cells.append(_percent([is_correct(m.language, r["code"], hinted=False) for m, r in picked]))
            for key in ("country_code", "hinted_code"):
                known = [(m, r) for m, r in picked if key in r]
                cells.append(_percent([is_correct(m.language, r[key], hinted=True) for m, r in known]))
        per_language: dict[str, list[bool]] = {}
        for m, r in zip(messages, results, strict=True):
            per_language.setdefault(m.language, []).append(is_correct(m.language, r["code"], hinted=False))
        cells.append(worst_five({code: 100 * sum(f) / len(f) for code, f in per_language.items()}))
        rows.append(cells)
    languages = sorted({m.language for m in messages})
    counts = {split: sum(m.split == split for m in messages) for split in ROMANIZED_SPLITS}
    return [
        f"## Accuracy: romanized and code-mixed messages ({len(messages)} in {len(languages)} languages, "
        "bench/data/romanized), %",
        "",
        f"dev ({counts['dev']}) is what ours was tuned on; held-out ({counts['heldout']}) never was. Text: text only,",
        "id = ms. Country: the requester's country alone. Hints: locale and country as the app sends them.",
        "Right means the language (hi for Hinglish, ar for Arabizi); peers take no hints (—).",
        "",
        table(
            [
                "detector",
                "dev text",
                "dev country",
                "dev hints",
                "held-out text",
                "held-out country",
                "held-out hints",
                "worst five, text only (%)",
            ],
            rows,
            "lrrrrrrl",
        ),
        "",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.langid_romanized", description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=(*ROMANIZED_SPLITS, "all"), default="dev")
    parser.add_argument("--misses", action="store_true", help="list the messages ours gets wrong")
    parser.add_argument("--model-dir", type=Path, help="a model other than chalicelib/langid/model")
    args = parser.parse_args(argv)
    splits = ROMANIZED_SPLITS if args.split == "all" else (args.split,)
    messages = load_romanized(splits)
    rows = detect_all(messages, args.model_dir)
    languages = sorted({message.language for message in messages}, key=[m.language for m in messages].index)
    print(f"{len(messages)} messages ({', '.join(splits)}), % right")
    print(f"{'language':<10}" + "".join(f"{mode:>16}" for mode in MODES))
    for language in [*languages, "all"]:
        picked = [(m, r) for m, r in zip(messages, rows, strict=True) if language in ("all", m.language)]
        cells = []
        for mode in MODES:
            right = sum(is_correct(m.language, r[mode], hinted=mode != "text") for m, r in picked)
            cells.append(f"{100 * right / len(picked):15.1f}%")
        print(f"{language:<10}" + "".join(cells))
    if args.misses:
        for mode in MODES:
            wrong = [
                (m, r)
                for m, r in zip(messages, rows, strict=True)
                if not is_correct(m.language, r[mode], hinted=mode != "text")
            ]
            print(f"\n{mode}: {len(wrong)} wrong")
            for m, r in wrong:
                print(f"  {m.language} -> {r[mode + ' note']:<24} {m.locale or '-'}/{m.country or '-'}  {m.text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
