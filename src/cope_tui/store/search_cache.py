"""The search index's text of the file's meetings, kept beside the DB between sessions.

Building the index means decoding every meeting: about 5 s at 50,000 meetings, which the
first search of every session would wait for. So the index's text of the file's meetings
is kept here, per client, with a digest of that client's lines in the file; a client's
entries are taken again only while their lines are byte for byte the same (a lean line
may point back at the client's earlier lines, so the unit is the client, not the line).
Anything else is built from the data again: this file is never the only copy of anything.

It holds the words of every note (lowercased), so it is written owner-only like every
file of ours, only for a plain DB (an encrypted DB's index is never written down), and
whatever changes the DB behind the app's back (restore, set-aside, re-keying, erasure)
removes it with the summary (`summary.forget`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from .bulk import let_others_run
from .diskio import write_private

VERSION = 1

# client id -> (digest of their lines, [(meeting id, text, order), ...])
Cached = dict[str, tuple[str, list[tuple[str, str, str]]]]


def sidecar(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".search")


def read(db_path: Path) -> Cached:
    """What was kept, or nothing when there is none or it cannot be read (then the
    index is built from the data, as the first time). A line per client, parsed one at
    a time: the app may be painting meanwhile, and one parse of the whole would hold
    the interpreter for a third of a second at 50,000 meetings."""
    import io

    import zstandard

    found: Cached = {}
    try:
        with open(sidecar(db_path), "rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as unzipped:
            lines = io.BufferedReader(unzipped, buffer_size=1 << 20)
            if orjson.loads(lines.readline()) != {"version": VERSION}:
                return {}
            for line in lines:
                let_others_run()
                client_id, digest, rows = orjson.loads(line)
                if isinstance(client_id, str) and isinstance(digest, str) and all(_row_ok(row) for row in rows):
                    found[client_id] = (digest, [tuple(row) for row in rows])
        return found
    except (OSError, orjson.JSONDecodeError, zstandard.ZstdError, TypeError, ValueError):
        return {}


def _row_ok(row: Any) -> bool:
    return isinstance(row, list) and len(row) == 3 and all(isinstance(part, str) for part in row)


def write(db_path: Path, cached: Cached) -> None:
    """Keep the index's text for the next session (best effort: a failure costs only the
    next session's first search its speed)."""
    import zstandard

    lines = [orjson.dumps({"version": VERSION})]
    lines += [orjson.dumps([client_id, digest, rows]) for client_id, (digest, rows) in cached.items()]
    try:
        write_private(sidecar(db_path), zstandard.ZstdCompressor(level=1).compress(b"\n".join(lines)))
    except OSError:
        try:
            sidecar(db_path).unlink(missing_ok=True)
        except OSError:
            pass
