"""What one record sends: a new revision when it differs from its last synced version,
and a closing tombstone for each other live branch that was merged into it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .merge import digest
from .reconcile import LEAVES, OLDER
from .seal import TeamKey
from .versions import Version, next_rev

CLOSED = {"doc": None, "conflicts": []}


@dataclass
class Planned:
    versions: list[Version]
    state: dict[str, Any]  # the record's state once they are on the server
    key: tuple[str, str]


def plan(
    team: TeamKey, user: str, table: str, record_id: str, rec: dict[str, Any] | None, doc: dict[str, Any] | None
) -> Planned | None:
    """None when the server has this record as it is here already."""
    rid = team.remote_id(table, record_id)
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
    if new is None or digest(content) != new["hash"]:
        kind = "live" if doc is not None else "deleted"
        parent, parent_hist = (new["rev"], new["hist"]) if new else (None, [])
        rev, hist = next_rev(team, parent, parent_hist, kind, content)
        versions.append(Version(rid, rev, hist, kind, table, record_id, content, user))
        older = new["older"] if new else []
        if new:
            older = [[new["rev"], new["body"]], *older][:OLDER]
        new = {
            **(new or {}), "t": table, "id": record_id, "rev": rev, "hist": hist, "body": content,
            "hash": digest(content), "conflicts": content["conflicts"], "older": older,
            "close": new["close"] if new else [], "leaves": new["leaves"] if new else [],
        }
    for branch, branch_hist in new["close"]:
        rev, hist = next_rev(team, branch, branch_hist, "closed", None)
        versions.append(Version(rid, rev, hist, "closed", table, record_id, CLOSED, user))
        new["leaves"] = [rev, *new["leaves"]][:LEAVES]
    new["close"] = []
    return Planned(versions, new, (table, record_id)) if versions else None
