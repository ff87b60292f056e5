"""What the app works out from each client's meetings, kept beside the DB between sessions.

Search needs the text of every meeting and the follow-through board (whose counts the
home screen shows at once) needs every action item; both meant decoding every meeting at
each start, about 5 s at 50,000 meetings. So each keeps what it worked out here, per
client, with a digest of that client's lines in the file: `NAME.json.search` and
`NAME.json.board`. A client's part is taken again only while their lines are byte for
byte the same (a lean line may point back at the client's earlier lines, so the unit is
the client, not the line), and only under the same `tag` (the reader's own format).
`export --all` keeps each client's rendered Markdown the same way (`NAME.json.export`),
so an export of a mostly unchanged DB renders only the clients changed since.
Anything else is worked out from the data again: these files are never the only copy of
anything, and a damaged or foreign one is ignored.

They hold the words of notes and action items, so they are written owner-only like every
file of ours, only for a plain DB (an encrypted DB's are never written down), and what
changes the DB behind the app's back (restore, set-aside, re-keying, erasure) removes them
with the summary (`summary.forget`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, ContextManager

import orjson

from ..background import let_others_run
from .bulk import gc_paused
from .diskio import PrivateWriter

KINDS = ("search", "board", "export")

# client id -> (digest of their lines, what the reader kept for them). A part may be a
# Blob: bytes kept as they are beside a JSON part (the export's Markdown: as a JSON
# string, parsing it back took longer than everything else the export does).
Kept = dict[str, tuple[str, Any]]


class Blob(tuple):
    """(JSON part, bytes): written as the part's line with the bytes' length, then the bytes."""

    def __new__(cls, part: Any, data: bytes) -> Blob:
        return super().__new__(cls, (part, data))


def sidecar(db_path: Path, kind: str) -> Path:
    if kind not in KINDS:
        raise ValueError(kind)
    return db_path.with_name(f"{db_path.name}.{kind}")


def sidecars(db_path: Path) -> list[Path]:
    return [sidecar(db_path, kind) for kind in KINDS]


def read(db_path: Path, kind: str, tag: str) -> Kept:
    """What was kept, or nothing when there is none, it cannot be read or it was kept
    under another tag."""
    return {client_id: (digest or "", part) for client_id, digest, part in each(db_path, kind, tag)}


def each(db_path: Path, kind: str, tag: str, stamp: str = "") -> Walk:
    """(client id, digest, part) as kept, one client at a time; the digest is None when
    the parts were kept for the very file of `stamp` (record_check.stamp), so every one
    holds without waiting for the digests of the file's lines. A reader takes what it
    needs of each and lets the rest go (holding it all at once costs the whole file
    twice over), and the app may be painting meanwhile, which one parse of the whole
    would hold up for a third of a second at 50,000 meetings. A damaged file ends the
    walk early: what it gave was well formed, the rest is worked out afresh."""
    return Walk(sidecar(db_path, kind), tag, stamp)


class Walk:
    """each()'s walk. `whole` is set once it reached the end the writer wrote (its count of
    parts, then the frame's checksum): a reader that must take all or nothing (the
    export, whose kept text is emitted as it is) can tell a file cut short or damaged.
    With `data`, the walk is of those bytes (encode's form, from a helper process of the
    export) rather than of the file."""

    def __init__(self, path: Path | None, tag: str, stamp: str, data: bytes | None = None):
        self.path, self.tag, self.stamp, self.data = path, tag, stamp, data
        self.whole = False

    def __iter__(self) -> Iterator[tuple[str, str | None, Any]]:
        import zstandard

        self.whole = False
        try:
            if self.data is not None:
                yield from self._parts(io.BufferedReader(io.BytesIO(self.data)))  # type: ignore[arg-type]
                return
            assert self.path is not None
            with open(self.path, "rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as unzipped:
                yield from self._parts(io.BufferedReader(unzipped, buffer_size=1 << 20))
        except (OSError, orjson.JSONDecodeError, zstandard.ZstdError, TypeError, ValueError):
            return

    def _parts(self, lines: io.BufferedReader) -> Iterator[tuple[str, str | None, Any]]:
        head = orjson.loads(lines.readline())
        if not isinstance(head, dict) or head.get("tag") != self.tag:
            return
        same_file = bool(self.stamp) and head.get("stamp") == self.stamp
        count, ended = 0, False
        for line in lines:
            if ended:  # (nothing may follow the end)
                return
            let_others_run()
            with gc_paused():
                found = orjson.loads(line)
            if isinstance(found, dict):  # the end
                ended = found == {"end": count}
                continue
            client_id, digest, part, *size = found
            count += 1
            if size:  # a Blob: its bytes follow the line
                part = Blob(part, _exactly(lines, size))
            if isinstance(client_id, str) and isinstance(digest, str):
                yield client_id, None if same_file else digest, part
        self.whole = ended


def _exactly(lines: io.BufferedReader, size: list[Any]) -> bytes:
    """A Blob's bytes and the newline after them; ValueError for a file cut short or lying."""
    if len(size) != 1 or type(size[0]) is not int or size[0] < 0:
        raise ValueError("not a length")
    data = lines.read(size[0])
    if len(data) != size[0] or lines.read(1) != b"\n":
        raise ValueError("cut short")
    return data


def encode(tag: str, kept: Kept, stamp: str = "") -> bytes:
    """The parts as a kept file holds them, before compression."""
    return b"".join(pieces(tag, kept, stamp))


def pieces(tag: str, kept: Iterable[tuple[str, tuple[str, Any]]] | Kept, stamp: str = "") -> Iterator[bytes]:
    """encode()'s bytes a client at a time, for a writer that never holds them all."""
    yield orjson.dumps({"tag": tag, "stamp": stamp}) + b"\n"
    count = 0
    for client_id, (digest, part) in kept.items() if isinstance(kept, Mapping) else kept:
        if isinstance(part, Blob):
            yield orjson.dumps([client_id, digest, part[0], len(part[1])]) + b"\n" + part[1] + b"\n"
        else:
            yield orjson.dumps([client_id, digest, part]) + b"\n"
        count += 1
    yield orjson.dumps({"end": count}) + b"\n"


def write(
    db_path: Path,
    kind: str,
    tag: str,
    kept: Iterable[tuple[str, tuple[str, Any]]] | Kept,
    stamp: str = "",
    guard: Callable[[], ContextManager[bool]] | None = None,
) -> None:
    """Keep them for the next session (best effort: a failure costs only the next
    session's start its speed). `stamp`: the file whose lines the digests are of. Written
    a client at a time (at 50,000 meetings search's text is 190 MB: built whole, with its
    JSON beside it, it more than doubled the app's memory for a moment). At the end `guard`
    says whether it is still wanted (else nothing replaces what was kept): PrivateWriter."""
    import zstandard

    try:
        with PrivateWriter(sidecar(db_path, kind)) as out:
            packer = zstandard.ZstdCompressor(level=1, write_checksum=True).compressobj()
            for piece in pieces(tag, kept, stamp):
                out.write(packer.compress(piece))
                let_others_run()
            out.write(packer.flush())
            out.commit(guard)
    except OSError:
        try:
            sidecar(db_path, kind).unlink(missing_ok=True)
        except OSError:
            pass


def present(db_path: Path, kind: str) -> bool:
    """Is there such a file (whatever it holds)?"""
    try:
        return sidecar(db_path, kind).exists()
    except OSError:
        return False
