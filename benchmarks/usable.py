"""Time to usable and resident memory with every screen used: the real app under Pilot
on the demo DB at each size, in a fresh process per run.

    python benchmarks/usable.py [--quick] [--runs N]

Each child opens the DB as the app does (`Session.open`, `create_app`), then waits for,
in turn: the client list with its rows (`list`), the first client open with its meetings
listed (`client`), an F4 search answered with results (`search`), and the follow-through
lists of every client built (`follow_through`); each is ms since the child was forked.
Then it reports its peak RSS (ru_maxrss). Each run opens a fresh copy of the demo DB
twice: the first session finds no kept search text (search decodes every meeting and
keeps their text beside the DB, store/search_cache.py), the second is every later
session; the figures and targets are the second's, the first's are reported apart. Then one
meeting is changed and the store closed (a day's work: the file is written anew, so what
was kept names another file and is matched client by client), and a third session opens
it: `after_a_days_change`, with the targets checked for it too.
Baselines in the same run: `python -c pass`'s peak, and a process that parses the file
with orjson (time and peak).

Targets (issue 14): RSS <= 250 MB at 10,000 meetings and <= 600 MB at 50,000 with every
screen used; at 50,000, list + client + search usable in under 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time

import _common as c

CHILD = r"""
import asyncio, json, os, resource, sys, time
T0 = float(os.environ["BENCH_T_FORK"])
from pathlib import Path
from cope_tui.app import create_app
from cope_tui.session import Session

def ms():
    return round((time.monotonic() - T0) * 1000, 1)

async def until(check, limit=600.0):
    # Plain sleeps: Pilot's pause and press wait for the whole process to go idle, the
    # app's background threads included, which is not what a user waits for.
    end = time.monotonic() + limit
    while not holds(check):
        if time.monotonic() > end:
            raise SystemExit("timed out")
        await asyncio.sleep(0.005)

def holds(check):
    # A screen just pushed may not have its widgets yet: not usable yet, not an error.
    try:
        return check()
    except Exception:
        return False

def rows(app, selector):
    try:
        return app.screen.query_one(selector).row_count
    except Exception:
        return 0

def press(app, *keys):
    # As the terminal driver hands keys over, one message each.
    from textual import events
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))

