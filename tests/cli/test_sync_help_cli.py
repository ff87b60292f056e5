"""cope-tui sync --help names its variables and settings."""

from __future__ import annotations

from helpers.sync import ok


def test_help_names_the_variables_and_settings(cli) -> None:
    text = ok(cli("sync", "--help")).stdout
    for name in ("COPE_TUI_SYNC_USER", "COPE_TUI_SYNC_PASSWORD", "COPE_TUI_TEAM_PASSPHRASE", "[user] name", "[sync] remote"):
        assert name in text
    assert "sync" in ok(cli("--help")).stdout


def test_a_password_in_the_address_is_said_before_the_missing_name(cli, tmp_path) -> None:
    """Without [user] name, a login written into the address was met with "set your
    name once"; fixed, the next run refused the address. The address is checked first."""
    db = tmp_path / "cope.json"
    done = cli("sync", "--db", db, "--remote", "https://ann:s3cret-pw@couch.example.org/team-north")
    assert done.returncode == 2  # a bad --remote is a usage error
    assert "user name or password" in done.stderr and "set your name" not in done.stderr
    assert "s3cret-pw" not in done.stderr + done.stdout and not db.exists()
    bad = cli("sync", "--db", db, "--remote", "ftp://couch.example.org/team-north")
    assert bad.returncode == 2 and "not an http:// or https:// address" in bad.stderr
