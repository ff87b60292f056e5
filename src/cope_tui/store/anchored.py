"""The store's side of the change numbers and the anchor (see anchor.py).

A mixin of `store.Store`, kept apart so store.py stays about loading and saving:
numbering each journal line, following the numbers while the journal replays, telling
the anchor, and refusing to write once the files were converted under the store.
"""

from __future__ import annotations

import errno
import threading
from pathlib import Path
from typing import Any

import orjson

from . import anchor, crypto
from .diskio import write_private


class FilesReplaced(OSError):
    """The journal or the main file was replaced under a writer in another form (an encrypt
    or decrypt that got past a deleted lock file): nothing more is written. An OSError, so
    the saver keeps the text in memory, says why and retries."""

    def __init__(self, path: Path):
        super().__init__(
            errno.ESTALE,
            f"the files of '{path}' were encrypted, decrypted or replaced by another program while "
            "they were open here, so nothing more is written to them. Copy any text you still need, "
            "then close cope-tui and open the database again",
        )


class LockLost(OSError):
    """The DB's lock file was replaced under a writer (deleted, and another program made a
    new one): another writer may be at the files, so nothing more is written here. An
    OSError, so the saver keeps the text in memory, says why and retries."""

    def __init__(self, path: Path):
        super().__init__(
            errno.ESTALE,
            f"the lock file of '{path}' was deleted while the database was open here, and another "
            "program has opened it since, so nothing more is written here (two writers overwrite each "
            "other's words). Copy any text you still need, then close cope-tui and open the database again",
        )


class Anchored:
    """Needs the store's path, codec, journal, lock, read_only, _data, _mutex and _compactor."""

    def _init_anchor(self) -> None:
        self.seq = 0  # the number of the last change saved
        self._seqs: anchor.Sequence | None = None
        self._anchor: anchor.SeqAnchor | None = None
        self.integrity_notes: list[str] = []  # missing changes found at load, for the app to show

    def _follow_sequence(self, data: dict[str, Any]):
        """The replay's `track`, following the numbers on from the main file's `data`."""
        self._seqs = anchor.Sequence.of(data, self.path)
        return self._seqs.see

    def _check_sequence(self) -> None:
        """After the load: missing changes (a deleted journal, a line cut out, an older file
        put back) are named in `integrity_notes`; a writer records them and numbers on
        past everything ever seen."""
        seqs = self._seqs
        if seqs is None:
            return
        kept = ""
        if self.read_only:
            gaps = anchor.missing(self.path, seqs)
            self.seq = seqs.last
        else:
            self.seq, gaps = anchor.take_over(self.path, seqs)
            anchor.mark_lost(self._data, gaps)  # numbered past them: say the files lack them
            reported = {(g.first, g.last) for g in gaps}  # (a gap of lines set aside is not)
            if seqs.repeats or any((g.first, g.last) in reported for g in seqs.gaps):
                kept = self._keep_journal()
        if gaps or seqs.repeats:
            self.integrity_notes.append(anchor.missing_notice(self.path, gaps, seqs.repeats) + kept)

    def _keep_journal(self) -> str:
        """The journal's numbers are wrong (a number twice, or skipped), and the open's
        compaction is about to fold it in without the lines it did not apply: a line
        given twice may be the genuine one, a skipped number may sit on a line whose
        number was damaged. So the journal is kept whole first (never deleted), as
        `doctor --set-aside` keeps one; says where, for the notice. A copy, not a hard
        link: the compaction empties the journal in place (Journal.truncate)."""
        from .backups import aside_names

        paths = [p for p in (self.journal.old_path, self.journal.path) if p.exists()]
        asides = aside_names(paths)
        try:
            for path, aside in zip(paths, asides, strict=True):
                write_private(aside, path.read_bytes())
        except OSError as exc:
            return f" The journal could not be kept as it was ({exc.strerror or exc})."
        return " The journal as it was is kept as " + ", ".join(f"'{a.name}'" for a in asides) + "."

    def _open_anchor(self) -> None:
        """After the open's compaction: with nothing left waiting, every change read is on
        disk for good and the anchor may say so; otherwise it keeps what it said."""
        if self.read_only:
            return
        self._anchor = anchor.SeqAnchor(self.path)
        self._anchor.open(None if self.journal.pending() else self.seq)

    def _close_anchor(self) -> None:
        if self._anchor is not None:
            self._anchor.sync(self.seq)  # each change up to seq was fsynced when it was saved
            self._anchor.close()
            self._anchor = None

    def _append(self, entry: dict[str, Any]) -> None:
        """One numbered journal line, fsynced; then the anchor follows (a pwrite, no fsync)."""
        self._append_many([entry])

    def _append_many(self, entries: list[dict[str, Any]], encoded: Encoded | None = None) -> None:
        """Numbered journal lines, written and fsynced together (see Journal.append_many).
        `encoded`: a record's JSON the caller made already, written as it is (see
        Batched.write_many)."""
        if not entries:
            return
        if self.journal.replaced():
            self._journal_replaced()  # (the files' form and the lock checked there)
        elif not self.lock.still_held():
            raise LockLost(self.path)
        for n, entry in enumerate(entries, 1):
            entry["seq"] = self.seq + n
        self.journal.append_many(entries if not encoded else [_as_written(entry, encoded) for entry in entries])
        self.seq += len(entries)
        if self._anchor is not None:
            self._anchor.tick(self.seq)

    def _journal_replaced(self) -> None:
        """The journal file was deleted or replaced while open. In the same form, a fresh one
        takes the next lines and a compaction writes out everything held in memory, so
        nothing of the lost file is lost. In another form, nothing more is written."""
        self._still_same_form()
        self.journal.close()
        self.journal.open()
        self._fold_exact = False  # the lost lines are in memory only: the next backup is a full copy
        if self._compactor is None or not self._compactor.is_alive():
            self._compactor = threading.Thread(target=self._compact_in_background, name="cope-compact", daemon=True)
            self._compactor.start()

    def _still_same_form(self) -> None:
        """Before a file is written anew: still in the form this writer writes (the more
        telling message first), and still this writer's."""
        if not crypto.same_form(self.path, self.codec):
            raise FilesReplaced(self.path)
        if not self.lock.still_held():
            raise LockLost(self.path)


Encoded = dict[tuple[str, str], bytes]  # (table, id): the record's JSON, keys in any order


def _as_written(entry: dict[str, Any], encoded: Encoded) -> dict[str, Any]:
    raw = encoded.get((entry["t"], entry["id"])) if "doc" in entry else None
    return entry if raw is None else {**entry, "doc": orjson.Fragment(raw)}
