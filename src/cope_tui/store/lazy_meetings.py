"""The meetings table of an open app, kept as the main file's lines until one is read.

Building every meeting as Python objects costs about four times the file (270 MB at
10,000 meetings) and most are finalised and never looked at in a session. So the app's
store keeps where each line of the file is (one meeting per line, lean form:
file_form.py) and turns a client's lines back into whole meetings only when one of them
is read. Once each client's digest is taken, the file's bytes are let go and a client's
lines are read again from the file, which the store keeps open: the main file is only
ever replaced whole, so the open file is the very version read, and the digest shows
whether its lines are still those bytes (a file changed in place is reported as such).
References in the lean form only point back along one client's meetings, so a client's
lines are always decoded together, from the file alone; what was saved or deleted since
(the journal, and this session's saves) lies on top, by meeting id.

When is a meeting checked? Either the whole file was checked at load (every client's
lines decoded and every record checked, one client at a time, as load.py does when the
file is not the one a store checked and stamped), or its bytes are exactly those of a file
a store wrote from checked records (the stamp, record_check.stamp). Decoding is
deterministic, so a line decodes later exactly as it would have at load. Should it still
fail (a bug), the reader gets CorruptDatabase naming the file, never a crash.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from . import file_form
from ..background import let_others_run
from .bulk import gc_paused
from .errors import CorruptDatabase
from ..paths import db_command

CACHED_CLIENTS = 8  # decoded clients kept: the one open, and a few just looked at
LOOSE_KEPT = 256  # meetings saved this session kept whole; those saved before are kept packed

# (key, meeting id, client id, start, stop): record_lines' span of one line
Span = tuple[str, str, str, int, int]


class FileMeetings:
    """The file's meetings, immutable: where each client's lines are, in its bytes until
    they are let go, then in the file itself, still open (`handle`)."""

    def __init__(
        self,
        path: Path,
        raw: bytes,
        spans: list[Span],
        stats: dict[str, tuple[int, str, bool]],
        stamp: str = "",
        handle: Any = None,
    ):
        self.path, self.raw, self.stats = path, raw, stats
        self.stamp = stamp  # record_check.stamp of the file: what was kept for it is taken whole
        self._handle = handle  # the very file read (a compaction puts another in its place)
        if handle is not None:
            weakref.finalize(self, handle.close)
        self._lock = threading.Lock()
        self.groups: dict[str, list[Span]] = {}
        self.client_of: dict[str, str] = {}
        runs: dict[str, int] = {}
        last = None
        for span in spans:
            self.groups.setdefault(span[2], []).append(span)
            self.client_of[span[1]] = span[2]
            if span[2] != last:
                runs[span[2]] = runs.get(span[2], 0) + 1
                last = span[2]
        self._together = {client_id for client_id, count in runs.items() if count == 1}  # one run of lines
        self._cache: OrderedDict[str, dict[str, dict[str, Any]]] = OrderedDict()
        self.digests: dict[str, str] = {}  # client id -> digest of their lines (kept.py)
        self.digested = threading.Event()  # every client's digest taken
        self.released = threading.Event()  # the file's bytes let go (when it is held open)
        self._whole = False  # keep_whole: no thread takes the digests; wait_digests does

    @classmethod
    def of(
        cls, path: Path, raw: bytes, spans: list[Span], stats: dict[str, tuple[int, str, bool]], stamp: str = "", handle: Any = None
    ) -> FileMeetings | None:
        """None when two lines hold one meeting id (then the eager load names it)."""
        found = cls(path, raw, spans, stats, stamp, handle)
        return found if len(found.client_of) == len(spans) else None

    @classmethod
    def empty(cls, path: Path) -> FileMeetings:
        """No file yet: no lines, every digest taken (there are none)."""
        found = cls(path, b"", [], {})
        found.digested.set()
        found.released.set()
        return found

    def client(self, client_id: str) -> dict[str, dict[str, Any]]:
        """One client's meetings as the file holds them, by id, in file order."""
        with self._lock:
            cached = self._cache.get(client_id)
            if cached is not None:
                self._cache.move_to_end(client_id)
                return cached
        decoded = self.decode(client_id)  # (two threads may both decode it: the same result)
        with self._lock:
            self._cache[client_id] = decoded
            while len(self._cache) > CACHED_CLIENTS:
                self._cache.popitem(last=False)
        return decoded

    def let_go(self) -> None:
        """Each client's digest taken (what search and the board kept is matched by it,
        and a line read again from the file is checked by it), then the file's bytes let
        go: a client's lines are read again from the open file when they are decoded.
        Run in a thread once the store is ready."""
        self._digest()
        if self._handle is not None and len(self.digests) == len(self.groups):
            self.raw = b""  # (a reader finding it empty reads the open file instead)
        self.released.set()

    def keep_whole(self) -> None:
        """Instead of let_go, for a reader done in a second (the CLI's export): the file's
        bytes stay as they are, and the digests are taken only if asked for
        (`wait_digests`), so no thread competes with its work."""
        self._whole = True

    def wait_digests(self) -> None:
        """Every client's digest (a client without one is worked out afresh): from
        let_go's thread, or taken here when the bytes are kept whole."""
        if self._whole and not self.digested.is_set():
            with self._lock:
                if not self.digested.is_set():
                    self._digest()
        self.digested.wait()

    def _digest(self) -> None:
        raw = self.raw
        try:
            view = memoryview(raw)
            for client_id, spans in list(self.groups.items()) if raw else ():
                self.digests[client_id] = _digest([view[s[3] : s[4]] for s in spans])
            view.release()
        finally:
            self.digested.set()  # (a client without a digest is worked out afresh instead)

    def _lines(self, client_id: str) -> list[Any]:
        spans = self.groups.get(client_id, ())
        raw = self.raw
        if raw or not spans:
            view = memoryview(raw)
            return [view[s[3] : s[4]] for s in spans]
        base = spans[0][3]
        with self._lock:  # (one position in the open file)
            if client_id in self._together:  # one read
                self._handle.seek(base)
                view = memoryview(self._handle.read(spans[-1][4] - base))
                lines = [view[s[3] - base : s[4] - base] for s in spans]
            else:
                lines = []
                for span in spans:
                    self._handle.seek(span[3])
                    lines.append(self._handle.read(span[4] - span[3]))
        if [len(line) for line in lines] != [s[4] - s[3] for s in spans] or _digest(lines) != self.digests.get(client_id):
            raise ValueError("its lines in the file are not those read when it was opened: it was changed in place")
        return lines

    def lines(self, client_id: str) -> list[Any]:
        """A client's lines as the file holds them (a compaction copies an unchanged
        client's lines as they are: decoding and encoding them again gives the same bytes)."""
        try:
            return self._lines(client_id)
        except (ValueError, OSError) as exc:
            raise self._damaged(client_id, exc) from None

    def decode(self, client_id: str) -> dict[str, dict[str, Any]]:
        spans = self.groups.get(client_id, ())
        try:
            lines = self._lines(client_id)
            with gc_paused():
                out = {span[1]: orjson.loads(line) for span, line in zip(spans, lines, strict=True)}
                file_form.whole_meetings(out)
        except (orjson.JSONDecodeError, file_form.FormDamaged, ValueError, OSError) as exc:
            raise self._damaged(client_id, exc) from None
        return out

    def _damaged(self, client_id: str, exc: Exception) -> CorruptDatabase:
        return CorruptDatabase(
            f"'{self.path}' is damaged: a meeting of client {client_id[:40]!r} cannot be read "
            f"({exc}). It has not been changed. Run '{db_command(self.path, 'doctor')}' to check it and restore a backup."
        )


