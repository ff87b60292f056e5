"""The theme chosen in the palette is kept in config.toml (issue 13, point 9): the file's
other lines, comments and tables stay as they were."""

from __future__ import annotations

import pytest

from cope_tui.settings import SettingsError, load_settings, save_setting

BEFORE = '# my settings\n[lock]\nidle_minutes = 5  # short\n\n[ui]\n# which look\ntheme = "dark"\n\n[user]\nname = "Ann"\n'


def test_saving_the_theme_changes_only_its_line(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(BEFORE, encoding="utf-8")
    save_setting("ui", "theme", "light", path=path)
    assert path.read_text(encoding="utf-8") == BEFORE.replace('theme = "dark"', 'theme = "light"')
    settings = load_settings(env={}, path=path)
    assert settings.theme == "light" and settings.idle_minutes == 5


def test_a_file_without_the_table_gets_it_and_no_file_is_created(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[lock]\nidle_minutes = 5\n", encoding="utf-8")
    save_setting("ui", "theme", "ansi-dark", path=path)
    assert load_settings(env={}, path=path).theme == "ansi-dark"
    assert path.read_text(encoding="utf-8").startswith("[lock]\nidle_minutes = 5\n")
    fresh = tmp_path / "new" / "config.toml"
    save_setting("ui", "theme", "light", path=fresh)
    assert load_settings(env={}, path=fresh).theme == "light"


def test_an_unknown_theme_is_a_warning_and_a_broken_file_is_not_touched(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[ui]\ntheme = "neon"\n', encoding="utf-8")
    settings = load_settings(env={}, path=path)
    assert settings.theme is None and any("neon" in w and "[ui] theme" in w for w in settings.warnings)
    path.write_text("[ui\ntheme = 1\n", encoding="utf-8")
    with pytest.raises(SettingsError):
        save_setting("ui", "theme", "light", path=path)
    assert path.read_text(encoding="utf-8") == "[ui\ntheme = 1\n"


def test_the_folders_made_for_the_config_file_are_private_whatever_the_umask(tmp_path):
    """Under umask 000 the missing folders above config.toml were made 0777: another user
    could put their own config.toml there (idle_minutes = 0 turns the screen lock off)."""
    import os
    import stat

    path = tmp_path / "a" / "b" / "config" / "cope-tui" / "config.toml"
    old = os.umask(0)
    try:
        save_setting("ui", "theme", "textual-light", path=path)
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b", path.parent.parent, path.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
