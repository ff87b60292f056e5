"""The CLI as the tests run it: `python -m cope_tui.cli.main` on this interpreter, so the
installed console script is not needed. Every test that starts the CLI takes the command
line from here, so a move of the entry point changes one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "cope_tui.cli.main"]
CLI_TIMEOUT = 120  # seconds; a hung subprocess fails the test instead of the run


def run_cli(
    args: list[str], env: dict[str, str], *, cwd: Path | None = None, timeout: float = CLI_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """The CLI with ARGS in a subprocess: no terminal (stdin is /dev/null), output captured."""
    return subprocess.run(
        [*CLI, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )


def convert(env: dict[str, str], command: str, db: Path, passphrase: str) -> None:
    """`encrypt` or `decrypt` DB with the passphrase in the environment; it must succeed."""
    done = run_cli([command, "--db", os.fspath(db)], {**env, "COPE_TUI_PASSPHRASE": passphrase})
    assert done.returncode == 0, done.stderr


def plain_lines(path: Path) -> list[bytes]:
    """The lines of a file that are plain JSON objects (a sealed line is base64)."""
    return [line for line in path.read_bytes().splitlines() if line.lstrip().startswith(b"{")]


def doctor(env: dict[str, str], db: Path, passphrase: str | None = None) -> subprocess.CompletedProcess[str]:
    """`doctor --db DB`, with the passphrase in the environment when one is given."""
    return run_cli(["doctor", "--db", os.fspath(db)], {**env, "COPE_TUI_PASSPHRASE": passphrase} if passphrase else env)
