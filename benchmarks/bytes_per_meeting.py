"""Stored bytes per meeting of the demo DB: the lean file form (format 2) against the
whole form format 1 kept (each meeting as the store holds it, `orjson.dumps`), both of
the same meetings in the same run, and the notes they hold.

    python benchmarks/bytes_per_meeting.py [--quick]

Target (issue 14): at most 4,000 stored bytes per meeting at 10,000 meetings.
"""

from __future__ import annotations

import argparse
import os
import time

import _common as c

TARGET = 4000


def measure(meetings: int) -> dict:
    import orjson

    from cope_tui.store.record_lines import MeetingLines
    from cope_tui.store.store import Store

    db = c.demo_db(meetings)
    raw = db.read_bytes()
    lines = MeetingLines.index(raw)
    if lines is None:
        raise SystemExit(f"{db} is not in the one-meeting-per-line layout")
    lean = sum(stop - start for *_, start, stop in lines.spans)
    os.environ.update({k: v for k, v in c.bench_env().items() if k.startswith("XDG_")})
    t = time.perf_counter()
    store = Store(db, read_only=True)
    docs = store.raw_meetings()
    load_s = time.perf_counter() - t
    whole = sum(len(orjson.dumps(doc)) for doc in docs)
    notes = sum(len(step.get("notes", "").encode()) for doc in docs for step in doc["steps"].values())
    store.close()
    n = len(docs)
    return {
        "meetings": n,
        "db_bytes": len(raw),
        "demo_seed": c.demo_seed(db),
        "lean_bytes_per_meeting": round(lean / n),
        "whole_bytes_per_meeting": round(whole / n),
        "notes_bytes_per_meeting": round(notes / n),
        "file_bytes_per_meeting": round(len(raw) / n),
        "ratio_lean_to_whole": c.ratio(lean, whole),
        "load_s": round(load_s, 2),
        "meets_target": lean / n <= TARGET,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    sizes = [1000] if args.quick else [10000]
    found = [measure(n) for n in sizes]
    c.emit({"target": f"<= {TARGET} stored bytes per meeting at 10,000 meetings", **found[-1], "sizes": found})


if __name__ == "__main__":
    main()
