"""export --all through the CLI (subprocesses) is byte for byte the library's one-process export."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.export_db import demo_db_with_orphan, one_process_export


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_db_with_orphan(tmp_path_factory.mktemp("parallel") / "demo.json")


def test_cli_export_all_matches_library(demo_db: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "all.md"
    result = cli("export", "--all", "--db", str(demo_db), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == one_process_export(demo_db)
    assert (out.stat().st_mode & 0o777) == 0o600
    printed = cli("export", "--all", "--db", str(demo_db))
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.encode() == out.read_bytes()
