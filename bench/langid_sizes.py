"""What each detector adds to the Lambda package, measured on the installed site-packages.

A distribution's size is the sum of the files its RECORD lists, without bytecode (`chalice
package` ships none). A peer adds its distributions and the dependencies that nothing else in
the runtime requirements (requirements.txt, plus boto3 which the Lambda runtime provides)
already pulls in. Ours adds its code and model files, plus any distribution it imports that the
runtime requirements do not already bring.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

LAMBDA_PROVIDED = ("boto3",)


@dataclass(frozen=True)
class InstallSize:
    bytes: int
    parts: tuple[str, ...]  # what was counted, for the reader

    @property
    def mb(self) -> float:
        return self.bytes / 1_000_000


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(lines: Iterable[str]) -> set[str]:
    names: set[str] = set()
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        try:
            names.add(canonical(Requirement(line).name))
        except InvalidRequirement:
            continue
    return names


def closure(names: Iterable[str]) -> set[str]:
    """The distributions and all their installed dependencies (extras not followed)."""
    seen: set[str] = set()
    pending = [canonical(name) for name in names]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        for line in requires:
            requirement = Requirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            pending.append(canonical(requirement.name))
    return seen


def distribution_bytes(name: str) -> int:
    total = 0
    for file in metadata.distribution(name).files or ():
        if file.suffix == ".pyc" or "__pycache__" in file.parts:
            continue
        path = Path(str(file.locate()))
        if path.is_file():
            total += path.stat().st_size
    return total


def path_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(
        child.stat().st_size
        for child in path.rglob("*")
        if child.is_file() and child.suffix != ".pyc" and "__pycache__" not in child.parts
    )


def runtime_requirements(repo: Path) -> set[str]:
    return requirement_names((repo / "requirements.txt").read_text(encoding="utf-8").splitlines())


def peer_size(distributions: Iterable[str], repo: Path, code_paths: Iterable[Path] = ()) -> InstallSize:
    own = {canonical(name) for name in distributions}
    base = (runtime_requirements(repo) | set(LAMBDA_PROVIDED)) - own
    unique = sorted(closure(own) - closure(base))
    parts = [f"{name} {distribution_bytes(name) / 1e6:.1f}" for name in unique]
    total = sum(distribution_bytes(name) for name in unique)
    for path in code_paths:
        if path.exists():
            total += path_bytes(path)
            parts.append(f"{path.relative_to(repo)} {path_bytes(path) / 1e6:.2f}")
    return InstallSize(total, tuple(parts))


def ours_size(repo: Path, paths: Iterable[Path], imported: Iterable[str]) -> InstallSize:
    """Our code and model files, plus the distributions our detector imported that the runtime
    requirements do not already bring (the worker records what it imported)."""
    total = 0
    parts: list[str] = []
    for path in sorted(set(paths)):
        if path.exists():
            size = path_bytes(path)
            total += size
            parts.append(f"{path.relative_to(repo)} {size / 1e6:.2f}")
    base = runtime_requirements(repo) | set(LAMBDA_PROVIDED)
    for name in sorted(closure(imported) - closure(base)):
        size = distribution_bytes(name)
        total += size
        parts.append(f"{name} {size / 1e6:.1f}")
    return InstallSize(total, tuple(parts))
