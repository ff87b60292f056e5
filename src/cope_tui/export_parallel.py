"""`export --all` on two cores.

Rendering 10,000 stored meetings is pure Python and takes most of the export's time.
For a large plain DB the export forks *before* loading it: each process parses the file
into a heap of its own and renders half of the clients. (Forking after the load looked
cheaper, but both processes then write to every shared page as they count references,
and the copying made each half as slow as the whole.) The child's half reaches the
output after the parent's: written by the child itself to the same stdout, or sent back
through a pipe, never through a file, as the export holds client text.

Both processes must have read the same records: the child sends a fingerprint of what
it planned (clients in order, meetings per client, the split) and the parent renders
everything itself if its own differs, for instance when the app saved in between, or if
the child fails. The output is byte for byte what one process renders.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .export import AllPlan, plan_all, render_all
from .storage import Store, gc_paused

if TYPE_CHECKING:
    from .guide import MeetingGuide

FORK_FROM_BYTES = 16 * 1024 * 1024  # a smaller DB exports in well under a second anyway
_PIPE_SIZE = 1 << 20
_F_SETPIPE_SZ = 1031  # Linux fcntl: a bigger pipe means fewer wake-ups for 30 MB
_NO_FINGERPRINT = bytes(32)


def start_helper(db: Path, guide: MeetingGuide, out_fd: int | None, *, fork_from: int = FORK_FROM_BYTES) -> _Child | None:
    """Fork the second renderer before the DB is loaded, when it pays: a large, plain DB
    (an encrypted one would ask for its passphrase twice) and a second core."""
    from .crypto import is_encrypted

    try:
        if db.stat().st_size < fork_from or is_encrypted(db) or not _can_fork():
            return None
    except OSError:
        return None
    return _Child.start(lambda: _second_half(db, guide), out_fd)


def all_markdown_bytes(guide: MeetingGuide, store: Store, helper: _Child | None = None) -> bytes:
    """The whole-DB export as UTF-8; `helper` (from start_helper) renders the second half."""
    parts: list[bytes] = []
    _export_all(guide, store, parts.append, helper)
    return b"".join(parts)


def write_all_markdown(guide: MeetingGuide, store: Store, out_fd: int, helper: _Child | None = None) -> None:
    """Write the whole-DB export to `out_fd` (stdout): the parent writes its half, then the
    helper writes its own straight to the same file, so 30 MB never cross a pipe."""
    _export_all(guide, store, lambda data: _write_all(out_fd, data), helper)


def _export_all(guide: MeetingGuide, store: Store, emit: Callable[[bytes], None], helper: _Child | None) -> None:
    with gc_paused():
        try:
            plan = plan_all(guide, store)
            split = _half_way(plan)
            first = render_all(guide, plan, plan.clients[:split], orphans=False, header=True).encode()
        except BaseException:
            if helper is not None:
                helper.abandon()
            raise
        if helper is not None and helper.ready() == _fingerprint(plan, split):
            emit(first)
            helper.finish(emit)
            return
        if helper is not None:
            helper.abandon()  # it failed, or read other records than these: do its half here
        emit(first)
        emit(render_all(guide, plan, plan.clients[split:], orphans=True, header=False).encode())


def _second_half(db: Path, guide: MeetingGuide) -> tuple[bytes, bytes]:
    """In the child: load the DB into this process's own heap and render the second half."""
    store = Store(db, read_only=True)
    with gc_paused():
        plan = plan_all(guide, store)
        split = _half_way(plan)
        data = render_all(guide, plan, plan.clients[split:], orphans=True, header=False).encode()
    return _fingerprint(plan, split), data


def _fingerprint(plan: AllPlan, split: int) -> bytes:
    digest = hashlib.sha256(f"{split}\n".encode())
    for client in plan.clients:
        digest.update(f"{client.id} {len(plan.by_client.get(client.id, ()))}\n".encode())
    for client_id, meetings in plan.orphans.items():
        digest.update(f"orphan {client_id} {len(meetings)}\n".encode())
    return digest.digest()


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


def _write_all(fd: int, data: bytes) -> None:
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
        self._reaped = False

    @classmethod
    def start(cls, work: Callable[[], tuple[bytes, bytes]], out_fd: int | None) -> _Child | None:
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
    def _run(work: Callable[[], tuple[bytes, bytes]], out_fd: int | None, status_w: int, go_r: int) -> None:
        code = 1
        try:
            fingerprint, data = work()
            _write_all(status_w, b"R" + fingerprint)
            if os.read(go_r, 1) == b"G":  # anything else: the parent renders it; write nothing
                _write_all(status_w if out_fd is None else out_fd, data)
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
        _write_all(self.go_fd, b"G")
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
