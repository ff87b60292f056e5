"""Words from the command line (issue 13, point 12): plurals right, and an export with a
wrong COPE_TUI_PASSPHRASE fails before it says that the export is plain text."""

from __future__ import annotations

from helpers.stored import one_client_db

PASS = "a long and private phrase"


def test_encrypt_says_how_many_files_in_words_and_a_wrong_passphrase_stops_first(tmp_path, run_cli, cli_env):
    db = one_client_db(tmp_path, "C-7", "note")
    done = run_cli(["encrypt", "--db", str(db)], {**cli_env, "COPE_TUI_PASSPHRASE": PASS})
    assert done.returncode == 0, done.stderr
    assert "(s)" not in done.stdout and " rewritten)" in done.stdout
    for what in (["--client", "C-7"], ["--all"], ["--exercise", "x"], ["--handover", "C-7"]):
        wrong = run_cli(["export", *what, "--db", str(db)], {**cli_env, "COPE_TUI_PASSPHRASE": "not it"})
        assert wrong.returncode == 1 and "does not open" in wrong.stderr, what
        assert "plain text" not in wrong.stderr, what
