"""Issue 11, point 8: rollback and deletion are detected.

Deleting the journal, cutting a line out of it, or copying an old backup over NAME.json
left files that were each valid, lost clients, and `doctor` said Healthy. Now each change
carries a number (sealed with the line in an encrypted DB) and the highest one seen is
kept in the user's state folder: the app warns and opens, `doctor` exits 1 naming what is
missing (and the backup that holds it), until a restore or `--accept-missing`. Writers are
real processes killed with SIGKILL, as a crash leaves them.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import orjson
import pytest

from cope_tui.store import backups, crypto, rekey
from cope_tui.app import create_app
from cope_tui.meetings.models import Client
from cope_tui.session import Session
from cope_tui.store.store import Store
from helpers.polling import until
from helpers.writer import SCRIPT as WRITER

PASS = "correct horse battery staple"
SIZE = (80, 24)

CHILD = textwrap.dedent(
    """
    import sys
    from cope_tui.meetings.models import Client
    from cope_tui.store.store import Store
    store = Store(sys.argv[1], passphrase=sys.argv[2] or None)
    for code in sys.argv[3:]:
        store.put_client(Client(code=code))
    print("saved", flush=True)
    sys.stdin.readline()
    """
)


@pytest.fixture(params=["plain", "encrypted"])
def mode(request) -> str:
    return request.param


@pytest.fixture
def db(tmp_path: Path, mode: str) -> Path:
    db = tmp_path / "data" / "cope.json"
    store = Store(db)
    store.put_client(Client(code="C-KEPT"))
    store.close()
    if mode == "encrypted":
        rekey.convert(db, rekey.ENCRYPT, PASS)
    return db


def phrase(db: Path) -> str | None:
    return PASS if crypto.is_encrypted(db) else None


def env_for(cli_env: dict[str, str], db: Path) -> dict[str, str]:
    return {**cli_env, "COPE_TUI_PASSPHRASE": PASS} if crypto.is_encrypted(db) else dict(cli_env)


def killed_writer(db: Path, cli_env: dict[str, str], *codes: str) -> None:
    """A real writer saves `codes` (each reported saved) and is killed with SIGKILL."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), phrase(db) or "", *codes],
        env=cli_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert child.stdout.readline().strip() == "saved", child.stderr.read()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
        for stream in (child.stdin, child.stdout, child.stderr):
            stream.close()


def doctor(run_cli, cli_env, db: Path, *more: str) -> subprocess.CompletedProcess[str]:
    return run_cli(["doctor", "--db", str(db), *more], env_for(cli_env, db))


def opened(db: Path, **kw) -> tuple[set[str], list[str]]:
    store = Store(db, passphrase=phrase(db), **kw)
    try:
        return {c.code for c in store.clients()}, list(store.integrity_notes)
    finally:
        store.close()


def journal(db: Path) -> Path:
    return db.with_name(db.name + ".journal")


# ---- the reproductions -------------------------------------------------------------------------


def test_deleting_the_journal_is_detected(db, cli_env, run_cli):
    killed_writer(db, cli_env, "C-1", "C-2", "C-3")
    journal(db).unlink()
    done = doctor(run_cli, cli_env, db)
    assert done.returncode == 1, done.stdout
    assert "3 saved changes (number 2 to 4) are missing" in done.stdout  # 1 made C-KEPT
    assert "journal was deleted" in done.stdout and "--accept-missing" in done.stdout
    codes, notes = opened(db, read_only=True)
    assert codes == {"C-KEPT"} and notes and "Saved changes are missing" in notes[0]
    codes, notes = opened(db)  # the writer opens all the same, records it, says so
    assert codes == {"C-KEPT"} and notes
    assert doctor(run_cli, cli_env, db).returncode == 1  # still reported after the app opened it
    store = Store(db, passphrase=phrase(db))  # warned about at every open; work goes on
    assert store.integrity_notes
    store.put_client(Client(code="C-AFTER"))
    store.close()
    # The backup of that session is numbered past the lost changes but does not hold them.
    assert backups.list_backups(db)[0].taken > backups.list_backups(db)[1].taken
    done = doctor(run_cli, cli_env, db)
    assert done.returncode == 1 and "No backup holds those changes" in done.stdout, done.stdout
    assert opened(db, read_only=True)[0] == {"C-KEPT", "C-AFTER"}


@pytest.mark.parametrize("which", [0, 1, -1])
def test_deleting_one_journal_line_is_detected(db, cli_env, run_cli, which):
    killed_writer(db, cli_env, "C-1", "C-2", "C-3")
    lines = journal(db).read_bytes().splitlines(keepends=True)
    assert len(lines) == 3
    lost = f"C-{[1, 2, 3][which]}"
    del lines[which]
    journal(db).write_bytes(b"".join(lines))
    done = doctor(run_cli, cli_env, db)
    assert done.returncode == 1, done.stdout
    number = [2, 3, 4][which]
    assert f"1 saved change (number {number})" in done.stdout, done.stdout
    codes, notes = opened(db)
    assert lost not in codes and len(codes) == 3 and notes


