"""One record's new revisions from the server, merged into the DB's version of it.

Every new revision is merged in (three-way, against the newest version both sides
had), the result is written to the DB, and the record's state remembers the revision
it now builds on (the parent of the next push) and the other live branches, which the
next push closes: the server ends with one live revision per record, holding
everything. A finalised meeting this DB holds never changes; when the team's version
differs, this DB keeps its own and the state notes (`pin`) that it pushes the team's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from ..store.erase import ERASED
from .local import LocalSide
from .body import live, opened
from .merge import canon, digest, digest_of, empty, merge_record
from .seal import TeamKey
from .versions import Version, descends, gen_of

OLDER = 3  # earlier bases kept per record, for a branch that grew from one of them
LEAVES = 16  # closed or deleted branch ends remembered per record


def here_content(local: LocalSide, rec: dict[str, Any] | None, table: str, record_id: str) -> dict[str, Any]:
    """What this DB says the record is: its version, or the team's when it is pinned."""
    doc = local.doc(table, record_id)
    if rec and rec.get("pin") and doc is not None and digest(doc) == rec["pin"]:
        doc = rec["shared"]
    return {"doc": doc, "conflicts": rec["conflicts"] if rec else []}


def known(rec: dict[str, Any] | None, rev: str) -> bool:
    if rec is None:
        return False
    return rev == rec["rev"] or rev in rec["leaves"] or any(c[0] == rev for c in rec["close"])


def base_for(rec: dict[str, Any] | None, version: Version, closed: list[Version], lone: bool) -> dict | None:
    """The newest version both sides had: one of ours the revision grew from; or ours,
    when someone closed our branch by merging it into this, the one live revision. None
    when no common version is known (every clash is then kept as a conflict)."""
    if rec is None:
        return empty()  # never seen here: the record did not exist for us
    bases = [(rec["rev"], rec["body"]), *((rev, body) for rev, body in rec["older"])]
    found = [(gen_of(rev), body) for rev, body in bases if descends(version.rev, version.hist, rev)]
    if found:
        return opened(max(found, key=lambda item: item[0])[1])
    ours_closed = any(descends(c.rev, c.hist, rec["rev"]) for c in closed)
    return opened(rec["body"]) if ours_closed and lone and version.kind == "live" else None


def grew_from(team: TeamKey, version: Version, here: dict[str, Any], rec: dict[str, Any] | None) -> bool:
    """Is `here` exactly a revision `version` grew from, newer than the one the state knows?

    A pull cut off after the DB took a batch and before the state's step leaves the DB
    holding a version the state never heard of. The next sync repeats the batch, and if
    the team has moved on meanwhile (a child of that version), the DB's copy looked like an
    edit made here: merged against the older base, the notes typed in between clashed
    and the newer ones were kept only beside the record. A revision's id is a keyed hash
    of its parent and content (seal.py), so content that hashes to an id in the history is
    that revision, and nothing typed here. (Content typed here back to exactly an earlier
    version, to the byte, would be taken for it.) The conflicts it had are not stored in
    the DB: the state's, then none, are tried."""
    if here["doc"] is None:
        return False
    known = rec["rev"] if rec else None
    tries = [here] + ([{"doc": here["doc"], "conflicts": []}] if here["conflicts"] else [])
    bodies = [canon(content) for content in tries]
    gen, hist = version.gen, version.hist
    for back in range(1, len(hist)):
        if f"{gen - back}-{hist[back]}" == known:
            return False  # back to what the state holds: here differs from it, an edit
        if gen - back == 1:
            parent = None
        elif back + 1 < len(hist):
            parent = f"{gen - back - 1}-{hist[back + 1]}"
        else:
            return False  # the history given stops before its parent
        if any(team.rev_hash(parent, "live", body) == hist[back] for body in bodies):
            return True
    return False


class Merged(NamedTuple):
    state: dict[str, Any]  # the record's new state (see taken())
    doc: dict[str, Any] | None  # the merged version, for the DB to hold
    doc_json: bytes | None  # canon() of doc, when it is a version's doc as it came
    synced: dict[str, Any] | None  # the content state["body"] holds, when a version opened here
    erased: str | None = None  # who erased the record: the DB takes its deletion whatever it holds


def reconcile(
    local: LocalSide, user: str, rec: dict[str, Any] | None, leaf_revs: tuple[str, ...], versions: list[Version],
    team: TeamKey | None = None, sent: Iterable[str] = (),
) -> Merged | None:
    """The record's new state after taking `versions` (its new leaf revisions), and the
    merged version for the DB to hold; None when there is nothing to build on. `sent`:
    revisions of it this DB sent and its state never recorded (a push cut off)."""
    table, record_id = versions[0].table, versions[0].id
    merging = sorted((v for v in versions if v.kind != "closed"), key=lambda v: (v.gen, v.rev))
    erasure = next((v for v in merging if v.erased), None)
    if erasure is not None:
        return _erased(rec, leaf_revs, versions, erasure)
    if rec is not None and (rec.get("erased") or rec["hash"] == ERASED):
        return _still_erased(rec, leaf_revs, versions, rec.get("erased") or user)
    closed = [v for v in versions if v.kind == "closed"]
    lone = sum(v.kind == "live" for v in merging) == 1
    here = here_content(local, rec, table, record_id)
    for version in merging:
        base = base_for(rec, version, closed, lone)
        if version.rev in sent and version.kind == "live":
            base = version.content  # sent from here: all of it is here, and what was typed since
        elif team is not None and here != base and grew_from(team, version, here, rec):
            base = here  # the DB took that very revision; only the state never said so
        here = merge_record(table, base, here, version.content, me=user, them=version.by)
    parent = _parent(rec, leaf_revs, merging)
    if parent is None:
        return None
    new = _new_state(rec, table, record_id, parent, here["conflicts"])
    new["close"] = _to_close(rec, leaf_revs, merging, parent[0])
    new["leaves"] = _leaves(rec, leaf_revs, versions, parent[0])
    as_came = next((v.doc_json for v in merging if v.content["doc"] is here["doc"] and here["doc"] is not None), None)
    return Merged(new, here["doc"], as_came, parent[3])


