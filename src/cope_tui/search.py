"""Find anything: clients, meetings and COPE exercises, searched by the words typed.

Each record keeps one lowercase text of everything a user typed into it; a query is
plain substring tests on those texts (every word must occur), so a fragment such as
"hous" finds "housing". At 10,000 demo meetings that is about 35 MB of text, scanned
in a few tens of milliseconds (benchmarks/search.py), with no tokeniser to disagree
with what the user sees.

The index reads the store's raw documents, never pydantic models, and keeps only their
text (a result's document is read again when it is shown). The store replaces a
record's document on every save and never changes one in place, so before each query
the index compares each record's version (`Store.raw_versions`) with the one it indexed
(by identity, a few milliseconds for 10,000) and re-reads only those that changed. A result can
therefore lag behind typing only by the autosave delay; the search screen flushes
pending saves when it opens, so words typed before it opened are always found.

In the app the file's meetings stay lines until read (store/lazy_meetings.py), and
decoding them all for the first search took seconds at 50,000 meetings. So their text is
kept beside a plain DB between sessions (store/kept.py), by client with a digest of the
client's lines: the next session takes it for every client whose lines are the same and
decodes only the others. Changing what goes into a record's text (the `*_segments`
below) needs KEPT_TAG changed, or old text would be taken.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from .mdsafe import one_line
from .background import let_others_run
from .store.kept import Blob

if TYPE_CHECKING:
    from .content.meeting_guide import MeetingGuide
    from .store.lazy_meetings import FileMeetings
    from .store.store import Store

LIMIT = 100  # results built and shown; the total says how many more matched
KEPT_TAG = "search text 2"  # what the kept text was made by (see the module's docstring)
SNIPPET = 72  # characters of context around a match
SHOWN_KEPT = 512  # records whose parts are kept for the results of the next queries
CHUNK = 2048  # records tested between two offers of the interpreter to the UI

# Exercise keys that hold dates, times, ids or fixed choices rather than typed words.
_EXERCISE_SKIP = frozenset(
    {
        *("id", "created", "at", "start", "end", "by_when", "flow_date", "follow_up_of", "carried_from"),
        *("value", "marks", "source", "priority", "status", "number", "visit_type", "arrival", "departure"),
        *("done", "guides", "client", "interviewee", "next_exercise"),
    }
)
# Where each part of an exercise is shown on the exercise screen: (section id, title).
_EXERCISE_SECTIONS = {
    "site": ("overview", "Overview & teams"),
    "facilitator": ("overview", "Overview & teams"),
    "quality": ("overview", "Overview & teams"),
    "teams": ("overview", "Overview & teams"),
    "answers": ("guides", "Self-assessment"),
    "interviews": ("interviews", "Client interviews"),
    "record_checks": ("records", "Record review"),
    "visits": ("flow", "Client flow"),
    "contacts": ("flow", "Client flow"),
    "problems": ("plan", "Action plan"),
    "culture": ("culture", "Culture of service"),
}

# One piece of a record's text: (place id, label of the part, the text as typed).
Segment = tuple[str | None, str, str]


@dataclass(frozen=True)
class Result:
    """One record that matched, and where to open it."""

    kind: str  # "client", "meeting" or "exercise"
    record_id: str
    client_id: str | None
    client_code: str
    when: str  # meeting date and time, exercise start date; "" for a client
    label: str  # meeting kind ("first", "review"), exercise site; "" for a client
    place: str | None  # meeting step id or exercise section id to open at
    place_title: str
    part: str  # which part matched: "notes", a list or field label, "addendum", ...
    snippet: str  # one line, control characters removed, the match in the middle


@dataclass(frozen=True)
class Found:
    results: list[Result]
    total: int
    words: list[str]
    seconds: float


@dataclass(eq=False, slots=True)
class _Entry:
    kind: str
    key: str  # the record's id
    owner: str  # a meeting's client id, a client's code
    token: object  # the store's version of the record indexed: compared by identity
    text: bytes  # lowercase, segments joined by newlines, UTF-8: one em dash would make a
    # str two bytes a character throughout (about 100 MB more at 50,000 meetings)
    order: str  # sort key within its kind


def terms(query: str) -> list[str]:
    """The query's words, lowercased, each once, longest first (the rarest, usually)."""
    words = dict.fromkeys(w for w in query.lower().split() if w)
    return sorted(words, key=len, reverse=True)


