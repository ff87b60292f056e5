"""`cope-tui sync` on the command line: its help, its settings, and a message with exit
status 1 for every way it cannot start."""

from __future__ import annotations

import base64
from argparse import Namespace

import pytest

from cope_tui.cli.sync import cmd_sync
from cope_tui.errors import Failure
from helpers.login_proxy import LoginProxy
from helpers.sync import make_worker, ok


def test_the_remote_can_come_from_config_toml(tmp_path, cli_env, couch_db, run_cli) -> None:
    ann = make_worker(tmp_path, cli_env, couch_db, run_cli, "Ann")
    config = tmp_path / "config-Ann" / "cope-tui" / "config.toml"
    config.write_text(f'[user]\nname = "Ann"\n\n[sync]\nremote = "{couch_db.url}"\n', encoding="utf-8")
    result = ok(ann.cli("sync", "--db", ann.db))
    assert couch_db.url in result.stdout


def test_without_a_name_nothing_is_synced(tmp_path, cli_env, couch_db, run_cli) -> None:
    ann = make_worker(tmp_path, cli_env, couch_db, run_cli, "Ann")
    (tmp_path / "config-Ann" / "cope-tui" / "config.toml").write_text("", encoding="utf-8")
    result = ann.sync()
    assert result.returncode == 1 and "set your name once" in result.stderr and "[user]" in result.stderr
    assert not ann.db.exists()


def test_a_database_open_in_the_app_is_not_synced_and_f10_there_is_named(tmp_path, cli_env, couch_db, run_cli) -> None:
    ann = make_worker(tmp_path, cli_env, couch_db, run_cli, "Ann")
    with ann.store():  # the app has it open
        result = ann.sync()
    assert result.returncode == 1 and "in use by process" in result.stderr and "F10 there syncs" in result.stderr
    assert "Traceback" not in result.stderr
    with ann.store():  # F10 does not change the team passphrase: the app must be quit for that
        result = ann.sync("--new-team-passphrase")
    assert result.returncode == 1 and "quit the app there" in result.stderr and "F10" not in result.stderr


def test_without_a_remote_it_says_how_to_give_one(tmp_path, cli_env, couch_db, run_cli) -> None:
    ann = make_worker(tmp_path, cli_env, couch_db, run_cli, "Ann")
    result = ann.cli("sync", "--db", ann.db)
    assert result.returncode == 1 and "--remote URL" in result.stderr and "[sync] remote" in result.stderr


def test_a_bad_setting_is_named(tmp_path, cli_env, couch_db, run_cli) -> None:
    ann = make_worker(tmp_path, cli_env, couch_db, run_cli, "Ann")
    (tmp_path / "config-Ann" / "cope-tui" / "config.toml").write_text("[user]\nname = 42\n", encoding="utf-8")
    result = ann.sync()
    assert result.returncode == 1 and "[user] name" in result.stderr and "Traceback" not in result.stderr


def test_an_address_with_an_escape_sequence_is_refused_without_a_crash(tmp_path, cli_env, couch_db, run_cli) -> None:
    """It stopped the command with a crash report (httpx.InvalidURL), exit status 1 but
    no word on what to fix."""
    ann = make_worker(tmp_path, cli_env, couch_db, run_cli, "Ann")
    result = ann.cli("sync", "--remote", couch_db.url + "\x1b]0;title\x07", "--db", ann.db)
    assert result.returncode == 2 and "control character" in result.stderr  # a bad option value: a usage error
    assert "error report" not in result.stderr and "\x1b" not in result.stderr


def test_an_address_that_is_not_one_is_a_usage_error_and_one_in_config_a_failure(tmp_path, cli_env, couch_db,
                                                                                 run_cli) -> None:
    """Exit status 2 is a usage error (the README): `--remote notaurl` exited 1."""
    ann = make_worker(tmp_path, cli_env, couch_db, run_cli, "Ann")
    result = ann.cli("sync", "--remote", "notaurl", "--db", ann.db)
    assert result.returncode == 2 and "not an http:// or https:// address" in result.stderr
    config = tmp_path / "config-Ann" / "cope-tui" / "config.toml"
    config.write_text('[user]\nname = "Ann"\n\n[sync]\nremote = "notaurl"\n', encoding="utf-8")
    result = ann.cli("sync", "--db", ann.db)
    assert result.returncode == 1 and "[sync] remote" in result.stderr and not ann.db.exists()


