"""Turn encryption of a DB on or off: every file that holds its content, one by one.

The DB's lock is held throughout. A marker (NAME.json.rekey) is written first and
removed last; while it exists the store refuses to open the DB and running the same
command again finishes the job. Each file is replaced atomically and is whole in one
form, and a file already in the wanted form is skipped, so a kill at any point loses
nothing. The marker holds the sealed side's salt and check value (never the key), so
the resumed run derives the same key and refuses a different passphrase.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import orjson

from . import backups, crypto, format, summary
from .backup_check import check_file
from .diskio import ensure_private_dir, fsync_dir, remove_stale_temps, write_private
from .errors import StoreError, WrongPassphrase
from ..paths import db_command, real_db_path

ENCRYPT, DECRYPT = "encrypt", "decrypt"


class RekeyError(StoreError):
    """The conversion cannot start or go on; the message says why and what to do."""


def _abs(db: Path | str) -> Path:
    return real_db_path(db)  # a linked DB is converted where it really is


def _line_files(db: Path) -> list[Path]:
    """Files of sealed-or-plain lines: the journals, the audit log, team sync's journal."""
    return [db.with_name(db.name + suffix) for suffix in (".journal.old", ".journal", ".audit", ".sync.journal")]


def _files(db: Path) -> Iterator[tuple[Path, bool]]:
    """(path, holds lines) for every file that may hold client content, the main file last."""
    for path in _line_files(db):
        if path.is_file():
            yield path, True
    folder = backups.own_folder(db)
    kept = sorted(folder.iterdir()) if folder is not None else []
    aside = sorted(db.parent.glob(f"{_glob_escape(db.name)}*.damaged-*"))
    for path in [*kept, *aside]:
        if path.is_file() and not path.name.endswith(".tmp"):
            yield path, ".journal" in path.name or ".audit" in path.name
    sync_state = db.with_name(db.name + ".sync")  # team sync's state: every record's last synced version
    if sync_state.is_file():
        yield sync_state, False
    erasing = db.with_name(db.name + ".erasing")  # an erasure a kill cut short (erase.py): its ids
    if erasing.is_file():
        yield erasing, False
    if db.exists():
        yield db, False


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _remove_temps(db: Path) -> None:
    """Temp files of a killed writer may hold the old form; we hold the lock, they are ours."""
    remove_stale_temps(db.parent, f".{db.name}")
    if (folder := backups.own_folder(db)) is not None:
        remove_stale_temps(folder)


def _convert_whole(raw: bytes, to_sealed: bool, codec: crypto.SealedCodec, keys: crypto.Keyring) -> bytes | None:
    """The file's bytes in the wanted form; None when it is in that form already."""
    sealed = crypto.looks_sealed(raw)
    if to_sealed:
        return None if sealed or not raw else codec.seal_file(raw)
    return keys.open_file(raw) if sealed else None


def _convert_lines(raw: bytes, to_sealed: bool, codec: crypto.SealedCodec) -> bytes | None:
    form = crypto.line_form(raw)
    if form == "empty" or form == ("sealed" if to_sealed else "plain"):
        return None
    lines = raw.split(b"\n")
    whole = lines[:-1]  # a last piece without its newline was cut off by a kill: never saved
    out = [codec.seal_line(line) if to_sealed else codec.open_line(line) for line in whole if line.strip()]
    return b"".join(line + b"\n" for line in out)


def _convert_file(path: Path, lines: bool, to_sealed: bool, codec, keys) -> bool:
    """Rewrite one file in the wanted form, atomically; False when nothing was to do."""
    handle = os.open(path, os.O_RDONLY)
    try:
        if path.name.endswith(".audit"):  # appenders (even read-only exports) take this flock
            fcntl.flock(handle, fcntl.LOCK_EX)
        raw = path.read_bytes()
        try:
            new = _convert_lines(raw, to_sealed, codec) if lines else _convert_whole(raw, to_sealed, codec, keys)
        except crypto.CryptoError as exc:
            raise RekeyError(
                f"'{path}' could not be decrypted: {exc.problem}. Nothing more was changed; the files "
                "converted so far stay as they are. Move that file away (or restore it with "
                "'cope-tui doctor') and run the command again."
            ) from None
        if new is None:
            return False
        write_private(path, new)
        return True
    finally:
        os.close(handle)


