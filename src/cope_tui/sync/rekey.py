"""A new team passphrase: every record sealed again under the new key, resumable.

The record ids, revision ids and seals on the server all come from the team key, so a
new key makes a new set of documents. The steps, each safe to repeat, so a change cut
off at any moment (kill -9 included) finishes when the same command runs again with the
same new passphrase:

1. a sync under the old key (what this DB has goes first, and it takes everything); then
   the new key document is made and kept in the DB's sync state (`rekey`): from here on
   the same new passphrase gives the same key;
2. every record is pushed under the new key, with a state of its own (`NAME.json.sync.new`,
   an engine of its own: checkpoints and `_revs_diff`, so nothing is sent twice);
3. the team's key document on the server is replaced by the new one: from then on the
   old passphrase opens nothing, and other members are asked for the new one;
4. every old document is ended by a bare tombstone (it holds nothing: its sealed
   payload was under the old key), which members under the new key skip;
5. the new state takes the old one's place (both written whole first, then one rename).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from typing import Any

from ..store.diskio import fsync_dir
from ..store.store import Store
from .couch import Couch
from .engine import SyncEngine
from .errors import SyncError, WrongTeamPassphrase
from .seal import TEAM_DOC_ID, TeamDoc, TeamKey, create_team, open_team
from .state import SyncState, state_path
from .team import is_record_id
from ..words import counted

NEW = ".new"
BATCH = 500


def new_state_path(store: Store):
    main = state_path(store.path)
    return main.with_name(main.name + NEW)


def change_team_passphrase(
    store: Store, couch: Couch, team: TeamKey, user: str, new_passphrase: Callable[[], str]
) -> int:
    """Re-seal everything under a new team passphrase (see the module's doc); `team` is
    the key the server's key document opens now (the new one when a change was cut off
    after step 3). Returns how many old documents were ended."""
    pending = SyncState(store.path, store.codec, read_only=True).meta.get("rekey")
    if pending is not None and team.doc.fingerprint == TeamDoc.from_json(pending, couch.shown).fingerprint:
        new_team = team  # cut off after the key document was replaced
    else:
        new_team = _new_key(store, couch, team, user, pending, new_passphrase)
    _push_all(store, couch, new_team, user)
    _replace_key_doc(couch, team, new_team)
    old = SyncState(store.path, store.codec)
    try:
        ended = _retire(couch, old)
        old.compact()
    finally:
        old.close()
    _push_all(store, couch, new_team, user)  # what was refused before the old ones ended is cleared
    _take_place(store)
    return ended


def _new_key(store, couch, team, user, pending, new_passphrase) -> TeamKey:
    """The new key: made now after a last sync under the old one, or, when a change was
    cut off, derived again from its key document kept in the state."""
    if pending is not None:
        try:
            return open_team(TeamDoc.from_json(pending, couch.shown), new_passphrase())
        except WrongTeamPassphrase:
            raise WrongTeamPassphrase(
                "A change of the team passphrase was cut off here: give the same new passphrase as then "
                "to finish it. Nothing more was changed."
            ) from None
    engine = SyncEngine(store, couch, team, user)
    try:
        engine.sync()
        new_team = create_team(new_passphrase())
        engine.state.commit(meta={"rekey": new_team.doc.to_json()})
    finally:
        engine.close()
    return new_team


def _push_all(store: Store, couch: Couch, new_team: TeamKey, user: str) -> None:
    engine = SyncEngine(store, couch, new_team, user, state_path=new_state_path(store))
    try:
        engine.sync()
    finally:
        engine.close()


def _replace_key_doc(couch: Couch, team: TeamKey, new_team: TeamKey) -> None:
    for _ in range(2):  # once more after a write whose answer never came back
        current = couch.get_doc(TEAM_DOC_ID)
        if current is None:
            raise SyncError(f"{couch.shown} has lost the team's key document; nothing more was changed.")
        fingerprint = TeamDoc.from_json(current, couch.shown).fingerprint
        if fingerprint == new_team.doc.fingerprint:
            return
        if fingerprint != team.doc.fingerprint:
            raise SyncError(
                f"The team's key document at {couch.shown} was changed by someone else meanwhile (another "
                "passphrase change?). Nothing more was changed; sync with the team's current passphrase first."
            )
        replaces = [team.doc.fingerprint, *TeamDoc.from_json(current, couch.shown).replaces][:20]
        if couch.replace_doc({**new_team.doc.to_json(), "replaces": replaces, "_rev": current["_rev"]}):
            return
    raise SyncError(f"{couch.shown} did not take the new key document; run the same command again.")


def _retire(couch: Couch, old: SyncState) -> int:
    """End every leaf of every document the old key made (known to the old state).

    The leaves are all listed first, to the end of the feed, and only then ended. Each
    one ended moves its document to the end of `_changes`: ending them while reading the
    feed met the tombstones again further on and ended those, and theirs, for ever (found
    at 11,000 records, past the first batch: the server had a million revisions within
    minutes). A leaf already ended by us (a change cut off and run again) is left alone."""
    records = old.records
    ended_here = {_tombstone_rev(rec["rev"]) for rec in records.values() if isinstance(rec.get("rev"), str)}
    leaves: list[tuple[str, str]] = []
    since: Any = 0
    while True:
        feed = couch.changes(since, BATCH)
        leaves += [(row.id, rev) for row in feed.rows if row.id in records and is_record_id(row.id)
                   for rev in row.revs if rev not in ended_here]
        since = feed.last_seq
        if len(feed.rows) < BATCH:
            break
    for start in range(0, len(leaves), BATCH):
        failed = couch.bulk_docs([_tombstone(doc_id, rev) for doc_id, rev in leaves[start : start + BATCH]])
        if failed:
            raise SyncError(f"{couch.shown} refused to end {counted(len(failed), 'old record')}; run the same command again.")
    return len(leaves)


def _tombstone_rev(rev: str) -> str:
    """The revision that ends `rev`: the same each time (a repeat sends nothing new)."""
    gen = rev.partition("-")[0]
    child = hashlib.sha256(("retired\n" + rev).encode()).hexdigest()[:32]
    return f"{int(gen) + 1}-{child}"


def _tombstone(doc_id: str, rev: str) -> dict[str, Any]:
    """The child revision that ends `rev` (_tombstone_rev); holds nothing."""
    digest = rev.partition("-")[2]
    child = _tombstone_rev(rev)
    gen, _, child_digest = child.partition("-")
    return {"_id": doc_id, "_rev": child, "_deleted": True,
            "_revisions": {"start": int(gen), "ids": [child_digest, digest]}}


def _take_place(store: Store) -> None:
    """The new state becomes the DB's: both are whole in their main files (journals
    empty), so the one rename is the switch; a kill before it repeats the steps above."""
    new_path = new_state_path(store)
    new = SyncState(store.path, store.codec, path=new_path)
    new.compact()
    new.close()
    main = state_path(store.path)
    for journal in (main.with_name(main.name + ".journal"), new_path.with_name(new_path.name + ".journal")):
        journal.unlink(missing_ok=True)  # empty: both states were compacted
    os.replace(new_path, main)
    fsync_dir(main.parent)
