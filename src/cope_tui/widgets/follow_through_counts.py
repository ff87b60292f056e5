"""'3 overdue · 2 due today': the pressing follow-through counts, for the home screen's
header and the follow-through screen's."""

from __future__ import annotations

from textual.screen import Screen

from ..meetings import follow_through as ft


def counts_line(counts: dict[str, int]) -> str:
    """'3 overdue · 2 due today' for a header; empty when nothing is pressing."""
    parts = [f"{counts[k]} {k}" for k in (ft.Status.OVERDUE.value, ft.Status.TODAY.value) if counts.get(k)]
    if counts.get("meetings overdue"):
        late = counts["meetings overdue"]
        parts.append(f"{late} meeting{'s' if late != 1 else ''} late")
    return " · ".join(parts)


def show_home_counts(screen: Screen) -> None:
    """Put the pressing counts in the home screen's header, worked out off the UI thread
    once the DB has loaded (the caller waits for the first frame to be out)."""

    def work() -> None:
        from ..errors import ContentError
        from ..store.store import StoreError

        app = screen.app
        try:
            session = app.session
            session.store.wait_ready()
            app.search_warmed.wait(60)  # (first search's text: the search screen may be next)
            text = counts_line(ft.build(session.store, session.meeting_guide).counts())
        except (StoreError, ContentError, OSError):  # reported elsewhere (locked, damaged); counts can wait
            return
        try:
            app.call_from_thread(setattr, screen, "sub_title", text or None)
        except RuntimeError:
            pass  # the app has stopped meanwhile

    screen.run_worker(work, thread=True, exclusive=True, group="follow-through-counts", exit_on_error=False)
