"""`export --all` on two cores.

Rendering 10,000 stored meetings is pure Python and takes most of the export's time,
so a large export forks once after the DB is loaded: the child renders the second half
of the clients while the parent renders the first, and sends its part back through a
pipe (never through a file: the export holds client text and must not touch the disk
unless the user asked for it). The output is byte for byte what one process renders.
If the child fails for any reason, the parent renders that half itself.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING

from .export import AllPlan, plan_all, render_all
from .storage import Store, gc_paused

if TYPE_CHECKING:
    from .guide import MeetingGuide

FORK_FROM = 2000  # meetings; below this a fork costs more than it saves
_PIPE_SIZE = 1 << 20
_F_SETPIPE_SZ = 1031  # Linux fcntl: a bigger pipe means fewer wake-ups for 30 MB


def all_markdown_bytes(guide: MeetingGuide, store: Store, *, fork_from: int = FORK_FROM) -> bytes:
    """The whole-DB export as UTF-8, rendered on two processes when it is big enough."""
    parts: list[bytes] = []
    _export_all(guide, store, parts.append, fork_from=fork_from, out_fd=None)
    return b"".join(parts)


def write_all_markdown(guide: MeetingGuide, store: Store, out_fd: int, *, fork_from: int = FORK_FROM) -> None:
    """Write the whole-DB export to `out_fd` (stdout): the parent writes its half, then the
    child writes its own straight to the same file, so 30 MB never cross a pipe."""
    _export_all(guide, store, lambda data: _write_all(out_fd, data), fork_from=fork_from, out_fd=out_fd)


def _export_all(guide: MeetingGuide, store: Store, emit, *, fork_from: int, out_fd: int | None) -> None:
    with gc_paused():
        plan = plan_all(guide, store)
        total = sum(map(len, plan.by_client.values()))
        split = _half_way(plan)
        child = None
        if total >= fork_from and 0 < split and _can_fork():
            child = _Child.start(guide, plan, split, out_fd)
        if child is None:
            emit(render_all(guide, plan, plan.clients, orphans=True, header=True).encode())
            return
        try:
            first = render_all(guide, plan, plan.clients[:split], orphans=False, header=True).encode()
        except BaseException:
            child.abandon()
            raise
        if child.ready():
            emit(first)
            child.finish(emit)
        else:  # the child failed before writing anything: render its half here
            emit(first)
            emit(render_all(guide, plan, plan.clients[split:], orphans=True, header=False).encode())


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
    """The forked renderer of clients[split:] and the orphaned meetings.

    It says "ready" once its part is rendered (or exits, having failed), then waits for
    "go": with an output fd it writes there itself, after the parent's half; without
    one it sends its bytes back through the status pipe.
    """

    def __init__(self, pid: int, status_fd: int, go_fd: int, out_fd: int | None):
        self.pid, self.status_fd, self.out_fd = pid, status_fd, out_fd
        self.go_fd: int | None = go_fd

    @classmethod
    def start(cls, guide: MeetingGuide, plan: AllPlan, split: int, out_fd: int | None) -> _Child | None:
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
            cls._run(guide, plan, split, out_fd, status_w, go_r)  # never returns
        os.close(status_w)
        os.close(go_r)
        return cls(pid, status_r, go_w, out_fd)

    @staticmethod
    def _run(guide: MeetingGuide, plan: AllPlan, split: int, out_fd: int | None, status_w: int, go_r: int) -> None:
        code = 1
        try:
            data = render_all(guide, plan, plan.clients[split:], orphans=True, header=False).encode()
            _write_all(status_w, b"R")
            if os.read(go_r, 1) == b"G":  # anything else: the parent gave up; write nothing
                _write_all(status_w if out_fd is None else out_fd, data)
            code = 0
        except BaseException as exc:  # noqa: BLE001 - reported to the parent by the exit code
            try:
                os.write(2, f"cope-tui export: the second worker failed ({exc!r}); rendering its part again.\n".encode())
            except OSError:
                pass
        finally:
            os._exit(code)

    def ready(self) -> bool:
        """True once the child has its part; False (and reaped) if it died first."""
        if os.read(self.status_fd, 1) == b"R":
            return True
        self._reap()
        return False

    def finish(self, emit) -> None:
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
        os.close(self.status_fd)
        self._close_go()
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)


def write_stdout(data: bytes) -> None:
    """Write bytes to stdout past Python's text layer (no second encode of 60 MB)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
