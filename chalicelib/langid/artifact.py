"""The model artifact on disk: file names, layout, and a reader that memory-maps it.

One sorted table maps a 32-bit key (a character n-gram or a whole word, see hashing.py) to the
languages that know it and a quantised log-probability for each. The runtime reads it through
mmap with the standard library alone: numpy would add ~73 MB to a Lambda bundle.
"""

from __future__ import annotations

import json
import mmap
import struct
import sys
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalicelib.langid.languages import LANGUAGES

FORMAT_VERSION = 1
MODEL_DIR = Path(__file__).resolve().parent / "model"

META_FILE = "model.json"  # format, languages, sizes, build settings; written last
KEYS_FILE = "keys.u32"  # sorted, unique table keys
OFFSETS_FILE = "offsets.u32"  # the entries of keys[i] are offsets[i] .. offsets[i + 1] - 1
LANGUAGES_FILE = "languages.u8"  # per entry: index into LANGUAGES
LOGPROBS_FILE = "logprobs.u8"  # per entry: -log(probability) / LOGPROB_STEP, rounded
SCRIPTS_FILE = "scripts.u8"  # per BMP code point: its languages.Script
NOTICE_FILE = "NOTICE"

LOGPROB_STEP = 0.125  # nats per quantisation step: 255 steps cover probabilities down to e**-31.9
BMP_SIZE = 0x10000


class ModelNotBuilt(FileNotFoundError):
    """The artifact is missing or incomplete: it is built by `make model`, never committed."""


@dataclass(frozen=True)
class Artifact:
    keys: memoryview  # format "I"
    offsets: memoryview  # format "I"
    languages: memoryview  # format "B"
    logprobs: memoryview  # format "B"
    scripts: bytes
    meta: dict[str, Any]

    def entries(self, key: int) -> range | None:
        """Positions of the (language, log-probability) entries of `key`, or None if unknown."""
        keys = self.keys
        position = bisect_left(keys, key)
        if position < len(keys) and keys[position] == key:
            return range(self.offsets[position], self.offsets[position + 1])
        return None


def _map(path: Path, item_format: str) -> memoryview:
    size = path.stat().st_size
    if size == 0 or size % struct.calcsize(item_format):
        # cut short mid-item (an interrupted copy): refused like any inconsistent model
        raise ModelNotBuilt(f"language model file {path} is truncated: rebuild it")
    with path.open("rb") as handle:
        # the mapping keeps its own descriptor: the file may be closed at once
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    return memoryview(mapped).cast(item_format)


def open_artifact(directory: Path = MODEL_DIR) -> Artifact:
    meta_path = directory / META_FILE
    if not meta_path.is_file():
        raise ModelNotBuilt(
            f"language model not found in {directory}: build it with `make model` "
            "(python -m chalicelib.langid.build chalicelib/langid/model)"
        )
    if sys.byteorder != "little":
        raise RuntimeError("the language model is stored little-endian; this machine is not")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT_VERSION or tuple(meta.get("languages", ())) != LANGUAGES:
        raise ModelNotBuilt(f"language model in {directory} is from another format or language list: rebuild it")
    artifact = Artifact(
        keys=_map(directory / KEYS_FILE, "I"),
        offsets=_map(directory / OFFSETS_FILE, "I"),
        languages=_map(directory / LANGUAGES_FILE, "B"),
        logprobs=_map(directory / LOGPROBS_FILE, "B"),
        scripts=(directory / SCRIPTS_FILE).read_bytes(),
        meta=meta,
    )
    entries = len(artifact.languages)
    if (
        len(artifact.offsets) != len(artifact.keys) + 1
        or artifact.offsets[-1] != entries
        or len(artifact.logprobs) != entries
        or len(artifact.scripts) != BMP_SIZE
    ):
        raise ModelNotBuilt(f"language model in {directory} is truncated or inconsistent: rebuild it")
    return artifact
