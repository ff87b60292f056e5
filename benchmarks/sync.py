"""Team sync against the floor of the protocol itself, on a loopback pouchdb-server.

    python benchmarks/sync.py [--quick]

On one demo DB (10,000 meetings; quick 1,000), with a pouchdb-server started here (in
memory, from tests/couch/, as the tests run it):

- first push: `SyncEngine.sync()` of the DB to an empty database; then first pull: a new
  empty DB syncs from it. Each against the floor, interleaved in the same run: the same
  sealed documents (built beforehand, not timed) posted with `_bulk_docs`
  (`new_edits=false`, batches as the engine's) to another empty database. Time and bytes
  sent (request bodies), bytes received for reference. Target: within 1.5x the floor.
- one changed meeting: after both are in step, edit one meeting and time the round trip
  (the editor's sync, which pushes it, then the other's, which pulls it); median of
  15 (quick 5). Target: each sync under 100 ms at 10,000 meetings.
- the sync state read again (a fresh process, as each `cope-tui sync` does): the memory it
  holds beside the open DB's, and the time it takes (no target; issue 15's state once
  held a second copy of every record).
- typing while a sync runs: the app (under Pilot) with a meeting open, one key at a time
  handed to it as the terminal driver does, time from the key to the text in the editor; with no sync, then while the app's background
  sync pulls the whole team (the first sync of a new DB), counting only keys typed
  before it ended (its fold into the DB included). The app's sync gives way to a typist
  (it works about 5% of the time while keys keep coming): how many records it had taken
  when the typing stopped is reported beside. Target: the ratio of the medians (and
  p95) about 1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import _common as c
import httpx

sys.path.insert(0, str(c.HERE.parent / "tests"))  # the tests' server fixture, not a copy of it

PHRASE = "benchmark team passphrase"


class Counting(httpx.HTTPTransport):
    """Bytes on the wire (bodies), both ways."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = self.received = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += len(request.content)
        response = super().handle_request(request)
        response.read()
        self.received += len(response.content)
        return response


def couch(db, transport=None):
    from cope_tui.sync.couch import Couch

    return Couch(db.url, auth=db.auth, transport=transport)


def new_remote(server, team) -> Any:
    db = server.new_db()
    with couch(db) as cc:
        cc.create_doc(team.doc.to_json())
    return db


def sealed_docs(store, team) -> list[dict[str, Any]]:
    from cope_tui.sync.push import plan
    from cope_tui.sync.versions import build

    docs = []
    for table in ("clients", "meetings", "exercises"):
        for doc in store.raw(table):
            planned = plan(team, "Bench", table, doc["id"], None, doc)
            docs += [build(team, v, "2026-01-01T00:00:00") for v in planned.versions]
    return docs


def floor(server, team, docs) -> dict[str, Any]:
    from cope_tui.sync.engine import PUSH_BATCH

    db = new_remote(server, team)
    wire = Counting()
    with couch(db, wire) as cc:
        t = time.perf_counter()
        for start in range(0, len(docs), PUSH_BATCH):
            cc.bulk_docs(docs[start : start + PUSH_BATCH])
        took = time.perf_counter() - t
    db.send("DELETE", "")
    return {"s": took, "sent": wire.sent, "received": wire.received}


def read_floor(db) -> dict[str, Any]:
    """For reference, not a target: every document of `db` read as a first pull reads
    them (`_changes` with the documents, the pull's batch size), opening none."""
    from cope_tui.sync.pull import PULL_BATCH

    wire = Counting()
    with couch(db, wire) as cc:
        t = time.perf_counter()
        since, rows = 0, 0
        while True:
            feed = cc.changes(since, PULL_BATCH, docs=True)
            since, rows = feed.last_seq, rows + len(feed.rows)
            if len(feed.rows) < PULL_BATCH:
                break
        took = time.perf_counter() - t
    return {"s": took, "rows": rows, "received": wire.received}