def _s(value: object) -> str:
    return value if isinstance(value, str) else ""


def client_segments(doc: dict[str, Any]) -> Iterator[Segment]:
    yield None, "code", _s(doc.get("code"))
    yield None, "note", _s(doc.get("note"))
    for other in doc.get("significant_others") or ():
        yield None, "significant others", _s(other)
    for goal in doc.get("goals") or ():
        yield None, "goal", _s(goal.get("text"))
        for indicator in goal.get("indicators") or ():
            yield None, "goal", _s(indicator)
        for rating in goal.get("ratings") or ():
            yield None, "goal rating", _s(rating.get("note"))
    for change in doc.get("stage_history") or ():
        yield None, "stage change", _s(change.get("reason"))
    for follow in (doc.get("followups") or {}).values():
        yield None, "follow-up", _s(follow.get("note"))
    handover = doc.get("handover") or {}
    for key in ("journey", "learned", "effect", "challenges", "referrals", "reflection"):
        yield None, "handover", _s(handover.get(key))
    for closure in doc.get("closures") or ():
        yield None, "reopened", _s(closure.get("reason"))


def meeting_segments(doc: dict[str, Any]) -> Iterator[Segment]:
    for name in doc.get("present") or ():
        yield None, "present", _s(name)
    for step_id, step in (doc.get("steps") or {}).items():
        yield step_id, "notes", _s(step.get("notes"))
        for field_id, value in (step.get("fields") or {}).items():
            yield step_id, field_id, _s(value)
        for list_id, rows in (step.get("lists") or {}).items():
            for row in rows:
                values = iter((row.get("values") or {}).values())
                if row.get("item"):
                    next(values, None)  # a checklist's fixed text is the meeting guide's, not the user's
                for value in values:
                    if isinstance(value, str):
                        yield step_id, list_id, value
    for addendum in doc.get("addenda") or ():
        yield None, "addendum", _s(addendum.get("text"))


def exercise_segments(doc: dict[str, Any]) -> Iterator[Segment]:
    for key, (section, _) in _EXERCISE_SECTIONS.items():
        for text in _strings(doc.get(key)):
            yield section, key.replace("_", " "), text


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key not in _EXERCISE_SKIP:
                yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


_SEGMENTS: dict[str, Callable[[dict[str, Any]], Iterator[Segment]]] = {
    "client": client_segments,
    "meeting": meeting_segments,
    "exercise": exercise_segments,
}
_TABLES = (("clients", "client"), ("exercises", "exercise"), ("meetings", "meeting"))
_TABLE_OF = {kind: table for table, kind in _TABLES}


def _entry(kind: str, doc: dict[str, Any], token: object) -> _Entry:
    text = "\n".join(t for _, _, t in _SEGMENTS[kind](doc) if t).lower().encode()
    if kind == "meeting":
        order = f"{_s(doc.get('started'))}\n{_s(doc.get('id'))}"
    elif kind == "exercise":
        order = _s(doc.get("start"))
    else:
        order = _s(doc.get("code")).casefold()
    owner = _s(doc.get("client_id")) if kind == "meeting" else _s(doc.get("code")) if kind == "client" else ""
    return _Entry(kind, _s(doc.get("id")), owner, token, text, order)


def _digest(file: FileMeetings, client_id: str) -> str | None:
    file.wait_digests()  # (taken in a thread just after load: a second or so at 50,000 meetings)
    return file.digests.get(client_id)


