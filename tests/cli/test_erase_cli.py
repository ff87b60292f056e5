"""`cope-tui erase` in a subprocess: exit codes, asking first, and the retention list that
never erases anything by itself (issue 14, point 6)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from cope_tui.meetings.models import Client, Meeting, MeetingKind
from cope_tui.store.store import Store
from helpers.backup_points import records_now
from helpers.erasure import holding_anywhere

MARK = "HERON-MARKER-2290"


def make_db(tmp_path: Path) -> Path:
    db = tmp_path / "data" / "cope.json"
    store = Store(db)
    gone = Client(code="GONE-1", note=f"note {MARK}")
    store.put_client(gone)
    meeting = Meeting(client_id=gone.id, kind=MeetingKind.FIRST)
    meeting.step("opening").notes = f"said {MARK}"
    store.put_meeting(meeting)
    now = datetime.now().astimezone()
    store.put_client(Client(code="OLD-2", closed_at=now - timedelta(days=3 * 366)))
    store.put_client(Client(code="RECENT-3", closed_at=now - timedelta(days=30)))
    store.put_client(Client(code="OPEN-4"))
    store.close()
    return db


def _decided_then_killed(tmp_path: Path) -> tuple[Path, str]:
    """GONE-1's erasure decided, then the process killed before any file is rewritten;
    the DB and GONE-1's meeting id."""
    from cope_tui.store import erase

    db = make_db(tmp_path)
    store = Store(db)
    gone = store.client_by_code("GONE-1")
    meeting_id = store.meetings(gone.id)[0].id
    erase.decide(db, erase.ids_of_client(store._data, gone.id), store.codec)  # then a kill
    store.journal.close()
    store.lock.release()
    return db, meeting_id


def config(cli_env: dict[str, str], text: str) -> None:
    path = Path(cli_env["XDG_CONFIG_HOME"]) / "cope-tui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_help_says_what_is_erased(cli):
    done = cli("erase", "--help")
    assert done.returncode == 0 and "every backup" in done.stdout and "--retention" in done.stdout


def test_erase_with_yes_leaves_no_word_of_the_client(cli, cli_env, tmp_path):
    db = make_db(tmp_path)
    done = cli("erase", "GONE-1", "--db", db, "--yes")
    assert done.returncode == 0, done.stderr
    assert "GONE-1" in done.stdout and "1 meeting " in done.stdout
    assert holding_anywhere([db.parent, Path(cli_env["XDG_STATE_HOME"])], MARK) == []
    codes = sorted(d["code"] for d in records_now(db)["clients"].values())
    assert codes == ["OLD-2", "OPEN-4", "RECENT-3"]


def test_without_a_terminal_it_asks_for_yes_and_erases_nothing(cli, tmp_path):
    db = make_db(tmp_path)
    before = records_now(db)
    done = cli("erase", "GONE-1", "--db", db)
    assert done.returncode == 1 and "--yes" in done.stderr and "Nothing was erased" in done.stderr
    assert records_now(db) == before


def test_an_unknown_client_is_a_failure_and_none_or_both_named_a_usage_error(cli, tmp_path):
    db = make_db(tmp_path)
    done = cli("erase", "NOBODY", "--db", db, "--yes")
    assert done.returncode == 1 and "NOBODY" in done.stderr and "Traceback" not in done.stderr
    done = cli("erase", "--db", db)  # a usage error, as a missing argument is to argparse
    assert done.returncode == 2 and "--retention" in done.stderr
    before = records_now(db)
    done = cli("erase", "GONE-1", "--retention", "--yes", "--db", db)  # the client was ignored
    assert done.returncode == 2 and "not both" in done.stderr
    assert records_now(db) == before
    assert cli("erase", "GONE-1", "--bogus").returncode == 2


def test_retention_lists_closed_clients_past_it_and_erases_nothing(cli, cli_env, tmp_path):
    db = make_db(tmp_path)
    before = records_now(db)
    done = cli("erase", "--retention", "--db", db)
    assert done.returncode == 1 and "closed_years" in done.stderr  # not set yet
    config(cli_env, "[retention]\nclosed_years = 2\n")
    done = cli("erase", "--retention", "--db", db)
    assert done.returncode == 0, done.stderr
    assert "OLD-2" in done.stdout and "RECENT-3" not in done.stdout and "OPEN-4" not in done.stdout
    assert "nothing has been erased" in done.stdout
    assert records_now(db) == before
    config(cli_env, "[retention]\nclosed_years = \"seven\"\n")
    done = cli("erase", "--retention", "--db", db)
    assert done.returncode == 1 and "closed_years" in done.stderr


def test_doctor_names_an_erasure_cut_short_and_the_next_writer_finishes_it(cli, cli_env, tmp_path):
    db, _ = _decided_then_killed(tmp_path)
    done = cli("doctor", "--db", db)
    assert done.returncode == 1 and "erasure" in done.stdout and "cut short" in done.stdout
    config(cli_env, "[retention]\nclosed_years = 2\n")
    assert cli("erase", "--retention", "--db", db).returncode == 0
    assert cli("doctor", "--db", db).returncode == 0
    assert holding_anywhere([db.parent, Path(cli_env["XDG_STATE_HOME"])], MARK) == []


