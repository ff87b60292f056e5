"""Low-level file work for the store: private atomic writes, the journal, the lock.

Kept apart from `store.Store` so each piece can be read, and reasoned about for
crash safety, on its own.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, ContextManager

import orjson

from .crypto import CryptoError, PlainCodec
from .own_files import PlantedLink, open_own, read_own  # noqa: F401  (PlantedLink: imported from here too)
from ..mdsafe import one_line
from ..paths import ensure_private_dir  # noqa: F401  (made there: settings needs it too)
from .record_check import entry_problem


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_private(path: Path, data: bytes) -> None:
    """Write a whole file atomically, owner-only, durable before it replaces the old one.

    Every file cope-tui writes whole goes through here (or PrivateWriter, for one written
    a piece at a time). The temporary file is made by mkstemp: a random name,
    O_CREAT|O_EXCL|O_NOFOLLOW and 0600, so a link or file that someone planted beside the
    target (as they could at the `.NAME.PID.tmp` names used before) is never opened, let
    alone written through. Its name stays `.NAME.*.tmp`, so the next open finds what a
    killed writer left (`remove_stale_temps`). On any failure, the rename included (a
    folder, a file another user owns in a sticky folder), the temporary copy is removed:
    it holds everything the target would have.
    """
    with PrivateWriter(path) as out:
        out.write(data)
        out.commit()


class PrivateWriter:
    """write_private a piece at a time: `write` each, then `commit` (durable, then in place
    of the target); leaving without committing removes what was written. With `guard`, a
    context manager saying whether the file is still wanted, only the rename happens in
    it: what it holds (a store's lock, say) is not held while the disk makes the file
    durable."""

    def __init__(self, path: Path):
        import tempfile  # not at import: the CLI's quick commands never write a whole file

        self.path = Path(path)
        self._fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        self._done = False

    def __enter__(self) -> PrivateWriter:
        try:
            os.fchmod(self._fd, 0o600)
        except BaseException:
            self.__exit__()
            raise
        return self

    def write(self, data: bytes) -> None:
        _write_all(self._fd, data)

    def commit(self, guard: Callable[[], ContextManager[bool]] | None = None) -> bool:
        """False (and nothing replaced) when `guard` said the file is no longer wanted."""
        os.fsync(self._fd)
        os.close(self._fd)
        self._fd = -1
        with guard() if guard is not None else contextlib.nullcontext(True) as wanted:
            if not wanted:
                return False
            os.replace(self._tmp, self.path)
            self._done = True
        fsync_dir(self.path.parent)
        return True

    def __exit__(self, *exc: object) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if not self._done:
            try:
                os.unlink(self._tmp)
            except OSError:
                pass


def remove_stale_temps(folder: Path, prefix: str = ".", older_than: float | None = None) -> None:
    """Remove temporary files (`PREFIX*.tmp`) a writer killed mid-write left in `folder`.

    Only regular files of this user's are removed: in a shared folder a file of another
    user's, or a link anyone planted, is none of ours (unlink would not follow a link, but
    it is not ours to remove either). `older_than` (seconds) spares the temps of writers
    that may still be at work.
    """
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    cutoff = None if older_than is None else time.time() - older_than
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(".tmp")):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
                continue
            if cutoff is None or info.st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            pass


def read_identified(path: Path) -> tuple[Any, Any]:
    """A file mapped read-only (bytes when empty) and a sha256 naming that very file: it
    is only ever replaced whole (write_private), so device, inode, size and mtime
    identify what was read, and the mapping keeps that version."""
    import hashlib
    import mmap

    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            digest = hashlib.sha256(f"{st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns}\n".encode())
            if st.st_size == 0:
                return b"", digest
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ), digest
    except FileNotFoundError:
        return b"", hashlib.sha256(b"no main file\n")


def read_held(path: Path) -> tuple[bytes, Any]:
    """The file's bytes, and the file itself left open to read from again later: it is
    only ever replaced whole (write_private), so the open file keeps the very version
    read even after a compaction has put another in its place. (None when there is no
    file.) Reading a line again costs a seek, where keeping every line in memory cost
    the whole file, or a quarter of it compressed."""
    try:
        handle = open(path, "rb", buffering=0)  # noqa: SIM115 (kept open by the caller)
    except FileNotFoundError:
        return b"", None
    try:
        return handle.readall(), handle
    except BaseException:
        handle.close()
        raise


def database_exists(db: Path) -> bool:
    """A DB is its main file or, until its first fold, its journal alone: a new DB whose
    first session was killed holds every record in the journal and no main file yet."""
    journal = db.with_name(db.name + ".journal")
    return any(path.exists() for path in (db, journal, journal.with_name(journal.name + ".old")))


class JournalDamaged(Exception):
    """A journal line that is not one the store wrote: `problem` says how (naming no
    stored value); `sealed` when it is an encrypted line that does not decrypt."""

    def __init__(self, path: Path, line: int, sealed: bool = False, problem: str = ""):
        super().__init__(f"{path} line {line}")
        self.path, self.line, self.sealed, self.problem = path, line, sealed, problem


class Journal:
    """Append-only JSON lines, fsynced per entry.

    `rotate()` moves the current lines to NAME.old so a compaction can fold them into
    the main file while new saves go on into a fresh journal; the old one is deleted
    only after the main file holding its lines is durable. Each line passes through
    `codec` (in an encrypted DB, each is sealed on its own).

    `check` says what is wrong with a line's entry (None: nothing), by default the DB's
    record check. A journal of other entries (the sync state's) gives its own, so that
    its lines are judged by what they are, in the torn tail as in the replay.
    """

    def __init__(self, path: Path, codec=None, check: Callable[[Any], str | None] = entry_problem):
        self.path = path
        self.codec = codec or PlainCodec()
        self.check = check
        self.old_path = path.with_name(path.name + ".old")
        self.fd: int | None = None
        self.size = 0

    def open(self) -> None:
        fd = open_own(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.fchmod(fd, 0o600)
        self.fd, self.size = fd, self._cut_torn_tail(fd, os.fstat(fd).st_size)

    def _cut_torn_tail(self, fd: int, size: int) -> int:
        """Bytes after the last newline are a save a kill cut off: never reported saved, and
        skipped by the replay unless whole. The next save must not be glued to them into one
        damaged line: a whole line gets its newline, anything else is cut off."""
        if size == 0:
            return size
        with open(self.path, "rb") as f:
            if os.pread(f.fileno(), 1, size - 1) == b"\n":
                return size
            raw = os.pread(f.fileno(), size, 0)
        keep = raw.rfind(b"\n") + 1
        try:
            whole = self.check(orjson.loads(self.codec.open_line(raw[keep:]))) is None
        except (orjson.JSONDecodeError, CryptoError):
            whole = False
        if whole:
            _write_all(fd, b"\n")
        else:
            os.ftruncate(fd, keep)
        os.fsync(fd)
        return size + 1 if whole else keep

    def pending(self) -> bool:
        """Lines not yet folded into the main file (a crash left them, or saves since)."""
        if self.fd is None:
            try:
                return self.path.stat().st_size > 0 or self.old_path.exists()
            except FileNotFoundError:
                return self.old_path.exists()
        return self.size > 0 or self.old_path.exists()

    def append(self, entry: dict[str, Any], *, durable: bool = True) -> None:
        self.append_many([entry], durable=durable)

    def append_many(self, entries: list[dict[str, Any]], *, durable: bool = True) -> None:
        """Every entry a line of its own, written in one go and fsynced once: a batch costs
        one fsync. A kill part-way leaves whole lines and at most one torn tail. Without
        `durable`, no fsync: the line outlives the process being killed, not the power going
        (for a hint whose loss costs nothing but a question, never for a record)."""
        assert self.fd is not None
        line = b"".join(self.codec.seal_line(orjson.dumps(entry)) + b"\n" for entry in entries)
        start = self.size
        try:
            _write_all(self.fd, line)
            if durable:
                os.fsync(self.fd)
        except OSError:
            try:  # leave no torn line behind a failed write (disk full, I/O error)
                os.ftruncate(self.fd, start)
            except OSError:
                pass
            raise
        self.size = start + len(line)

    def replaced(self) -> bool:
        """Was the file this journal appends to deleted or replaced since it was opened (by
        hand, or by an encrypt or decrypt that got past a deleted lock file)? One fstat."""
        if self.fd is None:
            return False
        try:
            return os.fstat(self.fd).st_nlink == 0
        except OSError:
            return True

    def rotate(self) -> bool:
        """Start a fresh journal; False when an earlier rotation was never folded in."""
        if self.old_path.exists():
            return False
        os.rename(self.path, self.old_path)
        fsync_dir(self.path.parent)
        if self.fd is not None:
            os.close(self.fd)
        self.open()
        return True

    def drop_old(self) -> None:
        self.old_path.unlink(missing_ok=True)

    def truncate(self) -> None:
        """Everything is in the main file now."""
        assert self.fd is not None
        os.ftruncate(self.fd, 0)
        os.fsync(self.fd)
        self.size = 0
        self.drop_old()

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def read_all(self) -> list[tuple[Path, bytes]]:
        """The bytes of the old journal, then of the current one (absent ones left out)."""
        found = []
        for path in (self.old_path, self.path):
            try:
                found.append((path, read_own(path)))
            except FileNotFoundError:
                continue
        return found

    def replay(
        self,
        data: dict[str, dict[str, Any]],
        digest: Any = None,
        *,
        files: list[tuple[Path, bytes]] | None = None,
        check: Callable[[Any], str | None] | None = None,
        on_bad: Callable[[JournalDamaged], None] | None = None,
        track: Callable[[Path, int, Any], bool] | None = None,
    ) -> int:
        """Apply the old then the current journal to `data`; returns entries applied.

        `files` are their bytes when already read (`read_all`); `digest` (a hashlib
        object) is fed them. Every line passes `check` (by default the journal's own)
        before it touches `data`: a bad line raises JournalDamaged, or with `on_bad` is
        handed to it and skipped. With `track(path, line, entry)` (anchor.Sequence.see),
        which follows the change numbers and says which lines to apply, every line is
        read first and the good ones are applied in the order of their numbers: the
        order a store appends them in, so this changes nothing in a journal it wrote,
        and a line copied or moved elsewhere cannot make the lines after it look older
        than it (they would be skipped, and folded away with the journal). A line
        without a number (a cope-tui before numbers wrote it) stays after the numbered
        line it follows.
        """
        applied = 0
        held: list[tuple[tuple[int, int], Path, int, Any]] = []
        for path, raw in self.read_all() if files is None else files:
            if digest is not None:
                digest.update(b"%s %d\n" % (path.name.encode(), len(raw)))
                digest.update(raw)
            for number, entry, damage in self._lines(path, raw, check or self.check):
                if damage is not None:
                    if on_bad is None:
                        raise damage
                    on_bad(damage)
                elif track is None:
                    applied += _apply(data, entry)
                else:
                    after = held[-1][0][0] if held else 0
                    held.append(((entry["seq"], 0) if "seq" in entry else (after, 1), path, number, entry))
        held.sort(key=lambda line: line[0])  # stable: lines of equal keys keep the file's order
        for _, path, number, entry in held:
            if track is not None and track(path, number, entry):
                applied += _apply(data, entry)
        return applied

    def _lines(self, path: Path, raw: bytes, check) -> Iterator[tuple[int, Any, JournalDamaged | None]]:
        """(line number, entry, None) for each good line and (line number, None, damage)
        for each bad one; bytes after the last newline only when they are a good line.
        Lines are cut from `raw` one at a time: a list of them all was a second copy of
        the file (500 MB for a sync state of 50,000 meetings)."""
        for number, line, ended in _each_line(raw):
            if not line.strip():
                continue
            sealed = False
            try:
                entry = orjson.loads(self.codec.open_line(line))
                problem = check(entry)
            except orjson.JSONDecodeError:
                problem = "it is not JSON"
            except CryptoError:
                sealed, problem = True, "it does not decrypt (damaged or changed)"
            if problem is None:
                yield number, entry, None
            elif ended:
                # Only bytes after the last newline can be a line a kill cut off mid-write;
                # it was never reported saved, and is skipped. A bad line that ends with its
                # newline was written whole: it is damage, even when it is the last one.
                yield number, None, JournalDamaged(path, number, sealed, problem)


def _each_line(raw: bytes) -> Iterator[tuple[int, bytes, bool]]:
    """(number, line, whether a newline ended it) for each line of `raw`, as split() would
    number them."""
    start, number = 0, 0
    while start <= len(raw):
        number += 1
        end = raw.find(b"\n", start)
        if end < 0:
            yield number, raw[start:], False
            return
        yield number, raw[start:end], True
        start = end + 1


def _apply(data: dict[str, dict[str, Any]], entry: dict[str, Any]) -> int:
    table = data.setdefault(entry["t"], {})
    if entry.get("del"):
        table.pop(entry["id"], None)
    else:
        table[entry["id"]] = entry["doc"]
    return 1


class LockFile:
    """flock on NAME.lock, which also names its holder; dies with its process."""

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> bool:
        fd = open_own(self.path, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        import socket  # the host name is only needed here, once per open

        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": datetime.now().isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, orjson.dumps(info), 0)
        self.fd = fd
        return True

    def still_held(self) -> bool:
        """Is NAME.lock still the file this process locked? Its lock ends with the file:
        once it is deleted (a "stale lock" removed by hand, a cleaner), a second cope-tui
        opened as a writer beside this one, and each wrote over the other's words. Gone,
        with no new one made: taken again (nobody has opened the DB since). Another file
        there: another program may be writing the DB, so this one must not. Two syscalls."""
        if self.fd is None:
            return True  # (read-only: none was taken)
        try:
            there = os.lstat(self.path)
        except FileNotFoundError:
            return self._take_again()
        except OSError:
            return False
        here = os.fstat(self.fd)
        return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)

    def _take_again(self) -> bool:
        old = self.fd
        try:
            if not self.acquire():  # another process made and locked a new one meanwhile
                return False
        except OSError:
            return False
        if old is not None:
            os.close(old)
        return True

    def holder(self) -> dict[str, Any] | None:
        """Who took the lock last, as its file says. Anyone who can write the folder can
        write that file, and three commands print it: each value comes as a short clean
        line, so it can hold no escape sequence (a pid stays a number)."""
        try:
            found = orjson.loads(self.path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        if not isinstance(found, dict):
            return None  # a damaged lock file names nobody
        return {str(k): v if type(v) is int else one_line(v)[:80] for k, v in found.items()}

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