def engine_sync(path: Path, db, team, name: str) -> tuple[dict[str, Any], Any]:
    from cope_tui.store.store import Store
    from cope_tui.sync.engine import SyncEngine

    store = Store(path)
    wire = Counting()
    cc = couch(db, wire)
    engine = SyncEngine(store, cc, team, name)
    t = time.perf_counter()
    report = engine.sync()
    took = time.perf_counter() - t
    # Durable when sync() returns; the fold of the journal into the DB file runs in the
    # background after it. Waited for here, so it neither slows the floor run next nor
    # goes unreported.
    t = time.perf_counter()
    store.wait_for_compaction()
    fold = time.perf_counter() - t
    out = {"s": took, "sent": wire.sent, "received": wire.received, "records": report.sent or report.received,
           "fold_after_s": round(fold, 3)}
    return out, (store, cc, engine)


def close(parts) -> None:
    store, cc, engine = parts
    engine.close()
    cc.close()
    store.close()


def first_syncs(server, team, meetings: int) -> tuple[dict[str, Any], Path, Any]:
    pristine = c.demo_db(meetings)
    from cope_tui.store.store import Store

    probe = Store(c.working_copy(pristine, "sync-docs"), read_only=True)
    docs = sealed_docs(probe, team)
    probe.close()
    c.log(f"sync: {len(docs)} sealed documents")
    before = floor(server, team, docs)
    remote = new_remote(server, team)
    push, ann = engine_sync(c.working_copy(pristine, "sync-ann"), remote, team, "Ann")
    between = floor(server, team, docs)
    pull, bea = engine_sync(c.working_copy(pristine, "sync-bea").with_name("bea-empty.json"), remote, team, "Bea")
    reading = read_floor(remote)
    after = floor(server, team, docs)
    floor_push = min(before["s"], between["s"])  # the floor run next to each subject
    floor_pull = min(between["s"], after["s"])
    out = {
        "documents": len(docs),
        "first_push": push, "first_pull": pull,
        "floor_bulk_docs": [before, between, after],
        "read_floor_changes": reading,  # the protocol's own reading of them, for reference
        "ratio_pull_to_read_floor": c.ratio(pull["s"], reading["s"]),
        "ratio_read_floor_to_post_floor": c.ratio(reading["s"], floor_pull),
        "ratio_push_time": c.ratio(push["s"], floor_push),
        "ratio_pull_time": c.ratio(pull["s"], floor_pull),
        "ratio_push_bytes_sent": c.ratio(push["sent"], before["sent"]),
        "ratio_pull_bytes_received": c.ratio(pull["received"], before["sent"]),
    }
    out["met_1_5x"] = all(r is not None and r <= 1.5 for r in (out["ratio_push_time"], out["ratio_pull_time"], out["ratio_push_bytes_sent"]))
    return out, remote, (ann, bea)


STATE_READ = """
import sys, time
from pathlib import Path
from cope_tui.store.store import Store
from cope_tui.sync.state import SyncState

def rss_mb():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20

db = Path(sys.argv[1])
store = Store(db, read_only=True)
store.wait_ready()
opened = rss_mb()
t = time.perf_counter()
state = SyncState(db, store.codec, read_only=True)
took = time.perf_counter() - t
print(round(opened, 1), round(rss_mb(), 1), round(took, 3), len(state.records))
"""


def state_read(db: Path) -> dict[str, Any]:
    """A member's sync state read in a fresh process, as `cope-tui sync` reads it at each
    run: the memory it holds beside the open DB's (the baseline, same process) and the
    time to read it."""
    import subprocess

    out = subprocess.run([sys.executable, "-c", STATE_READ, str(db)], capture_output=True, text=True, check=True)
    db_mb, with_state_mb, took, records = out.stdout.split()
    files = sum(p.stat().st_size for p in db.parent.glob(db.name + ".sync*"))
    return {"records": int(records), "state_files_mb": round(files / 2**20, 1), "rss_db_open_mb": float(db_mb),
            "rss_with_state_mb": float(with_state_mb), "state_mb": round(float(with_state_mb) - float(db_mb), 1),
            "read_s": float(took)}


def one_change(ann, bea, rounds: int) -> dict[str, Any]:
    store, _, engine = ann
    _, _, other = bea
    engine.sync(), other.sync(), engine.sync()  # both in step, own revisions read back
    draft = next(m for m in store.meetings() if not m.finalised)
    push, pull = [], []
    for n in range(rounds):
        draft.step("opening").notes += f" {n}"
        store.put_meeting(draft)
        t = time.perf_counter()
        assert engine.sync().sent == 1
        push.append(time.perf_counter() - t)
        t = time.perf_counter()
        assert other.sync().received == 1
        pull.append(time.perf_counter() - t)
    return {
        "push_one": c.summary_ms(push), "pull_one": c.summary_ms(pull),
        "met_under_100ms": c.median(push) < 0.1 and c.median(pull) < 0.1,
    }


