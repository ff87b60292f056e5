"""Upgrades of older DB layouts, one step per schema version.

`STEPS[n]` turns a layout of version n into version n+1. To change the layout: bump
`format.SCHEMA`, register the step here, and test it on a file of the old version. The
store keeps a copy of the old file in the backups folder before it upgrades, and a
read-only open upgrades in memory only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import StoreError

Step = Callable[[dict[str, Any]], dict[str, Any]]



def _to_lean(data: dict[str, Any]) -> dict[str, Any]:
    """1 -> 2: the records stay exactly as they are; what changes is how the main file
    keeps them (file_form.py), written at the store's next compaction. Finalised
    meetings' hashes are of their content (signing.py), so they hold as they were."""
    return data


STEPS: dict[int, Step] = {1: _to_lean}


def upgrade(data: dict[str, Any], from_version: int, to_version: int, path: Any = None) -> dict[str, Any]:
    """Return `data` moved from `from_version` to `to_version` of the layout; messages
    name `path` (the file the data came from) when given."""
    what = f"'{path}'" if path is not None else "a database"
    if from_version > to_version:
        raise StoreError(
            f"Cannot downgrade {what} from format {from_version} to {to_version}; "
            "the file has not been changed."
        )
    missing = [v for v in range(from_version, to_version) if v not in STEPS]
    if missing:
        raise StoreError(
            f"This cope-tui cannot upgrade {what} from format {from_version} to {to_version}: "
            f"it has no upgrade step from format {missing[0]}. The file has not been changed; "
            "use the cope-tui version that wrote it, or update cope-tui."
        )
    for version in range(from_version, to_version):
        try:
            data = STEPS[version](data)
        except Exception as exc:
            raise StoreError(
                f"Upgrading {what} from format {version} to {version + 1} failed "
                f"({type(exc).__name__}: {exc}). The file has not been changed."
            ) from exc
        app = data.get("meta", {}).get("app") if isinstance(data.get("meta"), dict) else None
        if isinstance(app, dict):
            app["schema"] = version + 1
    return data
