"""A pytest plugin: SIGTERM stops a test run the way ctrl+c does.

By default SIGTERM ends the interpreter at once, before any fixture's teardown, so a CI
job stopped that way left its pouchdb-server (in a session of its own, so the signal
does not reach it) running on the machine. As an interrupt, pytest tears every fixture
down first, and the servers are stopped."""

from __future__ import annotations

import signal
import threading

import pytest


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"stopped by signal {signum}")


def pytest_configure(config: pytest.Config) -> None:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
