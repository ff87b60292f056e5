"""The [keys] table of config.toml (issue 13, point 10), as settings.py reads it: each
entry with the line it is on, so a warning can name that line."""

from __future__ import annotations

from cope_tui.settings import KeySetting, load_settings


def _config(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_keys_are_read_with_their_lines_quoted_or_dotted(tmp_path):
    path = _config(tmp_path, '[lock]\nidle_minutes = 5\n\n[keys]\n"meeting.next" = "f6"\nclients.new = "ctrl+b"\n')
    settings = load_settings(env={}, path=path)
    assert settings.keys == (KeySetting("meeting.next", "f6", 5), KeySetting("clients.new", "ctrl+b", 6))
    assert settings.keys_file == str(path)
    assert settings.warnings == () and settings.idle_minutes == 5


def test_a_value_that_is_not_text_is_named_by_its_line(tmp_path):
    path = _config(tmp_path, '[keys]\n"clients.new" = "ctrl+b"\n"meeting.next" = 6\n')
    settings = load_settings(env={}, path=path)
    assert settings.keys == (KeySetting("clients.new", "ctrl+b", 2),)
    (warning,) = settings.warnings
    assert f"{path}" in warning and "line 3" in warning and "meeting.next" in warning


def test_no_keys_table_no_keys(tmp_path):
    settings = load_settings(env={}, path=_config(tmp_path, "[lock]\nidle_minutes = 5\n"))
    assert settings.keys == () and settings.warnings == ()


def test_a_lock_value_out_of_range_leaves_the_keys_in_use(tmp_path):
    """It dropped the [keys] table too, and said the whole file was ignored (the team
    settings in it were not)."""
    path = _config(tmp_path, '[lock]\nidle_minutes = -3\n\n[keys]\n"clients.new" = "insert"\n')
    settings = load_settings(env={}, path=path)
    assert settings.keys == (KeySetting("clients.new", "insert", 5),)
    assert settings.idle_minutes == 10 and settings.source == "default"
    (warning,) = settings.warnings
    assert "idle_minutes" in warning and "That setting is ignored" in warning and "file is ignored" not in warning


def test_a_file_that_is_not_toml_is_ignored_once(tmp_path):
    settings = load_settings(env={}, path=_config(tmp_path, '[keys\n"clients.new" = "insert"\n'))
    assert settings.keys == ()
    assert sum("file is ignored" in w for w in settings.warnings) == 1


def test_a_lock_that_is_not_a_table_leaves_the_keys_and_the_team_in_use(tmp_path):
    """`lock = 5` said the whole file was ignored and dropped the keys, while the team
    settings in the same file were used all the same."""
    path = _config(tmp_path, 'lock = 5\n\n[keys]\n"clients.new" = "insert"\n\n[user]\nname = "Ann"\n')
    settings = load_settings(env={}, path=path)
    assert settings.keys == (KeySetting("clients.new", "insert", 4),)
    assert settings.user_name == "Ann" and settings.idle_minutes == 10
    (warning,) = settings.warnings
    assert "[lock]" in warning and "That setting is ignored" in warning and "file is ignored" not in warning
