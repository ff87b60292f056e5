"""Opening the app on a locked or damaged database: what is offered at a terminal (read-only,
the newest good backup), and what is said without one."""

from __future__ import annotations

import pytest

from helpers.stored import add_clients


def _damage(db, content=b'{"meta": {"app": tr'):
    db.unlink()  # a new file, as a broken tool would leave: the backups stay intact
    db.write_bytes(content)
    return content


class _FakeApp:
    """Stands in for the Textual app: records what it was opened with, then closes."""

    def __init__(self):
        self.calls = []

    def __call__(self, session, db, meet_code):
        self.calls.append(
            {"read_only": session.store.read_only, "codes": [c.code for c in session.store.clients()], "meet": meet_code}
        )
        session.close()
        return 0


def _answer(*replies):
    asked = []

    def reply(prompt):
        asked.append(prompt)
        return replies[len(asked) - 1]

    reply.asked = asked
    return reply


def _never(prompt):
    raise AssertionError(f"asked without a terminal: {prompt}")


@pytest.mark.parametrize("meet_code", [None, "C-1"])
def test_locked_db_offers_read_only_at_a_terminal(tmp_path, capsys, meet_code):
    from cope_tui.cli import main as cli_module
    from cope_tui.store.store import Store

    db = tmp_path / "held.json"
    add_clients(db, "C-1")
    holder = Store(db)
    try:
        app = _FakeApp()
        reply = _answer("y")
        assert cli_module.launch(db, meet_code=meet_code, is_tty=True, input_fn=reply, run=app) == 0
        assert reply.asked == ["Open it read-only instead? [y/N] "]
        assert app.calls == [{"read_only": True, "codes": ["C-1"], "meet": None}]
        assert "in use by process" in capsys.readouterr().err

        app = _FakeApp()
        assert cli_module.launch(db, meet_code=meet_code, is_tty=True, input_fn=_answer("n"), run=app) == 1
        assert app.calls == []

        assert cli_module.launch(db, meet_code=meet_code, is_tty=False, input_fn=_never, run=app) == 1
        assert app.calls == []
    finally:
        holder.close()


def test_damaged_db_offers_the_newest_good_backup_at_a_terminal(tmp_path, capsys):
    from cope_tui.store import backups
    from cope_tui.cli import main as cli_module

    db = tmp_path / "hurt.json"
    add_clients(db, "C-1")
    add_clients(db, "C-2")
    content = _damage(db)

    app = _FakeApp()
    assert cli_module.launch(db, is_tty=True, input_fn=_answer("n"), run=app) == 1
    err = capsys.readouterr().err
    assert "not valid JSON" in err
    assert "the newest good backup is from" in err and "(2 clients, 0 meetings)" in err
    assert f"cope-tui doctor --db {db} --restore-newest" in err
    assert app.calls == [] and db.read_bytes() == content

    reply = _answer("y")
    assert cli_module.launch(db, meet_code="C-9", is_tty=True, input_fn=reply, run=app) == 0
    assert reply.asked == ["Restore it now? The damaged file is kept aside. [y/N] "]
    assert app.calls == [{"read_only": False, "codes": ["C-1", "C-2"], "meet": "C-9"}]
    [aside] = [p for p in tmp_path.iterdir() if p.name.startswith("hurt.json.damaged-")]
    assert aside.read_bytes() == content
    assert "kept as" in capsys.readouterr().err
    assert backups.check_file(db).ok


def test_damaged_db_without_a_terminal_is_not_asked(tmp_path, capsys):
    from cope_tui.cli import main as cli_module

    db = tmp_path / "hurt.json"
    add_clients(db, "C-1")
    content = _damage(db)
    app = _FakeApp()
    assert cli_module.launch(db, is_tty=False, input_fn=_never, run=app) == 1
    assert "--restore-newest" in capsys.readouterr().err
    assert app.calls == [] and db.read_bytes() == content
    # --read-only never restores, even at a terminal.
    assert cli_module.launch(db, read_only=True, is_tty=True, input_fn=_never, run=app) == 1
    assert db.read_bytes() == content