def _digest(lines: list[Any]) -> str:
    """A client's lines, each followed by a newline: the lines only, so a client's digest
    stays while the numbers before their lines change (a compaction renumbers them).
    Hashed in one go: each hash lets go of the interpreter, and getting it back waits on
    the app's own work."""
    digest = hashlib.blake2b(b"\n".join(lines), digest_size=16)
    digest.update(b"\n")
    return digest.hexdigest()


class Packed:
    """A meeting saved since the file was read, kept as its JSON: as Python objects a
    meeting takes about four times its JSON, and a team's first pull saves every one
    (at 10,000 meetings 360 MB held for the rest of the session, at 50,000 most of the
    3.5 GB the pull peaked at). Decoded at each read, as the file's lines are. The same
    object until the meeting is saved again: it is the meeting's version (`versions`)."""

    __slots__ = ("json", "client_id", "started", "draft")

    def __init__(self, json: bytes, doc: dict[str, Any]):
        """`doc`: the meeting `json` is of; what the client list counts is kept from it."""
        self.json, self.client_id = json, _client_of(doc)
        self.started, self.draft = _counted(doc)

    def doc(self) -> dict[str, Any]:
        return orjson.loads(self.json)


def _whole(value: Any) -> Any:
    return value.doc() if isinstance(value, Packed) else value


