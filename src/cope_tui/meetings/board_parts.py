"""Each client's part of the follow-through board, worked out from their meetings alone.

The board (follow_through.py) needs, per client: their newest meeting, the newest one
that set a next date, the live rows of each promise list, the newest copy of every row
marked done or ever on a list, and when each meeting began. None of it depends on
another client, so it is worked out a client at a time and kept: in memory by a version
of the client's meetings (the store's `client_versions`), so rebuilding the board after
a tick reads only the clients changed since; and, for the app's lazily held file, beside
the DB by the digest of the client's lines (store/kept.py), so the home screen's counts
at the next start do not decode every meeting (about 5 s at 50,000 meetings).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from ..background import let_others_run

Key = tuple[str, str]  # (started, meeting id): the newest is the greatest
ACTION = "action"
REFERRAL = "referral"


@dataclass(frozen=True)
class Layout:
    """Where the promises sit in a stored meeting, read from the meeting guide."""

    actions: tuple[tuple[str, str, str], ...]  # (step id, list id, done column)
    referrals: tuple[tuple[str, str], ...]  # (step id, list id)
    next_meeting: tuple[str, str] | None  # (step id, field id)


def day_of(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def slim_meeting(doc: dict[str, Any], lay: Layout) -> dict[str, Any]:
    """A meeting as the board keeps it: its rows are kept apart, and holding every
    meeting whole would hold the whole record (the app's store keeps most as file lines)."""
    slim = {k: doc.get(k) for k in ("id", "client_id", "started", "finalised_at")}
    if lay.next_meeting is not None:
        step_id, field_id = lay.next_meeting
        value = ((doc.get("steps") or {}).get(step_id) or {}).get("fields", {}).get(field_id)
        slim["steps"] = {step_id: {"fields": {field_id: value}}}
    return slim


def next_date(doc: dict[str, Any], where: tuple[str, str]) -> date | None:
    step_id, field_id = where
    return day_of(((doc.get("steps") or {}).get(step_id) or {}).get("fields", {}).get(field_id))


@dataclass
class ClientPart:
    started: dict[str, str] = field(default_factory=dict)  # meeting id -> started
    newest: tuple[Key, dict[str, Any]] | None = None
    dated: tuple[Key, dict[str, Any]] | None = None  # the newest that set a next date
    latest: dict[str, tuple[Key, dict[str, Any], list[dict[str, Any]]]] = field(default_factory=dict)  # list id ->
    done: dict[str, tuple[Key, dict[str, Any], dict[str, Any]]] = field(default_factory=dict)  # row id -> newest done
    first_done: dict[str, str] = field(default_factory=dict)  # row id -> first start it was done at
    copies: dict[str, tuple[Key, str, dict[str, Any], dict[str, Any]]] = field(default_factory=dict)  # row id ->

    def meeting(self, whole: dict[str, Any], lay: Layout) -> None:
        doc = slim_meeting(whole, lay)  # only what the board shows is kept, never the whole meeting
        steps = whole.get("steps") or {}
        key = (doc.get("started") or "", doc.get("id") or "")
        self.started[key[1]] = key[0]
        if self.newest is None or key > self.newest[0]:
            self.newest = (key, doc)
        if lay.next_meeting is not None and next_date(doc, lay.next_meeting) is not None:
            if self.dated is None or key > self.dated[0]:
                self.dated = (key, doc)
        where = [(s, lid, ACTION, col) for s, lid, col in lay.actions] + [(s, lid, REFERRAL, "") for s, lid in lay.referrals]
        for step_id, list_id, kind, done_col in where:
            rows = ((steps.get(step_id) or {}).get("lists") or {}).get(list_id)
            if rows is None:
                continue
            have = self.latest.get(list_id)
            if have is None or key > have[0]:
                self.latest[list_id] = (key, doc, rows)
            for row in rows:
                rid = row.get("id")
                if rid is not None and (rid not in self.copies or key > self.copies[rid][0]):
                    self.copies[rid] = (key, kind, doc, row)
                if done_col and (row.get("values") or {}).get(done_col):
                    self._done(key, doc, row)

    def trim(self) -> None:
        """Keep only what the board can ask for, which at 50,000 meetings is half the
        memory: a row's other copy only when the row is neither live nor done (the board
        finds those two itself), and a meeting's start only when a kept row came from it."""
        live = {row.get("id") for _key, _doc, rows in self.latest.values() for row in rows}
        self.copies = {rid: c for rid, c in self.copies.items() if rid not in live and rid not in self.done}
        rows = [row for _k, _d, rs in self.latest.values() for row in rs]
        rows += [row for _k, _d, row in self.done.values()] + [row for _k, _kind, _d, row in self.copies.values()]
        origins = {row.get("origin") for row in rows}
        self.started = {mid: at for mid, at in self.started.items() if mid in origins}

    def _done(self, key: Key, doc: dict[str, Any], row: dict[str, Any]) -> None:
        rid = row.get("id") or ""
        got = self.done.get(rid)
        if got is None or key > got[0]:
            self.done[rid] = (key, doc, row)
        if rid not in self.first_done or key[0] < self.first_done[rid]:
            self.first_done[rid] = key[0]


def part_of(docs: Iterable[dict[str, Any]], lay: Layout) -> ClientPart:
    part = ClientPart()
    for doc in docs:
        part.meeting(doc, lay)
    part.trim()
    return part


# ---- kept beside the DB ---------------------------------------------------------------


def to_json(part: ClientPart) -> dict[str, Any]:
    """Each meeting and row written once and named by meeting id and position: a row is
    on many lists and in many copies, and kept whole each time the file would be three
    times the size, and so would the memory of the next session that reads it."""
    metas: dict[str, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    at: dict[int, int] = {}

    def meta(key: Key, doc: dict[str, Any]) -> str:
        metas[key[1]] = doc
        return key[1]

    def row(value: dict[str, Any]) -> int:
        if id(value) not in at:
            at[id(value)] = len(rows)
            rows.append(value)
        return at[id(value)]

    return {
        "started": part.started,
        "newest": meta(*part.newest) if part.newest else None,
        "dated": meta(*part.dated) if part.dated else None,
        "latest": {lid: [meta(k, d), [row(r) for r in rs]] for lid, (k, d, rs) in part.latest.items()},
        "done": {rid: [meta(k, d), row(r)] for rid, (k, d, r) in part.done.items()},
        "first_done": part.first_done,
        "copies": {rid: [meta(k, d), kind, row(r)] for rid, (k, kind, d, r) in part.copies.items()},
        "metas": metas,
        "rows": rows,
    }


def from_json(obj: Any, pool: dict[str, str] | None = None) -> ClientPart | None:
    """A kept part as to_json wrote it, or None for anything else (then it is worked out).
    With `pool`, each text is shared with the same text read before (see _share)."""
    try:
        if pool is not None:
            _share(obj, pool)
        metas = {_str(mid): _doc(doc) for mid, doc in obj["metas"].items()}
        rows = _rows(obj["rows"])

        def keyed(mid: Any) -> tuple[Key, dict[str, Any]]:
            doc = metas[_str(mid)]
            return ((doc.get("started") or "", mid), doc)

        return ClientPart(
            started={_str(k): _str(v) for k, v in obj["started"].items()},
            newest=keyed(obj["newest"]) if obj["newest"] is not None else None,
            dated=keyed(obj["dated"]) if obj["dated"] is not None else None,
            latest={_str(lid): (*keyed(mid), [rows[_int(i)] for i in at]) for lid, (mid, at) in obj["latest"].items()},
            done={_str(rid): (*keyed(mid), rows[_int(i)]) for rid, (mid, i) in obj["done"].items()},
            first_done={_str(k): _str(v) for k, v in obj["first_done"].items()},
            copies={_str(rid): (keyed(mid)[0], _str(kind), metas[mid], rows[_int(i)]) for rid, (mid, kind, i) in obj["copies"].items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError):
        return None


def _share(value: Any, pool: dict[str, str]) -> None:
    """Make equal texts one object, in place. Parsed JSON gives every date, id and "worker"
    an object of its own; across every client's part most are repeats, and sharing them
    holds a 50,000-meeting board in 96 MB instead of 159 MB (0.2 s more to read it)."""
    pairs = value.items() if type(value) is dict else enumerate(value)
    for key, item in pairs:
        kind = type(item)
        if kind is str:
            value[key] = pool.setdefault(item, item)
        elif kind is dict or kind is list:
            _share(item, pool)


def _int(value: Any) -> int:
    if type(value) is not int or value < 0:
        raise TypeError("not a position")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not text")
    return value


def _doc(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        raise TypeError("not a meeting")
    return value


def _rows(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(_row(row) for row in value):
        raise TypeError("not rows")
    return value


def _row(row: Any) -> bool:
    return isinstance(row, dict) and isinstance(row.get("values") or {}, dict) and isinstance(row.get("id") or "", str)


# ---- every client's part ------------------------------------------------------------------

KEPT_TAG = "board 3"  # raise when ClientPart or what goes into it changes
_memo: weakref.WeakKeyDictionary[Any, tuple[Layout, dict[str, tuple[object, ClientPart]]]] = weakref.WeakKeyDictionary()
_working: weakref.WeakKeyDictionary[Any, threading.Lock] = weakref.WeakKeyDictionary()
_memo_lock = threading.Lock()


def all_parts(records: Any, lay: Layout) -> dict[str, ClientPart]:
    """Every client's part: from memory or what was kept while their meetings are the
    same, else worked out from their meetings (and kept again, in the background)."""
    versions = getattr(records, "client_versions", lambda: None)()
    if versions is None:  # every meeting was parsed at load: one walk over them
        by_client: dict[str, list[dict[str, Any]]] = {}
        for doc in records.raw_meetings():
            by_client.setdefault(doc.get("client_id") or "", []).append(doc)
        return {cid: part_of(docs, lay) for cid, docs in by_client.items()}
    with _memo_lock:
        working = _working.setdefault(records, threading.Lock())
    with working:  # (the home counts and the board screen at once: one works, one waits)
        return _all_parts(records, lay, versions)


def _all_parts(records: Any, lay: Layout, versions: dict[str, object]) -> dict[str, ClientPart]:
    with _memo_lock:
        have_lay, memo = _memo.get(records, (lay, {}))
        memo = dict(memo) if have_lay == lay else {}
    tag, keep_again = f"{KEPT_TAG} {lay!r}", False
    out: dict[str, ClientPart] = {}
    for cid, version in versions.items():
        have = memo.get(cid)
        if have is not None and have[0] == version:
            out[cid] = have[1]
    if any(isinstance(v, str) for cid, v in versions.items() if cid not in out):  # a client at a time
        pool: dict[str, str] = {}
        for cid, digest, obj in records.kept("board", tag):
            version = versions.get(cid)
            keep_again = keep_again or digest is not None  # (kept for another file: keep for this one)
            if cid not in out and isinstance(version, str) and digest in (None, version) and (part := from_json(obj, pool)) is not None:
                out[cid] = part  # (a digest of None: kept for this very file)
                memo[cid] = (version, part)
    for cid, version in versions.items():
        if cid not in out:
            let_others_run()
            out[cid] = part = part_of(records.raw_meetings_of(cid), lay)
            memo[cid] = (version, part)
            keep_again = keep_again or isinstance(version, str)
    memo = {cid: memo[cid] for cid in versions}
    with _memo_lock:
        _memo[records] = (lay, memo)
    if keep_again:
        keep = ((cid, (v, to_json(p))) for cid, (v, p) in memo.items() if isinstance(v, str))  # (made as written)
        threading.Thread(target=partial(records.keep, "board", tag, keep), name="cope-board-keep", daemon=True).start()
    return {cid: out[cid] for cid in versions}  # (in the file's order, whichever way each came)