def test_an_erasure_cut_short_shows_nothing_of_the_client_to_a_reader(cli, tmp_path):
    """After ctrl+c on `erase` the erasure is decided but its files not all rewritten; a
    read-only export printed the client's whole record all the same."""
    db, meeting_id = _decided_then_killed(tmp_path)
    one = cli("export", "--db", db, "--client", "GONE-1")
    assert one.returncode == 1 and MARK not in one.stdout + one.stderr
    meeting = cli("export", "--db", db, "--meeting", meeting_id)
    assert meeting.returncode == 1 and MARK not in meeting.stdout
    everything = cli("export", "--db", db, "--all")
    assert everything.returncode == 0 and "OPEN-4" in everything.stdout
    assert MARK not in everything.stdout and "GONE-1" not in everything.stdout


def test_a_new_db_killed_before_its_first_fold_can_be_erased_from(cli, cli_env, tmp_path):
    """Only its journal is on disk: erase said there was no database, and erased nothing."""
    import shutil

    db = tmp_path / "data" / "cope.json"
    store = Store(db)
    gone = Client(code="GONE-1", note=f"note {MARK}")
    store.put_client(gone)
    store.put_client(Client(code="STAYS-2"))
    crashed = tmp_path / "crashed" / "cope.json"
    crashed.parent.mkdir()
    shutil.copy(db.with_name("cope.json.journal"), crashed.with_name("cope.json.journal"))
    store.close()
    assert not crashed.exists()
    done = cli("erase", "GONE-1", "--db", crashed, "--yes")
    assert done.returncode == 0, done.stderr
    assert holding_anywhere([crashed.parent], MARK) == []
    assert [d["code"] for d in records_now(crashed)["clients"].values()] == ["STAYS-2"]


def hostile_db(tmp_path: Path) -> tuple[Path, str]:
    """A closed client whose stored code would reorder the question or drive the terminal."""
    from helpers.hostile_data import HOSTILE_CODE
    from helpers.stored import file_tables, write_tables

    db = make_db(tmp_path)
    tables = file_tables(db)
    client_id = next(i for i, c in tables["clients"].items() if c["code"] == "OLD-2")
    tables["clients"][client_id]["code"] = "C-" + HOSTILE_CODE
    write_tables(db, tables)
    return db, client_id


def assert_plain(text: str) -> None:
    assert not any(ch in text for ch in "\x1b\x9b\x9d\x9c\u202e\u200b"), repr(text)


def test_a_hostile_code_never_reaches_the_terminal_raw(cli, cli_env, tmp_path):
    """The erase question, its answer and the retention list wrote the stored code as it
    was: a right-to-left override could make the client asked about look like another."""
    import argparse

    from cope_tui.cli.erase import cmd_erase

    db, client_id = hostile_db(tmp_path)
    config(cli_env, "[retention]\nclosed_years = 1\n")
    listed = cli("erase", "--retention", "--db", db)
    assert listed.returncode == 0 and client_id in listed.stdout
    assert_plain(listed.stdout + listed.stderr)

    asked: list[str] = []
    args = argparse.Namespace(client=client_id, retention=False, yes=False, db=str(db))
    assert cmd_erase(args, is_tty=True, input_fn=lambda q: asked.append(q) or "n") == 0
    assert len(asked) == 1 and client_id in asked[0]
    assert_plain(asked[0])

    done = cli("erase", client_id, "--yes", "--db", db)
    assert done.returncode == 0, done.stderr
    assert "Erased client C-" in done.stdout
    assert_plain(done.stdout + done.stderr)


def test_ctrl_c_while_erasing_says_whether_the_erasure_was_decided(tmp_path):
    """It said only "interrupted.": nothing on whether the client was half erased."""
    from cope_tui.cli.erase import _cut_short
    from cope_tui.store import erase

    db = make_db(tmp_path)
    assert _cut_short(db) == "interrupted before anything was erased."
    store = Store(db)
    erase.decide(db, erase.ids_of_client(store._data, store.client_by_code("GONE-1").id), store.codec)
    store.close()
    said = _cut_short(db)
    assert "decided but not finished" in said and f"erase --db {db} --retention" in said


def test_commands_that_finish_an_erasure_cut_short_say_so(cli, cli_env, tmp_path):
    """`doctor --accept-missing` finished the erasure and said "nothing has been changed";
    the retention list, headed "nothing has been erased", did the same."""
    db, _ = _decided_then_killed(tmp_path)
    done = cli("doctor", "--db", db, "--accept-missing")
    assert done.returncode == 0, done.stderr
    assert "Finished an erasure that was cut short" in done.stdout
    assert "nothing has been changed" not in done.stdout and "nothing else has been changed" in done.stdout
    assert holding_anywhere([db.parent], MARK) == []

    config(cli_env, "[retention]\nclosed_years = 2\n")
    listed = cli("erase", "--retention", "--db", _decided_then_killed(tmp_path / "two")[0])
    assert listed.returncode == 0, listed.stderr
    assert "Finished an erasure that was cut short" in listed.stdout and "OLD-2" in listed.stdout
    again = cli("doctor", "--db", db, "--accept-missing")
    assert "Finished" not in again.stdout and "nothing has been changed" in again.stdout


def test_doctor_names_an_erasure_marker_it_cannot_read_and_what_to_do(cli, tmp_path):
    """No writer can finish an erasure from a marker it cannot read: "open the database for
    writing once" left doctor failing for good."""
    db = make_db(tmp_path)
    (db.parent / (db.name + ".erasing")).write_text("garbage")
    done = cli("doctor", "--db", db)
    assert done.returncode == 1 and "cannot be read" in done.stdout and "remove" in done.stdout
    assert "Open the database for writing once" not in done.stdout
