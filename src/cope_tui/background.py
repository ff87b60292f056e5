"""Work done in threads beside the app's UI thread.

Python runs one thread at a time; a thread that waits for the interpreter gets it only
after the running one has held it for the switch interval (5 ms). A UI step that needs
it a hundred times, beside a thread walking every meeting, would then wait half a
second. Long walks (search's text, the follow-through board)
call `let_others_run` between clients: every 2 ms at most, they give the interpreter up,
and a waiting UI thread takes it at once.
"""

from __future__ import annotations

import time

EVERY = 0.002  # seconds of work between two offers
_last = 0.0  # (shared by every thread: an offer too many or too few does no harm)


def let_others_run() -> None:
    global _last
    now = time.perf_counter()
    if now - _last >= EVERY:
        _last = now
        time.sleep(0)  # releases the interpreter; a thread waiting for it runs now
