"""Rotating backups of the DB file, kept beside it in NAME.json.backups/."""

from __future__ import annotations

from pathlib import Path


def after_compaction(db_path: Path) -> None:
    """Keep a snapshot of the freshly compacted file; must be cheap and never raise."""


def keep_copy(db_path: Path, reason: str) -> Path | None:
    """Keep a full copy of the DB file as it is now (e.g. before a migration)."""
    return None
