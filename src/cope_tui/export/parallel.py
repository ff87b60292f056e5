"""`export --all` on two cores.

Parsing and rendering 10,000 stored meetings is pure Python and takes all of the
export's time. For a large plain DB the export forks *before* loading it: each process
reads the file into a heap of its own, parses only the meetings of its half of the
clients (the file keeps one meeting per line: record_lines) and renders that half.
(Forking after the load looked cheaper, but both processes then write to every shared
page as they count references, and the copying made each half as slow as the whole.)
The child's half reaches the output after the parent's: written by the child itself to
the same stdout, or sent back through a pipe, never through a file, as the export holds
client text.

Both processes must have read the same records: the child sends a fingerprint of the
file and journal it read and of the split, and the parent loads and renders everything
itself if its own differs (the app saved in between) or if the child fails. The output
is byte for byte what one process renders.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .documents import AllPlan, exercises_part, plan_all, render_all_bytes
from ..store.store import Store, gc_paused

if TYPE_CHECKING:
    from ..content.meeting_guide import MeetingGuide
    from ..meetings.models import Client

FORK_FROM_BYTES = 16 * 1024 * 1024  # a smaller DB exports in well under a second anyway
_PIPE_SIZE = 1 << 20
_F_SETPIPE_SZ = 1031  # Linux fcntl: a bigger pipe means fewer wake-ups for 30 MB
_NO_FINGERPRINT = bytes(32)


def start_helper(
    db: Path,
    meeting_guide: MeetingGuide,
    out_fd: int | None,
    *,
    fork_from: int = FORK_FROM_BYTES,
    work: Callable[[], tuple[bytes, list[bytes]]] | None = None,
) -> _Child | None:
    """Fork the second renderer before the DB is loaded, when it pays: a large, plain DB
    (an encrypted one would ask for its passphrase twice) and a second core. `work`: what
    the child does instead of rendering the second half of a choosing load (the first
    export that keeps what it rendered: kept_export.second_half)."""
    from ..store.crypto import is_encrypted

    try:
        if db.stat().st_size < fork_from or is_encrypted(db) or not _can_fork():
            return None
    except OSError:
        return None
    from ..meetings import models  # noqa: F401  (both halves build client models: imported once, here)

    return _Child.start(work or (lambda: _second_half(db, meeting_guide)), out_fd)


class Halves:
    """The client ids each process parses meetings for (a record_lines Chooser).

    Clients go in export order (by code) to the first half until about half of the
    stored meeting bytes are in it; the second half has the rest and the meetings whose
    client record is gone. Both processes work this out alike from what they read."""

    def __init__(self, part: int):
        self.part = part
        self.first: set[str] | None = None
        self.total = 0
        self.digest = b""

    def __call__(self, clients: dict[str, Any], sizes: dict[str, int], total: int) -> set[str]:
        def order(item: tuple[str, Any]) -> tuple[str, str, str]:
            code = str(item[1].get("code", "")).strip() if isinstance(item[1], dict) else ""
            return code.casefold(), code, item[0]

        ids = [key for key, _doc in sorted(clients.items(), key=order)]
        half, seen, split = sum(sizes.values()) / 2, 0, len(ids)
        for index, client_id in enumerate(ids):
            if seen >= half:
                split = index
                break
            seen += sizes.get(client_id, 0)
        self.first, self.total = set(ids[:split]), total
        return self.first if self.part == 0 else set(sizes) - self.first

    def mine(self, meeting_guide: MeetingGuide, store: Store) -> tuple[AllPlan, list[Client]]:
        """The plan and this process's clients (the only ones made records of, when the
        halves were chosen at the load); ValueError when the halves do not line up."""
        whole = self.first is None
        if self.first is None:  # the file was parsed whole: split the full plan
            plan = plan_all(meeting_guide, store)
            self.first = {c.id for c in plan.clients[: _half_way(plan)]}
        else:
            first = self.first
            ours = first.__contains__ if self.part == 0 else (lambda client_id: client_id not in first)
            plan = plan_all(meeting_guide, store, total=self.total, wanted=ours)
        order = plan.order
        n = sum(client_id in self.first for client_id in order)
        if any(client_id not in self.first for client_id in order[:n]):
            raise ValueError("the clients of the first half are not the first in order")
        digest = hashlib.sha256(store.read_identity + b"%d\n" % n)
        for client_id in order[:n]:
            digest.update(client_id.encode() + b"\n")
        self.digest = digest.digest()
        if not whole:
            return plan, plan.clients
        return plan, plan.clients[:n] if self.part == 0 else plan.clients[n:]


def all_markdown_bytes(meeting_guide: MeetingGuide, store: Store, helper: _Child | None = None) -> bytes:
    """The whole-DB export as UTF-8; `helper` (from start_helper) renders the second half."""
    parts: list[bytes] = []
    _export_all(meeting_guide, store, parts.append, helper)
    return b"".join(parts)


def write_all_markdown(meeting_guide: MeetingGuide, store: Store, out_fd: int, helper: _Child | None = None) -> None:
    """Write the whole-DB export to `out_fd` (stdout): the parent writes its half, then the
    helper writes its own straight to the same file, so 30 MB never cross a pipe."""
    _export_all(meeting_guide, store, lambda data: write_all(out_fd, data), helper)


def open_store(db: Path, helper: _Child | None) -> Store:
    """The parent's store: with a helper, only the first half's meetings are parsed."""
    return Store(db, read_only=True, choose_meetings=helper.halves if helper is not None else None)


def _export_all(meeting_guide: MeetingGuide, store: Store, emit: Callable[[bytes], None], helper: _Child | None) -> None:
    # Frozen after: what was rendered is never walked by a collection when the GC is back
    # on (a first one over a million young objects took about 10 ms of the export's end).
    with gc_paused(freeze=True):
        if helper is not None:
            try:
                plan, mine = helper.halves.mine(meeting_guide, store)
                first = render_all_bytes(meeting_guide, plan, mine, orphans=False, header=True)
                last = exercises_part(store).encode()  # (while the helper may still be rendering)
            except ValueError:
                first = None
            except BaseException:
                helper.abandon()
                raise
            if first is not None and helper.ready() == helper.halves.digest:
                for part in first:
                    emit(part)
                helper.finish(emit)
                emit(last)  # last, after the helper's half
                return
            # It failed, or read other records than these: load and render everything here.
            helper.abandon()
            store = keep_until_exit(Store(store.path, read_only=True))
        plan = plan_all(meeting_guide, store)
        for part in render_all_bytes(meeting_guide, plan, plan.clients, orphans=True, header=True):
            emit(part)
        emit(exercises_part(store).encode())


# Loaded stores kept referenced until the process leaves through os._exit (see cli.run):
# freeing millions of objects one by one (0.1 s at 10,000 meetings) just before exiting
# only costs time.
_KEEP: list[Store] = []


def keep_until_exit(store: Store) -> Store:
    _KEEP.append(store)
    return store


def _second_half(db: Path, meeting_guide: MeetingGuide) -> tuple[bytes, list[bytes]]:
    """In the child: parse the second half's meetings into this process's own heap and render them."""
    halves = Halves(1)
    store = Store(db, read_only=True, choose_meetings=halves)
    with gc_paused(freeze=True):  # (as in _export_all)
        plan, mine = halves.mine(meeting_guide, store)
        data = render_all_bytes(meeting_guide, plan, mine, orphans=True, header=False)
    return halves.digest, data


def _can_fork() -> bool:
    # A fork copies only the calling thread; with others running it could copy a held lock.
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1


def _half_way(plan: AllPlan) -> int:
    """The client index where about half the meetings have gone before."""
    total = sum(len(plan.by_client.get(c.id, ())) for c in plan.clients)
    seen = 0
    for index, client in enumerate(plan.clients):
        if seen * 2 >= total:
            return index
        seen += len(plan.by_client.get(client.id, ()))
    return len(plan.clients)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class _Child:
    """The forked renderer of the second half.

    It sends "R" and the fingerprint of its plan once its part is rendered (or exits,
    having failed), then waits: on "G" it writes its part, to the output fd itself or
    back through the status pipe; on anything else it leaves without writing.
    """

    def __init__(self, pid: int, status_fd: int, go_fd: int, out_fd: int | None):
        self.pid, self.status_fd, self.out_fd = pid, status_fd, out_fd
        self.go_fd: int | None = go_fd
        self.halves = Halves(0)  # what the parent parses and renders
        self._reaped = False

    @classmethod
    def start(cls, work: Callable[[], tuple[bytes, list[bytes]]], out_fd: int | None) -> _Child | None:
        try:
            status_r, status_w = os.pipe()
            go_r, go_w = os.pipe()
        except OSError:
            return None
        try:
            import fcntl

            fcntl.fcntl(status_w, _F_SETPIPE_SZ, _PIPE_SIZE)
        except (ImportError, OSError):
            pass  # the default pipe size works, with more wake-ups
        try:
            pid = os.fork()
        except OSError:
            for fd in (status_r, status_w, go_r, go_w):
                os.close(fd)
            return None
        if pid == 0:
            os.close(status_r)
            os.close(go_w)
            cls._run(work, out_fd, status_w, go_r)  # never returns
        os.close(status_w)
        os.close(go_r)
        return cls(pid, status_r, go_w, out_fd)

    @staticmethod
    def _run(work: Callable[[], tuple[bytes, list[bytes]]], out_fd: int | None, status_w: int, go_r: int) -> None:
        code = 1
        try:
            fingerprint, data = work()
            write_all(status_w, b"R" + fingerprint)
            if os.read(go_r, 1) == b"G":  # anything else: the parent renders it; write nothing
                for part in data:
                    write_all(status_w if out_fd is None else out_fd, part)
            code = 0
        except BaseException:  # noqa: BLE001 - the exit code tells the parent, which renders it
            pass
        finally:
            os._exit(code)

    def ready(self) -> bytes | None:
        """The child's fingerprint once its part is rendered; None (and reaped) if it died first."""
        head = b""
        while len(head) < 1 + len(_NO_FINGERPRINT):
            chunk = os.read(self.status_fd, 1 + len(_NO_FINGERPRINT) - len(head))
            if not chunk:
                break
            head += chunk
        if head[:1] == b"R" and len(head) == 1 + len(_NO_FINGERPRINT):
            return head[1:]
        self._reap()
        return None

    def finish(self, emit: Callable[[bytes], None]) -> None:
        """Let the child write its part (or collect it) and check that it did."""
        write_all(self.go_fd, b"G")
        self._close_go()
        if self.out_fd is None:
            while chunk := os.read(self.status_fd, _PIPE_SIZE):
                emit(chunk)
        if self._reap() != 0:
            raise OSError("the second half of the export could not be written")

    def abandon(self) -> None:
        self._close_go()  # the child reads end-of-file and leaves without writing
        self._reap()

    def _close_go(self) -> None:
        if self.go_fd is not None:
            os.close(self.go_fd)
            self.go_fd = None

    def _reap(self) -> int:
        if self._reaped:
            return 0
        self._reaped = True
        os.close(self.status_fd)
        self._close_go()
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)


def write_stdout(data: bytes) -> None:
    """Write bytes to stdout past Python's text layer (no second encode of 60 MB)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
