"""cope-tui sync --help names its variables and settings."""

from __future__ import annotations

from helpers.sync import ok


def test_help_names_the_variables_and_settings(cli) -> None:
    text = ok(cli("sync", "--help")).stdout
    for name in ("COPE_TUI_SYNC_USER", "COPE_TUI_SYNC_PASSWORD", "COPE_TUI_TEAM_PASSPHRASE", "[user] name", "[sync] remote"):
        assert name in text
    assert "sync" in ok(cli("--help")).stdout
