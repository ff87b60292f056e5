"""Diagnostic child: the real `cope_tui.cli.main.main` with timestamps at each phase.

    python benchmarks/_probe.py app DB       what `cope-tui --db DB` does (run on a pty)
    python benchmarks/_probe.py export DB    what `cope-tui export --all --db DB` does

An import hook wraps functions of cope_tui's modules as they are imported (so the real
start-up path runs, lazy imports included) and records when each phase starts and ends,
in seconds since the parent's fork ($BENCH_T_FORK, CLOCK_MONOTONIC in both). The marks
and per-function totals are written as JSON to $BENCH_PHASES_OUT before the interpreter
tears down; the parent adds what it saw (marker on the terminal, reap). With
$BENCH_PROFILE, the app start runs under cProfile until the first refresh after the
client list mounts, and the stats are dumped to that path.

Wrapped names that no longer exist are skipped, so the probe keeps working while the
code changes; it only adds timing.
"""

from __future__ import annotations

import time

T_START = time.monotonic()

import functools
import importlib.abc
import importlib.util
import inspect
import json
import os
import sys
import threading
from typing import Any

T_FORK = float(os.environ.get("BENCH_T_FORK") or T_START)
marks: dict[str, float] = {"python_ready": T_START - T_FORK}
totals: dict[str, float] = {}
calls: dict[str, int] = {}
threads: dict[str, str] = {}
profiler = None


def mark(name: str) -> None:
    marks.setdefault(name, time.monotonic() - T_FORK)


def _wrap(func, key: str, start: str | None = None, end: str | None = None):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if start:
            mark(start)
        threads.setdefault(key, threading.current_thread().name)
        t = time.monotonic()
        try:
            return func(*args, **kwargs)
        finally:
            totals[key] = totals.get(key, 0.0) + time.monotonic() - t
            calls[key] = calls.get(key, 0) + 1
            if end:
                mark(end)

    return wrapper


def timed(owner: Any, attr: str, key: str, *, start: str | None = None, end: str | None = None) -> None:
    """Wrap owner.attr (function, method, classmethod or staticmethod) if it exists."""
    raw = inspect.getattr_static(owner, attr, None) if isinstance(owner, type) else getattr(owner, attr, None)
    if raw is None:
        return
    if isinstance(raw, classmethod):
        setattr(owner, attr, classmethod(_wrap(raw.__func__, key, start, end)))
    elif isinstance(raw, staticmethod):
        setattr(owner, attr, staticmethod(_wrap(raw.__func__, key, start, end)))
    elif callable(raw):
        setattr(owner, attr, _wrap(raw, key, start, end))


# ---- what to wrap, per module, when it is imported --------------------------------


def _patch_guide(mod) -> None:
    timed(mod, "load_meeting_guide", "load_meeting_guide")


def _patch_storage(mod) -> None:
    store = getattr(mod, "Store", None)
    if store is None:
        return
    timed(store, "__init__", "Store.__init__", start="store_init_start", end="store_init_end")
    timed(store, "start_loading", "Store.start_loading", start="store_start_loading")
    timed(store, "_finish_loading", "Store._finish_loading", start="store_load_start", end="store_load_end")
    timed(store, "wait_ready", "Store.wait_ready")
    for name in ("meetings", "clients", "client_summaries", "close", "compact"):
        timed(store, name, f"Store.{name}")


def _patch_session(mod) -> None:
    session = getattr(mod, "Session", None)
    if session is not None:
        timed(session, "open", "Session.open", start="session_open_start", end="session_open_end")
        timed(session, "close", "Session.close", start="session_close_start", end="session_close_end")


def _patch_app(mod) -> None:
    timed(mod, "create_app", "create_app", end="app_created")
    app = getattr(mod, "CopeApp", None)
    if app is not None:
        timed(app, "on_mount", "CopeApp.on_mount", start="app_mount")
        timed(app, "run", "CopeApp.run", start="app_run_start", end="app_run_returned")


def _patch_clients(mod) -> None:
    screen = getattr(mod, "ClientsScreen", None)
    if screen is None:
        return
    timed(screen, "refresh_clients", "ClientsScreen.refresh_clients")
    original = screen.__dict__.get("on_mount")
    if original is None:
        return

    @functools.wraps(original)  # Textual reads the signature to decide what to pass
    def on_mount(self, *args, **kwargs):
        mark("clients_screen_mount")
        result = original(self, *args, **kwargs)
        mark("clients_screen_mounted")

        def painted() -> None:
            mark("after_first_refresh")
            if profiler is not None:
                profiler.disable()

        self.call_after_refresh(painted)
        return result

    screen.on_mount = on_mount


def _patch_export(mod) -> None:
    for name, func in list(vars(mod).items()):
        if inspect.isfunction(func) and func.__module__ == mod.__name__ and not name.startswith("_"):
            timed(mod, name, f"export.{name}")


PATCHES = {
    "cope_tui.content.meeting_guide": _patch_guide,
    "cope_tui.store.store": _patch_storage,
    "cope_tui.session": _patch_session,
    "cope_tui.app": _patch_app,
    "cope_tui.screens.clients": _patch_clients,
    "cope_tui.export.documents": _patch_export,
}


class _Hook(importlib.abc.MetaPathFinder):
    """Marks the import of each module in PATCHES and patches it right after it runs."""

    def __init__(self) -> None:
        self.busy: set[str] = set()

    def find_spec(self, name, path, target=None):
        if name not in PATCHES or name in self.busy:
            return None
        self.busy.add(name)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            self.busy.discard(name)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module) -> None:
            mark(f"import {name} start")
            run(module)
            mark(f"import {name} done")
            PATCHES[name](module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


class _TimedStdout:
    """Times what the CLI writes to stdout (the export's text)."""

    def __init__(self, inner) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        t = time.monotonic()
        try:
            return self._inner.write(text)
        finally:
            totals["stdout.write"] = totals.get("stdout.write", 0.0) + time.monotonic() - t

    def flush(self) -> None:
        t = time.monotonic()
        try:
            self._inner.flush()
        finally:
            totals["stdout.flush"] = totals.get("stdout.flush", 0.0) + time.monotonic() - t

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def main() -> int:
    global profiler
    mode, db = sys.argv[1], sys.argv[2]
    if mode == "app" and os.environ.get("BENCH_PROFILE"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    sys.meta_path.insert(0, _Hook())
    from cope_tui.cli import main as cli

    mark("cli_imported")
    argv = ["--db", db] if mode == "app" else ["export", "--all", "--db", db]
    if mode == "export":
        sys.stdout = _TimedStdout(sys.stdout)
    mark("main_start")
    try:
        code = cli.main(argv)
    finally:
        mark("main_returned")
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(os.environ["BENCH_PROFILE"])
        out = os.environ.get("BENCH_PHASES_OUT")
        if out:
            with open(out, "w") as fh:
                json.dump({"marks": marks, "totals": totals, "calls": calls, "threads": threads}, fh)
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
