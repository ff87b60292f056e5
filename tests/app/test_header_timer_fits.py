"""The meeting clock at 80 columns, beside the team sync's word.

With `[sync] remote` set, the title bar ends with what the sync asks for (F10, F11),
kept whole; the screen's words were cut to make room, from their end, and at 80
columns the end was the meeting's clock: "Rahimi-H · first meeting · stage 1 — ⏱ 0:00:…".
The title now gives way first, so the clock and the sync's keys both show whole.
"""

from __future__ import annotations

import re
from pathlib import Path

from cope_tui.app import create_app
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from helpers.polling import until
from helpers.pilot import showing

CLOCK = re.compile(r"⏱ \d+:\d\d:\d\d")
# The longest word the sync gives: its time, records waiting, conflicts and their key.
LONGEST = "synced 23:05 · 12 waiting · 2 conflicts: F11"


def title_line(app) -> str:
    """The title bar as the terminal shows it."""
    strips = app.screen._compositor.render_strips()  # none until the screen is first drawn
    return "".join(segment.text for segment in strips[0]).strip() if strips else ""


def team_config(isolated_user_dirs) -> None:
    config = Path(isolated_user_dirs["XDG_CONFIG_HOME"]) / "cope-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[user]\nname = "X"\n\n[sync]\nremote = "http://127.0.0.1:9/db"\n')


async def test_at_80_columns_the_meeting_clock_and_the_sync_keys_both_show(tmp_path, isolated_user_dirs):
    team_config(isolated_user_dirs)
    session = Session.open(tmp_path / "cope.json")
    app = create_app(session, meet_code="Rahimi-H")  # settings read from the file, as the CLI does
    async with app.run_test(size=(80, 24)) as pilot:
        await until(
            pilot,
            lambda: showing(app, MeetingScreen) and title_line(app).endswith("not synced yet · F10 syncs"),
            10,
            "the meeting, with the sync's word once the look back has answered",
        )
        line = title_line(app)
        assert CLOCK.search(line), line
        assert line.startswith("⭘ Rahimi-H · "), "the client's code stays: " + line
        app._set_sync_text(LONGEST)
        await until(pilot, lambda: title_line(app).endswith("conflicts: F11"), 10, "the longest word drawn")
        line = title_line(app)
        assert CLOCK.search(line), line
        assert line.startswith("⭘ Rahimi-H"), line
        # A sync that has synced says "F10 syncs" as well: found by hand, with a conflict
        # and a change waiting it took the clock ("⏱ 0…"); "F10 syncs" gives way first.
        app._set_sync_text("synced 23:48 · F10 syncs · 12 waiting · 2 conflicts: F11", LONGEST)
        await until(pilot, lambda: title_line(app).endswith("conflicts: F11"), 10, "the word drawn")
        line = title_line(app)
        assert CLOCK.search(line) and "F10 syncs" not in line, line
        await pilot.resize_terminal(120, 30)  # room again: the title comes back whole
        await until(pilot, lambda: "F10 syncs" in title_line(app), 10, "the whole word")
        await until(pilot, lambda: "first meeting · stage 1 — ⏱" in title_line(app), 10, "the whole title")
        await pilot.press("ctrl+q")
    session.close()
