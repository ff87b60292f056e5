"""`export --all` of a mostly unchanged DB: each client's Markdown as the last export
rendered it, rendered again only for the clients changed since.

Parsing every meeting of the file alone takes longer than an export may (0.7 s of the
0.6 s allowed at 10,000 meetings), so the export keeps what it rendered beside the DB,
the way search and the follow-through board keep their parts (store/kept.py): by client,
with the digest of that client's lines in the file, and only for a plain DB opened as
the app opens it (its meetings held as lines, store/lazy_meetings.py). A client's kept
text is taken only while all of these are as they were when it was rendered:

- their lines in the file, byte for byte (or the whole file: the stamp shortcut);
- none of their meetings saved or deleted since (the journal): `touched_clients`;
- their client record (code, note, case plan...), by a digest of it as stored;
- cope-tui's version and the meeting guide (labels and tables): the tag;
- the day, for a text that shows a row without a stored date as added today.

The first export of a large DB still uses the second core: a helper forked before the
load (export/parallel.py) renders the second half of the clients from its own store and
sends them in the kept file's form, and the parent takes each as it takes kept text,
checked the same way, then keeps both halves.

Everything else (the title and counts, meetings without a client record, the COPE
exercises, whose reports say what is overdue today) is rendered each time. A kept file
that is damaged, cut short, foreign, of another tag, or that names other lines or
another record for a client is ignored (for that client, or whole when its walk does not
reach the end its writer wrote). Its text is emitted as it was rendered, not checked
again: it is written owner-only in the owner-only data folder, and whoever can write
there can already change what the user runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from .. import __version__
from ..store import kept as kept_files
from ..store.kept import Blob
from ..store.store import Store, gc_paused
from .documents import all_header, clients_in_order, exercises_part, orphans_part
from .format import Doc, in_date_order
from .render import ExportRun

if TYPE_CHECKING:
    from ..content.meeting_guide import MeetingGuide
    from ..store.lazy_meetings import FileMeetings

KIND = "export"
Texts = dict[str, tuple[str, bytes]]  # client id -> (the day it holds, or "", their Markdown)
KEPT_TAG = "export 5"  # raise when what a client's text depends on changes (tests/unit/test_kept_tag.py)


def tag_of(meeting_guide: MeetingGuide) -> str:
    guide = hashlib.blake2b(meeting_guide.model_dump_json().encode(), digest_size=16).hexdigest()
    return f"{KEPT_TAG} {__version__} {guide}"


def record_version(doc: Doc) -> str:
    """A client record as stored: the export shows most of it."""
    return hashlib.blake2b(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS), digest_size=16).hexdigest()


class _Kept:
    """What a walk of kept parts (the kept file's, or the helper's) gives that still holds
    for this DB."""

    def __init__(self, walk: Iterable[tuple[str, str | None, Any]], file: FileMeetings, wanted: dict[str, str]):
        self.texts: Texts = {}
        self.for_other_file = False  # kept for another file: worth keeping again for this one
        self.found = False
        today = date.today().isoformat()
        for cid, digest, part in walk:
            self.found = True
            if cid not in wanted or not _well_formed(part) or part[0][0] != wanted[cid] or part[0][1] not in ("", today):
                continue
            if digest is not None:
                self.for_other_file = True
                if _lines_digest(file, cid) != digest:
                    continue
            self.texts[cid] = (part[0][1], part[1])
        if not getattr(walk, "whole", False):  # cut short or damaged: all of it is rendered again
            self.texts.clear()
            self.found = False


def _lines_digest(file: FileMeetings, cid: str) -> str | None:
    """The digest of the client's lines in the file ("" when they have none there), or
    None when it could not be taken."""
    file.wait_digests()
    return file.digests.get(cid) if cid in file.groups else ""


def _well_formed(part: Any) -> bool:
    """A Blob of [record version, day] and the text's UTF-8."""
    if not isinstance(part, Blob) or type(part[0]) is not list or len(part[0]) != 2:
        return False
    return all(type(p) is str for p in part[0])


def export_all(meeting_guide: MeetingGuide, store: Store, emit: Callable[[bytes], None], helper: Any = None) -> bool:
    """Emit the whole export, keeping it for the next; False (nothing emitted) when the
    store holds its meetings parsed (not as the file's lines), so nothing can be kept.
    `helper` (export/parallel.py, running `second_half`): renders the second half of the
    clients meanwhile; what it sends is taken as kept text is, each client checked."""
    file = store.file_meetings()
    if file is None:
        return False
    try:
        _export_all(meeting_guide, store, file, emit, helper)
    except BaseException:
        if helper is not None:
            helper.abandon()
        raise
    return True


