"""[sync] remote, [sync] every_minutes and [user] name, read with the app's settings
(issue 15): a bad one is a warning that names it, and team sync is left off."""

from __future__ import annotations

from cope_tui.settings import load_settings


def test_the_team_settings_are_read(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[sync]\nremote = "https://couch.example.org/team"\nevery_minutes = 15\n[user]\nname = "Amina"\n')
    found = load_settings(path=path, env={})
    assert (found.sync_remote, found.user_name, found.sync_every_minutes) == ("https://couch.example.org/team", "Amina", 15)
    assert found.warnings == ()


def test_a_bad_period_or_name_is_named_and_left_off(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[sync]\nevery_minutes = "often"\n[user]\nname = 5\n')
    found = load_settings(path=path, env={})
    assert found.sync_every_minutes == 0 and found.user_name is None
    assert any("every_minutes" in w for w in found.warnings) and any("[user] name" in w for w in found.warnings)


def test_without_a_file_nothing_is_set(tmp_path) -> None:
    found = load_settings(path=tmp_path / "none.toml", env={})
    assert (found.sync_remote, found.user_name, found.sync_every_minutes, found.warnings) == (None, None, 0, ())


def test_a_sync_that_is_not_a_table_is_named(tmp_path):
    """`user = 5` was warned about; `sync = 5` left F10 saying only that sync is not set up."""
    from cope_tui.settings import load_settings

    path = tmp_path / "config.toml"
    path.write_text('sync = 5\n\n[user]\nname = "Ann"\n', encoding="utf-8")
    settings = load_settings(env={}, path=path)
    assert settings.sync_remote is None
    assert any("'sync' must be a table" in w and "Team sync is off" in w for w in settings.warnings)
