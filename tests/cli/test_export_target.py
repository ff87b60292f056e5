"""`export -o` never writes over the database's own files, nor over a device or a pipe.

An export is written beside its target and renamed over it. `-o x.json` next to the DB
replaced the records with Markdown and said "Wrote x.json" (exit 0); `-o` naming a FIFO
or a device turned it into a file of client records.
"""

from __future__ import annotations

import os
import stat

import pytest


@pytest.fixture
def demo(cli, tmp_path):
    db = tmp_path / "x.json"
    done = cli("demo", "--db", db)
    assert done.returncode == 0, done.stderr
    return db


@pytest.mark.parametrize("name", ["x.json", "x.json.journal", "x.json.audit", "x.json.backups/a.md", "x.json.new"])
def test_export_onto_the_databases_own_files_is_refused_and_nothing_changes(cli, demo, tmp_path, name):
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    done = cli("export", "--db", demo, "--client", "C-0001", "-o", name)  # cwd: the DB's folder
    assert done.returncode == 1
    assert "one of the database's own files" in done.stderr and "Nothing was written" in done.stderr
    assert "Traceback" not in done.stderr
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert after == before
    assert cli("doctor", "--db", demo).returncode == 0


def test_export_through_a_link_to_the_databases_folder_is_refused(cli, demo, tmp_path):
    (tmp_path / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    done = cli("export", "--db", demo, "--client", "C-0001", "-o", tmp_path / "elsewhere" / "x.json.audit")
    assert done.returncode == 1 and "one of the database's own files" in done.stderr


def test_export_onto_a_pipe_is_refused_and_the_pipe_stays(cli, demo, tmp_path):
    pipe = tmp_path / "out" / "pipe"
    pipe.parent.mkdir()
    os.mkfifo(pipe)
    done = cli("export", "--db", demo, "--client", "C-0001", "-o", pipe)
    assert done.returncode == 1 and "a device, a pipe or a socket" in done.stderr
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)


def test_a_file_named_like_the_db_in_another_folder_is_written(cli, demo, tmp_path):
    (tmp_path / "out").mkdir()
    done = cli("export", "--db", demo, "--client", "C-0001", "-o", tmp_path / "out" / "x.json")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "x.json").read_text().startswith("# Client: C-0001")


def test_standard_output_that_cannot_be_written_is_named(cli_env, demo, tmp_path):
    """`export > /dev/full` said "cannot use: No space left on device.", naming nothing."""
    import subprocess

    from helpers.cli import CLI

    with open("/dev/full", "wb") as full:
        done = subprocess.run([*CLI, "export", "--db", str(demo), "--client", "C-0001"], env=cli_env,
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 1
    assert "cannot write the export to standard output: No space left on device." in done.stderr
