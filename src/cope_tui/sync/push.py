"""What one record sends: a new revision when it differs from its last synced version,
and a closing tombstone for each other live branch that was merged into it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..store.erase import ERASED
from .merge import canon, digest, digest_of
from .reconcile import LEAVES, OLDER
from .seal import TeamKey
from .versions import Version, next_rev

CLOSED = {"doc": None, "conflicts": []}


@dataclass
class Planned:
    versions: list[Version]
    state: dict[str, Any]  # the record's state once they are on the server
    key: tuple[str, str]
    size: int = 0  # bytes of the new content, for the batch's size
    rid: str = ""  # the record's id on the server


def unchanged(rec: dict[str, Any] | None, version: object | None, as_synced: tuple[Any, Any] | None) -> bool:
    """Is the DB's record still the very version (Store.raw_version) a pull stored as
    this state's, with the conflicts it had then (`as_synced`, see
    Pulling._note_as_synced): nothing to send, without reading or hashing it again?
    False only means: ask plan()."""
    if rec is None or version is None or as_synced is None or rec.get("pin") or rec["close"]:
        return False
    return version is as_synced[0] and rec["conflicts"] == as_synced[1]


def differs(rec: dict[str, Any] | None, doc: dict[str, Any]) -> bool:
    """Might plan() send something for this record as the DB holds it? False only when
    it is exactly its last synced version, with nothing else to settle."""
    if rec is None or rec.get("pin") or rec["close"]:
        return True
    return digest({"doc": doc, "conflicts": rec["conflicts"]}) != rec["hash"]


def plan(
    team: TeamKey, user: str, table: str, record_id: str, rec: dict[str, Any] | None, doc: dict[str, Any] | None,
    rid: str | None = None,
) -> Planned | None:
    """None when the server has this record as it is here already. `rid`: its id on the
    server, when the caller has it (a keyed hash)."""
    rid = rid or team.remote_id(table, record_id)
    new = dict(rec) if rec else None
    if new and new.get("pin"):
        if doc is not None and digest(doc) == new["pin"]:
            doc = new["shared"]  # a finalised meeting kept here: the team has its own version
        else:
            new.pop("pin"), new.pop("shared")  # changed here since: this DB's version goes
    content = {"doc": doc, "conflicts": new["conflicts"] if new else []}
    versions = []
    if new is None and doc is None:
        return None
    canonical = canon(content)  # once: the comparison, the revision and the new state's hash
    hashed = digest_of(canonical)
    if new is None or hashed != new["hash"]:
        kind = "live" if doc is not None else "deleted"
        parent, parent_hist = (new["rev"], new["hist"]) if new else (None, [])
        rev, hist = next_rev(team, parent, parent_hist, kind, content, canonical=canonical)
        erased = doc is None and rec is not None and rec.get("hash") == ERASED  # erase.py left it so
        versions.append(Version(rid, rev, hist, kind, table, record_id, content, user, canonical, erased=erased))
        older = new["older"] if new else []
        if new:
            older = [[new["rev"], new["body"]], *older][:OLDER]
        new = {
            **(new or {}), "t": table, "id": record_id, "rev": rev, "hist": hist, "body": canonical,
            "hash": hashed, "conflicts": content["conflicts"], "older": older,
            "close": new["close"] if new else [], "leaves": new["leaves"] if new else [],
        }
        if erased:
            new["erased"] = user  # for good: a live version that comes later is not taken (reconcile.py)
    for branch, branch_hist in new["close"]:
        rev, hist = next_rev(team, branch, branch_hist, "closed", None)
        versions.append(Version(rid, rev, hist, "closed", table, record_id, CLOSED, user))
        new["leaves"] = [rev, *new["leaves"]][:LEAVES]
    new["close"] = []
    return Planned(versions, new, (table, record_id), len(canonical), rid) if versions else None
