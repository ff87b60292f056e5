"""The ways the command line is started keep working after the move into packages
(issue 12, point 8): the console script's target, `python -m cope_tui.cli` and
`python -m cope_tui.cli.main` (which the tests and the benchmarks run)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import import_module
from pathlib import Path

import pytest

from cope_tui import __version__

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("module", ["cope_tui.cli", "cope_tui.cli.main"])
def test_python_m_runs_the_command_line(module, cli_env):
    done = subprocess.run(
        [sys.executable, "-m", module, "--version"], env=cli_env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"cope-tui {__version__}"


def test_the_console_script_names_a_function_that_exists():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    module, _, name = scripts["cope-tui"].partition(":")
    assert callable(getattr(import_module(module), name))
