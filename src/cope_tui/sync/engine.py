"""The replication engine: pull, then push, with checkpoints both ways.

Pull (pull.py): `_changes` since the checkpoint, in batches; the revisions not known
here are opened and checked, merged into the DB (reconcile.py), and the batch's records
and the new checkpoint are committed to the state file in one line; then the checkpoint
goes to `_local/<replica>` on the server.
Push: the records saved since the last sync (the store tells us which), each compared
by hash with its last synced version; what differs goes as new revisions: `_revs_diff`
first (a push resumed after a kill sends nothing twice; see _send), then `_bulk_docs` with
`new_edits=false` and the revision history, so the server builds the same revision tree
as every member. Then the batch's state is committed.

A kill at any moment: the DB holds every merged record before the state says so, and
revision ids are the same when computed again, so the next sync repeats at most one
batch, which changes nothing. If the team moved on meanwhile, what the DB or the server
took without the state knowing is still recognised as taken, not as an edit: a pulled
version by its keyed hash (reconcile.grew_from), a pushed one by the note made before it
went (_mark_sending). A sync with nothing to do costs one `_changes` request.

One engine per open DB; `sync()` may run in a worker thread (one at a time), is
cancelled between batches by setting `cancel`, and reports progress to a callback.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from ..store.bulk import keep_long_lived, no_full_collection
from ..store.erase import ERASED
from ..store.store import Store
from . import merge, rollback
from .couch import Couch
from .errors import Forbidden, ServerFailed, SyncError, TeamChanged
from .local import CHANGED, FINALISED, LocalSide
from .prepared import Prepared
from .pull import Pulling
from .pull import check_cancel as _check
from .push import Planned, differs, plan, unchanged
from .reconcile import here_content
from .report import Conflict, SyncReport, SyncStatus
from .seal import TeamKey
from .state import SyncState
from .versions import build
from ..words import counted

PUSH_BATCH = 250
FREEZE_AFTER = 500  # records a pull took in: enough to keep out of the GC's later walks
PUSH_BYTES = 4 * 1024 * 1024
ASKED = 2  # batches of a push that ask `_revs_diff` first (see _send)
Progress = Callable[[str, int], None]  # (phase, records so far)


class SyncEngine(Pulling):
    def __init__(
        self, store: Store, couch: Couch, team: TeamKey, user: str, *, state_path: Any = None,
        prepared: Prepared | None = None,
    ):
        """`store` open for writing and unlocked (its key seals the state file too);
        `state_path` for a state other than the DB's own (see rekey.py); `prepared`: the
        DB's state and first look, done before (see Prepared), taken over."""
        if store.locked or store.read_only:
            if prepared is not None:
                prepared.close()
            why = "is not unlocked yet" if store.locked else "is open read-only"
            raise SyncError(f"'{store.path}' {why}: a sync writes what it receives into it.")
        self.store, self.couch, self.team, self.user = store, couch, team, user
        if prepared is not None:
            self.state, self.local = prepared.state, prepared.local
            self.state.open_for_writing()
        else:
            self.state, self.local = SyncState(store.path, store.codec, path=state_path), LocalSide(store)
        try:
            self._check_team()
        except BaseException:
            self.close()
            raise
        if prepared is not None and self.state is not prepared.state:
            # The team's passphrase changed (a fresh state): what the look compared
            # against is gone, so every record is looked at again.
            self.local.detach()
            self.local = LocalSide(store)
        self._lock = threading.Lock()
        self._pending: set[tuple[str, str]] = set()
        self._unstored: dict[str, tuple[str, ...]] = {}
        self._deferred: dict[str, tuple[str, ...]] = {}
        # Records a pull left in the DB exactly as their state's version (see unchanged()).
        self._as_synced: dict[str, tuple[Any, Any]] = {}
        # The records open on a screen of the app now (called from the sync's thread): a
        # pull rewrites one only if its screen takes the merged version (offer_open).
        self.open_records: Callable[[], set[tuple[str, str]]] = set
        # Offered (table, id, merged doc) of open records, it answers those the screens
        # took (shown already); called from the sync's thread. By default none is taken.
        self.offer_open: Callable[[list[tuple[str, str, Any]]], set[tuple[str, str]]] = lambda items: set()
        # A helper thread fetches the next batch (pull) or sends the last one (push) while
        # this one is worked on: faster. The app turns it off: each busy thread of ours
        # competes with its UI thread for the interpreter's lock, and typing slows.
        self.overlap = True
        # Called between two records (the app's runner waits there while someone types).
        self.give_way: Callable[[], None] = lambda: None
        self._since: Any = None
        self._checkpoint_rev: str | None = None
        self.problem = ""

    def _check_team(self) -> None:
        mine = self.state.meta.get("team")
        if mine is not None and mine != self.team.doc.fingerprint and mine in self.team.doc.replaces:
            self.state = self.state.start_over()  # the team changed its passphrase (rekey.py)
            mine = None
        if mine is None:
            self.state.commit(meta={"team": self.team.doc.fingerprint})
        elif mine != self.team.doc.fingerprint:
            raise TeamChanged(
                f"This database last synced with a different team key than the one at {self.couch.shown} "
                "now (another team's database, or the key document was replaced on the server). Nothing "
                f"was changed. If this is the right team, move '{self.state.path}' aside and sync again."
            )

    def close(self) -> None:
        self.local.detach()
        self.state.close()

    def hand_back(self) -> Prepared:
        """Instead of close(), when the server could not be reached: the state and the
        look at the DB go on to the next engine (the next try connects afresh), so the
        header keeps counting what waits, and the next try reads and looks at nothing
        again. What this engine had taken to send and did not send waits again; if it
        had not looked at the DB yet (cut off in its pull), it looks now."""
        records = self.state.records
        self.local.look_first(lambda: [(rec["t"], rec["id"]) for rec in records.values()], self._differs)
        self.local.note_again(self._pending)
        return Prepared(self.state, self.local, looked=True)

    # ---- one sync ----------------------------------------------------------------------

    def sync(self, cancel: threading.Event | None = None, progress: Progress | None = None) -> SyncReport:
        # A pull of thousands of records: no full collection of the GC on the way, the
        # journal folded into the DB once at the end (both would make the app's typing
        # wait), and what it took in is kept out of the GC's reach afterwards.
        with self._lock, no_full_collection(), self.store.bulk_writes():
            report = SyncReport()
            try:
                if rollback.went_back(self.local, self.state):  # a backup restored, lines set aside
                    report.put_back = rollback.put_back(self.local, self.state, self.user)
                self._pull(report, cancel, progress)
                if report.received >= FREEZE_AFTER:
                    keep_long_lived()
                self._push(report, cancel, progress)
                if report.received or report.sent or report.put_back or "mark" not in self.state.meta:
                    rollback.leave_mark(self.local, self.state)
            except Exception as exc:
                self.problem = str(exc)
                raise
            self.problem = ""
            refused = self.state.meta.get("refused", {})
            report.refused = sorted(refused)
            report.unstored = sorted(self.state.meta.get("unstored", {}))
            report.deferred = len(self.state.meta.get("deferred", {}))
            self.state.commit(meta={"last_sync": datetime.now().isoformat(timespec="seconds")})
            if self._took_erasure:
                self._took_erasure = False
                self.state.compact()
            else:
                self.state.compact_if_due()
            report.conflicts = self.conflicts()
            return report

    def _push(self, report: SyncReport, cancel, progress) -> None:
        """Batches go out one after the other, in order, and the server always has one to
        store: the next is planned and sealed while one is on its way, and the one before
        it is committed to the state meanwhile."""
        records = self.state.records
        self._pending |= self.local.take_changed(lambda: [(rec["t"], rec["id"]) for rec in records.values()], self._differs)
        batch: list[Planned] = []
        size = 0
        self._sending: dict[str, list[str]] = {}
        with self._helper("cope-sync-send") as pool:
            on_way: list[tuple[list[Planned], Future]] = []  # the batch sent last, until committed
            batches = 0

            def send(batch: list[Planned]) -> None:
                nonlocal batches
                _check(cancel)
                at = datetime.now().isoformat(timespec="seconds")
                docs = [build(self.team, v, at) for planned in batch for v in planned.versions]
                self._mark_sending(batch)
                before = on_way.pop() if on_way else None
                # Queued behind the one before: the server takes it the moment it has
                # stored that one, never waiting for us to commit.
                on_way.append((batch, pool.submit(self._send, docs, batches < ASKED)))
                batches += 1
                if before:  # its failure stops the push (the batch queued behind it fails or is asked again)
                    self._committed(before[0], before[1].result(), report, progress)

            for table, record_id in self.local.in_order(self._pending):
                self.give_way()
                rid = self.team.remote_id(table, record_id)
                rec, as_synced = self.state.records.get(rid), self._as_synced.pop(rid, None)
                planned = None
                if not unchanged(rec, self.local.version(table, record_id), as_synced):
                    planned = plan(self.team, self.user, table, record_id, rec, self._doc_to_send(table, record_id, rec), rid)
                if planned is None:
                    self._pending.discard((table, record_id))
                    continue
                batch.append(planned)
                size += planned.size
                if len(batch) >= PUSH_BATCH or size >= PUSH_BYTES:
                    send(batch)
                    batch, size = [], 0
            if batch:
                send(batch)
            if on_way:
                last, future = on_way.pop()
                self._committed(last, future.result(), report, progress)

    def _doc_to_send(self, table: str, record_id: str, rec: dict[str, Any] | None) -> dict[str, Any] | None:
        """The DB's record, unless it was erased (by a member, or here): then none. A
        screen that held it as the erasure came saved it again (an addendum to a finalised
        meeting, which the pull cannot take from a screen). Sent, it would have come back
        for the team as a version after the erasure; it is dropped again here instead,
        with the audit entry an erasure's arrival writes."""
        doc = self.local.doc(table, record_id)
        if doc is None or rec is None or not (rec.get("erased") or rec["hash"] == ERASED):
            return doc
        self.local.apply([(table, record_id, None, doc)], erasures={(table, record_id): str(rec.get("erased") or self.user)})
        return None

    def _differs(self, table: str, record_id: str, version: object) -> bool:
        """Does the DB's record differ from its last synced version (see push.differs)? A
        record a pull just left as it came does not, without reading or hashing it again.
        Between two records the app's typist goes first, as in the rest of the sync."""
        self.give_way()
        rid = self.team.remote_id(table, record_id)
        rec = self.state.records.get(rid)
        if unchanged(rec, version, self._as_synced.get(rid)):
            return False
        doc = self.local.doc(table, record_id)
        return doc is None or differs(rec, doc)

    def _send(self, docs: list[dict[str, Any]], ask: bool) -> int:
        """Store one batch's revisions; how many were sent. Only a push's first ASKED
        batches ask `_revs_diff` first. A push cut off is resumed by the next one's first
        batches: a batch is committed while the next is on its way, so up to two were
        sent and not committed, and they come first (pending records go out in their
        order); asking there keeps a resumed push from sending them twice. Later batches
        hold revisions made in this push, which the server cannot have, and asking for
        them would only cost a round trip each (a revision sent again would change
        nothing: `new_edits=false`)."""
        sending = docs
        if ask:
            asked: dict[str, list[str]] = {}
            for doc in docs:
                asked.setdefault(doc["_id"], []).append(doc["_rev"])
            missing = self.couch.revs_diff(asked)
            sending = [d for d in docs if d["_rev"] in missing.get(d["_id"], ())]
        failed = self.couch.bulk_docs(sending)
        if failed:
            raise _refused_by_server(self.couch.shown, failed)
        return len(sending)

    def _mark_sending(self, batch: list[Planned]) -> None:
        """Before a batch goes: its revisions, as sent from here, in the state (no fsync:
        it must outlive a kill, and a lost one costs a question, not a word). A push cut
        off after the server stored them and before their states are committed leaves
        them unknown to the state; the next pull finds them there and takes them as this
        DB's own (what was typed since grew from them), not as a teammate's edit to keep
        beside the record as a conflict."""
        self._sending.update({p.rid: [v.rev for v in p.versions] for p in batch})
        self.state.commit(meta={"sending": dict(self._sending)}, durable=False)

    def _committed(self, batch: list[Planned], sent: int, report: SyncReport, progress) -> None:
        """A batch the server stored: its records' new states, committed."""
        for planned in batch:
            self._sending.pop(planned.rid, None)
        self.state.commit({p.rid: p.state for p in batch}, {"sending": dict(self._sending)})
        for planned in batch:
            self._pending.discard(planned.key)
        report.sent += sent
        if progress:
            progress("push", report.sent)

    def _helper(self, name: str) -> ThreadPoolExecutor | InLine:
        """The thread that overlaps our work with the server's, or none (`overlap` off)."""
        return ThreadPoolExecutor(1, thread_name_prefix=name) if self.overlap else InLine()

    # ---- checkpoints -------------------------------------------------------------------

    def _replica(self) -> str:
        return f"cope-tui-{self.state.meta['replica']}"

    def _start_since(self) -> Any:
        """Where the last pull ended: the state file's checkpoint, if the server's copy of
        it agrees (a database wiped and made again starts from its beginning)."""
        if self._since is not None:
            return self._since
        mine = self.state.meta.get("since")
        theirs = self.couch.get_local(self._replica())
        self._checkpoint_rev = theirs.get("_rev") if theirs else None
        self._since = mine if mine is not None and theirs is not None and theirs.get("since") == mine else 0
        return self._since

    def _save_checkpoint(self, seq: Any) -> None:
        for _ in range(2):  # once more after a write whose answer never came back
            body: dict[str, Any] = {"since": seq}
            if self._checkpoint_rev:
                body["_rev"] = self._checkpoint_rev
            rev = self.couch.put_local(self._replica(), body)
            if rev is not None:
                self._checkpoint_rev = rev
                return
            theirs = self.couch.get_local(self._replica())
            self._checkpoint_rev = theirs.get("_rev") if theirs else None

    # ---- what the app shows ------------------------------------------------------------

    def status(self) -> SyncStatus:
        count = self.state.conflict_count  # asked from the UI thread: no walk of every record
        waiting = len(self._pending) + self.local.waiting + len(self.state.meta.get("deferred", {}))
        return SyncStatus(self.state.meta.get("last_sync"), waiting, count, self.problem)

    def conflicts(self) -> list[Conflict]:
        """Every open conflict, with both versions: for the app's chooser and the CLI's list."""
        found = []
        # A copy of the list first (made in one step under the interpreter's lock): the
        # UI thread asks while a worker's sync adds records, and must not wait for it.
        for rid, rec in list(self.state.records.items()):
            if not rec["conflicts"]:
                continue
            doc = here_content(self.local, rec, rec["t"], rec["id"])["doc"]
            for c in rec["conflicts"]:
                now = merge.get_at(doc, c["path"]) if c["kind"] == "field" else doc
                now = None if now is merge.MISSING else now
                found.append(Conflict(listed_id(rid, c["id"]), rec["t"], rec["id"], c["kind"], c["path"], c["value"], c.get("by", "?"), now,
                                      record_label(self.local, rec["t"], doc)))
        return sorted(found, key=lambda c: (c.table, c.record_id, c.id))

    def choose(self, conflict_id: str, *, take_other: bool, both: bool = False) -> None:
        """Settle a conflict: take the other version, keep this one, or keep both texts
        (see merge.choose). The choice goes to the team with the next sync.
        merge.CannotChoose says why it cannot be done."""
        with self._lock:
            found = next(
                ((rid, rec, c["id"]) for rid, rec in self.state.records.items() for c in rec["conflicts"]
                 if listed_id(rid, c["id"]) == conflict_id),
                None,
            )  # fmt: skip
            if found is None:
                raise merge.CannotChoose("There is no conflict with that id (it may be settled already).")
            rid, rec, own_id = found
            stored = self.local.doc(rec["t"], rec["id"])  # what the choice is made on: written only over it
            content = here_content(self.local, rec, rec["t"], rec["id"])
            chosen = merge.choose(content, own_id, take_other=take_other, both=both)
            if chosen["doc"] != content["doc"]:
                self._show_choice(rec["t"], rec["id"], chosen["doc"])
                result = self.local.apply([(rec["t"], rec["id"], chosen["doc"], stored)])[0]
                if result == FINALISED:
                    raise merge.CannotChoose("This database cannot take that version (a finalised meeting never changes).")
                if result == CHANGED:
                    raise merge.CannotChoose("The record was saved again just now; choose once more.")
                if result is not None:
                    raise merge.CannotChoose(f"This database's checks refused that version ({result}); nothing was changed.")
            self.state.commit({rid: {**rec, "conflicts": chosen["conflicts"]}})
            self._pending.add((rec["t"], rec["id"]))

    def _show_choice(self, table: str, record_id: str, doc: Any) -> None:
        """A screen showing the record shows the chosen version before the DB holds it, as
        it does a sync's merge (pull._offer_to_screens). Left on its older copy, its next
        save would put back the words just chosen away. A screen that cannot take it (an
        edit not saved yet, a dialog over it, or one that keeps its copy until closed)
        leaves the choice for later: both versions stay."""
        key = (table, record_id)
        if key in self.open_records() and key not in self.offer_open([(table, record_id, doc)]):
            raise merge.CannotChoose(
                "That record is open on a screen that keeps its own copy until it is closed, or that has a "
                "change not saved yet. Go back to that screen or close it, then choose again (F11); both "
                "versions are kept meanwhile."
            )