def _erased(rec: dict[str, Any] | None, leaf_revs: tuple[str, ...], versions: list[Version], erasure: Version) -> Merged:
    """A member erased the record (the right to erasure, or its retention time ran out):
    it goes here too, whatever this DB holds (a finalised meeting, an edit made meanwhile,
    open conflicts), and no earlier version of it stays in the state. Other live branches
    are closed by the next push, so nobody's copy brings it back."""
    merging = [v for v in versions if v.kind != "closed"]
    content = {"doc": None, "conflicts": []}
    parent = (erasure.rev, erasure.hist, erasure.canonical or canon(erasure.content), content)
    new = _new_state(rec, erasure.table, erasure.id, parent, [])
    new["older"], new["erased"] = [], erasure.by
    new["close"] = _to_close(rec, leaf_revs, merging, erasure.rev)
    new["leaves"] = _leaves(rec, leaf_revs, versions, erasure.rev)
    return Merged(new, None, None, content, erased=erasure.by)


def _still_erased(rec: dict[str, Any], leaf_revs: tuple[str, ...], versions: list[Version], by: str) -> Merged:
    """A live version of a record erased here or by the team: a member who had it open,
    or offline, edited the copy the erasure had not reached yet. It would bring the
    record back, so it is not taken; the next push ends its branch (and sends the
    erasure, when it is this DB's), and the DB drops any copy it holds."""
    merging = [v for v in versions if v.kind != "closed"]
    new = {**rec, "close": _to_close(rec, leaf_revs, merging, rec["rev"]), "leaves": _leaves(rec, leaf_revs, versions, rec["rev"])}
    return Merged(new, None, None, None, erased=str(by))


def taken(local: LocalSide, rec: dict[str, Any], doc: dict[str, Any] | None, applied: bool) -> dict[str, Any]:
    """The state once the DB took the merged version; when it could not (a finalised
    meeting of its own), it keeps its version and pushes the team's (`pin`)."""
    if applied:
        return rec
    return {**rec, "pin": digest(local.doc(rec["t"], rec["id"])), "shared": doc}


def _parent(rec, leaf_revs, merging: list[Version]) -> tuple[str, list[str], bytes, dict | None] | None:
    """The revision the next push builds on: a live one if any, then the highest; the
    same choice on every machine that sees the same branches. With its content as the
    state keeps it (body.py), and as a dict when it is a version opened here."""
    found = [(v.kind == "live", v.gen, v.rev, v.hist, v.content) for v in merging]
    if rec is not None and rec["rev"] in leaf_revs:
        found.append((live(rec["body"]), gen_of(rec["rev"]), rec["rev"], rec["hist"], None))
    if not found:
        if rec is None:
            return None
        return rec["rev"], rec["hist"], rec["body"], None
    best = max(found, key=lambda item: item[:3])
    if best[4] is None:
        return best[2], best[3], rec["body"], None
    version = next(v for v in merging if v.rev == best[2])
    return best[2], best[3], version.canonical or canon(version.content), version.content


def _new_state(rec, table: str, record_id: str, parent, conflicts: list) -> dict[str, Any]:
    rev, hist, kept, _content = parent
    older = list(rec["older"]) if rec else []
    if rec is not None and rec["rev"] != rev:
        older = [[rec["rev"], rec["body"]], *older][:OLDER]
    return {
        "t": table, "id": record_id, "rev": rev, "hist": hist, "body": kept, "hash": digest_of(kept),
        "conflicts": conflicts, "older": older, "close": [], "leaves": [],
    }


def _to_close(rec, leaf_revs, merging: list[Version], parent: str) -> list[list]:
    """Live branches other than the parent: merged in here, ended by the next push."""
    branches = {v.rev: v.hist for v in merging if v.kind == "live"}
    if rec is not None:
        if rec["rev"] in leaf_revs and live(rec["body"]):
            branches.setdefault(rec["rev"], rec["hist"])
        for rev, hist in rec["close"]:
            if rev in leaf_revs:
                branches.setdefault(rev, hist)
    return [[rev, hist] for rev, hist in sorted(branches.items()) if rev != parent]


def _leaves(rec, leaf_revs, versions: list[Version], parent: str) -> list[str]:
    """Branch ends already dealt with (closed or deleted), so they are not fetched again."""
    ends = [v.rev for v in versions if v.kind != "live" and v.rev != parent]
    if rec is not None:
        ends += [r for r in rec["leaves"] if r in leaf_revs]
        if rec["rev"] in leaf_revs and rec["rev"] != parent and not live(rec["body"]):
            ends.append(rec["rev"])
    return list(dict.fromkeys(ends))[:LEAVES]
