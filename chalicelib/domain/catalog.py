"""Versioned data files under chalicelib/data, loaded once per process."""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# The regional desks (routing.json's regions); each has its desk and escalation queues.
REGIONS: tuple[str, ...] = ("na", "latam", "emea", "apac", "global")


@cache
def load(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=1)
def known_categories() -> frozenset[str]:
    """Every accepted category: each top-level name and each `parent.child`."""
    tree = load("categories.json")["categories"]
    names = set(tree)
    for parent, children in tree.items():
        names.update(f"{parent}.{child}" for child in children)
    return frozenset(names)


# The 29 languages the desk serves (ISO 639-1), from the routing table's language lists plus
# the ones only reached through a country.
@lru_cache(maxsize=1)
def served_languages() -> frozenset[str]:
    regions = load("routing.json")["regions"]
    return frozenset(code for region in regions.values() for code in region["languages"])
