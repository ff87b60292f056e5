"""The command line, run as a subprocess exactly as a user would (the TUI is never started)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from cope_tui import __version__
from cope_tui.paths import ENV_DB, default_db_path
from helpers.cli import CLI


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small demo DB shared by the read-only export tests."""
    import os
    import subprocess
    import sys

    base = tmp_path_factory.mktemp("demo")
    env = dict(os.environ, XDG_DATA_HOME=str(base / "data"), XDG_CONFIG_HOME=str(base / "config"))
    env.pop(ENV_DB, None)
    db = base / "demo.json"
    done = subprocess.run(
        [*CLI, "demo", "--db", str(db), "--clients", "4", "--meetings", "10"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return db


def test_version(cli):
    done = cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"cope-tui {__version__}"


@pytest.mark.parametrize("command", ["meet", "export", "demo", "doctor", "encrypt", "decrypt", "sync", "erase"])
def test_version_after_a_command(cli, command):
    """It was a usage error, differently worded for each command (or a missing CODE)."""
    done = cli(command, "--version")
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, f"cope-tui {__version__}", "")


def test_top_level_help_lists_commands_db_and_exit_codes(cli, isolated_user_dirs):
    done = cli("--help")
    assert done.returncode == 0
    out = done.stdout
    for word in ("meet", "export", "demo", "--db", "--read-only", "--version", ENV_DB, "exit status"):
        assert word in out
    # A plain DB's lock goes with enter: it said only "until the passphrase is typed again".
    lock = out.split("screen lock:")[1].split("exit status:")[0]
    assert "passphrase" in lock and "plain one: enter" in lock
    # Where the DB lives by default: under the (isolated) user data dir.
    assert str(default_db_path()) in out
    assert default_db_path().is_relative_to(isolated_user_dirs["XDG_DATA_HOME"])


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("meet", ["CODE", "--db"]),
        ("export", ["--client", "--meeting", "--all", "--exercise", "-o", "--db"]),
        ("demo", ["--db", "--clients", "--meetings", "--seed"]),
    ],
)
def test_command_help_shows_options_and_example(cli, command, options):
    done = cli(command, "--help")
    assert done.returncode == 0, done.stderr
    assert f"usage: cope-tui {command}" in done.stdout
    for option in options:
        assert option in done.stdout
    assert "example" in done.stdout