def test_a_login_in_the_address_is_refused_and_not_echoed(tmp_path, cli_env, couch_db, run_cli) -> None:
    ann = make_worker(tmp_path, cli_env, couch_db, run_cli, "Ann")
    url = couch_db.url.replace("http://", "http://ann:hunter2-secret@")
    result = ann.cli("sync", "--remote", url, "--db", ann.db)
    assert result.returncode == 2 and "COPE_TUI_SYNC_USER" in result.stderr
    assert "hunter2-secret" not in result.stderr + result.stdout


def test_no_team_passphrase_and_no_terminal(tmp_path, cli_env, couch_db, run_cli) -> None:
    ann, bea = (make_worker(tmp_path, cli_env, couch_db, run_cli, n) for n in ("Ann", "Bea"))
    ann.env.pop("COPE_TUI_TEAM_PASSPHRASE")
    first = ann.sync()
    assert first.returncode == 1 and "COPE_TUI_TEAM_PASSPHRASE" in first.stderr and "terminal" in first.stderr
    ann.env["COPE_TUI_TEAM_PASSPHRASE"] = "short"
    too_short = ann.sync()
    assert too_short.returncode == 1 and "shorter than 8 characters" in too_short.stderr
    ok(bea.sync())  # Bea starts the team
    later = ann.env.pop("COPE_TUI_TEAM_PASSPHRASE") and ann.sync()
    assert later.returncode == 1 and "needs the team passphrase" in later.stderr


def test_a_missing_database_is_named(tmp_path, cli_env, couch_db, run_cli) -> None:
    ann = make_worker(tmp_path, cli_env, couch_db, run_cli, "Ann")
    result = ann.cli("sync", "--remote", couch_db.url + "-typo", "--db", ann.db)
    assert result.returncode == 1 and "no database at" in result.stderr and "administrator" in result.stderr


def test_a_server_asking_for_a_login_gets_one_typed_at_the_terminal(tmp_path, cli_env, couch_db, run_cli,
                                                                     monkeypatch) -> None:
    ann = make_worker(tmp_path, cli_env, couch_db, run_cli, "Ann")
    for key, value in ann.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("COPE_TUI_SYNC_USER", raising=False)
    monkeypatch.delenv("COPE_TUI_SYNC_PASSWORD", raising=False)
    with LoginProxy(couch_db.url, "someone", "else's password") as server:  # refuses Amina's login
        args = Namespace(remote=server.url, db=str(ann.db))
        with pytest.raises(Failure, match="did not accept the login"):
            cmd_sync(args, tty=True, input_fn=lambda _p: "amina", ask_fn=lambda _p: "typed-secret")
        with pytest.raises(Failure, match="asks for a login.*COPE_TUI_SYNC_USER"):
            cmd_sync(args, tty=False)
    assert server.seen[0] is None  # first without a login: none was set
    assert server.seen[1] == "Basic " + base64.b64encode(b"amina:typed-secret").decode()


def test_a_refused_login_is_asked_for_again_at_the_terminal(tmp_path, cli_env, couch_db, run_cli, monkeypatch,
                                                             capsys) -> None:
    """A mistyped password ended the command, unlike in the app (F10 asks again), though
    the README says a refused login is asked for; the one in the environment too."""
    ann = make_worker(tmp_path, cli_env, couch_db, run_cli, "Ann")
    for key, value in ann.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("COPE_TUI_SYNC_USER", "ann")
    monkeypatch.setenv("COPE_TUI_SYNC_PASSWORD", "an old password")
    typed = iter(["ann", "mistyped", "ann", "right password"])
    with LoginProxy(couch_db.url, "ann", "right password") as server:
        args = Namespace(remote=server.url, db=str(ann.db))
        assert cmd_sync(args, tty=True, input_fn=lambda _p: next(typed), ask_fn=lambda _p: next(typed)) == 0
    said = capsys.readouterr().err
    assert said.count("did not accept that login; type it again") == 2 and "right password" not in said
    assert next(typed, None) is None and server.seen[-1] == "Basic " + base64.b64encode(b"ann:right password").decode()
