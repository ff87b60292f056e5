"""What the store raises: a problem a user can act on, the message naming the file and
what to do. Kept apart from the Store so the modules the store uses (load, migrations,
backups, doctor) can raise them without importing it. `store.store` re-exports them:
they are part of the Store's API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import crypto


class StoreError(Exception):
    """A DB problem a user can act on; the message says which file and what to do."""


class CorruptDatabase(StoreError):
    pass


class UnreadableRecords(CorruptDatabase):
    """A journal line or stored record the app cannot read. Restoring a backup would lose
    the good saves made since it; `doctor --set-aside` loses nothing (the message says so)."""


class ForeignDatabase(StoreError):
    pass


class DatabaseLocked(StoreError):
    def __init__(self, message: str, holder: dict[str, Any]):
        super().__init__(message)
        self.holder = holder


class ReadOnlyDatabase(StoreError):
    pass


class WrongPassphrase(StoreError):
    """The passphrase does not open this encrypted DB; nothing was read or written."""


class NewerEncryption(StoreError):
    """Sealed by a newer cope-tui's encryption format."""


class RecordLocked(StoreError):
    """A finalised meeting was about to change."""


def sealed_error(path: Path, exc: crypto.CryptoError) -> StoreError:
    """The StoreError for a sealed file that does not open, in the user's terms."""
    kind = {crypto.NewerVersion: NewerEncryption, crypto.BadPassphrase: WrongPassphrase}.get(type(exc))
    return (kind or CorruptDatabase)(crypto.describe(path, exc))
