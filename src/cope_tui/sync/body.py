"""A record's last synced version as the sync state holds it: the canonical JSON bytes.

The state keeps, for every synced record, the version both sides last had: the base of
the next three-way merge. Held as parsed JSON, that was a second full copy of every
record beside the DB's (about 35 KB of objects per meeting: 380 MB at 10,000 meetings,
and 1.6 s to read again at each sync). As the bytes canon() makes, the ones its hash is
taken of, it is about 8 KB, and parsed only when a merge needs that version.

In the state file a body is a JSON string holding those bytes, read back as one string
instead of a tree of objects; a file written before keeps it as a JSON object (and an
erasure writes one), which is read as well.
"""

from __future__ import annotations

from typing import Any

import orjson

from .merge import canon

Body = bytes


def held(body: Any) -> Body:
    """The bytes kept in memory for a body as read from the file or made by a merge."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return canon(body)


def opened(body: Any) -> dict[str, Any]:
    """The body as {"doc", "conflicts"}, for a merge or a rollback."""
    return body if isinstance(body, dict) else orjson.loads(body)


def live(body: Any) -> bool:
    """Is the record there in this version (not deleted)?"""
    return opened(body).get("doc") is not None


def as_written(rec: dict[str, Any] | None) -> dict[str, Any] | None:
    """A record's state as the file holds it: its bodies as JSON strings."""
    if rec is None or "body" not in rec:
        return rec
    out = {**rec, "body": _text(rec["body"])}
    if rec.get("older"):
        out["older"] = [[rev, _text(body)] for rev, body in rec["older"]]
    return out


def _text(body: Any) -> Any:
    return body.decode() if isinstance(body, bytes) else body
