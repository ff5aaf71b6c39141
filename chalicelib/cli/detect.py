"""Detect the language of each line of UTF-8 text read from standard input.

Prints one JSON object per input line, in order: {"language": "es", "script": "Latn",
"confidence": 0.97, "source": "text"}. `script` is the ISO 15924 script the line is written in:
the language's usual one ("Cyrl" for Russian), or "Latn" for romanized text ("hi" + "Latn" is
Hinglish, BCP 47 hi-Latn); null for "und". --locale and --country describe the requester of
every line, as a ticket's requester would.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

NAME = "detect"
HELP = "detect the language of each line read from stdin (JSON lines out)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--locale", help="the requester's app locale for every line, e.g. es-MX or pt_BR")
    parser.add_argument("--country", help="the requester's country for every line (ISO 3166-1 alpha-2), e.g. MX")
    parser.add_argument("--model-dir", type=Path, help="a model other than chalicelib/langid/model")


def run(args: argparse.Namespace) -> int:
    from chalicelib.adapters.ngram_detector import NgramDetector
    from chalicelib.domain.ticket import Requester
    from chalicelib.langid import MODEL_DIR, ModelNotBuilt
    from chalicelib.langid.romanized import usual_script

    detector = NgramDetector(args.model_dir or MODEL_DIR)
    requester = Requester(locale=args.locale, country=args.country.upper() if args.country else None)
    try:
        detector.warm_up()
    except ModelNotBuilt as missing:
        print(f"error: {missing}", file=sys.stderr)
        return 2
    # stdin's encoding follows the locale (ASCII under LANG=C): read bytes as UTF-8 instead
    lines = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace", newline=None)
    for line in lines:
        language = detector.detect(line.rstrip("\n"), requester)
        script = language.script or usual_script(language.code)
        answer = {
            "language": language.code,
            "script": script,
            "confidence": language.confidence,
            "source": language.source,
        }
        # flushed per line: the command also serves as a filter in a pipe (tail -f | ... detect)
        print(json.dumps(answer), flush=True)
    return 0
