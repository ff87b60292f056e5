"""One record's revision as it travels: built and sealed here, opened and checked there.

On the server a revision is `{_id, _rev, _revisions, s}` (plus `_deleted` for a
tombstone): the opaque id, CouchDB's revision id and history, and the sealed payload.
The payload says which record it is (table and id, checked against the opaque id),
what kind of revision it is, who sent it and when, and the record's content:

  live     the record as it is, with its open conflicts
  deleted  the record was deleted (a tombstone that carries its sealed payload, so a
           deletion cannot be forged by the server either)
  closed   a branch of the record's history that another revision has merged in: a
           tombstone that ends the branch without deleting the record

Revision ids are `N-hash` with a keyed hash of the parent and the content (seal.py),
so the same change made again (a push resumed after a kill) is the same revision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from ..store import crypto
from .merge import canon, canon_content
from .seal import TeamKey

TABLES = ("clients", "meetings", "exercises")
KINDS = ("live", "deleted", "closed")
HISTORY = 100  # revision ids kept per record; CouchDB itself keeps 1,000 by default
PAYLOAD_VERSION = 1


class Unopenable(Exception):
    """A revision that fails its check: changed or forged on the server, or damaged."""


@dataclass(frozen=True)
class Version:
    rid: str
    rev: str
    hist: list[str]  # the revision hashes, newest first, as in `_revisions.ids`
    kind: str
    table: str
    id: str
    content: dict[str, Any]  # {"doc": ..., "conflicts": [...]}
    by: str
    # canon(content), when the push made it already (for the revision's hash): the
    # payload is built from these bytes instead of serialising the record once more.
    canonical: bytes | None = field(default=None, compare=False, repr=False)
    # canon(content["doc"]), when opened here: the DB checks and writes these bytes.
    doc_json: bytes | None = field(default=None, compare=False, repr=False)
    # A deletion that is an erasure (erase.py): a member's DB takes it whatever it holds.
    erased: bool = False

    @property
    def gen(self) -> int:
        return int(self.rev.split("-", 1)[0])


def gen_of(rev: str) -> int:
    return int(rev.split("-", 1)[0])


def descends(rev: str, hist: list[str], ancestor: str) -> bool:
    """Is `ancestor` this revision or one before it (by the revision history)?"""
    gen, _, digest = ancestor.partition("-")
    back = gen_of(rev) - int(gen)
    return 0 <= back < len(hist) and hist[back] == digest


def next_rev(
    team: TeamKey, parent: str | None, parent_hist: list[str], kind: str, content: Any, *, canonical: bytes | None = None
) -> tuple[str, list[str]]:
    """The child revision of `parent` holding `content` (`canonical`: its canon(), when
    the caller has it), and its history."""
    digest = team.rev_hash(parent, kind, canon(content) if canonical is None else canonical)
    gen = gen_of(parent) + 1 if parent else 1
    return f"{gen}-{digest}", [digest, *parent_hist][:HISTORY]


def build(team: TeamKey, version: Version, at: str) -> dict[str, Any]:
    """The sealed document to store on the server."""
    head = {"v": PAYLOAD_VERSION, "t": version.table, "id": version.id, "kind": version.kind,
            "by": version.by, "at": at}
    if version.erased:
        head["erased"] = True  # sealed with the rest: the server cannot make a deletion one
    canonical = version.canonical
    if version.kind == "closed":
        payload = orjson.dumps(head)
    elif canonical is not None and canonical.startswith(b'{"') and canonical.endswith(b"}"):
        payload = orjson.dumps(head)[:-1] + b"," + canonical[1:]  # the content's keys after the head's
    else:
        payload = orjson.dumps(head | version.content)
    doc: dict[str, Any] = {
        "_id": version.rid,
        "_rev": version.rev,
        "_revisions": {"start": version.gen, "ids": version.hist},
        "s": team.seal(version.rid, version.rev, payload),
    }
    if version.kind != "live":
        doc["_deleted"] = True
    return doc


def open_doc(team: TeamKey, doc: dict[str, Any]) -> Version:
    """The revision the server sent, checked; Unopenable when anything is off."""
    try:
        rid, rev, revisions = doc["_id"], doc["_rev"], doc["_revisions"]
        hist = revisions["ids"]
        if not (isinstance(rid, str) and isinstance(rev, str) and isinstance(hist, list) and hist):
            raise ValueError
        if revisions["start"] != gen_of(rev) or f"{revisions['start']}-{hist[0]}" != rev:
            raise ValueError
        payload = orjson.loads(team.open(rid, rev, doc.get("s")))
        table, record_id, kind = payload["t"], payload["id"], payload["kind"]
        if table not in TABLES or not isinstance(record_id, str) or team.remote_id(table, record_id) != rid:
            raise ValueError
        if kind not in KINDS or (kind != "live") != bool(doc.get("_deleted")):
            raise ValueError
        content = {"doc": payload.get("doc"), "conflicts": payload.get("conflicts", [])}
        if not _content_ok(kind, content) or (kind == "live" and content["doc"].get("id") != record_id):
            raise ValueError
        by = payload.get("by") if isinstance(payload.get("by"), str) else "?"
        canonical, doc_json = canon_content(content)
        erased = kind == "deleted" and payload.get("erased") is True
        return Version(
            rid, rev, [str(h) for h in hist[:HISTORY]], kind, table, record_id, content, by, canonical, doc_json, erased
        )
    except (crypto.CryptoError, orjson.JSONDecodeError, orjson.JSONEncodeError, KeyError, TypeError, ValueError, AttributeError):
        raise Unopenable() from None


def _content_ok(kind: str, content: dict[str, Any]) -> bool:
    doc, conflicts = content["doc"], content["conflicts"]
    if kind == "live" and not isinstance(doc, dict):
        return False
    if kind == "deleted" and doc is not None:
        return False
    return isinstance(conflicts, list) and all(
        isinstance(c, dict) and isinstance(c.get("id"), str) and c.get("kind") in ("field", "finalised", "deleted")
        and isinstance(c.get("path"), list)
        for c in conflicts
    )
