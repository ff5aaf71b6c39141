"""The shape the code keeps so a newcomer can carry it: layers that import one way, small
modules, functions and ports, thin routes, and an in-memory twin of every store port.

These read the source (ast), they run nothing; a failure names the place to split or move.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Protocol

import pytest

from chalicelib.adapters import in_memory
from chalicelib.domain import ports, repositories
from chalicelib.domain.translation import TranslationCache

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = sorted([*(ROOT / "chalicelib").rglob("*.py"), ROOT / "app.py"])
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80
MAX_ROUTE_LINES = 25
MAX_PORT_METHODS = 10
# What may do I/O or tie code to a framework: never imported by the pure layers.
IO_LIBRARIES = {"boto3", "botocore", "chalice", "requests", "deep_translator", "aws_lambda_powertools", "socket"}
IO_STDLIB = {"urllib.request", "http.client", "http.server"}


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def functions(path: Path) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]


def in_package(package: str) -> list[Path]:
    return sorted((ROOT / "chalicelib" / package).rglob("*.py"))


@pytest.mark.parametrize("path", PRODUCTION, ids=relative)
def test_no_production_module_is_over_400_lines(path: Path):
    assert path.read_text(encoding="utf-8").count("\n") <= MAX_MODULE_LINES


@pytest.mark.parametrize("path", PRODUCTION, ids=relative)
def test_no_function_is_over_80_lines(path: Path):
    long = {node.name: node.end_lineno - node.lineno + 1 for node in functions(path) if node.end_lineno}
    assert {name: lines for name, lines in long.items() if lines > MAX_FUNCTION_LINES} == {}


@pytest.mark.parametrize("path", in_package("api"), ids=relative)
def test_route_handlers_stay_thin(path: Path):
    def is_route(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        return any(
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr == "route"
            for decorator in node.decorator_list
        )

    routes = {node.name: node.end_lineno - node.lineno + 1 for node in functions(path) if is_route(node)}
    assert {name: lines for name, lines in routes.items() if lines > MAX_ROUTE_LINES} == {}


@pytest.mark.parametrize("path", in_package("domain"), ids=relative)
def test_the_domain_imports_no_io_library_and_no_outer_layer(path: Path):
    imported = imported_modules(path)
    outer = {name for name in imported if name.startswith("chalicelib.") and not name.startswith("chalicelib.domain")}
    io = {name for name in imported if name.split(".")[0] in IO_LIBRARIES or name in IO_STDLIB}
    assert (outer, io) == (set(), set())


@pytest.mark.parametrize("path", in_package("usecases"), ids=relative)
def test_the_use_cases_know_no_framework_and_no_adapter(path: Path):
    imported = imported_modules(path)
    forbidden = {
        name
        for name in imported
        if name.split(".")[0] in {"boto3", "botocore", "chalice"}
        or name.startswith(
            ("chalicelib.adapters", "chalicelib.api", "chalicelib.workers", "chalicelib.composition_root")
        )
    }
    assert forbidden == set()


def ports_of(module: object) -> list[type]:
    return [
        value
        for _, value in inspect.getmembers(module, inspect.isclass)
        if Protocol in getattr(value, "__mro__", ()) and value.__module__ == module.__name__  # type: ignore[attr-defined]
    ]


def port_methods(port: type) -> set[str]:
    return {name for name, value in vars(port).items() if callable(value) and not name.startswith("_")}


@pytest.mark.parametrize("port", ports_of(repositories) + ports_of(ports), ids=lambda port: port.__name__)
def test_no_port_has_more_than_10_methods(port: type):
    assert len(port_methods(port)) <= MAX_PORT_METHODS


@pytest.mark.parametrize("port", [*ports_of(repositories), TranslationCache], ids=lambda port: port.__name__)
def test_every_store_port_has_an_in_memory_implementation(port: type):
    twins = [
        value
        for _, value in inspect.getmembers(in_memory, inspect.isclass)
        if value.__module__.startswith(in_memory.__name__) and port_methods(port) <= set(dir(value))
    ]
    assert twins, f"no class exported by adapters/in_memory/ implements {port.__name__}"