def test_damaged_db_without_backups_says_so_and_asks_nothing(tmp_path, capsys):
    from cope_tui.cli import main as cli_module

    db = tmp_path / "other.json"
    db.write_bytes(b'{"settings": {}}')
    assert cli_module.launch(db, is_tty=True, input_fn=_never, run=_FakeApp()) == 1
    assert "not a cope-tui database" in capsys.readouterr().err
    assert db.read_bytes() == b'{"settings": {}}'


def test_ask_yes_no_only_yes_is_yes():
    from cope_tui.cli.main import ask_yes_no

    assert ask_yes_no("Go?", lambda p: " Y ") and ask_yes_no("Go?", lambda p: "yes")
    assert not ask_yes_no("Go?", lambda p: "") and not ask_yes_no("Go?", lambda p: "no")

    def eof(prompt):
        raise EOFError

    assert not ask_yes_no("Go?", eof)


@pytest.mark.parametrize("command", [[], ["meet", "C-1"]])
def test_app_on_a_damaged_db_names_the_backup_without_a_terminal(cli, tmp_path, command):
    db = tmp_path / "hurt.json"
    add_clients(db, "C-1")
    content = _damage(db)
    done = cli(*command, "--db", db)
    assert done.returncode == 1
    assert done.stderr.startswith("cope-tui: ")
    assert "the newest good backup is from" in done.stderr
    assert f"cope-tui doctor --db {db} --restore-newest" in done.stderr
    assert "Traceback" not in done.stderr and "[y/N]" not in done.stdout
    assert db.read_bytes() == content


def test_app_on_a_locked_db_without_a_terminal_exits_1_as_before(cli, tmp_path):
    from cope_tui.store.store import Store

    db = tmp_path / "held.json"
    store = Store(db)
    try:
        done = cli("--db", db)
    finally:
        store.close()
    assert done.returncode == 1
    # the command given opens this very DB: 'cope-tui --read-only' alone opened the default one
    assert "in use" in done.stderr and f"'cope-tui --db {db} --read-only' does that" in done.stderr
    assert "[y/N]" not in done.stdout


def test_export_of_a_damaged_db_names_the_backup(cli, tmp_path):
    db = tmp_path / "hurt.json"
    add_clients(db, "C-1")
    _damage(db)
    done = cli("export", "--all", "--db", db)
    assert done.returncode == 1
    assert "--restore-newest" in done.stderr




def test_advice_to_run_a_command_names_the_db_that_was_opened(cli, tmp_path):
    """'Run cope-tui doctor' checked the default database, not the --db typed (which could
    answer "Healthy" about another file); the advice now gives the command for this one."""
    folder = tmp_path / "team files"
    folder.mkdir()
    db = folder / "hurt.json"
    db.write_bytes(b"not json at all")  # a damaged file with no backups beside it
    done = cli("export", "--all", "--db", db)
    assert done.returncode == 1
    assert f"Run 'cope-tui doctor --db '{db}'' to check it" in done.stderr, done.stderr
    other = tmp_path / "other.json"
    add_clients(other, "C-1")
    missing = cli("export", "--client", "C-404", "--db", other)
    assert missing.returncode == 1
    assert f"'cope-tui export --db {other} --all' exports everything" in missing.stderr, missing.stderr


def test_the_app_with_no_terminal_says_so_and_lets_go_of_the_db(cli, tmp_path):
    """`cope-tui | head` spun at full speed once head had gone, holding the lock until killed."""
    from cope_tui.store.store import Store

    db = tmp_path / "piped.json"
    add_clients(db, "C-1")
    done = cli("--db", db)
    assert done.returncode == 1 and "needs a terminal" in done.stderr and "Traceback" not in done.stderr
    Store(db).close()  # the lock is free: this raised DatabaseLocked while it spun


def test_the_app_with_no_terminal_makes_no_new_database(cli, tmp_path):
    """It made the DB, its journal, lock, summary and backups folder, then refused."""
    db = tmp_path / "new" / "fresh.json"
    for args in (["--db", db], ["meet", "C-1", "--db", db]):
        done = cli(*args)
        assert done.returncode == 1 and "needs a terminal" in done.stderr
    assert not db.parent.exists()
