"""Issue 12, point 8: a test that patches SCHEMA patches the number the code reads.

The migration tests raise the format version (SCHEMA) with monkeypatch to make a file
look old. That works only while every reader looks the number up at call time in the
module that defines it: a module that copied it at import (`from .store import SCHEMA`
at its top) or read it from another module that re-exports it would keep the real
number, and the tests would pass while testing nothing or only half of the code. So the
source is checked (one definition; every reader reads it from there at call time; every
test patches it there), and a patched SCHEMA must change what the store, doctor and the
backup check each do.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import orjson
import pytest

from cope_tui.meetings.models import Client
from cope_tui.store import backups, doctor, migrations
from cope_tui.store.store import Store, StoreError

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"


def module_of(path: Path) -> tuple[str, bool]:
    """(dotted name, is a package) of a source file under src/."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if package else parts), package


def absolute(module: str, package: bool, node: ast.ImportFrom) -> str:
    """The module an ImportFrom reads from, relative imports resolved."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *filter(None, [node.module])])


def is_module(name: str) -> bool:
    path = SRC.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def schema_uses(path: Path) -> list[tuple[str, str, int]]:
    """How a source file reads SCHEMA: ("import", module, line) for `from M import
    SCHEMA` at module level, ("late import", module, line) inside a function, and
    ("attribute", module, line) for `alias.SCHEMA`."""
    module, package = module_of(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}
    uses = []
    in_function = {
        id(inner)
        for func in ast.walk(tree)
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef))
        for inner in ast.walk(func)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = absolute(module, package, node)
            for alias in node.names:
                if is_module(f"{source}.{alias.name}"):
                    aliases[alias.asname or alias.name] = f"{source}.{alias.name}"
                if alias.name == "SCHEMA":
                    uses.append(("late import" if id(node) in in_function else "import", source, node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                aliases[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "SCHEMA" and isinstance(node.value, ast.Name):
            uses.append(("attribute", aliases.get(node.value.id, node.value.id), node.lineno))
    return uses


def defining_module() -> str:
    found = [
        module_of(path)[0]
        for path in (SRC / "cope_tui").rglob("*.py")
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "SCHEMA" for t in node.targets)
    ]
    assert len(found) == 1, f"SCHEMA is defined in {found}: there must be exactly one"
    return found[0]


@pytest.fixture
def schema_module():
    return importlib.import_module(defining_module())


def test_every_reader_reads_schema_from_its_module_at_call_time() -> None:
    home = defining_module()
    wrong = []
    readers = 0
    for path in sorted((SRC / "cope_tui").rglob("*.py")):
        for how, source, line in schema_uses(path):
            readers += 1
            where = f"{path.relative_to(ROOT)}:{line}"
            if source != home:
                wrong.append(f"{where} reads SCHEMA from {source}, not from {home}, where it is defined")
            elif how == "import":
                wrong.append(f"{where} copies SCHEMA at import time: a patched value never reaches it")
    assert readers >= 5, "the scan found too few readers: it looks in the wrong place"
    assert wrong == []


def test_every_test_that_patches_schema_patches_its_module() -> None:
    home = defining_module()
    patches = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        if path == Path(__file__).resolve():
            continue  # the tests below patch the module this file finds
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    aliases[alias.asname or alias.name.split(".")[0]] = alias.name
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "setattr"):
                continue
            args = node.args
            if len(args) >= 2 and isinstance(args[1], ast.Constant) and args[1].value == "SCHEMA":
                target = aliases.get(ast.unparse(args[0]), ast.unparse(args[0]))
            elif args and isinstance(args[0], ast.Constant) and str(args[0].value).endswith(".SCHEMA"):
                target = str(args[0].value).removesuffix(".SCHEMA")
            else:
                continue
            patches.append((f"{path.relative_to(ROOT)}:{node.lineno}", target))
    assert patches, "no test patches SCHEMA any more: then this check can go"
    assert [(where, target) for where, target in patches if target != home] == []


def _one_client_db(db: Path) -> bytes:
    store = Store(db)
    store.put_client(Client(code="C-1"))
    store.close()
    return db.read_bytes()


def test_a_patched_schema_makes_the_file_old_for_the_store_and_doctor(tmp_path, monkeypatch, schema_module) -> None:
    db = tmp_path / "data" / "cope.json"
    original = _one_client_db(db)
    current = schema_module.SCHEMA
    assert orjson.loads(original)["meta"]["app"]["schema"] == current

    def tag(data):
        for doc in data["clients"].values():
            doc["tag"] = "upgraded"
        return data

    monkeypatch.setattr(schema_module, "SCHEMA", current + 1)
    monkeypatch.setitem(migrations.STEPS, current, tag)
    viewer = Store(db, read_only=True)
    assert viewer.migrated_from == current
    assert [doc.get("tag") for doc in viewer.raw("clients")] == ["upgraded"]
    viewer.close()
    texts = [f.text for f in doctor.diagnose(db).findings]
    assert f"format {current}: upgraded to {current + 1} when next opened (a copy is kept first)" in texts
    assert db.read_bytes() == original


def test_a_patched_schema_without_its_step_is_refused_by_every_reader(tmp_path, monkeypatch, schema_module) -> None:
    db = tmp_path / "data" / "cope.json"
    original = _one_client_db(db)
    current = schema_module.SCHEMA
    monkeypatch.setattr(schema_module, "SCHEMA", current + 2)
    monkeypatch.setitem(migrations.STEPS, current, lambda data: data)  # no step after it
    missing = f"no upgrade step from format {current + 1}"
    with pytest.raises(StoreError, match=missing):
        Store(db, read_only=True)
    report = doctor.diagnose(db)
    assert not report.healthy and any(missing in f.text for f in report.findings)
    checked = backups.check_file(db)
    assert not checked.ok and missing in checked.problem
    assert db.read_bytes() == original