def test_demo_then_export_all(cli, tmp_path):
    db = tmp_path / "demo.json"
    done = cli("demo", "--db", db, "--clients", "3", "--meetings", "7")
    assert done.returncode == 0, done.stderr
    assert "3 clients" in done.stdout and "7 meetings" in done.stdout and str(db) in done.stdout
    assert stat.S_IMODE(db.stat().st_mode) == 0o600

    done = cli("export", "--all", "--db", db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.lstrip().startswith("#")
    for code in ("C-0001", "C-0002", "C-0003"):
        assert code in done.stdout


def test_db_before_the_command_works_too(cli, demo_db):
    done = cli("--db", demo_db, "export", "--client", "C-0002")
    assert done.returncode == 0, done.stderr
    assert "C-0002" in done.stdout


def test_db_from_environment(run_cli, cli_env, demo_db):
    env = dict(cli_env, COPE_TUI_DB=str(demo_db))
    done = run_cli(["export", "--client", "C-0001"], env)
    assert done.returncode == 0, done.stderr
    assert "C-0001" in done.stdout


def test_export_client_to_stdout_and_to_private_file(cli, demo_db, tmp_path):
    shown = cli("export", "--client", "C-0001", "--db", demo_db)
    assert shown.returncode == 0, shown.stderr
    assert "C-0001" in shown.stdout
    assert "C-0002" not in shown.stdout

    out = tmp_path / "c1.md"
    done = cli("export", "--client", "C-0001", "--db", demo_db, "-o", out)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert f"Wrote {out}" in done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text(encoding="utf-8") == shown.stdout


def test_export_one_meeting(cli, demo_db):
    from cope_tui.store.store import Store

    store = Store(demo_db, read_only=True)
    meeting = store.meetings()[0]
    code = store.client(meeting.client_id).code
    store.close()
    done = cli("export", "--meeting", meeting.id, "--db", demo_db)
    assert done.returncode == 0, done.stderr
    assert code in done.stdout


def test_export_does_not_change_the_db(cli, demo_db):
    before = demo_db.read_bytes()
    assert cli("export", "--all", "--db", demo_db).returncode == 0
    assert demo_db.read_bytes() == before


@pytest.mark.parametrize(("selector", "value"), [("--client", "C-9999"), ("--meeting", "nope1234"), ("--meeting", "a")])
def test_export_unknown_record(cli, demo_db, selector, value):
    done = cli("export", selector, value, "--db", demo_db)
    assert done.returncode == 1
    assert done.stdout == ""
    assert value in done.stderr
    assert "--all" in done.stderr
    assert "Traceback" not in done.stderr
    # An id's start too short to look for says so, rather than that no meeting has it.
    assert ("4 characters or more" in done.stderr) == (len(value) < 4)


def test_export_missing_db(cli, tmp_path):
    missing = tmp_path / "nothing.json"
    done = cli("export", "--all", "--db", missing)
    assert done.returncode == 1
    assert str(missing) in done.stderr
    assert "Traceback" not in done.stderr
    assert not missing.exists()


def test_export_needs_a_selector(cli, demo_db):
    done = cli("export", "--db", demo_db)
    assert done.returncode == 2
    assert "--client" in done.stderr and done.stdout == ""


def test_export_selectors_are_exclusive(cli, demo_db):
    done = cli("export", "--all", "--client", "C-0001", "--db", demo_db)
    assert done.returncode == 2


@pytest.mark.parametrize(
    "content",
    [
        b"{ this is not json",
        b'{"users": {"1": {"name": "someone else\'s data"}}}',
        b"[1, 2, 3]",
    ],
    ids=["corrupt", "foreign", "not-a-table"],
)
def test_export_refuses_bad_file_and_leaves_it_alone(cli, tmp_path, content):
    db = tmp_path / "bad.json"
    db.write_bytes(content)
    done = cli("export", "--all", "--db", db)
    assert done.returncode == 1
    assert done.stderr.startswith("cope-tui: ")
    assert str(db) in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert db.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("bad")) == ["bad.json"]


def test_demo_writes_nothing_into_a_db_with_clients(cli, tmp_path):
    """Issue 13 changed the exit status: the demo already there is no failure (the README's
    `demo && open` works twice); other clients are still refused (test_readme_promises)."""
    db = tmp_path / "d.json"
    assert cli("demo", "--db", db, "--clients", "2", "--meetings", "3").returncode == 0
    before = cli("export", "--all", "--db", db).stdout
    done = cli("demo", "--db", db, "--seed", "2")
    assert done.returncode == 0
    assert "already holds the demo data (2 clients); nothing was written" in done.stdout
    assert "Traceback" not in done.stderr
    assert cli("export", "--all", "--db", db).stdout == before


def test_export_works_while_the_db_is_open_elsewhere(cli, tmp_path):
    from cope_tui.content.meeting_guide import load_meeting_guide
    from cope_tui.session import create_client, start_meeting
    from cope_tui.store.store import Store

    db = tmp_path / "live.json"
    store = Store(db)  # holds the lock, as the running app would
    try:
        client = create_client(store, "Live-1")
        start_meeting(store, load_meeting_guide(), client)  # still only in the journal
        done = cli("export", "--client", "Live-1", "--db", db)
        assert done.returncode == 0, done.stderr
        assert "Live-1" in done.stdout
    finally:
        store.close()


def test_demo_on_a_locked_db_fails_cleanly(cli, tmp_path):
    from cope_tui.store.store import Store

    db = tmp_path / "locked.json"
    store = Store(db)
    try:
        done = cli("demo", "--db", db)
    finally:
        store.close()
    assert done.returncode == 1
    assert done.stderr.startswith("cope-tui: ") and "in use" in done.stderr
    assert "Traceback" not in done.stderr


def test_demo_refuses_a_foreign_file(cli, tmp_path):
    db = tmp_path / "other.json"
    db.write_bytes(b'{"settings": {"theme": "dark"}}')
    done = cli("demo", "--db", db)
    assert done.returncode == 1
    assert str(db) in done.stderr
    assert db.read_bytes() == b'{"settings": {"theme": "dark"}}'