def _counted(value: Any) -> tuple[str, bool]:
    """(start, a draft) of a meeting, for the client list."""
    if isinstance(value, Packed):
        return value.started, value.draft
    return str(value.get("started") or ""), not value.get("finalised_at")


def _client_of(value: Any) -> str | None:
    if isinstance(value, Packed):
        return value.client_id
    return str(value.get("client_id", "")) if isinstance(value, dict) else None


class LazyMeetings(MutableMapping):
    """The store's meetings table: the file's (decoded on demand) with this session's
    changes on top. Iterating walks client by client, so at most one client's meetings
    that nobody holds are alive at a time."""

    def __init__(self, file: FileMeetings, changed: dict[str, Any], deleted: set[str]):
        self.file = file
        # Saved since the file: whole docs, or Packed (a sync's, and the older saves)
        self._over: dict[str, Any] = dict(changed)
        self._gone: set[str] = {k for k in deleted if k not in self._over}
        self._loose: OrderedDict[str, None] = OrderedDict()  # keys of whole docs saved here, oldest first

    # ---- the mapping -----------------------------------------------------------

    def __getitem__(self, key: str) -> dict[str, Any]:
        if key in self._over:
            return _whole(self._over[key])
        client_id = self.file.client_of.get(key)
        if client_id is None or key in self._gone:
            raise KeyError(key)
        return self.file.client(client_id)[key]

    def __setitem__(self, key: str, doc: Any) -> None:
        self._over[key] = doc
        self._gone.discard(key)
        self._loose[key] = None
        self._loose.move_to_end(key)
        while len(self._loose) > LOOSE_KEPT:  # saved long ago this session: packed
            old, _ = self._loose.popitem(last=False)
            value = self._over.get(old)
            if isinstance(value, dict):
                self._over[old] = Packed(orjson.dumps(value), value)

    def put_packed(self, key: str, json: bytes, doc: dict[str, Any]) -> None:
        """Save a meeting given as its JSON too (that of `doc`, a checked record): a sync's
        pull has it already, and keeps no whole doc of what it writes."""
        self._over[key] = Packed(json, doc)
        self._gone.discard(key)
        self._loose.pop(key, None)

    def version(self, key: str) -> object | None:
        """What `versions` gives for one meeting (None: not held)."""
        if key in self._over:
            return self._over[key]
        return self.file if key in self.file.client_of and key not in self._gone else None

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self._over.pop(key, None)
        self._loose.pop(key, None)
        if key in self.file.client_of:
            self._gone.add(key)

    def __contains__(self, key: object) -> bool:
        return key in self._over or (key in self.file.client_of and key not in self._gone)

    def __len__(self) -> int:
        stored = len(self.file.client_of) - len(self._gone)
        return stored + sum(1 for k in self._over if k not in self.file.client_of)

    def __iter__(self) -> Iterator[str]:
        for key in self.file.client_of:
            if key not in self._gone:
                yield key
        for key in self._over:
            if key not in self.file.client_of:
                yield key

    def items(self) -> Iterator[tuple[str, Any]]:  # type: ignore[override]
        return self.snapshot().items()

    def values(self) -> Iterator[Any]:  # type: ignore[override]
        return iter(self.snapshot())

    # ---- what the store asks of it --------------------------------------------

    def snapshot(self) -> Snapshot:
        """What the table holds now, read later without the store's lock."""
        return Snapshot(self.file, dict(self._over), set(self._gone))

    def versions(self) -> list[tuple[str, object]]:
        """(id, version) of every meeting, decoding none: the file's own stand for
        themselves until saved again (the file never changes under them)."""
        found = [
            (span[1], self._over.get(span[1], self.file))
            for spans in self.file.groups.values() for span in spans if span[1] not in self._gone
        ]  # a client's together: read in this order, each client is decoded once
        found += [(key, doc) for key, doc in self._over.items() if key not in self.file.client_of]
        return found

    def frozen(self) -> LazyMeetings:
        """A copy that later saves do not change (the file's part is shared: it never changes)."""
        return LazyMeetings(self.file, self._over, self._gone)

    def of_client(self, client_id: str) -> list[dict[str, Any]]:
        """One client's meetings (decoding only that client's lines)."""
        found = [doc for key, doc in self.file.client(client_id).items() if key not in self._over and key not in self._gone]
        found += [_whole(value) for value in self._over.values() if _client_of(value) == client_id]
        return found

    def lean_lines(self) -> Iterator[Any]:
        """Each meeting's line in the file form: an unchanged client's lines as the file
        holds them, then those saved since, a client's together, encoded again (lean
        forms point back along one client's meetings only). Encoding all 50,000 meetings
        again took 10 s and 1 GB at each close; this takes the time of reading the file."""
        touched = self.touched_clients()
        saved = self._over_by_client()
        leans: dict[str, bytes] = {}
        for client_id in touched:
            docs = {}
            if client_id in self.file.groups:
                docs = {k: d for k, d in self.file.client(client_id).items() if k not in self._over and k not in self._gone}
            docs.update((k, _whole(self._over[k])) for k in saved.get(client_id, ()))
            leans.update((k, orjson.dumps(lean)) for k, lean in file_form.lean_meetings(docs).items())
        for client_id, spans in self.file.groups.items():
            let_others_run()
            if client_id not in touched:
                yield from self.file.lines(client_id)
                continue
            for span in spans:
                if span[1] not in self._over and span[1] not in self._gone:
                    yield leans[span[1]]
        for keys in saved.values():  # a client's lines together: read back, decoded together
            for key in keys:
                yield leans[key] if key in leans else orjson.dumps(file_form.lean_meetings({key: _whole(self._over[key])})[key])

    def _over_by_client(self) -> dict[str | None, list[str]]:
        """The keys saved since the file, by client: one walk, where asking of_client for
        each client walked them all once per client (10,000 clients after a first pull)."""
        found: dict[str | None, list[str]] = {}
        for key, value in self._over.items():
            found.setdefault(_client_of(value), []).append(key)
        return found

    def whole(self) -> dict[str, Any]:
        """Every meeting as a plain dict (compaction encodes them all at once)."""
        return dict(self.snapshot().items())

    def touched_clients(self) -> set[str]:
        """The clients with a meeting saved or deleted since the file was read."""
        touched = {self.file.client_of[k] for k in self._gone}
        for key, value in self._over.items():
            if key in self.file.client_of:
                touched.add(self.file.client_of[key])
            client_id = _client_of(value)
            if client_id is not None:
                touched.add(client_id)
        return touched

    def client_stats(self) -> dict[str, tuple[int, str, bool]]:
        """(meetings, latest start, a draft among them) per client id, for the client list:
        the file's from its summary, worked out again only for the clients changed since."""
        touched = self.touched_clients()
        found = {cid: stats for cid, stats in self.file.stats.items() if cid not in touched}
        saved = self._over_by_client()
        for cid in set(self.file.groups) - set(found) | touched:
            docs = [doc for key, doc in self.file.client(cid).items() if key not in self._over and key not in self._gone]
            seen = [_counted(doc) for doc in docs]
            seen += [_counted(self._over[key]) for key in saved.get(cid, ())]  # (a packed one is not decoded)
            if seen:
                found[cid] = (len(seen), max(started for started, _ in seen), any(draft for _, draft in seen))
        return found


class Snapshot(Sequence):
    """A frozen list of the meetings, decoded one client at a time as it is walked."""

    def __init__(self, file: FileMeetings, over: dict[str, Any], gone: set[str]):
        self.file, self._over, self._gone = file, over, gone

    def items(self) -> Iterator[tuple[str, Any]]:
        for client_id in self.file.groups:
            let_others_run()
            for key, doc in self.file.client(client_id).items():
                if key not in self._gone and key not in self._over:
                    yield key, doc
        for key, value in self._over.items():
            yield key, _whole(value)

    def __iter__(self) -> Iterator[Any]:
        return (doc for _key, doc in self.items())

    def __len__(self) -> int:
        file_ids = self.file.client_of
        return len(file_ids) - len(self._gone) + sum(1 for k in self._over if k not in file_ids)

    def __getitem__(self, index):  # type: ignore[override]
        return list(self)[index]  # rare (callers walk it): built whole only when indexed


def is_lazy(table: Mapping[str, Any]) -> bool:
    return isinstance(table, LazyMeetings)