def listed_id(record_key: str, conflict_id: str) -> str:
    """A conflict's id among all of the DB's: its own is unique within its record only (two
    deletions, or one answer to the same question of two exercises, had the same), and
    the app lists them all in one list, where a second of an id stopped the app."""
    return hashlib.blake2b(f"{record_key}\0{conflict_id}".encode(), digest_size=8).hexdigest()


def record_label(local: LocalSide, table: str, doc: Any) -> str:
    """A record as the user knows it from the screens: an id means nothing at the table."""
    if not isinstance(doc, dict):
        return ""
    if table == "clients":
        return str(doc.get("code") or "")
    if table == "meetings":
        client = local.doc("clients", str(doc.get("client_id", ""))) or {}
        return f"{client.get('code') or '?'}, {str(doc.get('started') or '')[:10]}".strip(", ")
    if table == "exercises":
        return f"{doc.get('site') or '?'}, {str(doc.get('start') or '')[:10]}".strip(", ")
    return ""


class InLine:
    """An executor that runs each call at once, on the calling thread (`overlap` off)."""

    def __enter__(self) -> InLine:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        done: Future = Future()
        try:
            done.set_result(fn(*args))
        except BaseException as exc:  # handed over as a pool's future would: at .result()
            done.set_exception(exc)
        return done


def _refused_by_server(shown: str, failed: list[dict[str, Any]]) -> Exception:
    reasons = {str(row.get("error")) for row in failed}
    if reasons & {"forbidden", "unauthorized"}:
        return Forbidden(
            f"{shown} refused {counted(len(failed), 'record')}: this login may read but not write this database. "
            "Ask its administrator to make you a member."
        )
    return ServerFailed(f"{shown} refused to store {counted(len(failed), 'record')} ({', '.join(sorted(reasons))[:80]}).")
