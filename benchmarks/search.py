"""Search (F4): index build and per-query time, against a naive scan of the raw records.

    python benchmarks/search.py [--quick] [--runs N]

Subject: `cope_tui.search.SearchIndex` over a working copy of the demo DB (10,000
meetings; quick 2,000). Baseline, in the same process and interleaved query by query:
a naive scan that lowercases `orjson.dumps` of every stored record and tests each
word with `in`, which is what a search without an index would do. Target: p95 < 100 ms
per query at 10,000 meetings.
"""

from __future__ import annotations

import argparse
import gc
import time
from typing import Any

import _common as c
import orjson

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.records import dump
from cope_tui.search import SearchIndex, terms
from cope_tui.store.store import Store

# (name, query): words the demo writes rarely, often, as a pair, never, and a client code
# narrowed by a word (the code is checked to exist at run time).
QUERIES = [
    ("rare_word", "leaflet"),
    ("common_word", "client"),
    ("two_words", "bus fare"),
    ("no_hit", "zqxjvw"),
    ("code_and_word", "C-0004 rent"),
]
TARGET_MS = 100


def naive(store: Store, query: str) -> int:
    """Every record dumped to JSON and lowercased at each query: no index at all."""
    words = terms(query)
    hits = 0
    for table in ("clients", "exercises", "meetings"):
        with store._snapshot(table) as docs:
            pass
        for doc in docs:
            text = orjson.dumps(doc).decode().lower()
            if all(w in text for w in words):
                hits += 1
    return hits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="2,000 meetings")
    ap.add_argument("--runs", type=int, default=None, help="runs of each query (default 21, quick 7)")
    args = ap.parse_args()
    meetings = 2000 if args.quick else 10000
    runs = args.runs or (7 if args.quick else 21)

    pristine = c.demo_db(meetings)
    db = c.working_copy(pristine, f"search-{meetings}")
    store = Store(db)
    store.wait_ready()
    guide = load_meeting_guide()
    c.log(f"search: {meetings} meetings ({pristine.stat().st_size / 1e6:.1f} MB), {runs} runs per query")

    builds = []
    for _ in range(3):
        gc.collect()
        index = SearchIndex(store, guide)
        t = time.perf_counter()
        index.refresh()
        builds.append(time.perf_counter() - t)
    text_bytes = sum(len(e.text) for kind in index._entries.values() for e in kind.values())

    unchanged = []
    for _ in range(runs):
        t = time.perf_counter()
        index.refresh()
        unchanged.append(time.perf_counter() - t)

    # One saved meeting, as the autosaver writes it: the next query re-reads only that one.
    draft = next(m for m in store.meetings() if not m.finalised)
    after_save = []
    for i in range(runs):
        draft.step(draft.current_step or "opening").notes += f" edit {i}"
        store.put_meeting_doc(draft.id, dump(draft))
        t = time.perf_counter()
        changed = index.refresh()
        after_save.append(time.perf_counter() - t)
        assert changed == 1, changed

    results: dict[str, Any] = {}
    for name, query in QUERIES:
        subject, baseline = [], []
        found_total = naive_total = 0
        for i in range(runs):
            order = (0, 1) if i % 2 == 0 else (1, 0)
            for which in order:
                t = time.perf_counter()
                if which == 0:
                    found_total = index.search(query).total
                    subject.append(time.perf_counter() - t)
                else:
                    naive_total = naive(store, query)
                    baseline.append(time.perf_counter() - t)
        s, b = c.summary_ms(subject), c.summary_ms(baseline)
        results[name] = {
            "query": query,
            "matches": found_total,
            "naive_matches": naive_total,
            "search": s,
            "naive_scan": b,
            "ratio_search_to_naive": {
                "p50": c.ratio(s["p50_ms"], b["p50_ms"]),
                "p95": c.ratio(s["p95_ms"], b["p95_ms"]),
            },
        }
        c.log(f"  {name} {query!r}: {found_total} found, p50 {s['p50_ms']:.1f} ms (naive {b['p50_ms']:.0f} ms)")
    store.close()

    worst_p95 = max(r["search"]["p95_ms"] for r in results.values())
    c.emit(
        {
            "benchmark": "search",
            "quick": args.quick,
            "machine": c.machine(),
            "target": f"p95 < {TARGET_MS} ms per query at 10,000 meetings",
            "meetings": meetings,
            "demo_seed": c.demo_seed(pristine),
            "db_bytes": pristine.stat().st_size,
            "index_text_bytes": text_bytes,
            "index_build": c.summary_ms(builds),
            "refresh_nothing_changed": c.summary_ms(unchanged),
            "refresh_after_one_save": c.summary_ms(after_save),
            "queries": results,
            "worst_query_p95_ms": worst_p95,
            "meets_target": worst_p95 < TARGET_MS,
            "note": "naive_matches can differ from matches: the naive scan also sees ids, dates and "
            "checklist wording, and does not let a client's code match its meetings",
        }
    )


if __name__ == "__main__":
    main()
