"""Upgrades of older DB layouts, one step per schema version."""

from __future__ import annotations

from typing import Any


def upgrade(data: dict[str, Any], from_version: int, to_version: int) -> dict[str, Any]:
    """Return `data` moved from `from_version` to `to_version` of the layout."""
    return data