async def main():
    from cope_tui.screens.client import ClientScreen
    from cope_tui.screens.follow_through import FollowThroughScreen
    from cope_tui.screens.search import SearchScreen
    marks = {}
    session = Session.open(Path(sys.argv[1]))
    app = create_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: rows(app, "#client-table") > 0 and app.screen.query_one("#client-table").has_focus)
        marks["list"] = ms()
        press(app, "enter")
        await until(lambda: isinstance(app.screen, ClientScreen) and rows(app, "#meeting-table") > 0)
        marks["client"] = ms()
        press(app, "escape", "f4")
        await until(lambda: isinstance(app.screen, SearchScreen) and app.screen.query_one("#search-input").has_focus)
        press(app, *"housing")
        def answered():
            s = app.screen
            return isinstance(s, SearchScreen) and s.answered == "housing" and s.query_one("#search-results").option_count > 0
        await until(answered)
        marks["search"] = ms()
        press(app, "escape", "ctrl+t")
        await until(lambda: isinstance(app.screen, FollowThroughScreen) and app.screen.board is not None)
        marks["follow_through"] = ms()
        marks["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        import threading  # the first session keeps search text and board parts for the next: let it finish
        for thread in threading.enumerate():
            if thread.name in ("cope-search-keep", "cope-board-keep"):
                thread.join()
        await pilot.press("ctrl+q")
    session.close()
    os.write(int(os.environ["BENCH_MARK_FD"]), json.dumps(marks).encode())

asyncio.run(main())
"""

# A day's work between two sessions: one meeting's notes changed, then the store closed
# (its compaction writes a new file, so what was kept names another file's stamp).
CHANGE = r"""
import sys
from pathlib import Path
from cope_tui.store.store import Store
store = Store(Path(sys.argv[1]), lazy=True)
store.wait_ready()
drafts = [s.id for s in store.client_summaries() if s.draft]  # (a finalised meeting never changes)
doc = dict(next(d for d in store.raw_meetings_of(drafts[len(drafts) // 2]) if not d.get("finalised_at")))
step = next(iter(doc["steps"]))
doc["steps"] = {**doc["steps"], step: {**doc["steps"][step], "notes": "moved to a ground floor flat"}}
store.put_meeting_doc(doc["id"], doc)
store.close()
"""

FLOOR = "import sys, orjson\nwith open(sys.argv[1], 'rb') as f: data = orjson.loads(f.read())"


def run_child(code: str, db, env: dict[str, str]) -> tuple[dict, float, int]:
    """(marks the child wrote to the pipe, wall seconds, its peak RSS in KiB)."""
    read, write = os.pipe()
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [c.PYTHON, "-c", code, str(db)],
        env={**env, "BENCH_T_FORK": repr(t0), "BENCH_MARK_FD": str(write)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        pass_fds=(write,) if code is CHILD else (),
    )
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        marks = pipe.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if status:
        raise SystemExit(f"child failed ({status}): {err[-2000:]}")
    return (json.loads(marks) if marks else {}), wall, usage.ru_maxrss


def measure(meetings: int, runs: int) -> dict:
    db_src = c.demo_db(meetings)
    env = c.bench_env(COPE_TUI_LOCK_MINUTES="0")
    first: list[dict] = []
    got: list[dict] = []
    next_day: list[dict] = []
    floors: list[tuple[float, int]] = []
    for n in range(runs + 1):
        db = c.working_copy(db_src, f"usable-{meetings}-{n}")
        opened, _, _ = run_child(CHILD, db, env)  # a copy never opened by the app: no kept search text
        marks, _, _ = run_child(CHILD, db, env)  # the next session on it, as every later day's
        run_child(CHANGE, db, env)
        changed, _, _ = run_child(CHILD, db, env)  # after a day's change: kept parts matched by digest
        _, floor_s, floor_kib = run_child(FLOOR, db, env)
        if n:  # the first of each is a warm-up
            first.append(opened)
            got.append(marks)
            next_day.append(changed)
            floors.append((floor_s, floor_kib))
    pass_kib = run_child("pass", db_src, env)[2]
    med = {k: c.median([m[k] for m in got]) for k in got[0]}
    med_first = {k: c.median([m[k] for m in first]) for k in first[0]}
    med_next = {k: c.median([m[k] for m in next_day]) for k in next_day[0]}
    return {
        "meetings": meetings,
        "db_bytes": db_src.stat().st_size,
        "demo_seed": c.demo_seed(db_src),
        "runs": runs,
        "usable_ms_median": {k: v for k, v in med.items() if k != "rss_mb"},
        "rss_mb_median": med["rss_mb"],
        "first_open_of_a_copy": {
            "usable_ms_median": {k: v for k, v in med_first.items() if k != "rss_mb"},
            "rss_mb_median": med_first["rss_mb"],
        },
        "after_a_days_change": {
            "usable_ms_median": {k: v for k, v in med_next.items() if k != "rss_mb"},
            "rss_mb_median": med_next["rss_mb"],
        },
        "baseline": {
            "python_pass_rss_mb": round(pass_kib / 1024, 1),
            "orjson_parse_rss_mb": round(c.median([f[1] for f in floors]) / 1024, 1),
            "orjson_parse_process_ms": round(c.median([f[0] for f in floors]) * 1000, 1),
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--sizes", type=int, nargs="+", default=None)
    args = ap.parse_args()
    sizes = args.sizes or ([1000] if args.quick else [1000, 10000, 50000])
    runs = args.runs or (1 if args.quick else 3)
    found = [measure(n, runs) for n in sizes]
    by = {s["meetings"]: s for s in found}
    met = {}
    for size, limit in ((10000, 250), (50000, 600)):
        if size in by:
            met[f"rss_{size}_le_{limit}mb"] = by[size]["rss_mb_median"] <= limit
            met[f"rss_{size}_le_{limit}mb_after_a_days_change"] = by[size]["after_a_days_change"]["rss_mb_median"] <= limit
    if 50000 in by:
        for name, found_at in (("", by[50000]), ("_after_a_days_change", by[50000]["after_a_days_change"])):
            met[f"usable_50000_lt_2s{name}"] = max(found_at["usable_ms_median"][k] for k in ("list", "client", "search")) < 2000
    c.emit({"target": "RSS <= 250 MB at 10,000 and <= 600 MB at 50,000; usable < 2 s at 50,000", "sizes": found, "met": met})


if __name__ == "__main__":
    main()
