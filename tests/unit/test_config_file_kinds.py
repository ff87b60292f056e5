"""A config.toml that is not a settings file: a warning, never a crash, a hang or a
memory blow-up (the app and every command read it at start)."""

from __future__ import annotations

import os
import threading

import pytest

from cope_tui.settings import SettingsError, load_settings, save_setting


def load_within(path, seconds: float = 10.0):
    """load_settings in a thread, so a read that waits forever fails the test instead."""
    found: list = []
    worker = threading.Thread(target=lambda: found.append(load_settings(path=path, env={})), daemon=True)
    worker.start()
    worker.join(seconds)
    assert found, "reading the settings did not return"
    return found[0]


def test_a_binary_file_is_a_warning(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xff\xfe\x00\x01garbage")
    found = load_within(path)
    assert any("is not text (UTF-8)" in w for w in found.warnings)
    assert found.sync_remote is None and found.keys == ()


def test_a_pipe_is_a_warning_not_a_wait(tmp_path) -> None:
    path = tmp_path / "config.toml"
    os.mkfifo(path)
    found = load_within(path)
    assert any("is not a file" in w for w in found.warnings)


def test_a_link_to_an_endless_device_is_a_warning(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.symlink_to("/dev/zero")
    found = load_within(path)
    assert any("is not a file" in w for w in found.warnings)


def test_saving_a_setting_into_a_binary_file_is_refused_and_leaves_it(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(SettingsError, match="not text"):
        save_setting("user", "name", "Ann", path=path)
    assert path.read_bytes() == b"\xff\xfe"
