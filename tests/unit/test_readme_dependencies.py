"""The README's "Dependencies and why" names every dependency pyproject.toml declares
(issue 13, point 13: `cryptography` was missing), so none is there without a reason."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_dependency_has_its_why_in_the_readme():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project["dependencies"]) + [d for ds in project.get("optional-dependencies", {}).values() for d in ds]
    names = {re.match(r"[A-Za-z0-9_.-]+", d).group(0).lower() for d in declared}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Dependencies and why", 1)[1].split("\n## ", 1)[0].lower()
    missing = sorted(n for n in names if f"`{n}`" not in section)
    assert missing == []
