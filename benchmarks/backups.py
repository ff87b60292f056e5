"""Backups folder size after scripted days of use, and compaction's bytes written per journal byte.

    python benchmarks/backups.py [--quick] [--meetings N] [--days N] [--saves N]

On a working copy of the demo DB: each simulated day, `--saves` edits typed into draft
meetings (a few characters more each time, as autosave writes them: one journal line per
save), then a compaction, as closing the app does (and any the journal's growth starts in
between). The days pass on a clock hook (`backups.clock`), so rotation sees real days.

Two runs in the same process, on copies of the same file with the same edits:

- `before`: what cope-tui did before compressed points: a full, uncompressed copy of the
  file per compaction, and a compaction every 8 MB of journal (reproduced here by
  replacing the point writer and the threshold);
- `after`: this version.

Both are run in two patterns of use: `--days` days of `--saves` saves with a close each
day (the backups folder's size is followed day by day), and one long sitting that writes
30 MB (quick) or 100 MB of journal, where compactions start as the journal grows.

Figures: the backups folder against `NAME.json` at the end of each day (target: at most
2x at steady state, i.e. once 14 days have passed), and the bytes compaction writes (the
file, its summary, the backup) per byte of journal folded in (target: after at most half
of before). Every point left at the end is checked (`backup_check.check_file`).
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _common as c


class Counter:
    """Bytes written by whole-file writes (write_private) and appended to the journal."""

    def __init__(self) -> None:
        self.files = 0
        self.journal = 0
        self.install()

    def install(self) -> None:
        from cope_tui.store import backups, diskio, store, summary

        original = diskio.write_private

        def counted(path: Path, data: bytes) -> None:
            self.files += len(data)
            original(path, data)

        for module in (store, backups, summary):
            if getattr(module, "write_private", None) is original:
                module.write_private = counted
        append = diskio.Journal.append

        def appended(journal: diskio.Journal, entry: dict[str, Any]) -> None:
            before = journal.size
            append(journal, entry)
            if journal.path.name.endswith(".json.journal"):
                self.journal += journal.size - before

        diskio.Journal.append = appended


def old_point(db: Path, blob: bytes, codec: Any, folded: Any, before: Any) -> Path:
    """What a compaction kept before points: a full copy of the file, then rotation."""
    from cope_tui.store import backups

    folder = backups._ensure_dir(backups.backup_dir(db))
    target = backups._free_path(folder, db, None)
    backups.write_private(target, db.read_bytes())
    backups.prune(db, keep=[target])
    return target


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


COUNTER: Counter | None = None
OLD_COMPACT_BYTES = 8 * 1024 * 1024  # the fixed threshold before issue 14


def typed(store: Any, drafts: list[str], n: int, tag: str) -> None:
    """`n` saves, about 20 into each meeting typed into: a few characters more each time."""
    meeting = None
    for i in range(n):
        if i % 20 == 0:
            meeting = store.meeting(drafts[(hash(tag) + i // 20) % len(drafts)])
        step_id = meeting.current_step or next(iter(meeting.steps), "opening")
        meeting.step(step_id).notes += f" {tag}s{i}"
        store.put_meeting(meeting)


def session(mode: str, meetings: int, journal_mb: int) -> dict[str, Any]:
    """One long sitting: saves until about `journal_mb` of journal, then the close."""
    from cope_tui.store import backups
    from cope_tui.store.store import Store

    db = c.working_copy(c.demo_db(meetings), f"session-{mode}-{meetings}")
    point_writer = backups._write_point
    if mode == "before":
        backups._write_point = old_point
    c.log(f"backups session {mode}: {meetings} meetings, {journal_mb} MB of journal")
    store = Store(db)
    if mode == "before":
        store._compact_threshold = lambda: OLD_COMPACT_BYTES
    drafts = [m.id for m in store.meetings() if not m.finalised]
    COUNTER.files = COUNTER.journal = 0
    compactions = 0
    try:
        while COUNTER.journal < journal_mb * 1e6:
            size = store.journal.size
            typed(store, drafts, 200, f"x{COUNTER.journal}")
            compactions += store.journal.size < size
        store.close()
    finally:
        backups._write_point = point_writer
    return {
        "mode": mode,
        "journal_bytes": COUNTER.journal,
        "compaction_bytes_written": COUNTER.files,
        "written_per_journal_byte": c.ratio(COUNTER.files, COUNTER.journal),
        "background_compactions_seen": compactions,
    }


def run(mode: str, meetings: int, days: int, saves: int) -> dict[str, Any]:
    from cope_tui.store import backup_check, backups
    from cope_tui.store.store import Store

    pristine = c.demo_db(meetings)
    db = c.working_copy(pristine, f"backups-{mode}-{meetings}")
    start = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0) - timedelta(days=days)
    now = [start]
    backups.clock = lambda: now[0]
    point_writer = backups._write_point
    if mode == "before":
        backups._write_point = old_point
    counter = COUNTER
    c.log(f"backups {mode}: {meetings} meetings, {days} days x {saves} saves")
    store = Store(db)
    if mode == "before":
        store._compact_threshold = lambda: OLD_COMPACT_BYTES
    drafts = [m.id for m in store.meetings() if not m.finalised]
    per_day = []
    compact_s: list[float] = []
    folder = backups.backup_dir(db)
    counter.files = counter.journal = 0  # the opening compaction is not part of the use
    try:
        for day in range(days):
            now[0] = start + timedelta(days=day, hours=1)
            typed(store, drafts, saves, f"d{day}")
            store._join_compactor()
            now[0] = start + timedelta(days=day, hours=9)
            t = time.perf_counter()
            store.compact()  # the day's close
            compact_s.append(time.perf_counter() - t)
            size = db.stat().st_size
            per_day.append({"day": day + 1, "db_bytes": size, "backups_bytes": folder_bytes(folder),
                            "ratio": round(folder_bytes(folder) / size, 3)})
            c.log(f"  day {day + 1}: backups {per_day[-1]['ratio']}x the file")
    finally:
        store.close()
        backups._write_point = point_writer
    kept = [b for b in backups.list_backups(db) if b.kind == backups.SNAPSHOT]
    bad = [b.name for b in kept if not backup_check.check_file(b.path).ok]
    return {
        "mode": mode,
        "per_day": per_day,
        "points_kept": len(kept),
        "points_not_restorable": bad,
        "days_with_a_point": len({b.taken.date() for b in kept}),
        "journal_bytes": counter.journal,
        "compaction_bytes_written": counter.files,
        "written_per_journal_byte": c.ratio(counter.files, counter.journal),
        "compact": c.summary_ms(compact_s),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes for a smoke run")
    ap.add_argument("--meetings", type=int)
    ap.add_argument("--days", type=int)
    ap.add_argument("--saves", type=int)
    args = ap.parse_args()
    meetings = args.meetings or (1000 if args.quick else 10000)
    days = args.days or (16 if args.quick else 21)
    saves = args.saves or (100 if args.quick else 400)
    global COUNTER
    COUNTER = Counter()
    os.environ.pop("COPE_TUI_DB", None)
    for key, value in c.bench_env().items():  # the anchors go to the temp folder too
        if key.startswith("XDG_"):
            os.environ[key] = value
    after = run("after", meetings, days, saves)
    before = run("before", meetings, min(days, 4), saves)  # the same saves; its size is by design
    long_after = session("after", meetings, 30 if args.quick else 100)
    long_before = session("before", meetings, 30 if args.quick else 100)
    steady = [d for d in after["per_day"] if d["day"] >= 14]
    out = {
        "target": "backups folder <= 2x NAME.json at steady state; compaction bytes written per journal byte <= half of before",
        "meetings": meetings,
        "demo_seed": c.SEED,
        "db_bytes": after["per_day"][-1]["db_bytes"],
        "days": days,
        "saves_per_day": saves,
        "after": after,
        "before": before,
        "steady_state_max_ratio": max((d["ratio"] for d in steady), default=None),
        "written_ratio_after_to_before": {
            "daily_close": c.ratio(after["written_per_journal_byte"] or 0, before["written_per_journal_byte"] or 1),
            "long_session": c.ratio(long_after["written_per_journal_byte"] or 0, long_before["written_per_journal_byte"] or 1),
        },
        "long_session": {"after": long_after, "before": long_before},
    }
    ratios = out["written_ratio_after_to_before"]
    out["met"] = {
        "backups_folder_le_2x": out["steady_state_max_ratio"] is not None and out["steady_state_max_ratio"] <= 2,
        "written_le_half_daily_close": ratios["daily_close"] is not None and ratios["daily_close"] <= 0.5,
        "written_le_half_long_session": ratios["long_session"] is not None and ratios["long_session"] <= 0.5,
        "every_point_restorable": not after["points_not_restorable"],
    }
    c.emit(out)


if __name__ == "__main__":
    main()
