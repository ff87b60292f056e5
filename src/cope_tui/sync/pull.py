"""The pull half of a sync: the team's changes since the checkpoint, in batches, merged
into the DB.

Each batch: `_changes` since the checkpoint (every leaf revision of each record); the
revisions not known here, opened and checked; merged into the DB (reconcile.py); the
batch's records and the new checkpoint committed to the state file in one line; then
the checkpoint goes to `_local/<replica>` on the server.

A record this DB never synced needs only its one revision, not its history: when most
records of a batch are new here (a first pull), the next asks `_changes` for the winning
documents too (`include_docs`), and only what those cannot stand for (records known
here, branches, deletions) is fetched with `_bulk_get`. A first pull then costs the
server one request per batch instead of two, and `_bulk_get` is its slowest.

A mixin of engine.SyncEngine (its state, couch, team, local and checkpoints).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any

from .couch import Change, Changes
from .errors import Cancelled, TeamPassphraseChanged
from .local import CHANGED, FINALISED, refuses
from .reconcile import Merged, known, reconcile, taken
from .report import SyncReport
from .team import is_record_id
from .versions import Unopenable, Version, open_doc

PULL_BATCH = 500
MERGE_TRIES = 5  # a record saved again during each of these merges waits for the next sync


@dataclass
class Download:
    """One batch of the pull, fetched and opened."""

    feed: Changes
    rows: list[Change]
    opened: dict[str, list[Version]]
    refused: dict[str, str]  # server id: the revision that failed its check
    given: set[str]  # records opened from the documents `_changes` brought
    mostly_new: bool  # most of its records are new here: the next batch asks for documents


def check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled("The sync was stopped. What it did so far is kept; the next sync goes on from there.")


class Pulling:
    """Needs the engine's state, couch, team, local, user, open_records, offer_open,
    give_way, _pending, _unstored, _deferred, _as_synced, _helper, _start_since,
    _save_checkpoint and _since."""

    # Records per batch (None: PULL_BATCH). Beside the app, smaller: each batch parses,
    # merges and frees its records in steps that hold the interpreter's lock, and the
    # app's keys wait for the longest of them.
    pull_batch: int | None = None
    # A member's erasure was taken this sync: the state's journal still holds the versions
    # before it, so the state is folded into its file at the end (engine.sync).
    _took_erasure = False

    def _pull(self, report: SyncReport, cancel, progress) -> None:
        since = self._start_since()
        self._unstored = {rid: tuple(revs) for rid, revs in self.state.meta.get("unstored", {}).items()}
        self._deferred = {rid: tuple(revs) for rid, revs in self.state.meta.get("deferred", {}).items()}
        # Refused or put off before: asked for once more.
        retry = [Change(rid, revs, None) for rid, revs in (self._deferred | self._unstored).items()]
        # The next batch is fetched while this one is merged: the server's work and ours
        # overlap. Batches are still taken and committed one after the other, in order.
        with self._helper("cope-sync-fetch") as pool:
            check_cancel(cancel)
            got = self._download(since, retry, since == 0)  # a first pull: every record is new here
            while True:
                feed, rows, opened, refused = got.feed, got.rows, got.opened, got.refused
                more = len(feed.rows) >= (self.pull_batch or PULL_BATCH)
                ahead = pool.submit(self._download, feed.last_seq, [], got.mostly_new) if more else None
                self._key_still_the_teams(got)
                self._history_for_taken(got)
                updates = self._take(rows, opened, report)
                unstored = {
                    "unstored": {rid: list(revs) for rid, revs in self._unstored.items()},
                    "deferred": {rid: list(revs) for rid, revs in self._deferred.items()},
                }
                self.state.commit(updates, self._refused_meta(refused, opened) | {"since": feed.last_seq} | unstored)
                report.received += len(updates)
                if progress:
                    progress("pull", report.received)
                if feed.last_seq != since:
                    self._save_checkpoint(feed.last_seq)
                self._since = since = feed.last_seq
                if ahead is None:
                    return
                check_cancel(cancel)
                got = ahead.result()

    def _download(self, since: Any, retry: list[Change], docs: bool) -> Download:
        """One batch of changes and the revisions of it not known here, opened. `docs`:
        the winning revisions come with the changes (records new here need no more)."""
        feed = self.couch.changes(since, self.pull_batch or PULL_BATCH, docs=docs)
        fresh = {row.id for row in feed.rows}
        rows = [row for row in retry if row.id not in fresh] + [row for row in feed.rows if is_record_id(row.id)]
        given = self._given(rows)
        records = self.state.records
        new_here = sum(row.id not in records for row in rows)
        wanted = [
            (row.id, rev) for row in rows if row.id not in given for rev in row.revs if not known(records.get(row.id), rev)
        ]
        opened, refused = self._fetch(wanted, given)
        return Download(feed, rows, opened, refused, set(given), 2 * new_here >= len(rows) > 0)

    def _given(self, rows: list[Change]) -> dict[str, dict[str, Any]]:
        """The documents `_changes` brought that can stand for a `_bulk_get`: a record this
        DB never synced, with one leaf, which the document is. `_bulk_get` would add its
        revision history; a record new here needs none of it (there is no base of ours
        to look for in it, and a version built on it names it as its parent, which the
        server joins to the rest of the tree). Any other row (a known record, branches,
        a deletion) is fetched with its history, as the merges need it."""
        given = {}
        for row in rows:
            doc = row.doc
            if doc is None or row.id in self.state.records or len(row.revs) != 1 or doc.get("_deleted"):
                continue
            if doc.get("_id") != row.id or doc.get("_rev") != row.revs[0]:
                continue
            gen, _, digest = row.revs[0].partition("-")
            given[row.id] = {**doc, "_revisions": {"start": int(gen), "ids": [digest]}}
        return given

    def _key_still_the_teams(self, got: Download) -> None:
        """Versions that fail their check may be sealed under a new team key: a member
        changed the team passphrase (rekey.py) while this engine stayed connected (the
        app keeps one for the session). Under the old key nothing the team sends opens,
        and what this DB sends goes where no member reads it: the sync stops before
        either, and the new passphrase is asked for. One more request, only when a
        version was refused. (A passphrase change's own engine, under the new key before
        the key document is switched, sees the old key there, which replaces nothing.)"""
        if not got.refused:
            return
        from .team import read_team

        doc = read_team(self.couch)
        if doc is not None and self.team.doc.fingerprint in doc.replaces:
            raise TeamPassphraseChanged(
                f"A member changed the team passphrase at {self.couch.shown}: type the new one to sync. "
                "Nothing was taken or sent under the old one."
            )

    def _history_for_taken(self, got: Download) -> None:
        """A record taken from the changes (`_given`) while the batch before, merged
        meanwhile, took an earlier version of it (it changed again during the pull): now
        its history is needed to find that version, so it is fetched in full."""
        taken = [row for row in got.rows if row.id in got.given and row.id in self.state.records]
        if not taken:
            return
        wanted = [(row.id, rev) for row in taken for rev in row.revs if not known(self.state.records[row.id], rev)]
        for row in taken:
            got.opened.pop(row.id, None)
            got.refused.pop(row.id, None)
        opened, refused = self._fetch(wanted, {})
        got.opened.update(opened)
        got.refused.update(refused)

    def _take(self, rows: list[Change], opened: dict[str, list[Version]], report: SyncReport) -> dict[str, Any]:
        """Merge a batch's new revisions into the DB; the records' new states.

        Each merged version is written only if the record is still what the merge
        started from (compare-and-set): an edit saved meanwhile (typing goes on during a
        sync) is never overwritten, the record is merged again with it instead. A record
        the DB's checks refuse keeps no state: it is fetched again at the next sync."""
        on_screen = self.open_records()
        todo = [row for row in rows if opened.get(row.id)]
        for row in todo:
            self._deferred.pop(row.id, None)
        updates: dict[str, Any] = {}
        sending = self.state.meta.get("sending") or {}  # sent from here by a push cut off (engine._mark_sending)
        for _ in range(MERGE_TRIES):
            merged, before = {}, {}
            for row in todo:
                self.give_way()
                versions = opened[row.id]
                before[row.id] = self.local.doc(versions[0].table, versions[0].id)
                found = reconcile(self.local, self.user, self.state.records.get(row.id), row.revs, versions, self.team,
                                  sending.get(row.id, ()))
                if found is not None:
                    merged[row.id] = found
            self._offer_to_screens(merged, before, on_screen, todo)
            wanted = [(m.state["t"], m.state["id"], m.doc, before[rid]) for rid, m in merged.items()]
            encoded = {(m.state["t"], m.state["id"]): m.doc_json for m in merged.values() if m.doc_json is not None}
            again, stored = [], {}
            erasures = {(m.state["t"], m.state["id"]): m.erased for m in merged.values() if m.erased is not None}
            for (rid, m), result in zip(merged.items(), self.local.apply(wanted, encoded, stored, erasures), strict=True):
                rec, doc = m.state, m.doc
                if result == CHANGED:
                    again.append(rid)
                    continue
                if result not in (None, FINALISED):
                    self._unstored[rid] = next(row.revs for row in todo if row.id == rid)
                    continue
                self._unstored.pop(rid, None)
                self._took_erasure |= m.erased is not None
                updates[rid] = taken(self.local, rec, doc, result is None)
                self._note_as_synced(rid, m, stored.get((rec["t"], rec["id"])))
                self._pending.add((rec["t"], rec["id"]))
                if result is None and before[rid] != doc:
                    report.changed.append((rec["t"], rec["id"]))
            todo = [row for row in todo if row.id in again]
            if not todo:
                break
        for row in todo:  # saved again on every try: fetched again at the next sync
            self._unstored[row.id] = row.revs
        return updates

    def _note_as_synced(self, rid: str, m: Merged, version: object | None) -> None:
        """A record the DB now holds exactly as the version its state keeps (most of a
        first pull): the push after this pull sends nothing for it, without reading or
        hashing it again (see push.unchanged). `version` is the one the DB took it as
        (None: not written here), so an edit saved later (another version) is seen as one."""
        if version is not None and m.synced is not None and m.doc is m.synced["doc"] and m.state["conflicts"] == m.synced["conflicts"]:
            self._as_synced[rid] = (version, m.state["conflicts"])
        else:
            self._as_synced.pop(rid, None)

    def _offer_to_screens(self, merged: dict[str, Merged], before: dict[str, Any], on_screen: set, rows: list[Change]) -> None:
        """A record open on a screen is rewritten only if that screen takes the merged
        version (it shows it before the DB holds it: no edit starts from the older copy).
        One with an unsaved edit keeps it: merged at the first sync after it is closed,
        so a screen never saves its older copy over a merge."""
        offered = {
            rid: (m.state["t"], m.state["id"], m.doc)
            for rid, m in merged.items()
            if (m.state["t"], m.state["id"]) in on_screen and m.doc != before[rid] and not refuses(m.state["t"], before[rid], m.doc)
        }
        if not offered:
            return
        taken = self.offer_open(list(offered.values()))
        for rid, (table, record_id, _doc) in offered.items():
            if (table, record_id) not in taken:
                del merged[rid]
                self._deferred[rid] = next(row.revs for row in rows if row.id == rid)

    def _fetch(
        self, wanted: list[tuple[str, str]], given: dict[str, dict[str, Any]]
    ) -> tuple[dict[str, list[Version]], dict[str, str]]:
        """The revisions `wanted` (by `_bulk_get`) and the documents `given`, opened."""
        opened: dict[str, list[Version]] = {}
        refused: dict[str, str] = {}
        fetched = (self.couch.bulk_get(wanted[start : start + PULL_BATCH]) for start in range(0, len(wanted), PULL_BATCH))
        for docs in itertools.chain([list(given.values())], fetched):
            for doc in docs:
                self.give_way()
                if doc.get("_deleted") and "s" not in doc:
                    opened.setdefault(str(doc.get("_id")), [])  # retired at a passphrase change (rekey.py)
                    continue
                try:
                    version = open_doc(self.team, doc)
                except Unopenable:
                    refused[str(doc.get("_id"))] = str(doc.get("_rev"))
                    continue
                opened.setdefault(version.rid, []).append(version)
        return opened, refused

    def _refused_meta(self, refused: dict[str, str], opened: dict[str, list[Version]]) -> dict[str, Any]:
        """Revisions that failed their check stay reported until a good one replaces them."""
        before = self.state.meta.get("refused", {})
        now = {rid: rev for rid, rev in before.items() if rid not in opened} | refused
        return {"refused": now} if now != before else {}
