"""Issue 11, point 2: our JSON shape with wrong inner types never gives a traceback.

Each file goes to the app's start, `export` and `doctor` in a subprocess: exit 1, a
message naming the file, no traceback (which echoed stored values), the file untouched.
"""

from __future__ import annotations

import stat

import orjson
import pytest

SECRET = "Sensitive words from a note"
META = {"app": {"app": "cope-tui", "schema": 1}}

SHAPES = {
    "meetings is a list": {"meta": META, "meetings": [SECRET]},
    "a client record is a string": {"meta": META, "clients": {"c1": SECRET}},
    "schema is text": {"meta": {"app": {"app": "cope-tui", "schema": "abc"}}, "clients": {}},
    "schema is a fraction": {"meta": {"app": {"app": "cope-tui", "schema": 1.5}}},
    "meta is a list": {"meta": [SECRET]},
    "meta app is a string": {"meta": {"app": SECRET}},
    "clients is a number": {"meta": META, "clients": 7},
    "a client's code is a list": {"meta": META, "clients": {"c1": {"id": "c1", "code": [SECRET]}}},
    "a meeting's steps is a string": {
        "meta": META,
        "meetings": {"m1": {"id": "m1", "client_id": "c1", "kind": "first", "steps": SECRET}},
    },
    "an unknown table": {"meta": META, "clientq": {"c1": {"id": "c1", "code": SECRET}}},
    "an exercise of the wrong type": {"meta": META, "exercises": {"e1": [SECRET]}},
}

NAMED = ["meetings is a list", "a client record is a string", "schema is text"]  # as reported
COMMANDS = {
    "app": (),
    "export --all": ("export", "--all"),
    "doctor": ("doctor",),
}


def write(tmp_path, shape) -> tuple:
    db = tmp_path / "bad.json"
    content = orjson.dumps(shape)
    db.write_bytes(content)
    db.chmod(0o600)
    return db, content


def untouched(tmp_path, db, content) -> None:
    assert db.read_bytes() == content
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    made = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("bad"))
    assert made in (["bad.json"], ["bad.json", "bad.json.lock"]), made  # the app's lock, and nothing else


@pytest.mark.parametrize("command", list(COMMANDS.values()), ids=list(COMMANDS))
@pytest.mark.parametrize("name", NAMED)
def test_wrong_inner_types_get_a_message_not_a_traceback(cli, tmp_path, name, command):
    db, content = write(tmp_path, SHAPES[name])
    done = cli(*command, "--db", db, timeout=60)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "Traceback" not in out and SECRET not in out, out
    assert str(db) in out
    untouched(tmp_path, db, content)


def _no_app(session, db, meet_code):
    raise AssertionError(f"the app was started on a damaged file {db}")


@pytest.mark.parametrize("name", list(SHAPES))
def test_every_bad_shape_in_process(tmp_path, capsys, name):
    """The same for more shapes, in this process: any exception would fail the test."""
    from cope_tui.cli import main as cli_module

    db, content = write(tmp_path, SHAPES[name])
    assert cli_module.launch(db, is_tty=False, run=_no_app) == 1
    out_file = str(tmp_path / "out.md")  # (capsys has no file descriptor for the export to write to)
    for command in (["export", "--all", "-o", out_file], ["export", "--client", "C-1"], ["doctor"]):
        assert cli_module.main([*command, "--db", str(db)]) == 1, command
    out = capsys.readouterr()
    assert SECRET not in out.out + out.err
    assert out.err.count(str(db)) >= 3  # the app's start and both exports name the file
    assert "problem" in out.out  # doctor
    assert not (tmp_path / "out.md").exists()
    untouched(tmp_path, db, content)