def _export_all(
    meeting_guide: MeetingGuide, store: Store, file: FileMeetings, emit: Callable[[bytes], None], helper: Any
) -> None:
    with gc_paused(freeze=True):
        docs = clients_in_order(store)
        touched = store.touched_clients()
        wanted = {doc["id"]: record_version(doc) for doc in docs if doc["id"] not in touched}
        tag = tag_of(meeting_guide)
        kept = _Kept(store.kept(KIND, tag), file, wanted)
        emit(all_header(meeting_guide, store, len(docs), len(store.raw_versions("meetings"))).encode())
        split = _half_way(file, docs) if helper is not None else len(docs)
        fresh = _emit_clients(meeting_guide, store, docs[:split], kept.texts, emit)
        if helper is not None:
            kept.texts.update(_Kept(_from_helper(helper, tag, file.stamp), file, wanted).texts)
            fresh |= _emit_clients(meeting_guide, store, docs[split:], kept.texts, emit)
        known = {doc["id"] for doc in docs}
        orphans = _orphans(store, (set(file.groups) | touched) - known)
        if orphans:
            emit(orphans_part(ExportRun(meeting_guide), orphans).encode())
        emit(exercises_part(store).encode())
    if helper is not None or any(cid in wanted for cid in fresh) or kept.for_other_file or not kept.found:
        _keep(store, file, tag, wanted, kept.texts, fresh)


def second_half(db: Path, meeting_guide: MeetingGuide) -> tuple[bytes, list[bytes]]:
    """In the helper process, forked before the load: the second half of the clients (by
    their lines' bytes) not changed in the journal, rendered from a store of its own and
    sent in the kept file's form (store/kept.py's encode), with their digests."""
    store = Store(db, read_only=True, lazy=True, let_go_lines=False)
    file = store.file_meetings()
    if file is None:
        raise ValueError("the meetings were parsed, not held as lines")
    with gc_paused(freeze=True):
        docs = clients_in_order(store)
        touched = store.touched_clients()
        mine = [doc for doc in docs[_half_way(file, docs) :] if doc["id"] not in touched]
        fresh = _emit_clients(meeting_guide, store, mine, {}, lambda _data: None)
        parts = {}
        for doc in mine:
            day, text = fresh[doc["id"]]
            digest = _lines_digest(file, doc["id"])
            if digest is not None:
                parts[doc["id"]] = (digest, Blob([record_version(doc), day], text))
        return bytes(32), [kept_files.encode(tag_of(meeting_guide), parts, file.stamp)]


def _from_helper(helper: Any, tag: str, stamp: str) -> Iterable[tuple[str, str | None, Any]]:
    """What the helper rendered, as a walk of kept parts; nothing when it failed."""
    chunks: list[bytes] = []
    try:
        if helper.ready() is None:
            return ()
        helper.finish(chunks.append)
    except OSError:
        return ()
    return kept_files.Walk(None, tag, stamp, b"".join(chunks))


def _half_way(file: FileMeetings, docs: list[Doc]) -> int:
    """Where about half the clients' lines (in bytes) have gone before, in export order."""
    sizes = {cid: sum(span[4] - span[3] for span in spans) for cid, spans in file.groups.items()}
    total = sum(sizes.get(doc["id"], 0) for doc in docs)
    seen = 0
    for index, doc in enumerate(docs):
        if seen * 2 >= total:
            return index
        seen += sizes.get(doc["id"], 0)
    return len(docs)


def _emit_clients(
    meeting_guide: MeetingGuide, store: Store, docs: list[Doc], texts: Texts, emit: Callable[[bytes], None]
) -> Texts:
    """Each client's text, kept or rendered; returns those rendered: id -> (day, text)."""
    from ..meetings.models import Client

    export = ExportRun(meeting_guide)
    fresh: Texts = {}
    for doc in docs:
        cid = doc["id"]
        if cid in texts:
            text = texts[cid][1]
        else:
            export.dated = False
            export.client(Client.model_validate(doc), in_date_order(store.raw_meetings_of(cid)), 2)
            text = export.take().encode()
            fresh[cid] = (date.today().isoformat() if export.dated else "", text)
        emit(text)
    return fresh


def _orphans(store: Store, client_ids: set[str]) -> dict[str, list[Doc]]:
    """The meetings of client ids without a record, grouped as plan_all groups them."""
    meetings = [doc for cid in client_ids for doc in store.raw_meetings_of(cid)]
    found: dict[str, list[Doc]] = {}
    for doc in in_date_order(meetings):
        found.setdefault(doc.get("client_id", ""), []).append(doc)
    return found


def _keep(store: Store, file: FileMeetings, tag: str, wanted: dict[str, str], texts: Texts, fresh: Texts) -> None:
    """Every client not changed in the journal, by the digest of their lines (best effort)."""
    parts = {}
    for cid, version in wanted.items():
        found = fresh.get(cid) or texts.get(cid)
        digest = _lines_digest(file, cid)
        if found is not None and digest is not None:
            parts[cid] = (digest, Blob([version, found[0]], found[1]))
    store.keep(KIND, tag, parts)
