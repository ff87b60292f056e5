"""Issue 11, points 1 and 2 as properties (hypothesis): random journal lines, random JSON
shapes in the main file, random bytes in every file of a DB.

Whatever the files hold: opening, doctor, the backup check and an export raise nothing but
a StoreError (whose message names the file); a refused open changes no file and no mode;
and a good record is never lost or overwritten: what the bad line did not name is exactly
as it was, and after `doctor --set-aside` everything good opens.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from cope_tui.store import audit, backups, doctor, set_aside
from cope_tui.cope.exercise import Exercise
from cope_tui.export.parallel import all_markdown_bytes
from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import finalise
from cope_tui.meetings.models import Client
from cope_tui.records import dump
from cope_tui.session import Session
from cope_tui.store.store import Store, StoreError

TABLES = ("meta", "clients", "meetings", "exercises")
PROPERTY = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A DB with clients, meetings and an exercise in its file, and more saves only in
    its journal (as a killed app leaves it), with a backup, a summary and an audit log."""
    db = tmp_path_factory.mktemp("template") / "data" / "cope.json"
    guide = load_meeting_guide()
    session = Session.open(db, lazy=False)
    store = session.store
    for code in ("C-1", "C-2"):
        meeting = start_meeting(store, guide, create_client(store, code, note=f"note of {code}"))
    meeting.step("opening").notes = "finalised words"
    finalise(meeting, "worker")
    session.save_signed(meeting)  # the audit log, as the app writes it
    store.put_exercise(Exercise(site="Clinic", start="2026-01-05"))
    assert session.close()
    store = Store(db)
    client = create_client(store, "C-3", note="only in the journal")
    start_meeting(store, guide, client)
    store.put_client(Client(id=client.id, code="C-3", note="saved again"))
    store.journal.close()
    store.lock.release()
    return db


def copy_of(template: Path, into: str) -> Path:
    folder = Path(into) / "data"
    shutil.copytree(template.parent, folder, symlinks=True)
    return folder / template.name


