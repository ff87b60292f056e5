"""Looking for a client's words in every file, the way someone with the files (and, for an
encrypted DB, the passphrase) could: plain bytes, compressed backups, sealed files and
sealed lines are all opened before they are searched."""

from __future__ import annotations

from pathlib import Path

from cope_tui.store import crypto

ZSTD = b"\x28\xb5\x2f\xfd"


def _opened(raw: bytes, keys: crypto.Keyring) -> list[bytes]:
    """Every readable form of a file's bytes."""
    import zstandard

    forms = [raw]
    if crypto.looks_sealed(raw) and keys.passphrase is not None:
        try:
            raw = keys.open_file(raw)
            forms.append(raw)
        except crypto.CryptoError:
            pass
    elif keys.passphrase is not None:  # a file of sealed lines
        codec = next(iter(keys._codecs.values()), None)
        for line in raw.split(b"\n"):
            if codec is not None and line.strip():
                try:
                    forms.append(codec.open_line(line))
                except crypto.CryptoError:
                    pass
    if raw.startswith(ZSTD):
        forms.append(zstandard.ZstdDecompressor().decompressobj().decompress(raw))  # (sizes unknown ahead too)
    return forms


def holding_anywhere(folders: list[Path], marker: str, passphrase: str | None = None, db: Path | None = None) -> list[str]:
    """The files under `folders` that hold `marker` in any form."""
    keys = crypto.Keyring(passphrase)
    if passphrase is not None and db is not None:
        keys.codec_for(db.read_bytes())  # the DB's key, for its sealed lines
    needle = marker.encode()
    found = []
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and any(needle in form for form in _opened(path.read_bytes(), keys)):
                found.append(str(path))
    return found
