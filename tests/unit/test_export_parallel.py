"""`export --all` rendered on two processes must be byte for byte the one-process export."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cope_tui.export import parallel as export_parallel
from cope_tui.export.documents import AllPlan, all_markdown
from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.meetings.models import Client
from cope_tui.store.store import Store
from helpers.export_db import demo_db_with_orphan, one_process_export


@pytest.fixture(autouse=True)
def fork_even_with_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Earlier tests leave idle daemon threads behind, and the exporter will not fork
    with threads running; these tests are about the forked path, so they allow it."""
    monkeypatch.setattr(export_parallel, "_can_fork", lambda: True)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_db_with_orphan(tmp_path_factory.mktemp("parallel") / "demo.json")


def _export(db: Path, out_fd: int | None = None, **helper_kw) -> bytes:
    guide = load_meeting_guide()
    helper = export_parallel.start_helper(db, guide, out_fd, fork_from=0, **helper_kw)
    assert helper is not None
    store = export_parallel.open_store(db, helper)  # only the first half's meetings
    if out_fd is None:
        return export_parallel.all_markdown_bytes(guide, store, helper)
    export_parallel.write_all_markdown(guide, store, out_fd, helper)
    return b""


def _spy_on_ready(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes | None, bytes]]:
    """(what the helper sent, the parent's own fingerprint) for each export."""
    seen: list[tuple[bytes | None, bytes]] = []
    ready = export_parallel._Child.ready
    monkeypatch.setattr(export_parallel._Child, "ready", lambda self: seen.append((ready(self), self.halves.digest)) or seen[-1][0])
    return seen