def state(db: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and mode (the lock file's holder and time change with each open)."""
    return {
        str(p.relative_to(db.parent)): (b"" if p.name.endswith(".lock") else p.read_bytes(), stat.S_IMODE(p.lstat().st_mode))
        for p in sorted(db.parent.rglob("*"))
        if p.is_file()
    }


def records(db: Path) -> dict[tuple[str, str], Any]:
    store = Store(db, read_only=True)
    try:
        # Everything the app reads must read: the models, the list, the export.
        store.clients(), store.meetings(), store.exercises(), store.client_summaries()
        all_markdown_bytes(load_meeting_guide(), store)
        found = {(t, k): doc for t in TABLES for k, doc in store._data[t].items()}
        # The change numbers (point 8) say how far the main file got, not what it holds:
        # they move whenever the journal is folded in.
        app = {k: v for k, v in found[("meta", "app")].items() if k not in ("seq", "lost")}
        return {**found, ("meta", "app"): app}
    finally:
        store.close()


def open_or_refuse(db: Path) -> StoreError | None:
    """Open for writing (which folds the journal in) and close; None when it opened."""
    try:
        store = Store(db)
    except StoreError as exc:
        assert str(db) in str(exc) or ".journal" in str(exc), exc
        return exc
    store.clients(), store.meetings(), store.exercises()
    assert store.close()
    return None


def no_crash_in_the_checks(db: Path) -> doctor.Report:
    report = doctor.diagnose(db)
    doctor.format_report(report)
    backups.check_file(db)
    try:  # export --all's way: each meeting parsed from its own line
        Store(db, read_only=True, choose_meetings=lambda clients, sizes, total: set(sizes)).close()
    except StoreError as exc:
        assert str(db) in str(exc) or ".journal" in str(exc), exc
    return report


# ---- random journal lines ----------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def good_lines(db: Path) -> list[bytes]:
    return [line for line in db.with_name(db.name + ".journal").read_bytes().split(b"\n") if line]


@st.composite
def hostile_lines(draw, lines: list[bytes]) -> bytes:
    kind = draw(st.sampled_from(["json", "entry", "mutated", "flip", "bytes"]))
    if kind == "json":
        return orjson.dumps(draw(json_values))
    source = orjson.loads(draw(st.sampled_from(lines)))
    if kind == "entry":
        table = draw(st.sampled_from([*TABLES, "clientq", "meetingz", ""]))
        entry = {"t": table, "id": draw(st.sampled_from([source["id"], "zz"])), "doc": draw(json_values)}
        return orjson.dumps(draw(st.sampled_from([entry, {**entry, "del": draw(json_values)}])))
    if kind == "mutated":  # a good record with one field of another type
        doc = dict(source["doc"])
        doc[draw(st.sampled_from(sorted(doc)))] = draw(json_values)
        return orjson.dumps({**source, "doc": doc})
    if kind == "flip":
        raw = bytearray(orjson.dumps(source))
        at = draw(st.integers(0, len(raw) * 8 - 1))
        raw[at // 8] ^= 1 << (at % 8)
        return bytes(raw).replace(b"\n", b" ")
    return draw(st.binary(min_size=1, max_size=60)).replace(b"\n", b" ")


def named_by(line: bytes) -> tuple[str, str] | None:
    try:
        entry = orjson.loads(line)
        return (entry["t"], entry["id"]) if isinstance(entry, dict) else None
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return None


def numbered(line: bytes) -> bool:
    try:
        entry = orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return isinstance(entry, dict) and type(entry.get("seq")) is int


def only_numbering(report: doctor.Report) -> bool:
    """Every problem is one the change numbers found (point 8): a readable line whose number
    repeats one, or skips some, is reported, not taken for damage."""
    problems = [f.text for f in report.findings if f.level == doctor.PROBLEM]
    return bool(problems) and all("repeats change" in t or "saved change (number" in t or "saved changes (number" in t for t in problems)


@given(data=st.data())
@PROPERTY
def test_a_hostile_journal_line_never_costs_a_good_record(template, data):
    lines = good_lines(template)
    bad = data.draw(hostile_lines(lines), label="line")
    at = data.draw(st.integers(0, len(lines)), label="at")
    with tempfile.TemporaryDirectory() as folder:
        db = copy_of(template, folder)
        before = records(db)
        journal = db.with_name(db.name + ".journal")
        journal.write_bytes(b"".join(line + b"\n" for line in [*lines[:at], bad, *lines[at:]]))
        files = state(db)
        report = no_crash_in_the_checks(db)
        refused = open_or_refuse(db)
        named = named_by(bad)
        event("refused" if refused else "opened")
        if refused is None:  # a line the app can read: it changed at most the record it names
            assert report.healthy or numbered(bad) and only_numbering(report), doctor.format_report(report)
            after = records(db)
            assert {k: v for k, v in after.items() if k != named} == {k: v for k, v in before.items() if k != named}
            return
        assert state(db) == files  # nothing folded in, nothing backed up, no mode changed
        assert not report.healthy and "--set-aside" in doctor.format_report(report)
        done = set_aside.set_aside(db)
        assert [target for target, _ in done] == [journal]
        assert done[0][1].read_bytes() == files[journal.name][0]  # kept whole, never deleted
        assert records(db) == before
        assert open_or_refuse(db) is None and records(db) == before
        assert stat.S_IMODE(journal.stat().st_mode) == stat.S_IMODE(db.stat().st_mode) == 0o600


# ---- random JSON shapes in the main file ---------------------------------------------------


@st.composite
def shapes(draw) -> dict:
    meta = draw(
        st.sampled_from(
            [{"app": {"app": "cope-tui", "schema": 1}}, {"app": {"app": "cope-tui", "schema": 0}}, {"app": {"app": "cope-tui"}}]
        )
        | st.builds(lambda v: {"app": {"app": "cope-tui", "schema": v}}, json_values)
        | json_values
    )
    data: dict[str, Any] = {"meta": meta}
    good = {
        "clients": {"c1": dump(Client(id="c1", code="C-1"))},
        "exercises": {"e1": dump(Exercise(id="e1", site="S", start="2026-01-05"))},
        "meetings": {},
    }
    for table in ("clients", "meetings", "exercises", "clientq"):
        kind = draw(st.sampled_from(["absent", "good", "records", "json"]))
        if kind == "good" and table in good:
            data[table] = good[table]
        elif kind == "records":
            data[table] = draw(st.dictionaries(st.sampled_from(["c1", "m1", "e1", "x"]), json_values, max_size=3))
        elif kind == "json":
            data[table] = draw(json_values)
    return data


@given(shape=shapes())
@PROPERTY
def test_any_json_shape_opens_or_is_refused_by_name(shape):
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "cope.json"
        content = orjson.dumps(shape)
        db.write_bytes(content)
        db.chmod(0o600)
        no_crash_in_the_checks(db)
        try:
            records(db)
            event("opened")
        except StoreError as exc:
            event("refused")
            assert str(db) in str(exc)
        assert db.read_bytes() == content and stat.S_IMODE(db.stat().st_mode) == 0o600


# ---- random bytes in every file -------------------------------------------------------------


def mutate(raw: bytes, how: str, at: int, noise: bytes) -> bytes:
    at = at % (len(raw) + 1)
    if how == "flip" and raw:
        at = min(at, len(raw) - 1)
        return raw[:at] + bytes([raw[at] ^ (noise[0] or 1)]) + raw[at + 1 :]
    if how == "cut":
        return raw[:at]
    if how == "insert":
        return raw[:at] + noise + raw[at:]
    return noise  # replaced whole


@given(
    which=st.sampled_from(["cope.json", "cope.json.journal", "cope.json.summary", "cope.json.lock", "cope.json.audit", "backup"]),
    how=st.sampled_from(["flip", "cut", "insert", "replace"]),
    at=st.integers(0, 1 << 20),
    noise=st.binary(min_size=1, max_size=40),
)
@PROPERTY
def test_random_bytes_in_any_file_never_crash_and_never_cost_a_record(template, which, how, at, noise):
    with tempfile.TemporaryDirectory() as folder:
        db = copy_of(template, folder)
        before = records(db)
        target = backups.list_backups(db)[0].path if which == "backup" else db.with_name(which)
        raw = target.read_bytes()
        changed = mutate(raw, how, at, noise)
        assume(changed != raw)
        target.write_bytes(changed)
        files = state(db)
        no_crash_in_the_checks(db)
        refused = open_or_refuse(db)
        event(f"{which}: {'refused' if refused else 'opened'}")
        if refused is not None:
            assert which in ("cope.json", "cope.json.journal"), refused
            assert state(db) == files
            if which == "cope.json.journal":  # the lines still whole open once the bad ones are aside
                set_aside.set_aside(db)
                assert open_or_refuse(db) is None
            return
        after = records(db)
        if which not in ("cope.json", "cope.json.journal"):  # not the data: nothing may differ
            assert after == before
        for path in (db, db.with_name(db.name + ".journal")):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
