"""The dependency rule (README, "Project layout"), checked on every run.

pyproject.toml's import-linter contracts say which package may import which. Here they
are run, and the import graph (every import: at module level, inside functions, under
TYPE_CHECKING) is searched for cycles, between modules and between packages. Both are
also run on a copy of the package with one wrong import planted, so a check that
stopped seeing imports would fail here rather than pass quietly.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "cope_tui"
TIMEOUT = 300

# Cycles the UI work removes (issue 12, point 3: the app owns navigation). Each edge is
# left out before cycles are looked for; removed when the UI work lands. An edge listed
# here that no longer exists fails the test, so the list cannot outlive its reason.
KNOWN_UI_EDGES: set[tuple[str, str]] = set()  # none left: the UI work landed

_GRAPH = """
import json, sys, grimp
graph = grimp.build_graph("cope_tui", cache_dir=None)
print(json.dumps({m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}))
"""

_LINT = """
import sys
from importlinter.cli import lint_imports
sys.exit(lint_imports(config_filename="pyproject.toml", no_cache=True, no_logo=True))
"""


def _run(code: str, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    """In a process of its own, so a planted copy of the package can take the real one's place."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )


def import_graph(pythonpath: Path | None = None) -> dict[str, set[str]]:
    done = _run(_GRAPH, pythonpath)
    assert done.returncode == 0, done.stderr
    return {module: set(targets) for module, targets in json.loads(done.stdout).items()}


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """The groups of two or more nodes that reach each other (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def package_of(module: str, packages: set[str]) -> str:
    """The package a module belongs to; a module at the root is a unit of its own."""
    if module in packages:
        return module
    parent = module.rpartition(".")[0]
    return module if parent == "cope_tui" else parent


def cycles(graph: dict[str, set[str]], leave_out: Iterable[tuple[str, str]] = ()) -> dict[str, list[list[str]]]:
    skip = set(leave_out)
    modules = {m: {t for t in targets if (m, t) not in skip} for m, targets in graph.items()}
    packages = {p for m in graph for p in _parents(m)}
    between: dict[str, set[str]] = {}
    for module, targets in modules.items():
        for target in targets:
            a, b = package_of(module, packages), package_of(target, packages)
            if a != b:
                between.setdefault(a, set()).add(b)
    return {"modules": strongly_connected(modules), "packages": strongly_connected(between)}


def _parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


def planted_copy(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of the package with `line` added at the end of `module` (a dotted name)."""
    top = tmp_path / "planted"
    shutil.copytree(PACKAGE, top / "cope_tui", ignore=shutil.ignore_patterns("__pycache__"))
    target = top.joinpath(*module.split(".")).with_suffix(".py")
    target.write_text(target.read_text(encoding="utf-8") + "\n\n" + line + "\n", encoding="utf-8")
    return top


# ---- the contracts ---------------------------------------------------------------------------


def test_the_import_contracts_hold():
    done = _run(_LINT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_wrong_import_inside_a_function_breaks_the_contracts(tmp_path):
    """The leaves must not reach up to the store, not even from inside a function."""
    planted = planted_copy(tmp_path, "cope_tui.records", "def _late():\n    from .store import store  # noqa")
    done = _run(_LINT, planted)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "cope_tui.records -> cope_tui.store.store" in done.stdout


def test_textual_in_the_domain_breaks_the_contracts(tmp_path):
    planted = planted_copy(tmp_path, "cope_tui.meetings.rules", "import textual  # noqa")
    done = _run(_LINT, planted)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "cope_tui.meetings.rules -> textual" in done.stdout


# ---- cycles ----------------------------------------------------------------------------------


def test_no_import_cycles_between_modules_or_packages():
    graph = import_graph()
    stale = sorted(edge for edge in KNOWN_UI_EDGES if edge[1] not in graph.get(edge[0], ()))
    assert not stale, f"these imports are gone: remove them from KNOWN_UI_EDGES: {stale}"
    assert cycles(graph, KNOWN_UI_EDGES) == {"modules": [], "packages": []}


def test_a_deferred_import_that_closes_a_cycle_is_found(tmp_path):
    """records <- store (through its records mixin): a lazy import back closes the loop."""
    planted = planted_copy(tmp_path, "cope_tui.records", "def _late():\n    from .store import store  # noqa")
    found = cycles(import_graph(planted), KNOWN_UI_EDGES)
    assert any("cope_tui.records" in group and "cope_tui.store.store" in group for group in found["modules"])
    assert any({"cope_tui.records", "cope_tui.store"} <= set(group) for group in found["packages"])


# ---- reading the format version ---------------------------------------------------------------


def test_the_format_version_is_read_from_one_place_at_call_time():
    """Tests (and a future upgrade) change store.format.SCHEMA; a module holding its own
    copy of the number (`from .format import SCHEMA`) would not see the change."""
    copies = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and any(alias.name == "SCHEMA" for alias in node.names):
                copies.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not copies, f"read store.format.SCHEMA as an attribute instead: {copies}"


# ---- names -----------------------------------------------------------------------------------


def test_no_module_imports_a_private_name_of_another():
    """A name with a leading underscore is its module's own business (issue 12, point 5)."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("cope_tui")):
                private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
                if private:
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {private}")
    assert not found, found
