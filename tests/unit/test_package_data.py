"""The package data globs in pyproject.toml ship every file the app reads (issue 12,
point 8): a stylesheet or content file in a folder no glob names would be left out of
an installed copy, which then fails at start, while a checkout works."""

from __future__ import annotations

import tomllib
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "cope_tui"


def _globs() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["setuptools"]["package-data"]["cope_tui"]


def _data_files() -> list[PurePosixPath]:
    return sorted(
        PurePosixPath(path.relative_to(PACKAGE).as_posix())
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    )


def _matches(path: PurePosixPath, pattern: str) -> bool:
    if pattern.startswith("**/"):  # any depth, the package's own folder too
        return path.match(pattern[3:]) or path.match(pattern)
    return path.match(pattern) and len(path.parts) == len(PurePosixPath(pattern).parts)


def test_every_data_file_of_the_package_is_shipped():
    globs = _globs()
    left_out = [str(path) for path in _data_files() if not any(_matches(path, g) for g in globs)]
    assert not left_out, f"add a glob for these to [tool.setuptools.package-data]: {left_out}"


def test_every_glob_names_files_that_exist():
    files = _data_files()
    empty = [g for g in _globs() if not any(_matches(path, g) for path in files)]
    assert not empty, f"these package-data globs match no file (a folder moved?): {empty}"
    assert any(str(path).startswith("content/") for path in files)
