"""The UI's import rules hold, lazy imports included (pyproject.toml's ui-* contracts):
app -> navigation -> screens -> widgets -> dialogs, no screen imports another screen,
and no import cycle between the modules of a UI package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ("ui-layers", "ui-screens-independent", "ui-acyclic")


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    """import-linter's verdict on the UI contracts, for the package under `root`/src."""
    command = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache", "--no-logo"]
    for contract in CONTRACTS:
        command += ["--contract", contract]
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_the_ui_keeps_its_import_rules() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "planted", "contract"),
    [
        ("widgets/palette.py", "from ..screens.client import ClientScreen", "UI layers"),
        ("dialogs/confirm.py", "from ..widgets.list_editor import ListEditor", "UI layers"),
        ("dialogs/help.py", "from ..screens.search import SearchScreen", "UI layers"),
        ("screens/client.py", "from .meeting import MeetingScreen", "No screen imports another screen"),
        ("widgets/exercise/plan_culture.py", "from .plan import PlanPanel", "No import cycle"),
    ],
)
def test_a_wrong_ui_import_is_caught(tmp_path: Path, module: str, planted: str, contract: str) -> None:
    """Each rule fails on a planted import, even one deferred inside a function."""
    shutil.copytree(ROOT / "src" / "cope_tui", tmp_path / "src" / "cope_tui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "src" / "cope_tui" / module
    target.write_text(target.read_text() + f"\n\ndef _planted():\n    {planted}\n")
    result = lint(tmp_path)
    assert result.returncode == 1
    assert f"{contract}" in result.stdout and "BROKEN" in result.stdout
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in broken, broken
