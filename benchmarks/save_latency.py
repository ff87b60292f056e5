"""Durable save of one edited meeting, against an fsynced 2 KB append and TinyDB's default storage.

    python benchmarks/save_latency.py [--quick]

For each DB size: open a working copy with `Store`, then repeat: load a draft meeting
from the store, add a few characters to the notes of its current step, and time
`store.put_meeting_doc(id, doc)` (one journal line, fsynced). Interleaved with every
save, in alternating order, the floor: an fsynced 2 KB append to a file in the same
folder (and, for reference, an fsynced append of the same length as the journal line).
At one size, TinyDB's default `JSONStorage` does the same update on another copy of the
same file now and then (it re-reads and rewrites the whole file, so only a few times).

Target: p95 of the save <= 2 ms, and its cost flat across DB sizes (ratio to the floor
about the same at every size).
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from pathlib import Path
from typing import Any

import _common as c
import orjson

FLOOR_BYTES = 2048


class _GcWatch:
    """Counts full (generation 2) collections, to explain outliers."""

    def __init__(self) -> None:
        self.full = 0
        gc.callbacks.append(self._cb)

    def _cb(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "stop" and info.get("generation") == 2:
            self.full += 1

    def close(self) -> None:
        gc.callbacks.remove(self._cb)


def fsync_append(fd: int, payload: bytes) -> float:
    t0 = time.perf_counter()
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)
    return time.perf_counter() - t0


def tinydb_table(path: Path):
    from tinydb import TinyDB
    from tinydb.table import Table

    class StrTable(Table):
        document_id_class = str

    db = TinyDB(path)  # default JSONStorage: json.load + json.dump + fsync of the whole file per write
    db.table_class = StrTable
    return db, db.table("meetings")


def run_size(meetings: int, saves: int, tinydb_iters: int) -> dict[str, Any]:
    from cope_tui.records import dump
    from cope_tui.store.store import Store

    pristine = c.demo_db(meetings)
    db_path = c.working_copy(pristine, f"save-{meetings}")
    folder = db_path.parent
    c.log(f"save_latency: {meetings} meetings ({pristine.stat().st_size / 1e6:.1f} MB), {saves} saves")

    t0 = time.perf_counter()
    store = Store(db_path)
    open_s = time.perf_counter() - t0
    drafts = [m.id for m in store.meetings() if not m.finalised]  # waits for a lazy load
    loaded_s = time.perf_counter() - t0
    if not drafts:
        raise SystemExit(f"no draft meeting in the demo DB of {meetings} meetings")

    tinydb = None
    if tinydb_iters:
        tcopy = c.working_copy(pristine, f"tinydb-{meetings}")
        tdb, tinydb = tinydb_table(tcopy)

    floor_fd = os.open(folder / "floor.bin", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    same_fd = os.open(folder / "floor-same.bin", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    floor_payload = (b"x" * (FLOOR_BYTES - 1)) + b"\n"

    subject: list[float] = []
    floor: list[float] = []
    same: list[float] = []
    tiny: list[float] = []
    dumps: list[float] = []
    line_bytes: list[int] = []
    gc_hits = 0
    watch = _GcWatch()
    every = max(1, saves // tinydb_iters) if tinydb_iters else 0
    try:
        for i in range(saves):
            mid = drafts[i % len(drafts)]
            meeting = store.meeting(mid)
            assert meeting is not None
            step_id = meeting.current_step or next(iter(meeting.steps), "opening")
            meeting.step(step_id).notes += f" ok{i}"  # a few characters more, as typed
            t = time.perf_counter()
            doc = dump(meeting)
            dumps.append(time.perf_counter() - t)
            line = orjson.dumps({"t": "meetings", "id": mid, "doc": doc}) + b"\n"
            line_bytes.append(len(line))
            same_payload = b"y" * (len(line) - 1) + b"\n"

            def save(mid: str = mid, doc: dict[str, Any] = doc) -> None:
                nonlocal gc_hits
                before = watch.full
                t = time.perf_counter()
                store.put_meeting_doc(mid, doc)
                subject.append(time.perf_counter() - t)
                gc_hits += watch.full != before

            if i % 2:
                save()
                floor.append(fsync_append(floor_fd, floor_payload))
                same.append(fsync_append(same_fd, same_payload))
            else:
                same.append(fsync_append(same_fd, same_payload))
                floor.append(fsync_append(floor_fd, floor_payload))
                save()
            if tinydb is not None and i % every == every // 2 and len(tiny) < tinydb_iters:
                t = time.perf_counter()
                tinydb.update(doc, doc_ids=[mid])
                tiny.append(time.perf_counter() - t)
                c.log(f"  tinydb default update {len(tiny)}/{tinydb_iters}: {tiny[-1] * 1000:.0f} ms")
    finally:
        watch.close()
        os.close(floor_fd)
        os.close(same_fd)
        if tinydb is not None:
            tdb.close()

    # Compaction: folds the journal into the file (when the journal passes the threshold,
    # 16 MB or a quarter of the file, and on close).
    threshold = store._compact_threshold()
    journal_before = store.journal_path.stat().st_size
    t = time.perf_counter()
    store.compact()
    compact_s = time.perf_counter() - t
    t = time.perf_counter()
    store.close()  # the journal is empty now: does close still rewrite the file?
    close_s = time.perf_counter() - t

    mean_line = sum(line_bytes) / len(line_bytes)
    saves_per_compaction = threshold / mean_line
    s, f, sm = c.summary_ms(subject), c.summary_ms(floor), c.summary_ms(same)
    out: dict[str, Any] = {
        "meetings": meetings,
        "demo_seed": c.demo_seed(pristine),
        "db_bytes": pristine.stat().st_size,
        "draft_meetings_edited": len(drafts),
        "journal_line_bytes_mean": round(mean_line),
        "save": s,
        "floor_fsync_append_2k": f,
        "floor_fsync_append_same_size": sm,
        "ratio_save_to_floor": {
            "p50": c.ratio(s["p50_ms"], f["p50_ms"]),
            "p95": c.ratio(s["p95_ms"], f["p95_ms"]),
            "max": c.ratio(s["max_ms"], f["max_ms"]),
        },
        "meets_target_p95_le_2ms": s["p95_ms"] <= 2.0,
        "saves_during_full_gc": gc_hits,
        "dump_model_ms_p50": round(c.median(dumps) * 1000, 4),
        "store_open_ms": round(open_s * 1000, 1),
        "store_open_and_meetings_ms": round(loaded_s * 1000, 1),
        "compaction": {
            "journal_bytes_folded": journal_before,
            "compact_ms": round(compact_s * 1000, 1),
            "close_after_compact_ms": round(close_s * 1000, 1),
            "saves_per_compaction": round(saves_per_compaction),
            "amortised_ms_per_save": round(compact_s * 1000 / saves_per_compaction, 4),
        },
    }
    if tiny:
        t_sum = c.summary_ms(tiny)
        out["tinydb_default"] = t_sum
        out["ratio_save_to_tinydb_default"] = {
            "p50": c.ratio(s["p50_ms"], t_sum["p50_ms"]),
            "p95": c.ratio(s["p95_ms"], t_sum["p95_ms"]),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes for a smoke run")
    args = ap.parse_args()
    sizes = [1000, 5000] if args.quick else [1000, 10000, 50000]
    saves = 200 if args.quick else 300
    tinydb_at = 5000 if args.quick else 10000
    tinydb_iters = 5 if args.quick else 15

    results = [run_size(n, saves, tinydb_iters if n == tinydb_at else 0) for n in sizes]
    first, last = results[0], results[-1]
    result = {
        "benchmark": "save_latency",
        "quick": args.quick,
        "machine": c.machine(),
        "target": "save p95 <= 2 ms; cost follows the change, not the DB size",
        "sizes": results,
        "size_scaling": {
            "meetings": [first["meetings"], last["meetings"]],
            "db_bytes_ratio": c.ratio(last["db_bytes"], first["db_bytes"]),
            "save_p50_ratio": c.ratio(last["save"]["p50_ms"], first["save"]["p50_ms"]),
            "save_p95_ratio": c.ratio(last["save"]["p95_ms"], first["save"]["p95_ms"]),
            "save_to_floor_p50_ratio": c.ratio(
                last["ratio_save_to_floor"]["p50"] or 0, first["ratio_save_to_floor"]["p50"] or 0
            ),
        },
        "meets_target_all_sizes": all(r["meets_target_p95_le_2ms"] for r in results),
    }
    c.emit(result)


if __name__ == "__main__":
    main()