def test_demo_requires_db_even_with_env(run_cli, cli_env, tmp_path, isolated_user_dirs):
    target = tmp_path / "env.json"
    done = run_cli(["demo"], dict(cli_env, COPE_TUI_DB=str(target)))
    assert done.returncode == 2
    assert "--db" in done.stderr
    assert not target.exists()
    assert not any(Path(isolated_user_dirs["XDG_DATA_HOME"]).iterdir())


@pytest.mark.parametrize("args", [["--clients", "0"], ["--meetings", "-1"], ["--clients", "many"]])
def test_demo_bad_counts_are_usage_errors(cli, tmp_path, args):
    done = cli("demo", "--db", tmp_path / "x.json", *args)
    assert done.returncode == 2
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("code", ["", "   ", "bad\tcode", "x" * 61])
def test_meet_rejects_bad_code(cli, code):
    done = cli("meet", code)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip()


def test_unknown_command_is_usage_error(cli):
    assert cli("frobnicate").returncode == 2


def test_main_returns_codes_in_process(capsys):
    from cope_tui.cli.main import main

    assert main(["--version"]) == 0
    assert main(["export"]) == 2
    assert main(["meet", ""]) == 2
    capsys.readouterr()


def test_domain_does_not_import_textual():
    import subprocess
    import sys

    code = (
        "import sys, cope_tui.cli.main, cope_tui.demo.writer, cope_tui.demo.exercise, cope_tui.export.exercise\n"
        "assert not any(m == 'textual' or m.startswith('textual.') for m in sys.modules), 'textual imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_export_meeting_by_a_unique_id_prefix(cli, tmp_path):
    db = tmp_path / "prefix.json"
    assert cli("demo", "--db", db, "--clients", "2", "--meetings", "4").returncode == 0
    from cope_tui.store.store import Store

    store = Store(db, read_only=True)
    ids = sorted(m.id for m in store.meetings())
    store.close()
    assert all(len(i) == 16 for i in ids), "ids carry 64 bits"
    done = cli("export", "--db", db, "--meeting", ids[0][:8])
    assert done.returncode == 0 and ids[0] in done.stdout.replace("\\", "")
    assert cli("export", "--db", db, "--meeting", "zzzzzzzz").returncode == 1


def test_demo_writes_a_first_exercise_and_its_follow_up(cli, tmp_path):
    db = tmp_path / "cope.json"
    done = cli("demo", "--db", db, "--clients", "2", "--meetings", "3")
    assert done.returncode == 0, done.stderr
    assert "2 COPE exercises" in done.stdout and "follow-up carrying" in done.stdout
    from cope_tui.store.store import Store

    store = Store(db, read_only=True)
    try:
        follow, first = store.exercises()
    finally:
        store.close()
    assert follow.follow_up_of == first.id
    assert any(p.carried_from for p in follow.problems)


def test_export_exercise_by_an_id_prefix(cli, tmp_path):
    db = tmp_path / "cope.json"
    assert cli("demo", "--db", db, "--clients", "2", "--meetings", "3").returncode == 0
    from cope_tui.store.store import Store

    store = Store(db, read_only=True)
    try:
        follow, first = store.exercises()
    finally:
        store.close()
    done = cli("export", "--db", db, "--exercise", follow.id[:6])
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("# COPE exercise: Hillside health centre\n")
    for heading in ("## Self-assessment guides", "## Client flow", "## Action plan", "## Culture of service"):
        assert f"\n{heading}\n" in out
    assert f"## What changed since {first.start:%Y-%m-%d}" in out and "```text" in out
    assert follow.id in out

    report = tmp_path / "report.md"
    done = cli("export", "--db", db, "--exercise", first.id, "-o", report)
    assert done.returncode == 0, done.stderr
    text = report.read_text(encoding="utf-8")
    assert "First exercise at this site" in text and "What changed" not in text
    assert stat.S_IMODE(report.stat().st_mode) == 0o600


@pytest.mark.parametrize("key", ["zzzzzzzz", "abc"])
def test_export_unknown_exercise_exits_1(cli, demo_db, key):
    done = cli("export", "--db", demo_db, "--exercise", key)
    assert done.returncode == 1
    assert done.stdout == ""
    assert f"no COPE exercise with the id '{key}'" in done.stderr
    # As for a meeting: a start too short to look for says so ("abc" may well start an id).
    assert ("4 characters or more" in done.stderr) == (len(key) < 4)
    assert "exercise list" not in done.stderr  # the app's list shows no ids


def test_export_exercise_excludes_the_other_selectors(cli, demo_db):
    done = cli("export", "--db", demo_db, "--exercise", "abcd", "--all")
    assert done.returncode == 2
    assert "not allowed with" in done.stderr


def test_exercise_id_prefix_must_be_unique_and_long_enough(tmp_path):
    from datetime import date

    from cope_tui.cli.main import Failure
    from cope_tui.cli.export import _exercise_by_id
    from cope_tui.cope.exercise import new_exercise
    from cope_tui.store.store import Store

    store = Store(tmp_path / "ids.json")
    try:
        for suffix in ("01", "02"):
            ex = new_exercise("Site", date(2026, 3, 2))
            ex.id = f"abcdef00000000{suffix}"
            store.put_exercise(ex)
        assert _exercise_by_id(store, "abcdef0000000002").id == "abcdef0000000002"
        with pytest.raises(Failure, match="starts 2 exercise ids"):
            _exercise_by_id(store, "abcdef")
        store.delete("exercises", "abcdef0000000002")
        assert _exercise_by_id(store, "abcdef").id == "abcdef0000000001"  # unique now
        assert _exercise_by_id(store, "abc") is None  # too short to stand for an id
        assert _exercise_by_id(store, "ffff") is None
    finally:
        store.close()


@pytest.mark.parametrize("args", [("--clients", "99999999999999999999"), ("--meetings", "1000001"), ("--meetings", "-1")])
def test_demo_counts_out_of_range_are_a_usage_error_at_once(cli, tmp_path, args):
    """An extra zero (or twenty) filled memory for minutes before anything was said."""
    db = tmp_path / "d.json"
    done = cli("demo", "--db", db, *args, timeout=30)
    assert done.returncode == 2 and args[0] in done.stderr
    assert "at most 1,000,000" in done.stderr or "0 or more" in done.stderr
    assert not db.exists()


def test_export_client_by_id_by_its_start_and_by_a_code_as_shown(cli, tmp_path):
    """`--client` takes what `--handover` and `erase` take; a code stored with an
    invisible character (from an earlier version or a peer) is found as it is shown."""
    from cope_tui.meetings.models import Client
    from cope_tui.store.store import Store

    db = tmp_path / "ids.json"
    assert cli("demo", "--db", db, "--clients", "2", "--meetings", "2").returncode == 0
    store = Store(db)
    hidden = Client(code="ZZ\u200b-7\u202e")
    store.put_client(hidden)
    first = store.client_by_code("C-0001")
    store.close()
    for key in (first.id, first.id[:6]):
        done = cli("export", "--db", db, "--client", key)
        assert done.returncode == 0, done.stderr
        assert "C-0001" in done.stdout and "C-0002" not in done.stdout
    done = cli("export", "--db", db, "--client", "zz-7")
    assert done.returncode == 0, done.stderr
    assert "ZZ" in done.stdout and "C-0001" not in done.stdout


def test_export_to_an_empty_file_name_is_a_usage_error(cli, demo_db):
    """`-o "$OUT"` with OUT unset printed every record to the terminal."""
    done = cli("export", "--client", "C-0001", "--db", demo_db, "-o", "")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "-o" in done.stderr and "names no file" in done.stderr


@pytest.mark.parametrize("which", ["--client", "--meeting", "--exercise", "--handover"])
def test_an_empty_code_or_id_is_a_usage_error(cli, demo_db, which):
    """`--client "$CODE"` with CODE unset exited 1, as for a client that is not there."""
    done = cli("export", which, " ", "--db", demo_db)
    assert done.returncode == 2 and done.stdout == ""
    assert f"argument {which}: is empty" in done.stderr
