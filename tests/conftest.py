"""Shared fixtures: every test runs with its own user dirs, never the real DB."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

from helpers.cli import CLI_TIMEOUT, run_cli as _run_cli
from helpers.terminal import Terminal

# Property tests check what a result is, never how long it took: Hypothesis's default
# 200 ms deadline would let a busy CI machine fail the tests that left it set.
settings.register_profile("cope", deadline=None, print_blob=True)
settings.load_profile("cope")

TESTS = Path(__file__).parent
# The kind of each test is the folder it is in (see the README's "Run the tests").
KINDS = ("unit", "app", "cli", "e2e")


def _isolated_dirs(tmp_path: Path) -> dict[str, str]:
    dirs = {
        "XDG_DATA_HOME": tmp_path / "xdg-data",
        "XDG_CONFIG_HOME": tmp_path / "xdg-config",
        "XDG_STATE_HOME": tmp_path / "xdg-state",
        "XDG_CACHE_HOME": tmp_path / "xdg-cache",
    }
    for path in dirs.values():
        path.mkdir(exist_ok=True)
    return {key: str(path) for key, path in dirs.items()}


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point platform dirs at tmp_path and forget any COPE_TUI_DB from the shell."""
    dirs = _isolated_dirs(tmp_path)
    for key, value in dirs.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("COPE_TUI_DB", raising=False)
    return dirs


@pytest.fixture(autouse=True)
def no_app_outlives_its_test():
    """An app left on a closed pty by a failed test spins a core; kill it at teardown."""
    yield
    Terminal.kill_leftovers()


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a subprocess with the same isolation as the test itself."""
    env = dict(os.environ)
    env.update(_isolated_dirs(tmp_path))
    env.pop("COPE_TUI_DB", None)
    env["PYTHONIOENCODING"] = "utf-8"
    env["NO_COLOR"] = "1"
    return env


@pytest.fixture
def cli(cli_env: dict[str, str], tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`cli("export", "--all", "--db", path)` runs the CLI in a subprocess, isolated."""

    def call(*args: str | os.PathLike[str], timeout: float = CLI_TIMEOUT) -> subprocess.CompletedProcess[str]:
        return _run_cli([os.fspath(a) for a in args], cli_env, cwd=tmp_path, timeout=timeout)

    return call


@pytest.fixture
def run_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """`run_cli(args, env)`: the CLI in a subprocess with an environment of the test's choosing."""
    return _run_cli


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--runslow", action="store_true", default=False,
        help="also run the long torture loops marked slow (their short versions always run)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with its folder's kind, so `-m "not e2e"` runs the fast part; and
    keep the long loops out of the default run, so the suite stays well inside CI's time."""
    for item in items:
        kind = item.path.relative_to(TESTS).parts[0] if item.path.is_relative_to(TESTS) else ""
        if kind in KINDS:
            item.add_marker(kind)
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="long torture loop: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
