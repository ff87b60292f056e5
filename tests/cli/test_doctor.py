"""`cope-tui doctor` on real files: the report, the exit status, and restoring a backup."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from cope_tui.store import backups, doctor
from cope_tui.cli import main as cli_module
from cope_tui.store.backup_check import CheckResult
from cope_tui.store.store import Store
from helpers.stored import add_clients


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "data" / "cope.json"


def damage(db, content: bytes = b'{"meta": {"app": {"app": "cope-tui", "sch') -> bytes:
    """Replace the DB file with broken bytes (a new file: its backups stay intact)."""
    db.unlink()
    db.write_bytes(content)
    return content


def aside_files(db) -> list[Path]:
    return sorted(p for p in db.parent.iterdir() if ".damaged-" in p.name)


# ---- the report --------------------------------------------------------------------------


def test_healthy_db_exits_0_and_lists_its_backups(cli, db):
    add_clients(db, "C-1", "C-2")
    add_clients(db, "C-3")
    done = cli("doctor", "--db", db)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert str(db) in out and "Healthy." in out
    assert "3 clients and 0 meetings, all valid" in out
    assert "not in use" in out
    names = [b.path.name for b in backups.list_backups(db)]
    assert len(names) == 2 and all(name in out for name in names)
    assert out.count("ok: 3 clients") == 1 and out.count("ok: 2 clients") == 1
    assert "problem" not in out


def test_a_service_sized_backup_line_fits_80_columns(db):
    """At 1,000 clients and 10,000 meetings the lines were 89 to 91 columns and wrapped.
    The counts here are a service ten times that size (building it would take minutes)."""
    add_clients(db, "C-1")
    add_clients(db, "C-2")
    report = doctor.diagnose(db)
    report.backups = [(b, CheckResult(ok=True, clients=10_000, meetings=100_000)) for b, _ in report.backups]
    listed = doctor.format_report(report).split("Backups in", 1)[1].splitlines()[1:5]
    assert all(line.split()[2] in ("full", "changes") for line in listed[::2]), listed
    assert all(len(line) <= 80 for line in listed), listed

def test_corrupt_db_exits_1_names_the_file_and_the_fix(cli, db):
    add_clients(db, "C-1")
    content = damage(db)
    done = cli("doctor", "--db", db)
    assert done.returncode == 1
    assert f"'{db}' is not valid JSON" in done.stdout
    assert "1 problem found" in done.stdout
    assert f"cope-tui doctor --db {db} --restore-newest" in done.stdout
    assert "ok: 1 client," in done.stdout  # the backup itself checks out
    assert db.read_bytes() == content  # looking changes nothing
    assert aside_files(db) == []


def test_foreign_db_is_a_problem(cli, tmp_path):
    other = tmp_path / "other.json"
    other.write_bytes(b'{"settings": {"theme": "dark"}}')
    done = cli("doctor", "--db", other)
    assert done.returncode == 1
    assert "not a cope-tui database" in done.stdout and "settings" in done.stdout
    assert "There is no good backup" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("other")) == ["other.json"]


def test_missing_db_is_a_problem(cli, db):
    done = cli("doctor", "--db", db)
    assert done.returncode == 1
    assert f"there is no database at '{db}'" in done.stdout
    assert not db.parent.exists()  # doctor creates nothing


def test_torn_journal_tail_is_healthy_and_said_to_be_harmless(cli, db):
    add_clients(db, "C-1")
    journal = db.with_name(db.name + ".journal")
    with open(journal, "ab") as fh:
        fh.write(b'{"t":"clients","id":"a","doc":{"id":"a","code":"A"}}\n')
        fh.write(b'{"t":"clients","id":"b","doc":{"id":"b","co')  # cut off by a kill
    done = cli("doctor", "--db", db)
    assert done.returncode == 0, done.stdout
    assert "torn" in done.stdout and "harmless" in done.stdout
    assert "1 saved change not yet folded" in done.stdout
    assert "2 clients and 0 meetings, all valid" in done.stdout


def test_damaged_journal_middle_is_a_problem(cli, db):
    add_clients(db, "C-1")
    journal = db.with_name(db.name + ".journal")
    journal.write_bytes(b'garbage\n{"t":"clients","id":"a","doc":{"id":"a","code":"A"}}\n')
    done = cli("doctor", "--db", db)
    assert done.returncode == 1
    assert "damaged at line 1" in done.stdout and str(journal) in done.stdout


def test_left_over_journal_of_an_interrupted_compaction_is_replayed(db):
    add_clients(db, "C-1")
    old, _ = backups.journals_of(db)
    old.write_bytes(b'{"t":"clients","id":"a","doc":{"id":"a","code":"A"}}\n')
    report = doctor.diagnose(db)
    assert report.healthy
    text = doctor.format_report(report)
    assert "cut off" in text and "2 clients" in text


def test_invalid_record_is_a_problem_naming_it(cli, db):
    add_clients(db, "C-1")
    data = orjson.loads(db.read_bytes())
    data["clients"]["bad00001"] = {"id": "bad00001", "code": "", "created": "not a date"}
    db.unlink()
    db.write_bytes(orjson.dumps(data))
    done = cli("doctor", "--db", db)
    assert done.returncode == 1
    assert "invalid record: client bad00001" in done.stdout


def test_newer_format_is_a_warning_not_a_problem(db):
    db.parent.mkdir(parents=True)
    db.write_bytes(orjson.dumps({"meta": {"app": {"app": "cope-tui", "schema": 99}}, "clients": {}, "meetings": {}}))
    os.chmod(db, 0o600)
    report = doctor.diagnose(db)
    assert report.healthy
    assert any(f.level == doctor.WARN and "newer" in f.text for f in report.findings)


def test_readable_by_others_is_a_warning(db):
    add_clients(db, "C-1")
    os.chmod(db, 0o644)
    report = doctor.diagnose(db)
    assert report.healthy
    assert any(f.level == doctor.WARN and "chmod 600" in f.text for f in report.findings)


def test_reports_who_holds_the_db(cli, db):
    add_clients(db, "C-1")
    store = Store(db)
    try:
        done = cli("doctor", "--db", db)
    finally:
        store.close()
    assert done.returncode == 0, done.stdout
    assert f"in use by process {os.getpid()}" in done.stdout
    assert doctor.lock_holder(db) is None  # released again; the stale details are not a holder


# ---- restoring ---------------------------------------------------------------------------


def test_restore_newest_yes_end_to_end(cli, db):
    add_clients(db, "C-1", "C-2")
    content = damage(db)
    done = cli("doctor", "--db", db, "--restore-newest", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "The database is healthy now." in done.stdout
    [aside] = aside_files(db)
    assert aside.read_bytes() == content
    assert f"kept as {aside}" in done.stdout
    exported = cli("export", "--all", "--db", db)
    assert exported.returncode == 0, exported.stderr
    assert "C-1" in exported.stdout and "C-2" in exported.stdout
    assert cli("doctor", "--db", db).returncode == 0


def test_restore_without_a_terminal_needs_yes(cli, db):
    add_clients(db, "C-1")
    content = damage(db)
    done = cli("doctor", "--db", db, "--restore-newest")
    assert done.returncode == 1
    assert "--yes" in done.stderr and "Nothing has been changed" in done.stderr
    assert db.read_bytes() == content
    assert aside_files(db) == []


def test_restore_a_named_older_backup(cli, db):
    add_clients(db, "C-1")
    add_clients(db, "C-2")
    _newest, older = backups.list_backups(db)
    done = cli("doctor", "--db", db, "--restore", older.path.name, "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    store = Store(db, read_only=True)
    assert [c.code for c in store.clients()] == ["C-1"]
    store.close()
    [aside] = aside_files(db)
    assert orjson.loads(aside.read_bytes())["clients"]  # the healthy file set aside: C-1 and C-2
    assert len(orjson.loads(aside.read_bytes())["clients"]) == 2


def test_restore_by_path_and_unknown_backup(cli, db):
    add_clients(db, "C-1")
    [snap] = backups.list_backups(db)
    done = cli("doctor", "--db", db, "--restore", "nope.json", "--yes")
    assert done.returncode == 1 and "there is no backup 'nope.json'" in done.stderr
    assert aside_files(db) == []
    assert doctor.find_backup(db, str(snap.path)) == snap
    assert doctor.find_backup(db, snap.path.name) == snap


def test_restore_refuses_a_bad_backup(cli, db):
    add_clients(db, "C-1")
    [snap] = backups.list_backups(db)
    damage(snap.path, b"broken backup")
    done = cli("doctor", "--db", db, "--restore", snap.path.name, "--yes")
    assert done.returncode == 1 and "does not check out" in done.stderr
    assert aside_files(db) == []
    done = cli("doctor", "--db", db, "--restore-newest", "--yes")
    assert done.returncode == 1 and "no good backup" in done.stderr


def test_restore_is_refused_while_the_app_has_the_db(cli, db):
    add_clients(db, "C-1")
    store = Store(db)
    try:
        done = cli("doctor", "--db", db, "--restore-newest", "--yes")
    finally:
        store.close()
    assert done.returncode == 1
    assert "in use" in done.stderr and "Traceback" not in done.stderr
    assert aside_files(db) == []


@pytest.mark.parametrize(("answer", "restored"), [("y", True), ("yes", True), ("n", False), ("", False)])
def test_restore_asks_at_a_terminal(db, capsys, answer, restored):
    add_clients(db, "C-1")
    content = damage(db)
    args = cli_module.build_parser().parse_args(["doctor", "--db", str(db), "--restore-newest"])
    asked = []

    def reply(prompt: str) -> str:
        asked.append(prompt)
        return answer

    status = cli_module.cmd_doctor(args, is_tty=True, input_fn=reply)
    assert len(asked) == 1 and asked[0].startswith("Restore ") and asked[0].endswith("[y/N] ")
    assert "kept aside" in asked[0]
    if restored:
        assert status == 0
        assert [a.read_bytes() for a in aside_files(db)] == [content]
        assert backups.check_file(db).ok
    else:
        assert status == 1
        assert db.read_bytes() == content and aside_files(db) == []
        assert "Nothing has been changed." in capsys.readouterr().out


def test_doctor_help_has_options_and_examples(cli):
    done = cli("doctor", "--help")
    assert done.returncode == 0
    for word in ("usage: cope-tui doctor", "--db", "--restore BACKUP", "--restore-newest", "--yes", "examples:"):
        assert word in done.stdout
    assert "doctor" in cli("--help").stdout


def test_a_folder_others_may_write_in_is_a_warning_and_healthy_says_so(cli, tmp_path):
    """0777 on the DB's folder let anyone replace the file, whatever its own mode; doctor
    said nothing of it and ended "Healthy."."""
    import os

    db = tmp_path / "shared" / "x.json"
    assert cli("demo", "--db", db).returncode == 0
    os.chmod(db.parent, 0o777)
    done = cli("doctor", "--db", db)
    assert done.returncode == 0
    assert f"others can add, replace or delete files in the folder '{db.parent}' (mode 0777)" in done.stdout
    assert "Healthy, but see the 1 warning above." in done.stdout
    os.chmod(db.parent, 0o1777)
    assert "is a folder others share (mode 1777)" in cli("doctor", "--db", db).stdout
    os.chmod(db.parent, 0o700)
    assert cli("doctor", "--db", db).stdout.rstrip().endswith("Healthy.")
