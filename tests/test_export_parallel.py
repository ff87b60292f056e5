"""`export --all` rendered on two processes must be byte for byte the one-process export."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cope_tui import export_parallel
from cope_tui.demo import write_demo
from cope_tui.export import all_markdown
from cope_tui.guide import load_guide
from cope_tui.models import Client
from cope_tui.storage import Store


@pytest.fixture(autouse=True)
def fork_even_with_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Earlier tests leave idle daemon threads behind, and the exporter will not fork
    with threads running; these tests are about the forked path, so they allow it."""
    monkeypatch.setattr(export_parallel, "_can_fork", lambda: True)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("parallel") / "demo.json"
    store = Store(path)
    write_demo(store, load_guide(), clients=12, meetings=60, seed=3)
    # A meeting whose client record is gone must still be exported, once.
    orphan = dict(next(iter(store.raw_meetings())), id="0rphan00", client_id="gone0000")
    store.put_meeting_doc("0rphan00", orphan)
    store.close()
    return path


def test_two_processes_render_exactly_what_one_does(demo_db: Path) -> None:
    store = Store(demo_db, read_only=True)
    guide = load_guide()
    one = all_markdown(guide, store).encode()
    two = export_parallel.all_markdown_bytes(guide, store, fork_from=0)
    assert two == one
    assert one.count(b"(unknown client gone0000)") == 1
    assert export_parallel.all_markdown_bytes(guide, store, fork_from=10**9) == one  # the one-process path


def test_a_failing_child_is_replaced_by_the_parent(demo_db: Path, monkeypatch: pytest.MonkeyPatch, capfd) -> None:
    store = Store(demo_db, read_only=True)
    guide = load_guide()
    expected = all_markdown(guide, store).encode()
    parent = os.getpid()
    real = export_parallel.render_all

    def fail_in_child(*args, **kwargs):
        if os.getpid() != parent:
            raise RuntimeError("worker broke")
        return real(*args, **kwargs)

    monkeypatch.setattr(export_parallel, "render_all", fail_in_child)
    assert export_parallel.all_markdown_bytes(guide, store, fork_from=0) == expected
    assert "second worker failed" in capfd.readouterr().err


def test_both_halves_written_straight_to_a_file_in_order(demo_db: Path, tmp_path: Path) -> None:
    store = Store(demo_db, read_only=True)
    guide = load_guide()
    expected = all_markdown(guide, store).encode()
    assert expected.endswith(b"\n")
    out = tmp_path / "out.md"
    with out.open("wb") as f:
        f.write(b"before\n")
        f.flush()
        export_parallel.write_all_markdown(guide, store, f.fileno(), fork_from=0)
    assert out.read_bytes() == b"before\n" + expected


def test_a_child_failing_while_writing_to_the_file_is_replaced(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(demo_db, read_only=True)
    guide = load_guide()
    expected = all_markdown(guide, store).encode()
    parent = os.getpid()
    real = export_parallel.render_all
    monkeypatch.setattr(
        export_parallel, "render_all", lambda *a, **k: (_ for _ in ()).throw(MemoryError()) if os.getpid() != parent else real(*a, **k)
    )
    out = tmp_path / "out.md"
    with out.open("wb") as f:
        export_parallel.write_all_markdown(guide, store, f.fileno(), fork_from=0)
    assert out.read_bytes() == expected


def test_when_the_parent_fails_the_child_writes_nothing(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(demo_db, read_only=True)
    guide = load_guide()
    parent = os.getpid()
    real = export_parallel.render_all

    def fail_in_parent(*args, **kwargs):
        if os.getpid() == parent:
            raise RuntimeError("parent broke")
        return real(*args, **kwargs)

    monkeypatch.setattr(export_parallel, "render_all", fail_in_parent)
    out = tmp_path / "out.md"
    with out.open("wb") as f, pytest.raises(RuntimeError, match="parent broke"):
        export_parallel.write_all_markdown(guide, store, f.fileno(), fork_from=0)
    assert out.read_bytes() == b""


def test_half_way_splits_by_meetings_not_clients() -> None:
    from cope_tui.export import AllPlan

    clients = [Client(code=f"c{i}") for i in range(4)]
    by_client = {clients[0].id: [{}] * 9, clients[1].id: [{}], clients[2].id: [{}], clients[3].id: [{}] * 1}
    plan = AllPlan("", clients, by_client, {})
    assert export_parallel._half_way(plan) == 1  # the first client alone holds most meetings


def test_cli_export_all_matches_library(demo_db: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "all.md"
    result = cli("export", "--all", "--db", str(demo_db), "-o", str(out))
    assert result.returncode == 0, result.stderr
    store = Store(demo_db, read_only=True)
    assert out.read_bytes() == all_markdown(load_guide(), store).encode()
    assert (out.stat().st_mode & 0o777) == 0o600
    printed = cli("export", "--all", "--db", str(demo_db))
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.encode() == out.read_bytes()
