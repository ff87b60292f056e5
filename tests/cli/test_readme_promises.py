"""What the README and help promise (issue 13, point 13): the documented demo command
works every time, and `export --all` ("everything") holds the COPE exercises too."""

from __future__ import annotations

import re
from pathlib import Path

from cope_tui.session import Session, create_client

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_demo_command() -> list[str]:
    """The README's look-around command, as documented: `demo --db X && ... --db X`."""
    text = README.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if " demo --db " in line and "&&" in line)
    first = line.split("&&")[0].split()
    return first[first.index("demo"):]


def test_the_readme_demo_command_works_a_second_time(cli, tmp_path):
    args = _readme_demo_command()
    db = tmp_path / "demo.json"
    args[args.index("--db") + 1] = str(db)
    first = cli(*args)
    assert first.returncode == 0, first.stderr
    again = cli(*args)
    assert again.returncode == 0, again.stderr
    said = again.stdout + again.stderr
    assert "already holds the demo data" in said and "nothing was written" in said


def test_demo_still_refuses_a_database_with_other_clients(cli, tmp_path):
    db = tmp_path / "real.json"
    session = Session.open(db, lazy=False)
    create_client(session.store, "C-REAL")
    session.close()
    done = cli("demo", "--db", db, "--clients", "2", "--meetings", "2")
    assert done.returncode == 1 and "already holds 1 client;" in done.stderr


def test_export_all_holds_the_cope_exercises(cli, tmp_path):
    db = tmp_path / "demo.json"
    assert cli("demo", "--db", db, "--clients", "2", "--meetings", "3").returncode == 0
    done = cli("export", "--all", "--db", db)
    assert done.returncode == 0, done.stderr
    assert re.search(r"2 clients, 3 meetings, 2 COPE exercises\.", done.stdout)
    assert done.stdout.count("COPE exercise: Hillside health centre") == 2
    assert "## Action plan" not in done.stdout.split("COPE exercise:")[0]  # after the clients
    assert "\n# COPE exercise:" not in done.stdout and "\n## COPE exercise: " in done.stdout  # a part, not a second title
