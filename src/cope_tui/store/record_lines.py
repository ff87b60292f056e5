"""The main file's layout: one meeting per line, so a reader can parse only some of them.

The file stays the JSON object TinyDB reads (`{"meta": ..., "clients": ..., "meetings":
{...}}`); the only change is a newline before each meeting. orjson escapes newlines
inside strings, so a raw newline byte in the file is always one of these separators, and
a line's start names the meeting and its client without parsing the rest.

`export --all` splits the work between two processes this way: each parses the meetings
of its own half of the clients, which halves the biggest cost of loading 10,000 meetings.
Anything that does not look exactly like this layout is parsed whole, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson

from . import file_form
from .bulk import gc_paused

MEETINGS = b'"meetings":{'
_CLIENT_ID = b'","client_id":"'

# Given the client records, how many bytes of meetings each client id has and how many
# meetings there are in all, the client ids whose meetings to parse (None: all of them).
Chooser = Callable[[dict[str, Any], dict[str, int], int], "set[str] | None"]


def dump_tables(data: dict[str, dict[str, Any]]) -> bytes:
    """The whole DB as JSON in its file form (file_form.py): the other tables first, then
    the meetings, one per line."""
    meetings = data.get("meetings")
    if hasattr(meetings, "lean_lines") and len(meetings) and list(data)[-1] == "meetings" and file_form.is_lean(data):
        return _dump_lines(data, meetings)
    # Lazily held meetings (lazy_meetings.py) whole first: the lean encoding pairs records by identity.
    data = {name: table.whole() if hasattr(table, "whole") else table for name, table in data.items()}
    tables = file_form.file_tables(data)
    meetings = tables.get("meetings") or {}
    if not meetings:
        return orjson.dumps(tables)
    head = orjson.dumps({name: table for name, table in tables.items() if name != "meetings"})
    dumps = orjson.dumps
    parts: list[bytes] = [head[:-1], b"," if len(head) > 2 else b"", MEETINGS]
    # Lean forms built here (not the caller's table) are let go one by one as written:
    # freed all at once on return, 10,000 meetings' objects hold the interpreter's lock
    # for a tenth of a second, and the app's typing waits.
    take = meetings.pop if tables is not data else meetings.get
    for key in list(meetings):  # a key with quotes or escapes is written escaped
        parts += (b"\n", dumps(key), b":", dumps(take(key)), b",")
    parts[-1] = b"\n}}"
    return b"".join(parts)


def _dump_lines(data: dict[str, dict[str, Any]], meetings: Any) -> Any:
    """dump_tables for a lazily held meetings table, byte for byte the same, built in one
    buffer (the app holds search's text and the board meanwhile: no second copy of it)."""
    others = file_form.file_tables({name: table for name, table in data.items() if name != "meetings"})
    head = orjson.dumps(others)
    out = bytearray(head[:-1])
    out += (b"," if len(head) > 2 else b"") + MEETINGS
    number = 0
    for line in meetings.lean_lines():
        number += 1
        out += b'\n"%d":' % number
        out += line
        out += b","
    out[-1:] = b"\n}}"
    return out


class _Deletions(dict):
    """The meetings table while the journal replays: remembers what it deleted, so the
    lines parsed afterwards cannot bring a deleted meeting back."""

    def __init__(self) -> None:
        super().__init__()
        self.deleted: set[str] = set()

    def pop(self, key, default=None):  # the journal deletes with pop(id, None)
        self.deleted.add(key)
        return super().pop(key, default)

    def __setitem__(self, key, value) -> None:
        self.deleted.discard(key)
        super().__setitem__(key, value)


class MeetingLines:
    """A main file in the line layout: its other tables parsed, its meetings indexed."""

    def __init__(self, raw: bytes, head: dict[str, Any], spans: list[tuple[str, str, str, int, int]]):
        self.raw, self.head, self.spans = raw, head, spans

    @classmethod
    def index(cls, raw: bytes) -> MeetingLines | None:
        """None unless `raw` is exactly in the line layout (then it is parsed whole).

        The other tables and the index live as long as the store: they are built with the
        cyclic GC paused, then frozen (at 10,000 meetings the collections it ran while
        building them, one walking every object, took 60 ms of each export process)."""
        with gc_paused(freeze=True):
            return cls._index(raw)

    @classmethod
    def _index(cls, raw: bytes) -> MeetingLines | None:
        first = raw.find(b"\n")
        end = len(raw)
        while end and raw[end - 1] == 10:  # trailing newlines (no copy of the whole file)
            end -= 1
        end_all = end - 3
        if first < 0 or raw[first - len(MEETINGS) : first] != MEETINGS or raw[end_all:end] != b"\n}}":
            return None
        head_end = first - len(MEETINGS)
        head_text = raw[:head_end].rstrip(b",") + b"}"
        try:
            head = orjson.loads(head_text)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(head, dict) or "meetings" in head:
            return None
        spans: list[tuple[str, str, str, int, int]] = []
        find = raw.find
        start = first + 1
        while start < end_all:
            stop = find(b"\n", start, end_all + 1)
            if stop < 0 or (raw[stop - 1 : stop] == b",") != (stop < end_all):
                return None  # every line but the last ends with a comma
            found = _span(raw, start, stop)
            if found is None:
                return None
            spans.append(found)
            start = stop + 1
        return cls(raw, head, spans)

    def tables(self) -> dict[str, Any]:
        """The other tables, and an empty meetings table ready for the journal."""
        data = dict(self.head)
        data["meetings"] = _Deletions()
        return data

    def sizes(self) -> dict[str, int]:
        """Bytes of stored meetings per client id."""
        found: dict[str, int] = {}
        for _key, _id, client_id, start, stop in self.spans:
            found[client_id] = found.get(client_id, 0) + stop - start
        return found

    def meetings(self, data: dict[str, Any], choose: Chooser | None, *, lean: bool = False) -> dict[str, Any]:
        """The chosen clients' meetings from the file, with the journal's changes on top.
        A `lean` file (file_form.py) keys them by the ids inside them and puts each whole;
        file_form.FormDamaged when that cannot be done."""
        replayed: _Deletions = data["meetings"]
        sizes = self.sizes()
        for doc in replayed.values():
            client_id = doc.get("client_id", "") if isinstance(doc, dict) else ""
            sizes[client_id] = sizes.get(client_id, 0) + 1
        stored = {span[1 if lean else 0] for span in self.spans} - replayed.deleted
        stored.update(replayed)
        keep = choose(data.get("clients", {}), sizes, len(stored)) if choose is not None else None
        view = memoryview(self.raw)
        loads = orjson.loads
        out: dict[str, Any] = {}
        for key, record_id, _client, start, stop in self._chosen(keep):
            if lean:
                key = record_id if record_id not in out else f"#{key}"
            out[key] = loads(view[start:stop])
        if lean:  # (the caller holds the cyclic GC off)
            file_form.whole_meetings(out)
        for key in replayed.deleted:
            out.pop(key, None)
        out.update(replayed)
        return out

    def _chosen(self, keep: set[str] | None) -> Iterator[tuple[str, str, str, int, int]]:
        if keep is None:
            return iter(self.spans)
        return (span for span in self.spans if span[2] in keep)


def _span(raw: bytes, start: int, stop: int) -> tuple[str, str, str, int, int] | None:
    """(key, meeting id, client id, start, end) of the meeting document on one line.

    The line must read `"KEY":{"id":"ID","client_id":"CLIENT",...}` (with a comma after
    it unless it is the last): the order `models.dump` writes. KEY is the meeting's id in
    a file of format 1, its document number in the lean form (file_form.py)."""
    if raw[stop - 1 : stop] == b",":
        stop -= 1
    if raw[start : start + 1] != b'"':
        return None
    quote = raw.find(b'"', start + 1, stop)
    if quote < 0:
        return None
    key = raw[start + 1 : quote]
    doc = quote + 2
    if b"\\" in key or raw[quote + 1 : doc] != b":":
        return None
    lead = b'{"id":"'
    if raw[doc : doc + len(lead)] != lead:
        return None
    id_start = doc + len(lead)
    id_end = raw.find(b'"', id_start, stop)
    if id_end < 0 or b"\\" in raw[id_start:id_end] or raw[id_end : id_end + len(_CLIENT_ID)] != _CLIENT_ID:
        return None
    client_start = id_end + len(_CLIENT_ID)
    client_end = raw.find(b'"', client_start, stop)
    if client_end < 0 or b"\\" in raw[client_start:client_end] or raw[stop - 1 : stop] != b"}":
        return None
    try:
        return key.decode(), raw[id_start:id_end].decode(), raw[client_start:client_end].decode(), doc, stop
    except UnicodeDecodeError:  # not text we wrote: parsed whole, which names the damage
        return None