def _kept_rows(part: object) -> dict[str, tuple[bytes, str]]:
    """A client's kept text by meeting id; nothing when it is not the shape written: rows
    of (meeting id, order, length) and the texts one after another, as bytes (read back
    as JSON strings, 190 MB of them at 50,000 meetings took longer than all else)."""
    if not isinstance(part, Blob) or not isinstance(part[0], list):
        return {}
    rows, data = part
    out: dict[str, tuple[bytes, str]] = {}
    at = 0
    for row in rows:
        if not (isinstance(row, list) and len(row) == 3 and type(row[2]) is int and row[2] >= 0):
            return {}
        mid, order, size = row
        if not isinstance(mid, str) or not isinstance(order, str):
            return {}
        out[mid] = (data[at : at + size], order)
        at += size
    return out if at == len(data) else {}


def snippet(text: str, words: list[str], width: int = SNIPPET) -> str:
    """One line of `text` around the first word found, with '…' where it was cut."""
    line = one_line(text)
    lower = line.lower()
    at = min((i for i in (lower.find(w) for w in words) if i >= 0), default=0)
    if len(line) <= width:
        return line
    start = max(0, min(at - width // 3, len(line) - width))
    cut = line[start : start + width].strip()
    return ("…" if start else "") + cut + ("…" if start + width < len(line) else "")


class SearchIndex:
    """Lowercase text per record, refreshed from the store before each query."""

    def __init__(self, store: Store, meeting_guide: MeetingGuide | None = None):
        # Weak, so `index_for`'s cache (keyed weakly by the store) lets both go together.
        self._store = weakref.ref(store)
        self.meeting_guide = meeting_guide
        self.last_query = ""  # the search screen reopens on it
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, _Entry]] = {kind: {} for _, kind in _TABLES}
        self._sorted: dict[str, list[_Entry]] = {kind: [] for _, kind in _TABLES}
        self._kept_read = False  # the text the last session kept: taken at the first refresh
        # What a result is made of, per record and version: a meeting read for a result
        # decodes all its client's lines (store/lazy_meetings.py), about 5 ms at any size,
        # and each letter typed asks for mostly the same newest hundred again.
        self._parts: OrderedDict[tuple[str, str], tuple[object, dict[str, str], list[Segment]]] = OrderedDict()
        self._parts_lock = threading.Lock()

    @property
    def store(self) -> Store:
        store = self._store()
        if store is None:
            raise RuntimeError("the store of this search index has been closed and dropped")
        return store

    def refresh(self) -> int:
        """Re-read the records saved since the last call; the number re-read."""
        changed = 0
        with self._lock:
            for table, kind in _TABLES:
                versions = self.store.raw_versions(table)  # no record read (or decoded) for this
                cache = self._entries[kind]
                before = changed
                stale = {key: token for key, token in versions if (e := cache.get(key)) is None or e.token is not token}
                if kind == "meeting" and stale:
                    changed += self._from_file(stale, cache)  # takes what it indexed out of `stale`
                for doc in self._stale_docs(table, stale):
                    key = _s(doc.get("id"))
                    cache[key] = _entry(kind, doc, stale[key])
                    changed += 1
                if len(cache) > len(versions):  # a record was deleted
                    alive = {key for key, _ in versions}
                    for key in [k for k in cache if k not in alive]:
                        del cache[key]
                    changed += 1
                if changed > before:
                    newest_first = kind != "client"
                    self._sorted[kind] = sorted(cache.values(), key=lambda e: e.order, reverse=newest_first)
        return changed

    def _from_file(self, stale: dict[str, object], cache: dict[str, _Entry]) -> int:
        """Index the file's meetings a client at a time: from the text the last session
        kept while the client's lines are unchanged, else by decoding them (then the text
        is kept again for the next session, in the background)."""
        file = self.store.file_meetings()
        mine = [key for key, token in stale.items() if token is file] if file is not None else []
        if not mine:
            return 0
        by_client: dict[str, list[str]] = {}
        for key in mine:
            by_client.setdefault(file.client_of[key], []).append(key)
            del stale[key]
        other_file = False  # some of what was kept was for another file: keep it again, for this one
        if not self._kept_read:  # (once: the file never changes under an open store)
            self._kept_read = True
            for client_id, digest, rows in self.store.kept("search", KEPT_TAG):
                other_file = other_file or digest is not None
                keys = by_client.get(client_id)
                same = keys and (digest is None or digest == _digest(file, client_id))  # None: the very file
                kept = _kept_rows(rows) if same else {}
                if keys and all(key in kept for key in keys):
                    for key in keys:
                        cache[key] = _Entry("meeting", key, client_id, file, *kept[key])
                    del by_client[client_id]
        decoded = 0
        for client_id, keys in by_client.items():
            let_others_run()
            docs = file.decode(client_id)  # (not through the file's small cache of open clients)
            for key in keys:
                cache[key] = _entry("meeting", docs[key], file)
            decoded += 1
        if decoded or other_file:
            keep = self._keepable(file, cache)
            keeper = partial(self.store.keep, "search", KEPT_TAG, keep, meeting_ids=True)
            threading.Thread(target=keeper, name="cope-search-keep", daemon=True).start()
        return len(mine)

    @staticmethod
    def _keepable(file: FileMeetings, cache: dict[str, _Entry]) -> Iterator[tuple[str, tuple[str, Any]]]:
        """The file's meetings' text by client, for the clients whose every line is indexed
        as the file holds it (one changed since is indexed from its new version instead);
        made as it is written, a client at a time."""
        file.wait_digests()
        for client_id, spans in file.groups.items():
            entries = [cache.get(span[1]) for span in spans]
            digest = file.digests.get(client_id)
            if digest and all(e is not None and e.token is file for e in entries):
                found = [e for e in entries if e is not None]
                yield client_id, (digest, Blob([[e.key, e.order, len(e.text)] for e in found], b"".join(e.text for e in found)))

    def _stale_docs(self, table: str, stale: dict[str, object]) -> Iterator[dict[str, Any]]:
        """The stored documents of these ids: a few one by one, many in one walk of the
        table (which the app's store decodes a client at a time, keeping none)."""
        if len(stale) <= 64:
            for key in stale:
                doc = self.store.get(table, key)
                if doc is not None:
                    yield doc
            return
        for doc in self.store.raw(table):
            if _s(doc.get("id")) in stale:
                yield doc

    def search(self, query: str, limit: int = LIMIT, stop: Callable[[], bool] | None = None) -> Found | None:
        """Records holding every word of `query` (any case): client code hits first, then
        other clients, exercises, and meetings newest first. None once `stop()` says the
        query is no longer wanted (typing went on): at 50,000 meetings a query is a few
        tenths of a second of work, and a stale one must not hold the interpreter."""
        t0 = time.perf_counter()
        words = terms(query)
        if not words:
            return Found([], 0, words, 0.0)
        self.refresh()
        with self._lock:
            clients, exercises, meetings = (self._sorted[k] for k in ("client", "exercise", "meeting"))
        codes = {e.key: e.owner for e in clients}
        needle = {w: w.encode() for w in words}
        # Clients whose code holds a word: their meetings count as holding it too, so
        # "C-0004 rent" finds that client's meetings that mention rent.
        code_hits = {w: {key for key, code in codes.items() if w in code.lower()} for w in words}
        in_code = set().union(*code_hits.values())
        hits: list[_Entry] = []
        for entries in (clients, exercises, meetings):
            matched = entries
            for w in words:  # one pass per word over what is left: the first one is the long scan
                matched = _holding(matched, needle[w], code_hits[w] if entries is meetings else set(), stop)
                if matched is None:
                    return None
            hits += sorted(matched, key=lambda e: e.key not in in_code) if entries is clients else matched
        results = []
        for entry in hits[:limit]:
            let_others_run()
            if stop is not None and stop():
                return None
            if (result := self._result(entry, words, codes)) is not None:
                results.append(result)
        return Found(results, len(hits), words, time.perf_counter() - t0)

    def _parts_of(self, entry: _Entry) -> tuple[dict[str, str], list[Segment]] | None:
        """A record's fields a result shows and its parts, read again only when it changed."""
        at = (entry.kind, entry.key)
        with self._parts_lock:
            kept = self._parts.get(at)
            if kept is not None and kept[0] is entry.token:
                self._parts.move_to_end(at)
                return kept[1], kept[2]
        doc = self.store.get(_TABLE_OF[entry.kind], entry.key)
        if doc is None:
            return None
        fields = {k: _s(doc.get(k)) for k in ("id", "code", "start", "site", "client_id", "started", "kind")}
        parts = list(_SEGMENTS[entry.kind](doc))
        with self._parts_lock:
            self._parts[at] = (entry.token, fields, parts)
            while len(self._parts) > SHOWN_KEPT:
                self._parts.popitem(last=False)
        return fields, parts

    def _result(self, entry: _Entry, words: list[str], codes: dict[str, str]) -> Result | None:
        """None when the record was deleted since the index read it."""
        got = self._parts_of(entry)
        if got is None:
            return None
        doc, parts = got
        best, best_score = None, 0
        for segment in parts:
            lower = segment[2].lower()
            score = sum(1 for w in words if w in lower)
            if score > best_score:
                best, best_score = segment, score
                if score == len(words):
                    break
        place, part, text = best or (None, "client code", "")
        record_id = doc["id"]
        if entry.kind == "client":
            return Result("client", record_id, record_id, doc["code"], "", "", None, "", part, snippet(text, words))
        if entry.kind == "exercise":
            title = next((t for s, t in _EXERCISE_SECTIONS.values() if s == place), "")
            return Result(
                "exercise", record_id, None, "", doc["start"], doc["site"], place, title, part, snippet(text, words)
            )
        client_id = doc["client_id"]
        if best is None:  # only the client's code matched: show how the meeting began
            text = next((t for s, _, t in parts if s and t), "")
        return Result(
            "meeting",
            record_id,
            client_id,
            codes.get(client_id, "?"),
            doc["started"][:16].replace("T", " "),
            doc["kind"],
            place,
            self._step_title(place),
            self._part_label(place, part),
            snippet(text, words),
        )

    def _step_title(self, step_id: str | None) -> str:
        if step_id is None or self.meeting_guide is None:
            return step_id or ""
        try:
            return self.meeting_guide.step(step_id).title
        except KeyError:
            return step_id

    def _part_label(self, step_id: str | None, part: str) -> str:
        if step_id is None or self.meeting_guide is None or part == "notes":
            return part
        try:
            step = self.meeting_guide.step(step_id)
        except KeyError:
            return part
        for spec in (*step.fields, *step.lists):
            if spec.id == part:
                return spec.label
        return part


def _holding(
    entries: Sequence[_Entry], needle: bytes, owners: set[str], stop: Callable[[], bool] | None
) -> list[_Entry] | None:
    """The entries whose text holds `needle` (or whose owner is one of `owners`), a chunk
    at a time with the interpreter offered to the UI in between; None when stopped."""
    found: list[_Entry] = []
    for start in range(0, len(entries), CHUNK):
        chunk = entries[start : start + CHUNK]
        if owners:
            found += [e for e in chunk if needle in e.text or e.owner in owners]
        else:
            found += [e for e in chunk if needle in e.text]
        let_others_run()
        if stop is not None and stop():
            return None
    return found


_indexes: weakref.WeakKeyDictionary[Store, SearchIndex] = weakref.WeakKeyDictionary()
_indexes_lock = threading.Lock()


def index_for(store: Store, meeting_guide: MeetingGuide | None = None) -> SearchIndex:
    """The one index of this store, kept while the store lives, so reopening search is instant."""
    with _indexes_lock:
        index = _indexes.get(store)
        if index is None:
            index = _indexes[store] = SearchIndex(store, meeting_guide)
        elif meeting_guide is not None and index.meeting_guide is None:
            index.meeting_guide = meeting_guide
        return index
