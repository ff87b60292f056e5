"""A DB put back to an older state (a backup restored, damaged journal lines set aside)
must not roll the whole team back with it.

The sync state says what this DB last synced; after a restore the DB holds older
versions of those records, or none, and a plain push would send them to the team as
new revisions and deletions. So every sync that changed something leaves a mark in the
DB (`meta` record "sync") and the same mark, with the DB's lists of missing changes
(its own and its anchor's, anchor.py), in the state. A sync that finds the DB's mark or list different knows the
DB went back, and puts back first what the team had from it:

- a record the DB no longer holds, or holds as one of its earlier synced versions
  (nothing typed since the restore), takes its last synced version again;
- a record changed since (typed after the restore) keeps what the DB holds, and the last
  synced version is kept beside it as conflicts, field by field, to choose from.

Then the sync goes on as usual: nothing older is sent and nothing is deleted.
"""

from __future__ import annotations

import secrets
from typing import Any

from .body import opened
from .local import CHANGED, LocalSide
from .merge import merge_record
from .reconcile import here_content
from .state import SyncState

MARK_ID = "sync"  # the DB's meta record that carries the mark
BEFORE = "this database before it was restored"  # who wrote a version the restore took back


def _db_mark(local: LocalSide) -> tuple[Any, Any]:
    """The DB's mark, and every run of changes it is known to lack: in its own meta
    record (found missing at an open) or in its anchor (set aside by doctor)."""
    from ..store.anchor import recorded_runs

    mark = (local.store.get("meta", MARK_ID) or {}).get("mark")
    lost = (local.store.get("meta", "app") or {}).get("lost", [])
    return mark, {"db": lost, "anchor": recorded_runs(local.store.path)}


def went_back(local: LocalSide, state: SyncState) -> bool:
    """Did the DB go back since the last sync that left a mark?"""
    if "mark" not in state.meta:
        return False  # never marked: nothing to compare with
    mark, lost = _db_mark(local)
    return mark != state.meta["mark"] or lost != state.meta.get("lost")


def put_back(local: LocalSide, state: SyncState, user: str) -> int:
    """Give the DB back what it had synced (see the module's doc); how many records."""
    updates: dict[str, Any] = {}
    for rid, rec in list(state.records.items()):
        synced = opened(rec["body"])
        for _ in range(3):  # once more if the record is saved while we look (typing goes on)
            current = local.doc(rec["t"], rec["id"])
            here = here_content(local, rec, rec["t"], rec["id"])
            if here["doc"] == synced["doc"]:
                break
            earlier = [opened(body)["doc"] for _, body in rec["older"]]
            if here["doc"] is None or here["doc"] in earlier:
                merged = synced
            else:
                merged = merge_record(rec["t"], None, here, synced, me=user, them=BEFORE)
            if local.apply([(rec["t"], rec["id"], merged["doc"], current)])[0] != CHANGED:
                updates[rid] = {**rec, "conflicts": merged["conflicts"]}
                break
    state.commit(updates)
    return len(updates)


def leave_mark(local: LocalSide, state: SyncState) -> None:
    """After a sync: the same new mark in the DB, then in the state (a kill in between
    makes the next sync look again, which changes nothing the DB already holds)."""
    mark = secrets.token_hex(8)
    local.store.put("meta", MARK_ID, {"mark": mark})
    state.commit(meta={"mark": mark, "lost": _db_mark(local)[1]})
