"""Issue 11, point 1: one bad line never costs good data.

A journal line that is JSON but not a record we wrote (a table name with a flipped bit, a
record of the wrong shape or types), or a stored record of the wrong shape, stops the
open with a message naming the file and the line. Nothing is folded into the main file
or a backup, `doctor` reports it, and `doctor --set-aside` moves it into a
`.damaged-TIME` file so everything else opens.
"""

from __future__ import annotations

import stat
from pathlib import Path

import orjson
import pytest

from cope_tui.store import backups, doctor
from cope_tui.cope.exercise import Exercise
from cope_tui.meetings.models import Client, Meeting, MeetingKind
from cope_tui.records import dump
from cope_tui.store.store import CorruptDatabase, Store, StoreError


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "data" / "cope.json"


def journal_of(db: Path) -> Path:
    return db.with_name(db.name + ".journal")


def files_of(db: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of the DB (backups included) with its bytes and mode."""
    return {
        str(p.relative_to(db.parent)): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(db.parent.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def left_running(db: Path, *clients: Client) -> None:
    """Save clients and stop as a killed app would: they are only in the journal."""
    store = Store(db)
    for client in clients:
        store.put_client(client)
    store.journal.close()
    store.lock.release()


def compacted(db: Path, *clients: Client) -> None:
    store = Store(db)
    for client in clients:
        store.put_client(client)
    store.close()


def line(table: str, doc_id: str, doc) -> bytes:
    return orjson.dumps({"t": table, "id": doc_id, "doc": doc}) + b"\n"


def codes(db: Path) -> list[str]:
    store = Store(db, read_only=True)
    try:
        return [c.code for c in store.clients()]
    finally:
        store.close()


# ---- the store refuses, names the file and the line, changes nothing ----------------------


def test_flipped_table_name_stops_the_open_and_nothing_is_folded(db):
    compacted(db, Client(code="C-1"))
    left_running(db, Client(code="C-2"), Client(code="C-3"))
    journal = journal_of(db)
    journal.write_bytes(journal.read_bytes().replace(b'"t":"clients"', b'"t":"clientq"', 1))
    before = files_of(db)
    for read_only in (False, True, False):
        with pytest.raises(CorruptDatabase) as caught:
            Store(db, read_only=read_only)
        message = str(caught.value)
        assert str(journal) in message and "line 1" in message
        assert files_of(db) == before  # not folded into the file, nor into a new backup
    assert all(backups.check_file(b.path).ok for b in backups.list_backups(db))


def meeting_doc(client_id: str = "c1") -> dict:
    return dump(Meeting(id="m1", client_id=client_id, kind=MeetingKind.FIRST))


BAD_LINES = {
    "client is a string": line("clients", "c9", "hello"),
    "client without a code": line("clients", "c9", {"id": "c9"}),
    "code is a number": line("clients", "c9", {"id": "c9", "code": 42}),
    "stage is text": line("clients", "c9", {"id": "c9", "code": "C-9", "stage": "2"}),
    "meeting without client": line("meetings", "m1", {k: v for k, v in meeting_doc().items() if k != "client_id"}),
    "meeting started is a number": line("meetings", "m1", {**meeting_doc(), "started": 1700000000}),
    "exercise is a list": line("exercises", "e1", []),
    "key is not the record's id": line("clients", "c9", {"id": "c8", "code": "C-9"}),
    "id is a number": orjson.dumps({"t": "clients", "id": 9, "doc": {"id": "c9", "code": "C"}}) + b"\n",
    "no table": orjson.dumps({"id": "c9", "doc": {"id": "c9", "code": "C"}}) + b"\n",
    "not an object": b"[1, 2]\n",
    "meta of the wrong shape": line("meta", "app", {"app": "cope-tui", "schema": "abc"}),
}


@pytest.mark.parametrize("bad", list(BAD_LINES.values()), ids=list(BAD_LINES))
def test_a_line_of_the_wrong_shape_stops_the_open(db, bad):
    compacted(db, Client(code="C-1"))
    good = line("clients", "c2", dump(Client(id="c2", code="C-2")))
    journal_of(db).write_bytes(good + bad + good)
    before = files_of(db)
    with pytest.raises(CorruptDatabase, match=r"line 2\b"):
        Store(db)
    assert files_of(db) == before


def test_a_bad_last_line_that_ends_with_a_newline_is_not_a_torn_write(db):
    compacted(db, Client(code="C-1"))
    good = line("clients", "c2", dump(Client(id="c2", code="C-2")))
    for bad in (b"garbage\n", line("clientq", "c3", dump(Client(id="c3", code="C-3")))):
        journal_of(db).write_bytes(good + bad)
        with pytest.raises(CorruptDatabase, match=r"line 2\b"):
            Store(db, read_only=True)
    # Without its newline it was cut off by a kill: never reported saved, and ignored.
    journal_of(db).write_bytes(good + b'{"t":"clients","id":"c3","doc":{"id":"c3","co')
    assert codes(db) == ["C-1", "C-2"]


def test_a_stored_record_of_the_wrong_shape_is_named_with_its_file(db):
    compacted(db, Client(code="C-1"))
    data = orjson.loads(db.read_bytes())
    data["clients"]["bad"] = {"id": "bad", "code": ["not", "text"]}
    db.write_bytes(orjson.dumps(data))
    before = files_of(db)
    with pytest.raises(CorruptDatabase) as caught:
        Store(db)
    assert str(db) in str(caught.value) and "bad" in str(caught.value)
    assert files_of(db) == before


def test_a_save_of_the_wrong_shape_is_refused_and_not_written(db):
    store = Store(db)
    try:
        store.put_client(Client(code="C-1"))
        before = journal_of(db).read_bytes()
        with pytest.raises(StoreError):
            store.put("clients", "x", {"id": "x", "code": 5})
        with pytest.raises(StoreError):
            store.put("clientq", "x", {"id": "x", "code": "X"})
        assert journal_of(db).read_bytes() == before
        assert [c.code for c in store.clients()] == ["C-1"]
    finally:
        store.close()


# ---- doctor reports it, and sets it aside ----------------------------------------------


def test_doctor_reports_a_bad_journal_line_and_a_bad_exercise(cli, db):
    compacted(db, Client(code="C-1"))
    store = Store(db)
    store.put_exercise(Exercise(site="Clinic", start="2026-01-05"))
    store.close()
    data = orjson.loads(db.read_bytes())
    (doc,) = data["exercises"].values()  # the file numbers its records; the id is inside
    doc["teams"] = "not a list"
    key = doc["id"]
    db.write_bytes(orjson.dumps(data))
    journal_of(db).write_bytes(line("clientq", "c2", dump(Client(id="c2", code="C-2"))))
    done = cli("doctor", "--db", db)
    assert done.returncode == 1, done.stdout
    assert "Healthy" not in done.stdout and "Traceback" not in done.stdout + done.stderr
    assert str(journal_of(db)) in done.stdout and "line 1" in done.stdout
    assert f"exercise {key}" in done.stdout
    assert "--set-aside" in done.stdout


def test_doctor_set_aside_keeps_the_bad_line_and_everything_else_opens(cli, db):
    compacted(db, Client(code="C-1"))
    first = line("clients", "c2", dump(Client(id="c2", code="C-2")))
    bad = line("clientq", "c3", dump(Client(id="c3", code="C-3")))
    last = line("clients", "c4", dump(Client(id="c4", code="C-4")))
    journal_of(db).write_bytes(first + bad + last)
    main = db.read_bytes()

    refused = cli("doctor", "--db", db, "--set-aside")  # no terminal, no --yes: nothing happens
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert journal_of(db).read_bytes() == first + bad + last

    done = cli("doctor", "--db", db, "--set-aside", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    (kept,) = [p for p in db.parent.iterdir() if p.name.startswith(journal_of(db).name + ".damaged-")]
    assert kept.read_bytes() == first + bad + last  # the journal as it was, never deleted
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert str(kept) in done.stdout and "line 2" in done.stdout
    assert db.read_bytes() == main
    assert codes(db) == ["C-1", "C-2", "C-4"]
    assert cli("doctor", "--db", db).returncode == 0


def test_doctor_set_aside_of_a_bad_stored_record(cli, db):
    compacted(db, Client(id="c1", code="C-1"), Client(id="c2", code="C-2"))
    data = orjson.loads(db.read_bytes())
    (number,) = [n for n, doc in data["clients"].items() if doc["id"] == "c2"]  # numbered, the id inside
    data["clients"][number] = "a client record that is a string"
    broken = orjson.dumps(data)
    db.write_bytes(broken)
    journal_of(db).write_bytes(line("clients", "c3", dump(Client(id="c3", code="C-3"))))
    done = cli("doctor", "--db", db, "--set-aside", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    (kept,) = [p for p in db.parent.iterdir() if p.name.startswith(db.name + ".damaged-")]
    assert kept.read_bytes() == broken
    assert codes(db) == ["C-1", "C-3"]
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_set_aside_in_process_report(db):
    compacted(db, Client(code="C-1"))
    journal_of(db).write_bytes(b"garbage\n" + line("clients", "c2", dump(Client(id="c2", code="C-2"))))
    report = doctor.diagnose(db)
    assert not report.healthy
    assert any("line 1" in f.text and f.level == doctor.PROBLEM for f in report.findings)


def test_set_aside_of_a_sealed_line_that_does_not_decrypt(db):
    from cope_tui.store import crypto, rekey, set_aside

    passphrase = "correct horse battery staple"
    compacted(db, Client(id="c1", code="C-1"))
    rekey.convert(db, rekey.ENCRYPT, passphrase)
    store = Store(db, passphrase=passphrase)
    for n in (2, 3, 4):
        store.put_client(Client(id=f"c{n}", code=f"C-{n}"))
    store.journal.close()
    store.lock.release()
    journal = journal_of(db)
    lines = journal.read_bytes().split(b"\n")
    lines[1] = lines[1][:20] + (b"A" if lines[1][20:21] != b"A" else b"B") + lines[1][21:]
    journal.write_bytes(b"\n".join(lines))
    with pytest.raises(CorruptDatabase, match="does not decrypt .*line 2"):
        Store(db, passphrase=passphrase)
    assert set_aside.find(db).blocked  # without the passphrase nothing is judged
    report = doctor.diagnose(db, crypto.Keyring(passphrase))
    assert not report.healthy
    (done,) = set_aside.set_aside(db, report.codec)
    assert done[1].read_bytes() == b"\n".join(lines)
    store = Store(db, read_only=True, passphrase=passphrase)
    assert [c.code for c in store.clients()] == ["C-1", "C-2", "C-4"]
    assert b"C-4" not in journal.read_bytes()  # the lines kept stay sealed


def test_a_file_checked_once_is_checked_again_only_when_a_byte_changes(db, monkeypatch):
    from cope_tui.store import record_check

    compacted(db, Client(code="C-1", note="first"))  # the compaction stamps the file it wrote
    checks = []
    real = record_check.table_problems
    monkeypatch.setattr(record_check, "table_problems", lambda data: checks.append(1) or real(data))
    Store(db, read_only=True).close()
    assert checks == []
    db.write_bytes(db.read_bytes().replace(b'"note":"first"', b'"note":"other"'))
    assert codes(db) == ["C-1"]
    assert checks == [1]


@pytest.mark.parametrize(("answer", "done"), [("y", True), ("n", False)])
def test_set_aside_asks_at_a_terminal(db, capsys, answer, done):
    from cope_tui.cli import main as cli_module

    compacted(db, Client(code="C-1"))
    content = line("clients", "c2", dump(Client(id="c2", code="C-2"))) + b"garbage\n"
    journal_of(db).write_bytes(content)
    args = cli_module.build_parser().parse_args(["doctor", "--db", str(db), "--set-aside"])
    asked = []
    status = cli_module.cmd_doctor(args, is_tty=True, input_fn=lambda prompt: asked.append(prompt) or answer)
    out = capsys.readouterr().out
    assert len(asked) == 1 and "1 line of cope.json.journal: line 2" in out
    kept = [p for p in db.parent.iterdir() if ".damaged-" in p.name]
    if done:
        assert status == 0 and "healthy now" in out
        assert [p.read_bytes() for p in kept] == [content]
        assert codes(db) == ["C-1", "C-2"]
    else:
        assert status == 1 and "Nothing has been changed." in out
        assert kept == [] and journal_of(db).read_bytes() == content


def test_a_save_after_a_torn_line_is_never_glued_to_it(tmp_path):
    """A writer opening a journal a kill left without its last newline (its fold at open
    may fail, on a full disk, and leave the journal as it is) appends on a line of its own."""
    from cope_tui.store.diskio import Journal

    whole = line("clients", "c2", dump(Client(id="c2", code="C-2")))
    cut = b'{"t":"clients","id":"c3","doc":{"id":"c3","co'
    for tail, kept in ((cut, ["c1", "c4"]), (whole[:-1], ["c1", "c2", "c4"])):
        journal = Journal(tmp_path / "cope.json.journal")
        journal.path.write_bytes(line("clients", "c1", dump(Client(id="c1", code="C-1"))) + tail)
        journal.open()
        journal.append({"t": "clients", "id": "c4", "doc": dump(Client(id="c4", code="C-4"))})
        journal.close()
        data: dict = {}
        assert journal.replay(data) == len(kept)  # nothing damaged: the open would go ahead
        assert sorted(data["clients"]) == kept
