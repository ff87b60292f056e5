"""Follow-through lists across all clients, against passes over the same stored meetings.

    python benchmarks/followthrough.py [--quick] [--runs N]

On a demo DB (10,000 meetings; 1,000 with --quick), loaded once, these alternate in
rotating order after a warm-up:
  - counts: `followthrough.build()` and `Board.counts()`, what the home screen's header needs;
  - open_list: the same plus the open items sorted, what ctrl+t shows first;
  - every_list: the open, done (made only when first shown) and referral lists sorted;
  - one client: `build(client_id=...)` for the client screen's `t`;
  - floor: one plain pass over `store.raw_meetings()` that reaches every action-item
    and referral row, the least any one-pass method must do;
and a few times (it is slow) the naive route: every meeting validated as a pydantic
model (`store.meetings()`). Ratios compare medians within this run.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import _common as c


def floor_pass(store) -> int:
    """Touch every action and referral row once, doing nothing with it."""
    rows = 0
    for doc in store.raw_meetings():
        steps = doc.get("steps") or {}
        for step_id, list_id in (("outcomes", "actions"), ("services", "referrals")):
            for row in ((steps.get(step_id) or {}).get("lists") or {}).get(list_id) or ():
                rows += bool(row.get("values"))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1,000 meetings instead of 10,000")
    ap.add_argument("--runs", type=int, default=0, help="timed runs of each (default 25, quick 10)")
    args = ap.parse_args()
    meetings = 1000 if args.quick else 10000
    runs = args.runs or (10 if args.quick else 25)

    from cope_tui.meetings import follow_through as ft
    from cope_tui.content.meeting_guide import load_meeting_guide
    from cope_tui.store.store import Store

    db = c.working_copy(c.demo_db(meetings), f"followthrough-{meetings}")
    store = Store(db, read_only=True)
    store.wait_ready()
    guide = load_meeting_guide()
    some_client = next(d.get("client_id") for d in store.raw_meetings())

    def counts() -> Any:
        return ft.build(store, guide).counts()

    def open_list() -> Any:
        board = ft.build(store, guide)
        return len(board.open_actions()), board.counts()

    def every_list() -> Any:
        board = ft.build(store, guide)
        return len(board.open_actions()), len(board.done_actions()), len(board.shown_referrals()), board.counts()

    def one_client() -> Any:
        return ft.build(store, guide, client_id=some_client).counts()

    def floor() -> Any:
        return floor_pass(store)

    subjects = {
        "counts": counts,
        "open_list": open_list,
        "every_list": every_list,
        "one_client": one_client,
        "floor": floor,
    }
    times: dict[str, list[float]] = {name: [] for name in subjects}
    for fn in subjects.values():
        fn()  # warm-up
    names = list(subjects)
    for i in range(runs):
        for name in names[i % len(names):] + names[: i % len(names)]:
            t = time.perf_counter()
            subjects[name]()
            times[name].append(time.perf_counter() - t)
            if i == 0:
                c.log(f"{name}: {times[name][-1] * 1000:.1f} ms")

    naive: list[float] = []
    for _ in range(3):
        t = time.perf_counter()
        store.meetings()
        naive.append(time.perf_counter() - t)

    board = ft.build(store, guide)
    found = board.counts()
    store.close()
    med = {name: c.median(values) for name, values in times.items()}
    naive_med = c.median(naive)
    c.emit(
        {
            "benchmark": "followthrough",
            "quick": args.quick,
            "machine": c.machine(),
            "meetings": meetings,
            "clients": c.clients_for(meetings),
            "demo_seed": c.demo_seed(c.demo_db(meetings)),
            "items": {
                "open": sum(found[s.value] for s in ft.OPEN_ORDER),
                "done": found[ft.Status.DONE.value],
                "referrals": found["referrals"],
                "next_meetings": len(board.meetings),
            },
            "times": {name: c.summary_ms(values) for name, values in times.items()},
            "naive_pydantic_all_meetings": c.summary_ms(naive),
            "ratios": {
                "counts_vs_floor": c.ratio(med["counts"], med["floor"]),
                "open_list_vs_floor": c.ratio(med["open_list"], med["floor"]),
                "every_list_vs_floor": c.ratio(med["every_list"], med["floor"]),
                "counts_vs_naive_pydantic": c.ratio(med["counts"], naive_med),
                "open_list_vs_naive_pydantic": c.ratio(med["open_list"], naive_med),
                "one_client_vs_floor": c.ratio(med["one_client"], med["floor"]),
            },
            "note": "medians; the floor only reaches the rows, it sorts and classifies nothing",
        }
    )


if __name__ == "__main__":
    main()