def test_an_old_backup_copied_over_the_file_is_detected_and_the_backup_that_holds_it_named(db, cli_env, run_cli):
    older = backups.list_backups(db)[0]
    store = Store(db, passphrase=phrase(db))
    store.put_client(Client(code="C-NEW"))
    store.close()
    newest = backups.list_backups(db)[0]
    assert newest != older
    # The whole DB rolled back by hand: the older backup's file put in place of the live one.
    db.write_bytes(backups.materialise(db, older, crypto.Keyring(phrase(db)))[0])
    done = doctor(run_cli, cli_env, db)
    assert done.returncode == 1, done.stdout
    assert "1 saved change " in done.stdout and "older copy was put in place" in done.stdout
    assert f"--restore {newest.name}" in done.stdout
    assert opened(db)[1]  # the app opens it and warns
    put_back = doctor(run_cli, cli_env, db, "--restore", newest.name, "--yes")
    assert put_back.returncode == 0, put_back.stdout + put_back.stderr
    assert opened(db) == ({"C-KEPT", "C-NEW"}, [])
    assert doctor(run_cli, cli_env, db).returncode == 0


def test_accept_missing_stops_the_report_and_keeps_the_record(db, cli_env, run_cli):
    from cope_tui.store import anchor  # new with these tests: imported here, so the others ran against the code before it
    killed_writer(db, cli_env, "C-1")
    journal(db).unlink()
    assert doctor(run_cli, cli_env, db).returncode == 1
    accepted = doctor(run_cli, cli_env, db, "--accept-missing")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "Accepted as lost: 1 saved change " in accepted.stdout
    assert doctor(run_cli, cli_env, db).returncode == 0
    assert opened(db)[1] == []
    kept = orjson.loads(next(anchor.folder().glob("*.missing")).read_bytes())["missing"]
    assert [(g["first"], g["last"]) for g in kept] == [(2, 2)] and kept[0]["accepted"]  # 1 made C-KEPT
    # A later loss is reported again.
    killed_writer(db, cli_env, "C-2")
    journal(db).unlink()
    assert doctor(run_cli, cli_env, db).returncode == 1


def test_a_line_put_back_is_not_applied(db, cli_env, run_cli):
    """An older line of the same record appended again (a replay) must not undo the newer one."""
    killed_writer(db, cli_env, "C-1")
    store = Store(db, passphrase=phrase(db))  # folds that line in: the file holds change 2
    client = store.client_by_code("C-1")
    for note in ("an older note", "the newest note"):  # changes 3 and 4, in the journal
        client.note = note
        store.put_client(client)
    store.journal.close()  # killed: no closing compaction
    store.lock.release()
    lines = journal(db).read_bytes().splitlines(keepends=True)
    journal(db).write_bytes(b"".join(lines) + lines[0])  # change 3 once more, at the end
    store = Store(db, read_only=True, passphrase=phrase(db))
    assert store.client_by_code("C-1").note == "the newest note"
    assert "repeats change 3" in store.integrity_notes[0]
    store.close()
    done = doctor(run_cli, cli_env, db)
    assert done.returncode == 1 and "repeats change 3" in done.stdout


async def test_the_app_warns_and_opens(db, cli_env, tmp_path):
    killed_writer(db, cli_env, "C-1", "C-2")
    journal(db).unlink()
    session = Session.open(db, passphrase=phrase(db))
    app = create_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: any("missing" in str(n.message) for n in app._notifications))
        note = next(str(n.message) for n in app._notifications if "missing" in str(n.message))
        assert "2 saved changes" in note and "cope-tui doctor" in note
        assert {c.code for c in session.store.client_summaries()} == {"C-KEPT"}
        await pilot.press("ctrl+q")
    assert session.close()


# ---- damaged backups ---------------------------------------------------------------------------


