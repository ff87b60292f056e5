"""Issue 12, point 8: every module written down as text still exists.

A module or attribute named in a string is checked by no import: a monkeypatch target
("cope_tui.store.crypto.is_encrypted"), a `python -m` argument, an exercise panel's
"module:Class", an importlib or sys.modules lookup, code a test runs in a child process,
a benchmark's probe. After a move such a name points at nothing, silently: the exercise
screen says a panel "is not available in this build", a monkeypatch fails only when its
test runs, the probe skips its timing. Benchmarks are not collected by pytest, so an
import there by an old name would only fail when someone runs them. This test finds all
of these names in src/, tests/ and benchmarks/ and imports each one. The same goes for
files the package ships: every one must be matched by a package-data glob, and every
glob must match something.
"""

from __future__ import annotations

import ast
import importlib
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "cope_tui"
NAME = re.compile(r"\bcope_tui(?:\.[A-Za-z_]\w*)+(?::[A-Za-z_]\w*)?")
FROM_IMPORT = re.compile(r"^\s*from\s+(cope_tui(?:\.\w+)*)\s+import\s+\(?([\w\s,]+?)\)?\s*$", re.M)
# Calls whose first argument, when a string, names a module (or module.attribute).
LOOKUPS = {"import_module", "importorskip", "setattr", "delattr", "patch", "get", "find_spec"}
# Missing on purpose, each with the test that relies on it being missing.
MISSING_ON_PURPOSE = {"cope_tui.no_such_module": "app/test_exercise_screens.py: a build without the report"}


def python_files() -> list[Path]:
    files = [*PACKAGE.rglob("*.py"), *(ROOT / "benchmarks").glob("*.py")]
    files += [p for p in (ROOT / "tests").rglob("*.py") if "node_modules" not in p.parts]
    return sorted(files)


def _lookup_target(call: ast.Call) -> str | None:
    """The first argument of sys.modules.get("x"), importlib.import_module("x"),
    monkeypatch.setattr("x.y", ...) and the like, when it is a dotted string."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name not in LOOKUPS or not call.args:
        return None
    arg = call.args[0]
    if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
        return None
    if name == "get" and not (isinstance(func, ast.Attribute) and ast.unparse(func.value) == "sys.modules"):
        return None
    if name in ("setattr", "delattr", "patch") and "." not in arg.value:
        return None
    return arg.value


def named(path: Path) -> Iterator[tuple[str, int]]:
    """(dotted name, line) for every module or attribute this file names as text."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for match in NAME.finditer(node.value):
                yield match.group(0).rstrip("."), node.lineno
            for match in FROM_IMPORT.finditer(node.value):
                for attr in filter(None, (a.strip() for a in match.group(2).split(","))):
                    yield f"{match.group(1)}:{attr.split(' as ')[0]}", node.lineno
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "sys.modules":
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                yield key.value, node.lineno
        elif isinstance(node, ast.Call) and (target := _lookup_target(node)):
            yield target, node.lineno
        elif "benchmarks" in path.parts and isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cope_tui"):
            for alias in node.names:  # benchmarks are never imported by the test run
                yield f"{node.module}:{alias.name}", node.lineno


def problem(name: str) -> str | None:
    """Why `name` ("pkg.module.attr" or "pkg.module:attr") does not resolve, or None."""
    module, _, attr = name.partition(":")
    parts = module.split(".")
    for i in range(len(parts), 0, -1):
        prefix = ".".join(parts[:i])
        try:
            obj = importlib.import_module(prefix)
        except ModuleNotFoundError as exc:
            if exc.name is not None and (prefix == exc.name or prefix.startswith(exc.name + ".")):
                continue  # this prefix is not a module: try it as module.attribute
            raise
        for part in [*parts[i:], *filter(None, [attr])]:
            if not hasattr(obj, part) and getattr(obj, "__path__", None) is not None:
                try:  # `from package import module`: a submodule not imported yet
                    importlib.import_module(f"{obj.__name__}.{part}")
                except ModuleNotFoundError:
                    pass
            if not hasattr(obj, part):
                return f"'{prefix}' has no '{'.'.join([*parts[i:], attr]).strip('.')}'"
            obj = getattr(obj, part)
        return None
    return "no such module"


def all_names() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in python_files():
        for name, line in named(path):
            found.setdefault(name, []).append(f"{path.relative_to(ROOT)}:{line}")
    return found


def test_the_scan_sees_the_kinds_of_names_it_is_for() -> None:
    """It must see a monkeypatch target, a panel, a `-m` module, a benchmark's import and a
    child's code, or the test below would pass by finding nothing."""
    found = all_names()
    expected = {
        "cope_tui.store.crypto.is_encrypted",  # monkeypatch.setattr("...", ...)
        "cope_tui.widgets.exercise.guides:OverviewPanel",  # an exercise panel
        "cope_tui.cli.main",  # python -m
        "cope_tui.export.exercise",  # importlib.import_module(REPORT_MODULE)
        "cope_tui.store.crypto:read_header",  # a benchmark's child code (cold_start.py)
        "cope_tui.store.store:Store",  # code run by a test's child process
    }
    assert expected <= set(found), sorted(expected - set(found))


def test_every_module_named_in_a_string_exists() -> None:
    broken = {}
    for name, where in sorted(all_names().items()):
        if name in MISSING_ON_PURPOSE:
            assert problem(name) is not None, f"{name} exists now: {MISSING_ON_PURPOSE[name]} tests nothing"
            continue
        if why := problem(name):
            broken[name] = f"{why} (named at {', '.join(where)})"
    assert broken == {}


@pytest.fixture(scope="module")
def package_globs() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["setuptools"]["package-data"]["cope_tui"]


def test_every_shipped_file_is_matched_by_a_package_data_glob(package_globs: list[str]) -> None:
    data = {p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}
    assert data, "no data files found: the scan looks in the wrong place"
    matched = {p for glob in package_globs for p in PACKAGE.glob(glob)}
    assert sorted(str(p.relative_to(PACKAGE)) for p in data - matched) == []
    unused = [glob for glob in package_globs if not list(PACKAGE.glob(glob))]
    assert unused == [], f"package-data globs that match no file: {unused}"
