"""Issue 11, points 1 and 8 together: every record checked, every change numbered.

The change numbers (point 8) live in the journal lines and in the main file's format
record, so the one record check (point 1) checks them too. They must never make a good
line look lost or older than it is: a line copied to another place in the journal costs
no other line, lines `doctor --set-aside` took out are not "missing changes", and a line
that is not applied is kept, never deleted.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

import orjson
import pytest

from cope_tui.store import anchor, crypto, doctor, rekey, set_aside
from cope_tui.meetings.models import Client
from cope_tui.records import dump
from cope_tui.store.store import CorruptDatabase, Store

PASS = "correct horse battery staple"


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "data" / "cope.json"


def journal_of(db: Path) -> Path:
    return db.with_name(db.name + ".journal")


def files_of(db: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(db.parent)): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(db.parent.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def compacted(db: Path, *clients: Client) -> None:
    store = Store(db)
    for client in clients:
        store.put_client(client)
    store.close()


def left_running(db: Path, *clients: Client, passphrase: str | None = None) -> None:
    """Save clients and stop as a killed app would: they are only in the journal (and the
    anchor saw their numbers)."""
    store = Store(db, passphrase=passphrase)
    for client in clients:
        store.put_client(client)
    store._close_anchor()
    store.journal.close()
    store.lock.release()


def codes(db: Path, passphrase: str | None = None) -> list[str]:
    store = Store(db, read_only=True, passphrase=passphrase)
    try:
        return sorted(c.code for c in store.clients())
    finally:
        store.close()


def notes(db: Path, passphrase: str | None = None) -> list[str]:
    """What a writer's open says is missing (it folds the journal in and closes)."""
    store = Store(db, passphrase=passphrase)
    try:
        return list(store.integrity_notes)
    finally:
        store.close()


# ---- the numbers are checked like everything else -------------------------------------------


@pytest.mark.parametrize("seq", ["7", -1, 0, True, 1.5, None, [7]])
def test_a_line_whose_change_number_is_not_a_number_stops_the_open(db, seq):
    compacted(db, Client(code="C-1"))
    good = orjson.dumps({"t": "clients", "id": "c2", "doc": dump(Client(id="c2", code="C-2")), "seq": 2})
    bad = orjson.dumps({"t": "clients", "id": "c3", "doc": dump(Client(id="c3", code="C-3")), "seq": seq})
    journal_of(db).write_bytes(good + b"\n" + bad + b"\n")
    before = files_of(db)
    with pytest.raises(CorruptDatabase, match=r"line 2\b.*change number"):
        Store(db)
    assert files_of(db) == before


@pytest.mark.parametrize(
    "app",
    [{"seq": "9"}, {"seq": -3}, {"seq": True}, {"lost": "all"}, {"lost": [[1]]}, {"lost": [[1, "2"]]}, {"lost": [3, 4]}],
    ids=["seq text", "seq negative", "seq bool", "lost text", "lost short", "lost text pair", "lost flat"],
)
def test_a_main_file_whose_numbers_are_not_numbers_is_refused_by_name(db, cli, app):
    compacted(db, Client(code="C-1"))
    data = orjson.loads(db.read_bytes())
    data["meta"]["app"].update(app)
    db.write_bytes(orjson.dumps(data))
    before = files_of(db)
    with pytest.raises(CorruptDatabase) as caught:
        Store(db)
    assert str(db) in str(caught.value) and ("change number" in str(caught.value) or "missing changes" in str(caught.value))
    assert files_of(db) == before
    done = cli("doctor", "--db", db)
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr


def test_good_numbers_and_a_known_loss_open(db):
    compacted(db, Client(code="C-1"))
    data = orjson.loads(db.read_bytes())
    assert isinstance(data["meta"]["app"]["seq"], int)
    data["meta"]["app"]["lost"] = [[1, 1]]
    db.write_bytes(orjson.dumps(data))
    assert codes(db) == ["C-1"]


# ---- a line in the wrong place costs no other line ------------------------------------------


@pytest.mark.parametrize("mode", ["plain", "encrypted"])
def test_a_line_copied_to_the_front_costs_no_later_line(db, mode):
    """The last change copied before the others made every line after it look older than
    it: they were skipped, and the writer's open folded the journal without them."""
    compacted(db, Client(code="C-1"))
    passphrase = None
    if mode == "encrypted":
        rekey.convert(db, rekey.ENCRYPT, PASS)
        passphrase = PASS
    left_running(db, *(Client(id=f"c{n}", code=f"C-{n}") for n in (2, 3, 4)), passphrase=passphrase)
    journal = journal_of(db)
    lines = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(lines[-1] + b"".join(lines))
    assert codes(db, passphrase) == ["C-1", "C-2", "C-3", "C-4"]
    found = notes(db, passphrase)
    assert len(found) == 1 and "repeats change" in found[0] and "saved change (number" not in found[0] and "saved changes (number" not in found[0]
    assert codes(db, passphrase) == ["C-1", "C-2", "C-3", "C-4"]


def test_lines_without_numbers_after_numbered_ones_keep_their_place(db):
    """An older cope-tui (before numbers) that opens the DB appends lines without one: they
    are newer than the numbered lines before them, and applied after them."""
    compacted(db, Client(id="c1", code="C-1"))
    left_running(db, Client(id="c2", code="C-2", note="numbered"))
    older = orjson.dumps({"t": "clients", "id": "c2", "doc": dump(Client(id="c2", code="C-2", note="newer, no number"))})
    journal = journal_of(db)
    journal.write_bytes(journal.read_bytes() + older + b"\n")
    store = Store(db, read_only=True)
    try:
        assert store.client_by_code("C-2").note == "newer, no number"
    finally:
        store.close()


