"""What the app works out from each client's meetings, kept beside the DB between sessions.

Search needs the text of every meeting and the follow-through board (whose counts the
home screen shows at once) needs every action item; both meant decoding every meeting at
each start, about 5 s at 50,000 meetings. So each keeps what it worked out here, per
client, with a digest of that client's lines in the file: `NAME.json.search` and
`NAME.json.board`. A client's part is taken again only while their lines are byte for
byte the same (a lean line may point back at the client's earlier lines, so the unit is
the client, not the line), and only under the same `tag` (the reader's own format).
Anything else is worked out from the data again: these files are never the only copy of
anything, and a damaged or foreign one is ignored.

They hold the words of notes and action items, so they are written owner-only like every
file of ours, only for a plain DB (an encrypted DB's are never written down), and what
changes the DB behind the app's back (restore, set-aside, re-keying, erasure) removes them
with the summary (`summary.forget`).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from ..background import let_others_run
from .bulk import gc_paused
from .diskio import PrivateWriter

KINDS = ("search", "board")

# client id -> (digest of their lines, what the reader kept for them)
Kept = dict[str, tuple[str, Any]]


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


def each(db_path: Path, kind: str, tag: str, stamp: str = "") -> Iterator[tuple[str, str | None, Any]]:
    """(client id, digest, part) as kept, one client at a time; the digest is None when
    the parts were kept for the very file of `stamp` (record_check.stamp), so every one
    holds without waiting for the digests of the file's lines. A reader takes what it
    needs of each and lets the rest go (holding it all at once costs the whole file
    twice over), and the app may be painting meanwhile, which one parse of the whole
    would hold up for a third of a second at 50,000 meetings. A damaged file ends the
    walk early: what it gave was well formed, the rest is worked out afresh."""
    import zstandard

    try:
        with open(sidecar(db_path, kind), "rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as unzipped:
            lines = io.BufferedReader(unzipped, buffer_size=1 << 20)
            head = orjson.loads(lines.readline())
            if not isinstance(head, dict) or head.get("tag") != tag:
                return
            same_file = bool(stamp) and head.get("stamp") == stamp
            for line in lines:
                let_others_run()
                with gc_paused():
                    client_id, digest, part = orjson.loads(line)
                if isinstance(client_id, str) and isinstance(digest, str):
                    yield client_id, None if same_file else digest, part
    except (OSError, orjson.JSONDecodeError, zstandard.ZstdError, TypeError, ValueError):
        return


def write(
    db_path: Path,
    kind: str,
    tag: str,
    kept: Iterable[tuple[str, tuple[str, Any]]],
    stamp: str = "",
    lock: Any = None,
    still: Callable[[], bool] = lambda: True,
) -> None:
    """Keep them for the next session (best effort: a failure costs only the next
    session's start its speed). `stamp`: the file whose lines the digests are of. Written
    a client at a time (at 50,000 meetings search's text is 190 MB: built whole, with its
    JSON beside it, it more than doubled the app's memory for a moment). At the end, under
    `lock`, `still()` says whether it is still wanted (else nothing replaces what was kept)."""
    import zstandard

    try:
        with PrivateWriter(sidecar(db_path, kind)) as out:
            packer = zstandard.ZstdCompressor(level=1).compressobj()
            out.write(packer.compress(orjson.dumps({"tag": tag, "stamp": stamp})))
            for client_id, (digest, part) in kept.items() if isinstance(kept, Mapping) else kept:
                out.write(packer.compress(b"\n" + orjson.dumps([client_id, digest, part])))
                let_others_run()
            out.write(packer.flush())
            with lock or contextlib.nullcontext():
                if still():
                    out.commit()
    except OSError:
        try:
            sidecar(db_path, kind).unlink(missing_ok=True)
        except OSError:
            pass