def _empty_db() -> bytes:
    data = {name: {} for name in format.TABLES}
    data["meta"]["app"] = {"app": format.APP_ID, "schema": format.SCHEMA}
    return orjson.dumps(data)


def _start(db: Path, direction: str, passphrase: str) -> tuple[crypto.SealedCodec, bool]:
    """The codec of the sealed side, and whether a cut-off run is being resumed."""
    marker = crypto.read_marker(db)
    if marker is not None:
        if marker[0] != direction:
            other = DECRYPT if direction == ENCRYPT else ENCRYPT
            raise RekeyError(f"A '{other}' of '{db}' was cut off; run 'cope-tui {other}' to finish it first.")
        try:
            return crypto.unlock(marker[1], passphrase), True
        except crypto.BadPassphrase:
            raise RekeyError(
                f"That is not the passphrase the unfinished '{direction}' of '{db}' began with. "
                "Nothing has been changed; run it again with that passphrase."
            ) from None
    encrypted = crypto.is_encrypted(db)
    if direction == ENCRYPT:
        if encrypted:
            raise RekeyError(f"'{db}' is encrypted already. Nothing has been changed.")
        return crypto.new_codec(passphrase), False
    if not encrypted:
        raise RekeyError(f"'{db}' is not encrypted. Nothing has been changed.")
    try:
        return crypto.unlock(crypto.read_header(db), passphrase), False
    except crypto.CryptoError as exc:
        kind = WrongPassphrase if isinstance(exc, crypto.BadPassphrase) else RekeyError
        raise kind(crypto.describe(db, exc)) from None


def convert(db_path: Path | str, direction: str, passphrase: str) -> list[Path]:
    """Encrypt or decrypt every file of the DB; returns the files rewritten.

    Refused while another process holds the DB (DatabaseLocked), and when the
    DB does not open as it is (a damaged file is never converted: doctor first).
    """
    db = _abs(db_path)
    ensure_private_dir(db.parent)
    with backups.hold_lock(db):
        codec, resumed = _start(db, direction, passphrase)
        keys = crypto.Keyring(passphrase, codec)
        marker = crypto.marker_path(db)
        if not resumed:
            journals = [p for p in _line_files(db)[:2] if p.exists() and p.stat().st_size]
            if direction == ENCRYPT and not db.exists() and not journals:
                from . import anchor

                if anchor.brand_new(db):
                    anchor.start_afresh(db)  # a new DB: an old one's anchor here must not alarm
                write_private(db, codec.seal_file(_empty_db()))  # a new DB, sealed from the start
                return [db]
            present = db.exists() and db.stat().st_size > 0
            check = check_file(db, keys if direction == DECRYPT else None) if present else None
            if check is not None and check.schema is not None and check.schema > format.SCHEMA:
                # Its files are that version's to lay out: one this version does not know of
                # would stay plain beside sealed ones (or sealed beside plain ones).
                raise RekeyError(
                    f"'{db}' was written by a newer cope-tui (format {check.schema}); update cope-tui to "
                    f"{direction} it. Nothing has been changed."
                )
            if check is not None and not check.ok:
                raise RekeyError(
                    f"'{db}' does not open as it is ({check.problem}), so it was not converted. "
                    f"Nothing has been changed. Run '{db_command(db, 'doctor')}' to check it first."
                )
            write_private(marker, crypto.make_marker(direction, codec))
        _remove_temps(db)
        changed = [
            path for path, lines in list(_files(db)) if _convert_file(path, lines, direction == ENCRYPT, codec, keys)
        ]
        if direction == ENCRYPT and not crypto.is_encrypted(db):  # only journals so far
            write_private(db, codec.seal_file(_empty_db()))
            changed.append(db)
        # The client-list summary is rebuilt, in the new form, at the next open; the
        # search index's text is never kept for an encrypted DB.
        summary.forget(db)
        marker.unlink()
        fsync_dir(db.parent)
        _note_in_audit(db, direction, codec)
    return changed


def _note_in_audit(db: Path, direction: str, codec: crypto.SealedCodec) -> None:
    """The audit log records the change of form; a failure to note it undoes nothing."""
    try:
        from . import audit

        audit.record_at(db, codec if direction == ENCRYPT else crypto.PlainCodec(), direction)
    except Exception:  # the conversion itself is complete and durable
        pass