# ---- lines set aside are not missing changes ------------------------------------------------


def damaged(line: bytes, sealed: bool) -> bytes:
    """One line made unreadable: a table name with a flipped bit, or a sealed line changed."""
    if not sealed:
        return line.replace(b'"t":"clients"', b'"t":"clientq"', 1)
    return line[:20] + (b"A" if line[20:21] != b"A" else b"B") + line[21:]


def with_passphrase(cli_env: dict[str, str], passphrase: str | None) -> dict[str, str]:
    return {**cli_env, "COPE_TUI_PASSPHRASE": passphrase} if passphrase else cli_env


GAP = re.compile(r"saved changes? \(number")  # how a run of missing changes starts (anchor.Gap.text)


@pytest.mark.parametrize("mode", ["plain", "encrypted"])
@pytest.mark.parametrize("which", [1, 2], ids=["a middle line", "the last line"])
def test_lines_set_aside_are_no_missing_changes(db, cli_env, run_cli, mode, which):
    """Setting a bad line aside takes its change number out of the journal: neither the
    app nor doctor may then call it missing, nor ask for --accept-missing."""
    compacted(db, Client(code="C-1"))
    passphrase = None
    if mode == "encrypted":
        rekey.convert(db, rekey.ENCRYPT, PASS)
        passphrase = PASS
    left_running(db, *(Client(id=f"c{n}", code=f"C-{n}") for n in (2, 3, 4)), passphrase=passphrase)
    journal = journal_of(db)
    lines = journal.read_bytes().split(b"\n")
    lines[which] = damaged(lines[which], sealed=passphrase is not None)
    journal.write_bytes(b"\n".join(lines))
    env = with_passphrase(cli_env, passphrase)

    found = run_cli(["doctor", "--db", str(db)], env)
    assert found.returncode == 1 and f"line {which + 1}" in found.stdout, found.stdout
    assert not GAP.search(found.stdout) and "--accept-missing" not in found.stdout  # the bad line is reported, once

    done = run_cli(["doctor", "--db", str(db), "--set-aside", "--yes"], env)
    assert done.returncode == 0 and "healthy now" in done.stdout, done.stdout + done.stderr
    assert notes(db, passphrase) == []  # the app's open says nothing is missing
    assert len([p for p in db.parent.iterdir() if ".damaged-" in p.name]) == 1  # nor keeps another copy
    kept = [c for c in ("C-2", "C-3", "C-4") if c != f"C-{which + 2}"]
    assert codes(db, passphrase) == ["C-1", *kept]
    after = run_cli(["doctor", "--db", str(db)], env)
    assert after.returncode == 0 and not GAP.search(after.stdout), after.stdout
    (recorded,) = anchor.accept(db) or anchor._recorded(db)  # nothing left to accept
    assert recorded.accepted and "set aside" in recorded.where and ".damaged-" in recorded.where


def test_a_line_cut_out_beside_one_set_aside_is_still_missing(db, cli):
    compacted(db, Client(code="C-1"))
    left_running(db, *(Client(id=f"c{n}", code=f"C-{n}") for n in (2, 3, 4, 5)))
    journal = journal_of(db)
    lines = journal.read_bytes().split(b"\n")
    lines[1] = damaged(lines[1], sealed=False)  # C-3: unreadable
    del lines[2]  # C-4: cut out
    journal.write_bytes(b"\n".join(lines))
    assert cli("doctor", "--db", db, "--set-aside", "--yes").returncode == 1
    after = cli("doctor", "--db", db)
    assert after.returncode == 1 and GAP.search(after.stdout) and "--accept-missing" in after.stdout
    assert any("missing" in note for note in notes(db))


# ---- a line that is not applied is kept -------------------------------------------------------


@pytest.mark.parametrize("how", ["repeated", "cut out"])
def test_a_journal_the_numbers_find_wrong_is_kept_before_it_is_folded(db, how):
    """Two lines with one number: only the first is applied, and the writer's open folds the
    journal without the other, which may be the genuine one. Numbers that skip: the line
    between may be there with a number damaged below the file's. Either way the journal
    is kept whole first, never deleted."""
    compacted(db, Client(id="c1", code="C-1"))
    left_running(db, Client(id="c2", code="C-2", note="genuine"), Client(id="c3", code="C-3"))
    journal = journal_of(db)
    lines = journal.read_bytes().splitlines(keepends=True)
    if how == "repeated":  # a changed copy of the first line, put before it
        lines.insert(0, lines[0].replace(b"genuine", b"changed"))
    else:
        lines[0] = lines[0].replace(b'"seq":2}', b'"seq":1}')  # at or below the file's: skipped
        assert lines[0].endswith(b'"seq":1}\n')
    before = b"".join(lines)
    journal.write_bytes(before)
    found = notes(db)
    (kept,) = [p for p in db.parent.iterdir() if p.name.startswith(journal.name + ".damaged-")]
    assert kept.read_bytes() == before and stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert len(found) == 1 and kept.name in found[0]
    assert not journal.exists() or b"genuine" not in journal.read_bytes()  # folded in
    report = doctor.diagnose(db)
    assert kept in report.aside


def test_a_sound_journal_is_folded_without_a_copy(db):
    compacted(db, Client(code="C-1"))
    left_running(db, Client(code="C-2"), Client(code="C-3"))
    assert notes(db) == []
    assert not [p for p in db.parent.iterdir() if ".damaged-" in p.name]
