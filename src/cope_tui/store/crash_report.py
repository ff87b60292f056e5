"""An error report that helps find a bug without holding a word of client text.

When something raises that nobody expected, the user is owed a short message and a
file to pass on. The usual reports are unfit here: Textual's shows every local variable
(a note being typed, a client record) and Python's quotes the exception's message, which
can name a client (a KeyError on a client code) or quote a note. This report keeps only
what is code: the exception's type, for an OSError its error number, and the stack as
file, line and function names. No values, no messages, no source text.

It is written to the user's state folder (0700), never beside the DB, in a file only
its owner can read (0600): even code paths and type names are nobody else's business.
"""

from __future__ import annotations

import errno
import os
import platform
import threading
import time
import traceback
from pathlib import Path

from .. import __version__
from .diskio import ensure_private_dir, write_private

_MAX_CHAIN = 8  # causes followed: enough for any real chain, never a loop


def report_dir() -> Path:
    from platformdirs import user_state_path

    return user_state_path("cope-tui", appauthor=False)


def _kind(exc: BaseException) -> str:
    cls = type(exc)
    name = cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    if isinstance(exc, OSError) and exc.errno is not None:
        name += f" (errno {exc.errno} {errno.errorcode.get(exc.errno, '?')})"
    return name


def _frames(exc: BaseException) -> list[str]:
    """File, line and function of each frame: no source lines (lookup_lines=False), no locals."""
    stack = traceback.StackSummary.extract(traceback.walk_tb(exc.__traceback__), lookup_lines=False)
    return [f"  {frame.filename}:{frame.lineno} in {frame.name}" for frame in stack]


def _chain(exc: BaseException) -> list[tuple[str, BaseException]]:
    """The error and what led to it, outermost first, as Python would list them last."""
    found: list[tuple[str, BaseException]] = [("", exc)]
    seen = {id(exc)}
    current = exc
    while len(found) < _MAX_CHAIN:
        # Textual hands a failed worker's error over wrapped in WorkerFailed, unraised.
        inner = getattr(current, "error", None)
        if isinstance(inner, BaseException):
            how, nxt = "the worker's own error", inner
        elif current.__cause__ is not None:
            how, nxt = "caused by", current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            how, nxt = "while handling", current.__context__
        else:
            break
        if id(nxt) in seen:
            break
        seen.add(id(nxt))
        found.append((how, nxt))
        current = nxt
    return found


def describe(exc: BaseException, where: str) -> str:
    """The report's text: what failed and where in the code, never with what values."""
    lines = [
        f"cope-tui {__version__} error report",
        f"when: {time.strftime('%Y-%m-%d %H:%M:%S %z')}",
        f"where: {where}",
        f"python {platform.python_version()} on {platform.platform()}",
        "",
        "The error messages and every value are left out: they can hold client text.",
    ]
    for how, error in _chain(exc):
        lines += ["", f"{how + ': ' if how else ''}{_kind(error)}", "stack (most recent call last):"]
        lines += _frames(error) or ["  (no stack)"]
    return "\n".join(lines) + "\n"


def write_report(exc: BaseException, where: str) -> Path:
    """Write the report and return its path; OSError if the state folder cannot take it."""
    folder = report_dir()
    ensure_private_dir(folder)
    os.chmod(folder, 0o700)  # an older, looser folder of ours is made private too
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"crash-{stamp}-{os.getpid()}.txt"
    write_private(path, describe(exc, where).encode())
    return path


def user_message(report: Path | None, problem: str = "", saved: str = "") -> str:
    """What the person at the terminal is told, the report's path on a line of its own
    (so that it can be copied whole, whatever the terminal's width)."""
    if report is None:
        where = f"No error report could be written ({problem})." if problem else "No error report was written."
    else:
        where = (
            f"An error report, which holds no client text, is in\n  {report}\n"
            "Please pass it on to whoever looks after cope-tui for you."
        )
    head = "cope-tui stopped on an unexpected error (a fault in cope-tui, not in anything you did)."
    return "\n".join(part for part in (head, saved, where) if part)


def report_or_reason(exc: BaseException, where: str) -> tuple[Path | None, str]:
    """Write the report if at all possible; else say why, in words without client text."""
    try:
        return write_report(exc, where), ""
    except OSError as error:
        return None, error.strerror or type(error).__name__
    except Exception as error:  # a report must never become a second crash
        return None, type(error).__name__



_from_threads: list[str] = []  # messages for the end of the command, one per report

# Textual's own threads that read and write the terminal, and what they get once it is
# gone (an SSH link dropped, a terminal window closed).
_TERMINAL_THREADS = ("textual-output", "textual-input")
_TERMINAL_GONE = {errno.EIO, errno.EPIPE, errno.ENXIO, errno.EBADF}


def _terminal_gone(name: str, exc: BaseException) -> bool:
    """A hang-up fails the next write to the terminal (EIO) while the signal handler saves
    every word and leaves: the usual end of an SSH session, not a fault. A report there
    would claim a bug in cope-tui at every dropped link, and pile up in the state folder."""
    return name in _TERMINAL_THREADS and isinstance(exc, OSError) and exc.errno in _TERMINAL_GONE


def watch_threads() -> None:
    """Our own threads (saver, loader, compactor, sync) are outside Textual's error path,
    and Python's default report for them prints the exception's message, which can quote
    a note. Instead each gets a report like the app's; the command says where at its end."""

    def hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "unnamed"
        if _terminal_gone(name, args.exc_value):
            return
        report, problem = report_or_reason(args.exc_value, f"the background thread '{name}'")
        _from_threads.append(user_message(report, problem))

    threading.excepthook = hook


def thread_reports() -> list[str]:
    """What watch_threads() has to say: empty unless one of our threads broke."""
    return list(_from_threads)