async def typing(app_db: Path, remote, meetings_keys: int, with_sync: bool) -> tuple[list[float], int | None]:
    from textual import events
    from textual.widgets import TextArea

    from cope_tui.app import create_app
    from cope_tui.session import Session, create_client, start_meeting
    from cope_tui.settings import Settings
    from cope_tui.widgets.navigation import OpenMeeting

    session = Session.open(app_db)
    client = create_client(session.store, "T-1")
    meeting = start_meeting(session.store, session.meeting_guide, client)
    settings = Settings(0, sync_remote=remote.url if with_sync else None, user_name="Typist")
    app = create_app(session, settings=settings)
    lat: list[float] = []
    async with app.run_test(size=(100, 30)) as pilot:
        app.post_message(OpenMeeting(meeting.id))
        while type(app.screen).__name__ != "MeetingScreen":
            await pilot.pause(0.02)
        notes = app.screen.query_one("#notes", TextArea)
        if with_sync:
            app.sync_every_seconds = 3600  # one background sync now: the whole team pulled
            while app.sync_runner is None or not app.sync_runner.running:
                await pilot.pause(0.005)
        notes.focus()
        await pilot.pause()
        for n in range(meetings_keys):
            want = len(notes.text) + 1
            t = time.perf_counter()
            # As the terminal driver hands a key over (Pilot's press would also wait for the
            # whole process to go idle, the sync thread included, which is not what we measure).
            app.post_message(events.Key("x", "x"))
            while len(notes.text) < want:
                await asyncio.sleep(0.0005)
            took = time.perf_counter() - t
            if with_sync and not app.sync_runner.running:
                break  # the sync (its fold into the DB included) ended during this key: not counted
            lat.append(took)
            await asyncio.sleep(0.02)  # a typist's pace, not a paste
        engine = app.sync_runner.engine if with_sync else None
        taken = len(engine.state.records) if engine is not None else None  # how far it got meanwhile
        await pilot.press("ctrl+q")
    app.stop_team_sync()
    session.close()
    if with_sync and len(lat) < meetings_keys:
        c.log(f"sync: the background sync ended after {len(lat)} keys: only those are counted")
    return lat, taken


def typing_latency(remote, keys: int) -> dict[str, Any]:
    folder = c.tmp_root() / "typing"
    folder.mkdir(exist_ok=True)
    os.environ["COPE_TUI_TEAM_PASSPHRASE"] = PHRASE
    for name, value in remote.env().items():
        os.environ[name] = value
    quiet, _ = asyncio.run(typing(folder / "quiet.json", remote, keys, False))
    busy, taken = asyncio.run(typing(folder / "busy.json", remote, keys, True))
    return {
        "keys": keys, "keys_during_sync": len(busy), "records_synced_while_typing": taken,
        "no_sync": c.summary_ms(quiet), "during_sync": c.summary_ms(busy),
        "ratio_median": c.ratio(c.median(busy), c.median(quiet)),
        "ratio_p95": c.ratio(c.percentile(busy, 95), c.percentile(quiet, 95)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    from helpers.couch_server import CouchServer, missing_reason

    from cope_tui.sync.seal import create_team

    reason = missing_reason()
    if reason:
        raise SystemExit(f"sync benchmark: {reason}")
    meetings = 1000 if args.quick else 10000
    server = CouchServer(c.tmp_root() / "couch")
    server.start()
    try:
        team = create_team(PHRASE)
        first, remote, members = first_syncs(server, team, meetings)
        change = one_change(*members, rounds=5 if args.quick else 15)
        for parts in members:
            close(parts)
        state = state_read(members[0][0].path)
        typed = typing_latency(remote, 60 if args.quick else 200)
    finally:
        server.stop()
    c.emit({
        "target": "first sync within 1.5x of _bulk_docs; one change < 100 ms; typing unchanged during a sync",
        "meetings": meetings, "demo_seed": c.SEED, "db_bytes": c.demo_db(meetings).stat().st_size,
        "first_sync": first, "one_change": change, "state_read": state, "typing": typed, "machine": c.machine(),
    })


if __name__ == "__main__":
    main()