def test_two_processes_render_exactly_what_one_does(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _spy_on_ready(monkeypatch)
    assert _export(demo_db) == one_process_export(demo_db)
    assert len(seen) == 1 and seen[0][0] == seen[0][1] != b"", "the helper's half was used"
    guide = load_meeting_guide()
    assert export_parallel.all_markdown_bytes(guide, Store(demo_db, read_only=True)) == one_process_export(demo_db)


def test_both_halves_written_straight_to_a_file_in_order(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.md"
    with out.open("wb") as f:
        f.write(b"before\n")
        f.flush()
        _export(demo_db, f.fileno())
    assert out.read_bytes() == b"before\n" + one_process_export(demo_db)


@pytest.mark.parametrize("to_file", [False, True])
def test_a_failing_helper_is_replaced_by_the_parent(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, to_file: bool) -> None:
    parent = os.getpid()
    real = export_parallel.render_all_bytes

    def fail_in_child(*args, **kwargs):
        if os.getpid() != parent:
            raise MemoryError("worker broke")
        return real(*args, **kwargs)

    monkeypatch.setattr(export_parallel, "render_all_bytes", fail_in_child)
    seen: list[object] = []
    ready = export_parallel._Child.ready
    monkeypatch.setattr(export_parallel._Child, "ready", lambda self: seen.append(ready(self)) or seen[-1])
    if to_file:
        out = tmp_path / "out.md"
        with out.open("wb") as f:
            _export(demo_db, f.fileno())
        assert out.read_bytes() == one_process_export(demo_db)
    else:
        assert _export(demo_db) == one_process_export(demo_db)
    assert seen == [None]  # the helper died before it was ready, and the parent did its half


def test_a_helper_that_read_other_records_is_not_used(demo_db: Path, tmp_path: Path) -> None:
    """As if the app saved a new client between the two loads: the helper read the file
    before, the parent after. Their plans differ, so the parent renders everything."""
    later = tmp_path / "later.json"
    later.write_bytes(demo_db.read_bytes())
    store = Store(later)
    store.put("clients", "new00000", {"id": "new00000", "code": "A-NEW", "created": "2026-01-01T09:00:00"})
    store.close()
    guide = load_meeting_guide()
    seen: list[object] = []
    helper = export_parallel.start_helper(demo_db, guide, None, fork_from=0)
    assert helper is not None
    ready = helper.ready
    helper.ready = lambda: seen.append(ready()) or seen[-1]  # type: ignore[method-assign]
    out = export_parallel.all_markdown_bytes(guide, export_parallel.open_store(later, helper), helper)
    assert out == all_markdown(guide, Store(later, read_only=True)).encode()
    assert b"A-NEW" in out and seen and seen[0] is not None  # it was ready, and not used


def test_when_the_parent_fails_the_helper_writes_nothing(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()
    real = export_parallel.render_all_bytes

    def fail_in_parent(*args, **kwargs):
        if os.getpid() == parent:
            raise RuntimeError("parent broke")
        return real(*args, **kwargs)

    monkeypatch.setattr(export_parallel, "render_all_bytes", fail_in_parent)
    out = tmp_path / "out.md"
    with out.open("wb") as f, pytest.raises(RuntimeError, match="parent broke"):
        _export(demo_db, f.fileno())
    assert out.read_bytes() == b""


def test_no_helper_for_a_small_or_encrypted_db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    guide = load_meeting_guide()
    assert export_parallel.start_helper(demo_db, guide, None) is None  # far below 16 MB
    monkeypatch.setattr("cope_tui.store.crypto.is_encrypted", lambda path: True)
    assert export_parallel.start_helper(demo_db, guide, None, fork_from=0) is None


def test_half_way_splits_by_meetings_not_clients() -> None:
    clients = [Client(code=f"c{i}") for i in range(4)]
    by_client = {clients[0].id: [{}] * 9, clients[1].id: [{}], clients[2].id: [{}], clients[3].id: [{}] * 1}
    plan = AllPlan("", clients, by_client, {})
    assert export_parallel._half_way(plan) == 1  # the first client alone holds most meetings


def test_each_process_parses_only_its_own_half_of_the_meetings(demo_db: Path) -> None:
    everything = Store(demo_db, read_only=True).raw_meetings()
    halves = [export_parallel.Halves(part) for part in (0, 1)]
    stores = [Store(demo_db, read_only=True, choose_meetings=h) for h in halves]
    parts = [{m["id"] for m in store.raw_meetings()} for store in stores]
    assert parts[0] and parts[1] and not parts[0] & parts[1]
    assert parts[0] | parts[1] == {m["id"] for m in everything}
    assert "0rphan00" in parts[1], "meetings without a client go with the second half"
    assert stores[0].read_identity == stores[1].read_identity != b""


def test_a_file_in_the_older_layout_is_exported_the_same(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Written before one meeting per line (a single orjson line): parsed whole by both."""
    import orjson

    old = tmp_path / "old.json"
    old.write_bytes(orjson.dumps(orjson.loads(demo_db.read_bytes())))
    assert b"\n" not in old.read_bytes()
    seen = _spy_on_ready(monkeypatch)
    assert _export(old) == one_process_export(demo_db)
    assert seen[0][0] == seen[0][1], "both split the same whole plan"


def test_a_save_after_the_helper_read_the_file_means_the_parent_does_it_all(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "db.json"
    db.write_bytes(demo_db.read_bytes())
    guide = load_meeting_guide()
    helper = export_parallel.start_helper(db, guide, None, fork_from=0)
    assert helper is not None
    sent = helper.ready()  # the helper has read and rendered the file as it was
    monkeypatch.setattr(helper, "ready", lambda: sent)
    store = Store(db)  # the app saves one meeting: a journal line the helper never saw
    doc = dict(store.raw_meetings()[0])
    store.put_meeting_doc(doc["id"], {**doc, "addenda": doc.get("addenda", []) + [{"at": "2026-11-24T10:00:00", "by": "worker", "text": "Late addendum"}]})
    store.journal.close()
    store.lock.release()
    out = export_parallel.all_markdown_bytes(guide, export_parallel.open_store(db, helper), helper)
    assert b"Late addendum" in out
    assert out == all_markdown(guide, Store(db, read_only=True)).encode()
    assert sent is not None and sent != helper.halves.digest  # so its half was not used