def test_a_damaged_backup_is_a_problem(db, cli_env, run_cli):
    [backup] = [b for b in backups.list_backups(db) if crypto.is_encrypted(b.path) == crypto.is_encrypted(db)][:1]
    raw = bytearray(backup.path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    backup.path.write_bytes(bytes(raw))
    done = doctor(run_cli, cli_env, db)
    assert done.returncode == 1, done.stdout
    assert f"the backup '{backup.name}' is damaged" in done.stdout and "BAD" in done.stdout


# ---- old DBs, conversions, crashes -------------------------------------------------------------


def test_an_older_db_without_numbers_opens_quietly_and_is_anchored(tmp_path, cli_env, run_cli):
    from cope_tui.store import anchor  # new with these tests: imported here, so the others ran against the code before it
    db = tmp_path / "data" / "cope.json"
    db.parent.mkdir(mode=0o700)
    client = orjson.loads(orjson.dumps(Client(code="C-OLD").model_dump(mode="json")))
    other = orjson.loads(orjson.dumps(Client(code="C-OLD-2").model_dump(mode="json")))
    db.write_bytes(orjson.dumps({"meta": {"app": {"app": "cope-tui", "schema": 1}}, "clients": {client["id"]: client}}))
    journal(db).write_bytes(orjson.dumps({"t": "clients", "id": other["id"], "doc": other}) + b"\n")
    assert doctor(run_cli, cli_env, db).returncode == 0
    codes, notes = opened(db)
    assert codes == {"C-OLD", "C-OLD-2"} and notes == []
    assert anchor.file_seq(orjson.loads(db.read_bytes())) == 0 and anchor.read_seq(db) == 0
    folder = anchor.folder()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
    store = Store(db)
    store.put_client(Client(code="C-NEW"))
    store.close()
    assert anchor.read_seq(db) == 1 and anchor.file_seq(orjson.loads(db.read_bytes())) == 1
    assert doctor(run_cli, cli_env, db).returncode == 0


def test_encrypt_and_decrypt_carry_the_numbers(tmp_path, cli_env, run_cli):
    from cope_tui.store import anchor  # new with these tests: imported here, so the others ran against the code before it
    db = tmp_path / "data" / "cope.json"
    Store(db).close()
    killed_writer(db, cli_env, "C-1", "C-2")  # two lines still in the journal
    rekey.convert(db, rekey.ENCRYPT, PASS)
    assert opened(db, read_only=True) == ({"C-1", "C-2"}, [])
    killed_writer(db, cli_env, "C-3")
    rekey.convert(db, rekey.DECRYPT, PASS)
    # The writer of C-3 folded changes 1 and 2 into the file at its open.
    assert anchor.file_seq(orjson.loads(db.read_bytes())) == 2
    assert [orjson.loads(line)["seq"] for line in journal(db).read_bytes().splitlines()] == [3]
    assert opened(db) == ({"C-1", "C-2", "C-3"}, [])
    journal(db).unlink(missing_ok=True)  # everything is in the main file now: nothing lost
    assert doctor(run_cli, cli_env, db).returncode == 0


def test_a_new_db_where_one_was_deleted_starts_afresh(tmp_path, cli_env, run_cli):
    from cope_tui.store import audit

    db = tmp_path / "data" / "cope.json"
    killed_writer(db, cli_env, "C-1", "C-2")
    store = Store(db, read_only=True)
    assert audit.log_export(store, what="all clients", target="all.md", data="x") is None
    store.close()
    shutil.rmtree(db.parent)  # every file of it, on purpose
    assert opened(db) == (set(), [])
    store = Store(db, read_only=True)
    assert audit.log_export(store, what="all clients", target="all.md", data="y") is None
    store.close()
    assert doctor(run_cli, cli_env, db).returncode == 0  # the new log starts at entry 1


def _kill_rounds(db: Path, env: dict[str, str], rounds: int, seed: int) -> int:
    """The torture writer of test_durability, killed at random instants; after each kill
    the DB opens (read-only, then for writing) with no alarm. Returns the saves reported."""
    rng = random.Random(seed)
    saves = 0
    for kill in range(rounds):
        child = subprocess.Popen(
            [sys.executable, str(WRITER), "torture", str(db), str(rng.randrange(1 << 30)), str(16 * 1024)],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        assert child.stdout.readline() == b"ready\n"
        child.stdin.write(b"go\n")
        child.stdin.flush()
        # Sometimes while it opens (and folds what the last one left), mostly while saving;
        # an encrypted DB first spends a moment deriving its key.
        opening = 0.6 if env.get("COPE_TUI_PASSPHRASE") else 0.0
        time.sleep(rng.uniform(0.0, 0.4) + (opening if rng.random() < 0.8 else 0.0))
        os.kill(child.pid, signal.SIGKILL)
        out, _ = child.communicate(timeout=60)
        saves += out.count(b"\nS ") + out.startswith(b"S ")
        where = f"seed {seed}, kill {kill}"
        for read_only in (True, False):
            store = Store(db, read_only=read_only, passphrase=env.get("COPE_TUI_PASSPHRASE"))
            try:
                store.clients()
                assert store.integrity_notes == [], (where, store.integrity_notes)
            finally:
                store.close()
    return saves


@pytest.mark.parametrize("sealed", [False, True])
def test_kill_9_at_any_instant_raises_no_false_alarm(tmp_path, cli_env, run_cli, sealed):
    db = tmp_path / "data" / "cope.json"
    env = dict(cli_env)
    if sealed:
        rekey.convert(db, rekey.ENCRYPT, PASS)
        env["COPE_TUI_PASSPHRASE"] = PASS
    assert _kill_rounds(db, env, 6, seed=11 + sealed) > 0
    assert run_cli(["doctor", "--db", str(db)], env).returncode == 0


@pytest.mark.slow
@pytest.mark.parametrize("sealed", [False, True])
def test_kill_9_at_any_instant_raises_no_false_alarm_long(tmp_path, cli_env, run_cli, sealed):
    db = tmp_path / "data" / "cope.json"
    env = dict(cli_env)
    if sealed:
        rekey.convert(db, rekey.ENCRYPT, PASS)
        env["COPE_TUI_PASSPHRASE"] = PASS
    seed = random.SystemRandom().randrange(1 << 20)
    assert _kill_rounds(db, env, 80, seed=seed) > 0
    assert run_cli(["doctor", "--db", str(db)], env).returncode == 0
