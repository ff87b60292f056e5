"""`cope-tui encrypt` / `decrypt` and the passphrase on the command line, in subprocesses
(and on a pseudo-terminal where the passphrase must be typed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cope_tui.store import audit, backups, crypto
from cope_tui.meetings.models import Client
from cope_tui.store.store import Store, StoreError
from helpers.stored import one_client_db

PASS = "a long and private phrase"
MARK = "OKAPI-MARKER-4410"


@pytest.fixture
def with_pass(cli_env):
    return {**cli_env, "COPE_TUI_PASSPHRASE": PASS}


def test_encrypt_export_decrypt_with_the_environment(tmp_path, run_cli, with_pass, cli_env):
    db = one_client_db(tmp_path, "C-7", f"note {MARK}")
    done = run_cli(["encrypt", "--db", str(db)], with_pass)
    assert done.returncode == 0, done.stderr
    assert "Encrypted" in done.stdout and crypto.is_encrypted(db)
    assert MARK.encode() not in db.read_bytes()

    done = run_cli(["export", "--client", "C-7", "--db", str(db)], with_pass)
    assert done.returncode == 0, done.stderr
    assert MARK in done.stdout
    assert "plain text" in done.stderr  # the export itself is not encrypted, and it says so

    done = run_cli(["export", "--client", "C-7", "--db", str(db)], cli_env)  # no tty, no variable
    assert done.returncode == 1
    assert "COPE_TUI_PASSPHRASE" in done.stderr and str(db) in done.stderr and MARK not in done.stdout

    wrong = {**cli_env, "COPE_TUI_PASSPHRASE": "not it"}
    done = run_cli(["export", "--client", "C-7", "--db", str(db)], wrong)
    assert done.returncode == 1 and "does not open" in done.stderr and "COPE_TUI_PASSPHRASE" in done.stderr

    done = run_cli(["decrypt", "--db", str(db)], wrong)
    assert done.returncode == 1 and "does not open" in done.stderr and crypto.is_encrypted(db)

    done = run_cli(["decrypt", "--db", str(db)], with_pass)
    assert done.returncode == 0, done.stderr
    assert not crypto.is_encrypted(db) and MARK.encode() in db.read_bytes()

    done = run_cli(["decrypt", "--db", str(db)], with_pass)
    assert done.returncode == 1 and "not encrypted" in done.stderr


def test_encrypt_a_new_path_then_fill_it_with_demo_data(tmp_path, run_cli, with_pass, cli_env):
    db = tmp_path / "fresh" / "cope.json"
    done = run_cli(["encrypt", "--db", str(db)], with_pass)
    assert done.returncode == 0 and "Created the encrypted database" in done.stdout, done.stderr
    done = run_cli(["demo", "--db", str(db), "--clients", "2", "--meetings", "3"], with_pass)
    assert done.returncode == 0, done.stderr
    done = run_cli(["demo", "--db", str(db)], cli_env)
    assert done.returncode == 1 and "COPE_TUI_PASSPHRASE" in done.stderr
    store = Store(db, passphrase=PASS)
    assert len(store.clients()) == 2
    store.close()


def test_encrypt_is_refused_while_another_process_has_the_db(tmp_path, run_cli, with_pass):
    db = one_client_db(tmp_path, "C-7", f"note {MARK}")
    store = Store(db)
    try:
        done = run_cli(["encrypt", "--db", str(db)], with_pass)
    finally:
        store.close()
    assert done.returncode == 1 and "in use" in done.stderr
    assert not crypto.is_encrypted(db)


def test_encrypt_without_a_terminal_or_variable_changes_nothing(tmp_path, run_cli, cli_env):
    db = one_client_db(tmp_path, "C-7", f"note {MARK}")
    before = db.read_bytes()
    done = run_cli(["encrypt", "--db", str(db)], cli_env)
    assert done.returncode == 1 and "COPE_TUI_PASSPHRASE" in done.stderr
    assert db.read_bytes() == before


def test_doctor_on_an_encrypted_db(tmp_path, run_cli, with_pass, cli_env):
    db = one_client_db(tmp_path, "C-7", f"note {MARK}")
    assert run_cli(["encrypt", "--db", str(db)], with_pass).returncode == 0
    done = run_cli(["doctor", "--db", str(db)], with_pass)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "encrypted (AES-256-GCM" in done.stdout and "1 client" in done.stdout

    done = run_cli(["doctor", "--db", str(db)], cli_env)
    assert done.returncode == 1 and "COPE_TUI_PASSPHRASE" in done.stdout + done.stderr

    raw = bytearray(db.read_bytes())
    raw[len(raw) // 2] ^= 0x10
    db.write_bytes(bytes(raw))
    done = run_cli(["doctor", "--db", str(db)], with_pass)
    assert done.returncode == 1 and "authentication check" in done.stdout
    assert db.read_bytes() == bytes(raw)


def test_doctor_without_the_passphrase_leaves_sealed_backups_unjudged(tmp_path, run_cli, with_pass, cli_env):
    db = one_client_db(tmp_path, "C-7", f"note {MARK}")
    assert run_cli(["encrypt", "--db", str(db)], with_pass).returncode == 0
    Store(db, passphrase=PASS).close()
    assert backups.list_backups(db)

    done = run_cli(["doctor", "--db", str(db)], cli_env)  # no terminal, no variable
    assert done.returncode == 1
    assert "not checked: encrypted" in done.stdout and "BAD" not in done.stdout
    assert "There is no good backup" not in done.stdout  # they were never looked at
    assert "give the passphrase" in done.stdout and "COPE_TUI_PASSPHRASE" in done.stdout

    # A wrong passphrase in the variable is no damage of theirs either: they were all BAD,
    # and "no good backup to restore" (moving them out of the folder is its advice for BAD).
    wrong = run_cli(["doctor", "--db", str(db)], {**cli_env, "COPE_TUI_PASSPHRASE": "not the passphrase"})
    assert wrong.returncode == 1 and "BAD" not in wrong.stdout and "not checked: encrypted" in wrong.stdout
    assert "There is no good backup" not in wrong.stdout

    raw = db.read_bytes()
    db.write_bytes(raw[: len(raw) // 2])
    done = run_cli(["doctor", "--db", str(db)], with_pass)
    assert done.returncode == 1 and "is cut short" in done.stdout
    assert "Run 'cope-tui doctor" not in done.stdout  # this is the doctor: it says what to do
    assert "--restore-newest" in done.stdout


def sealed_log(db: Path) -> list[dict]:
    """The audit log's entries, opened with the DB's key; every line must open."""
    from cope_tui.store.audit_check import read_log

    log = read_log(db, crypto.Keyring(PASS).codec_for(db.read_bytes()))
    assert not log.damaged and not log.torn
    return [entry for _, entry in log.entries]


def test_a_restore_of_an_encrypted_db_goes_into_its_sealed_audit_log(tmp_path, run_cli, with_pass):
    db = one_client_db(tmp_path, "C-7", f"note {MARK}")
    assert run_cli(["encrypt", "--db", str(db)], with_pass).returncode == 0
    store = Store(db, passphrase=PASS)  # a save and a close: a sealed snapshot to restore
    store.put_client(Client(code="C-8"))
    store.close()
    backup = backups.list_backups(db)[0]
    raw = bytearray(db.read_bytes())
    raw[-3] ^= 0x01
    db.write_bytes(bytes(raw))

    done = run_cli(["doctor", "--db", str(db), "--restore-newest", "--yes"], with_pass)
    assert done.returncode == 0, done.stdout + done.stderr
    last = sealed_log(db)[-1]
    assert last["kind"] == "restore" and last["target"] == backup.path.name
    assert b"restore" not in audit.log_path(db).read_bytes()  # sealed like every other line

    # Without the key a compressed, sealed backup cannot be put back: refused, nothing written.
    before = audit.log_path(db).read_bytes(), db.read_bytes()
    heard: list[str] = []
    with pytest.raises(StoreError, match="passphrase"):
        backups.restore(db, backup, on_note=heard.append)
    assert (audit.log_path(db).read_bytes(), db.read_bytes()) == before and heard == []
    backups.restore(db, backup, crypto.Keyring(PASS), on_note=heard.append)
    assert heard == [] and [e["kind"] for e in sealed_log(db)[-2:]] == ["restore", "restore"]


def test_every_command_that_opens_a_db_names_the_variable(run_cli, cli_env):
    for command in ([], ["meet"], ["export"], ["demo"], ["doctor"], ["encrypt"], ["decrypt"]):
        done = run_cli([*command, "--help"], cli_env)
        assert done.returncode == 0 and "COPE_TUI_PASSPHRASE" in done.stdout, command


def test_a_short_new_passphrase_is_refused_with_the_reason(tmp_path, monkeypatch, capsys):
    from cope_tui.cli.crypto import PassphraseNeeded, new_passphrase

    monkeypatch.delenv("COPE_TUI_PASSPHRASE", raising=False)
    typed = iter(["short", PASS, PASS])
    assert new_passphrase(tmp_path / "c.json", ask_fn=lambda _prompt: next(typed), tty=True) == PASS
    assert "at least 8 characters" in capsys.readouterr().err

    monkeypatch.setenv("COPE_TUI_PASSPHRASE", "short")
    with pytest.raises(PassphraseNeeded, match="shorter than 8 characters"):
        new_passphrase(tmp_path / "c.json", tty=False)


def test_encrypting_a_db_that_is_only_its_journal_says_encrypted_not_created(tmp_path, run_cli, with_pass):
    """A new DB killed before its first fold holds its records in the journal alone."""
    import shutil

    from cope_tui.meetings.models import Client
    from cope_tui.store.store import Store

    db = tmp_path / "first" / "cope.json"
    store = Store(db)
    store.put_client(Client(code="C-1"))
    crashed = tmp_path / "crashed" / "cope.json"
    crashed.parent.mkdir()
    shutil.copy(db.with_name("cope.json.journal"), crashed.with_name("cope.json.journal"))
    store.close()
    done = run_cli(["encrypt", "--db", str(crashed)], with_pass)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Encrypted") and "Created" not in done.stdout


def test_a_backup_from_before_the_encrypt_is_not_restored_as_plain_text(tmp_path, run_cli, with_pass):
    """Put back over an encrypted DB, it made the records plain text again beside a sealed
    journal and log: `export` printed them with no passphrase, and nothing said why."""
    import shutil

    db = one_client_db(tmp_path, "C-7", f"note {MARK}")
    plain_copy = tmp_path / "before-encrypt.json"
    shutil.copy(db, plain_copy)
    assert run_cli(["encrypt", "--db", str(db)], with_pass).returncode == 0
    before = db.read_bytes()
    done = run_cli(["doctor", "--db", str(db), "--restore", str(plain_copy), "--yes"], with_pass)
    assert done.returncode == 1 and "plain text" in done.stderr and "decrypt" in done.stderr, done.stdout + done.stderr
    assert db.read_bytes() == before and crypto.is_encrypted(db)


def test_decrypt_of_a_mistyped_path_says_there_is_no_database(tmp_path, run_cli, with_pass):
    """It said "'typo.json' is not encrypted", which sends the user looking at the wrong DB."""
    done = run_cli(["decrypt", "--db", str(tmp_path / "typo.json")], with_pass)
    assert done.returncode == 1 and "there is no database at" in done.stderr and "not encrypted" not in done.stderr
    assert not (tmp_path / "typo.json").exists()


def test_doctor_after_three_wrong_passphrases_at_a_terminal_does_not_ask_for_a_terminal(tmp_path, run_cli,
                                                                                         with_pass, cli_env):
    """It said "Run this at a terminal to be asked for it" to someone who had just been
    asked three times at one."""
    from helpers.terminal import Terminal

    db = one_client_db(tmp_path, "C-7", "note")
    assert run_cli(["encrypt", "--db", str(db)], with_pass).returncode == 0
    term = Terminal(["doctor", "--db", str(db)], cli_env)
    for _ in range(3):
        term.wait_for_new("Passphrase for")
        term.type("not the passphrase\r")
    term.wait_for("Giving up on the passphrase")
    assert term.exit_status() == 1 << 8  # a wait status: exit status 1
    said = term.seen.decode(errors="replace")
    assert "no passphrase typed opened it" in said and "at a terminal" not in said.split("Giving up", 1)[1]


def test_a_db_from_a_newer_cope_tui_is_not_encrypted(tmp_path, run_cli, with_pass):
    """encrypt rewrote it: a newer version's files this one does not know would be left plain."""
    import orjson

    db = tmp_path / "cope.json"
    before = orjson.dumps({"meta": {"app": {"app": "cope-tui", "schema": 99}}, "clients": {}, "meetings": {}})
    db.write_bytes(before)
    db.chmod(0o600)
    done = run_cli(["encrypt", "--db", str(db)], with_pass)
    assert done.returncode == 1 and "newer cope-tui (format 99)" in done.stderr and "update cope-tui" in done.stderr
    assert db.read_bytes() == before and not crypto.marker_path(db).exists()
