"""Waiting for something to happen, with a deadline: never a fixed sleep, never a speed test.

One helper for threads and processes (`wait_for`) and one for a Textual app under Pilot
(`until`, which lets the app run between looks). A deadline only turns a hang into a
failure; it is long on purpose, so a loaded machine is slow but never wrong.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def wait_for(
    condition: Callable[[], Any], timeout: float = 30.0, what: str = "", *, fail: bool = True, interval: float = 0.01
) -> bool:
    """Poll `condition` until it is true; True then. At the deadline: AssertionError naming
    `what`, or False with fail=False (for the writer child, which reports rather than raises)."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= end:
            if condition():  # a last look: the deadline may have passed while we slept
                return True
            if fail:
                raise AssertionError(f"timed out after {timeout:g} s waiting for {what or 'the condition'}")
            return False
        time.sleep(interval)
    return True


async def until(
    pilot: Any, condition: Callable[[], Any], timeout: float = 60.0, what: str = "", *,
    seen: Callable[[], str] | None = None,
) -> None:
    """Let the app run until `condition` holds; AssertionError at the deadline, with what
    `seen` says of the app then (for a failure that comes once in many runs, in CI)."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= end:
            where = f"\n{seen()}" if seen is not None else ""
            raise AssertionError(f"the app never got there: {what or 'the condition'} (waited {timeout:g} s){where}")
        await pilot.pause(0.05)
