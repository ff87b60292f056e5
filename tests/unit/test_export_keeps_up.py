"""Issue 14 point 4: `export --all` keeps up. What makes it quicker must change no byte:
tables of rows carried unchanged are rendered once, the parts come a client at a time,
and a load that only needs the stamp builds no model classes."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.export import documents, render
from cope_tui.store.store import Store
from helpers.demo_files import demo_file
from helpers.every_export import pinned_day  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_file(tmp_path_factory.mktemp("keeps-up") / "demo.json", clients=6, meetings=48, seed=11)


def _shared_lists(store: Store) -> list[tuple[str, str, list[dict]]]:
    """(step, list, rows) of every list whose rows are all objects an earlier list holds:
    what the store's reading of the lean form gives for rows carried unchanged."""
    seen: set[int] = set()
    found = []
    for meeting in sorted(store.raw_meetings(), key=lambda m: (m["started"], m["id"])):
        for step_id, record in meeting["steps"].items():
            for list_id, rows in record.get("lists", {}).items():
                if rows and all(id(row) in seen for row in rows):
                    found.append((step_id, list_id, rows))
                seen.update(map(id, rows))
    return found


def test_tables_of_carried_rows_are_rendered_once_and_read_as_before(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    guide = load_meeting_guide()
    store = Store(demo, read_only=True)
    assert _shared_lists(store), "the demo carries lists unchanged from meeting to meeting"
    plan = documents.plan_all(guide, store)
    rendered: list[int] = []
    real = render.ExportRun._rows
    monkeypatch.setattr(render.ExportRun, "_rows", lambda self, *a: rendered.append(1) or real(self, *a))
    shared = documents.render_all(guide, plan, plan.clients, orphans=True, header=True)
    once = len(rendered)
    # The same records with no row shared between meetings: every table rendered anew.
    apart = {cid: [copy.deepcopy(m) for m in ms] for cid, ms in plan.by_client.items()}
    unshared = documents.AllPlan(plan.header, plan.clients, apart, plan.orphans)
    assert documents.render_all(guide, unshared, plan.clients, orphans=True, header=True) == shared
    assert once < len(rendered) - once


def test_a_shared_row_is_not_marked_as_carried_in_the_meeting_it_came_from() -> None:
    guide = load_meeting_guide()
    step = next(s for s in guide.steps if s.lists)
    spec = step.lists[0]
    values = {c.id: ("yes" if c.kind != "bool" else True) for c in spec.columns}
    row = {"id": "r1", "item": None, "values": values, "added": "2025-03-04", "origin": "later"}
    rows = [row]
    export = render.ExportRun(guide)
    table = export.table(spec)
    elsewhere = export.rows(table, rows, "earlier")  # the row shows as carried here
    own = export.rows(table, rows, "later")  # and as its own meeting's here
    assert "_(from 2025-03-04)_" in elsewhere
    assert "_(from" not in own
    assert export.rows(table, rows, "earlier") == elsewhere
    assert export.rows(table, rows, None) == own  # no meeting: nothing is marked


def test_the_whole_export_comes_a_client_at_a_time(demo: Path) -> None:
    guide = load_meeting_guide()
    store = Store(demo, read_only=True)
    plan = documents.plan_all(guide, store)
    parts = documents.render_all_bytes(guide, plan, plan.clients, orphans=True, header=True)
    assert len(parts) == 1 + len(plan.clients)  # the title, then each client (no orphans here)
    assert b"".join(parts) == documents.render_all(guide, plan, plan.clients, orphans=True, header=True).encode()
    assert all(part.startswith(b"## Client: ") for part in parts[1:])


def test_the_stamp_of_a_load_builds_no_model_classes(tmp_path: Path) -> None:
    """A trusted file needs only its stamp: the models' sources are read, not imported
    (importing them builds every pydantic class, which the export of a plain file may
    not need until it renders)."""
    code = (
        "import sys\n"
        "from cope_tui.store import record_check\n"
        "record_check.stamp(b'{}')\n"
        "found = [m for m in ('pydantic', 'cope_tui.meetings.models', 'cope_tui.cope.exercise') if m in sys.modules]\n"
        "assert not found, found\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_steps_read_back_in_the_models_order_with_defaults_of_their_own() -> None:
    from cope_tui.store import file_form

    meetings = {
        "m1": {"id": "m1", "client_id": "c1", "kind": "first", "started": "2025-01-02T10:00:00", "steps": {"a": {}, "b": {}}},
    }
    file_form.whole_meetings(meetings)
    whole = meetings["m1"]
    assert tuple(whole) == file_form.MEETING_KEYS
    a, b = whole["steps"]["a"], whole["steps"]["b"]
    assert tuple(a) == file_form.STEP_KEYS and a == {"state": "done", "notes": "", "fields": {}, "lists": {}}
    assert a["fields"] is not b["fields"] and a["lists"] is not b["lists"]
    assert whole["present"] is not whole["addenda"]


def test_two_processes_export_the_upgraded_fixture_as_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pinned_day
) -> None:
    """The committed expectation (tests/data/schema1/exports/all.md, written before any of
    this), rendered the way a large DB is: forked, each process its half of the clients
    (the forked one keeps the fixture's day too)."""
    import shutil

    from cope_tui.export import parallel
    from helpers.every_export import FIXTURE

    for name in ("cope.json", "cope.json.audit"):
        shutil.copy(FIXTURE / name, tmp_path / name)
    db = tmp_path / "cope.json"
    Store(db).close()  # upgraded to the lean form, which shares carried rows when read
    monkeypatch.setattr(parallel, "_can_fork", lambda: True)  # (idle threads of earlier tests)
    guide = load_meeting_guide()
    helper = parallel.start_helper(db, guide, None, fork_from=0)
    assert helper is not None
    used: list[bool] = []
    ready = helper.ready
    helper.ready = lambda: used.append((sent := ready()) == helper.halves.digest) or sent  # type: ignore[method-assign]
    out = parallel.all_markdown_bytes(guide, parallel.open_store(db, helper), helper)
    assert used == [True], "the helper's half was used"
    assert out == (FIXTURE / "exports" / "all.md").read_bytes()


def test_no_collection_walks_the_file_while_its_lines_are_indexed(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other tables and the line index live as long as the store; the cyclic GC ran
    over and over while they were built (60 ms of each export process at 10,000 meetings,
    one collection walking every object). Built with it paused, and it is back on after."""
    import gc
    import types

    import orjson

    from cope_tui.store import record_lines

    gc_on_while_parsing: list[bool] = []

    def loads(data):
        gc_on_while_parsing.append(gc.isenabled())
        return orjson.loads(data)

    monkeypatch.setattr(record_lines, "orjson", types.SimpleNamespace(loads=loads, JSONDecodeError=orjson.JSONDecodeError))
    assert gc.isenabled()
    lines = record_lines.MeetingLines.index(demo.read_bytes())
    assert lines is not None and len(lines.head["clients"]) == 6
    assert gc_on_while_parsing == [False]
    assert gc.isenabled()


def test_each_half_makes_records_of_its_own_clients_only(demo: Path) -> None:
    """Both processes order every client, but build the records (pydantic models) of the
    clients they render only; the halves still meet exactly, in the one order."""
    from cope_tui.export import parallel

    guide = load_meeting_guide()
    halves = [parallel.Halves(part) for part in (0, 1)]
    mine = []
    for half in halves:
        plan, clients = half.mine(guide, Store(demo, read_only=True, choose_meetings=half))
        assert plan.clients == clients and len(plan.order) == 6
        mine.append([client.id for client in clients])
    assert mine[0] and mine[1] and mine[0] + mine[1] == plan.order
    assert halves[0].digest == halves[1].digest


def test_a_stored_step_outside_the_meetings_kind_is_planned_once(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reviews carry the first meeting's boundaries step (the areas still to agree): its
    plan (labels, tables) is worked out once per export, not again for each meeting."""
    guide = load_meeting_guide()
    store = Store(demo, read_only=True)
    first_only = {step.id for step in guide.steps if not step.applies_to(False)}
    carrying = [m for m in store.raw_meetings() if m["kind"] != "first" and first_only & set(m["steps"])]
    assert len(carrying) > 1
    planned: list[str] = []
    real = render.StepPlan

    def counted(export, step, step_id):
        planned.append(step_id)
        return real(export, step, step_id)

    monkeypatch.setattr(render, "StepPlan", counted)
    plan = documents.plan_all(guide, store)
    documents.render_all(guide, plan, plan.clients, orphans=True, header=True)
    assert sorted(planned) == sorted(first_only & {s for m in carrying for s in m["steps"]})


def test_export_all_imports_no_ui_sync_or_exercise_stack(demo: Path, tmp_path: Path) -> None:
    """`export --all` of a DB without COPE exercises: no Textual, no sync engine or
    encryption library, and not the COPE exercise models and guides (their import took
    longer than rendering a hundred meetings)."""
    code = (
        "import os, sys\n"
        "from cope_tui.cli.main import main\n"
        "with open(os.devnull, 'w') as sink:\n"
        "    sys.stdout = sink\n"
        "    code = main(['export', '--all', '--db', sys.argv[1]])\n"
        "sys.stdout = sys.__stdout__\n"
        "heavy = ('textual', 'cope_tui.sync.engine', 'cope_tui.sync.couch', 'cryptography', 'cope_tui.cope.exercise')\n"
        "found = sorted(m for m in sys.modules if m.startswith(heavy))\n"
        "assert code == 0 and not found, (code, found)\n"
    )
    import shutil

    folder = shutil.copytree(demo.parent, tmp_path / "copy")  # with its summary: a trusted file
    db = folder / demo.name
    done = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
