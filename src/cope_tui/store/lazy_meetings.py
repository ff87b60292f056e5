"""The meetings table of an open app, kept as the main file's lines until one is read.

Building every meeting as Python objects costs about four times the file (270 MB at
10,000 meetings) and most are finalised and never looked at in a session. So the app's
store keeps the file's bytes (one meeting per line, lean form: file_form.py) and turns a
client's lines back into whole meetings only when one of them is read. References in
the lean form only point back along one client's meetings, so a client's lines are
always decoded together, from the file alone; what was saved or deleted since (the
journal, and this session's saves) lies on top, by meeting id.

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
import zlib
from collections import OrderedDict
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from . import file_form
from ..background import let_others_run
from .bulk import gc_paused
from .errors import CorruptDatabase

CACHED_CLIENTS = 8  # decoded clients kept: the one open, and a few just looked at

# (key, meeting id, client id, start, stop): record_lines' span of one line
Span = tuple[str, str, str, int, int]


class FileMeetings:
    """The file's meetings, immutable: its bytes and where each client's lines are."""

    def __init__(self, path: Path, raw: bytes, spans: list[Span], stats: dict[str, tuple[int, str, bool]], stamp: str = ""):
        self.path, self.raw, self.stats = path, raw, stats
        self.stamp = stamp  # record_check.stamp of the file: what was kept for it is taken whole
        self._lock = threading.Lock()
        self.groups: dict[str, list[Span]] = {}
        self.client_of: dict[str, str] = {}
        for span in spans:
            self.groups.setdefault(span[2], []).append(span)
            self.client_of[span[1]] = span[2]
        self._cache: OrderedDict[str, dict[str, dict[str, Any]]] = OrderedDict()
        self._packed: dict[str, bytes] = {}
        self.digests: dict[str, str] = {}  # client id -> digest of their lines (kept.py)
        self.digested = threading.Event()  # every client's digest taken
        self.packed = threading.Event()  # every client's lines packed, the file's bytes let go (or keep_whole)

    @classmethod
    def of(cls, path: Path, raw: bytes, spans: list[Span], stats: dict[str, tuple[int, str, bool]], stamp: str = "") -> FileMeetings | None:
        """None when two lines hold one meeting id (then the eager load names it)."""
        found = cls(path, raw, spans, stats, stamp)
        return found if len(found.client_of) == len(spans) else None

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

    def pack(self) -> None:
        """Each client's digest taken (what search and the board kept is matched by it),
        then their lines compressed on their own (about a quarter of the file), then the
        file's bytes let go: run in a thread once the store is ready (zlib and hashlib
        let go of the interpreter while they work)."""
        raw = self.raw
        self._digest()
        try:
            for client_id, spans in list(self.groups.items()) if raw else ():
                self._packed[client_id] = zlib.compress(b"\n".join(raw[s[3] : s[4]] for s in spans), 1)
                let_others_run()
            self.raw = b""  # (after every client is packed: a reader finding it empty finds theirs packed)
        finally:
            self.packed.set()

    def keep_whole(self) -> None:
        """Instead of pack, for a reader done in a second (the CLI's export): the file's
        bytes stay as they are, and the digests are taken only if asked for
        (`wait_digests`), so no thread competes with its work."""
        self.packed.set()

    def wait_digests(self) -> None:
        """Every client's digest (a client without one is worked out afresh): from pack's
        thread, or taken here when the bytes are kept whole."""
        if not self.digested.is_set() and self.packed.is_set():  # (pack sets digested first)
            with self._lock:
                if not self.digested.is_set():
                    self._digest()
        self.digested.wait()

    def _digest(self) -> None:
        raw = self.raw
        try:
            view = memoryview(raw)
            for client_id, spans in list(self.groups.items()) if raw else ():
                digest = hashlib.blake2b(digest_size=16)
                for span in spans:
                    digest.update(view[span[3] : span[4]])
                    digest.update(b"\n")
                self.digests[client_id] = digest.hexdigest()
            view.release()
        finally:
            self.digested.set()  # (a client without a digest is worked out afresh instead)

    def _lines(self, client_id: str) -> list[Any]:
        packed = self._packed.get(client_id)
        if packed is None:
            raw = self.raw
            if raw:
                view = memoryview(raw)
                return [view[s[3] : s[4]] for s in self.groups.get(client_id, ())]
            packed = self._packed.get(client_id)
            if packed is None:
                return []
        return zlib.decompress(packed).split(b"\n")  # (orjson escapes newlines inside strings)

    def decode(self, client_id: str) -> dict[str, dict[str, Any]]:
        spans = self.groups.get(client_id, ())
        try:
            lines = self._lines(client_id)
            with gc_paused():
                out = {span[1]: orjson.loads(line) for span, line in zip(spans, lines, strict=True)}
                file_form.whole_meetings(out)
        except (orjson.JSONDecodeError, file_form.FormDamaged, ValueError, zlib.error) as exc:
            raise CorruptDatabase(
                f"'{self.path}' is damaged: a meeting of client {client_id[:40]!r} cannot be read "
                f"({exc}). It has not been changed. Run 'cope-tui doctor' to check it and restore a backup."
            ) from None
        return out


class LazyMeetings(MutableMapping):
    """The store's meetings table: the file's (decoded on demand) with this session's
    changes on top. Iterating walks client by client, so at most one client's meetings
    that nobody holds are alive at a time."""

    def __init__(self, file: FileMeetings, changed: dict[str, Any], deleted: set[str]):
        self.file = file
        self._over: dict[str, Any] = dict(changed)  # saved since the file: whole docs
        self._gone: set[str] = {k for k in deleted if k not in self._over}

    # ---- the mapping -----------------------------------------------------------

    def __getitem__(self, key: str) -> dict[str, Any]:
        if key in self._over:
            return self._over[key]
        client_id = self.file.client_of.get(key)
        if client_id is None or key in self._gone:
            raise KeyError(key)
        return self.file.client(client_id)[key]

    def __setitem__(self, key: str, doc: Any) -> None:
        self._over[key] = doc
        self._gone.discard(key)

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self._over.pop(key, None)
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
        found = [(key, self._over.get(key, self.file)) for key in self.file.client_of if key not in self._gone]
        found += [(key, doc) for key, doc in self._over.items() if key not in self.file.client_of]
        return found

    def frozen(self) -> LazyMeetings:
        """A copy that later saves do not change (the file's part is shared: it never changes)."""
        return LazyMeetings(self.file, self._over, self._gone)

    def of_client(self, client_id: str) -> list[dict[str, Any]]:
        """One client's meetings (decoding only that client's lines)."""
        found = [doc for key, doc in self.file.client(client_id).items() if key not in self._over and key not in self._gone]
        found += [doc for doc in self._over.values() if isinstance(doc, dict) and doc.get("client_id") == client_id]
        return found

    def whole(self) -> dict[str, Any]:
        """Every meeting as a plain dict (compaction encodes them all at once)."""
        return dict(self.snapshot().items())

    def touched_clients(self) -> set[str]:
        """The clients with a meeting saved or deleted since the file was read."""
        touched = {self.file.client_of[k] for k in self._gone}
        for key, doc in self._over.items():
            if key in self.file.client_of:
                touched.add(self.file.client_of[key])
            if isinstance(doc, dict):
                touched.add(str(doc.get("client_id", "")))
        return touched

    def client_stats(self) -> dict[str, tuple[int, str, bool]]:
        """(meetings, latest start, a draft among them) per client id, for the client list:
        the file's from its summary, worked out again only for the clients changed since."""
        touched = self.touched_clients()
        found = {cid: stats for cid, stats in self.file.stats.items() if cid not in touched}
        for cid in set(self.file.groups) - set(found) | touched:
            docs = self.of_client(cid)
            if docs:
                found[cid] = (
                    len(docs),
                    max((d.get("started") or "" for d in docs), default=""),
                    any(not d.get("finalised_at") for d in docs),
                )
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
        yield from self._over.items()

    def __iter__(self) -> Iterator[Any]:
        return (doc for _key, doc in self.items())

    def __len__(self) -> int:
        file_ids = self.file.client_of
        return len(file_ids) - len(self._gone) + sum(1 for k in self._over if k not in file_ids)

    def __getitem__(self, index):  # type: ignore[override]
        return list(self)[index]  # rare (callers walk it): built whole only when indexed


def is_lazy(table: Mapping[str, Any]) -> bool:
    return isinstance(table, LazyMeetings)
