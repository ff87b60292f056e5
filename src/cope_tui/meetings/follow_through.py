"""Follow-through: what was promised at meetings, and whether it happened.

Action items and referrals live in meetings, and each meeting keeps its own copy of
the rows it carried forward, so one promise appears in many meetings under one row id.
This module reads the stored meetings once, keeps the newest copy of each row and
sorts the promises into overdue, due today, upcoming and done. Ticking one off is
written on the client record (dated), never into a meeting: finalised meetings must
not change, and the next meeting reads the tick when it carries its lists forward.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from .board_parts import ACTION, REFERRAL, Layout
from .board_parts import day_of as _day
from .board_parts import next_date as _next_date

if TYPE_CHECKING:  # pydantic is not imported until records are: the home screen paints first
    from ..content.meeting_guide import MeetingGuide
    from .models import Client, FollowUp

class FollowThroughError(ValueError):
    """A tick that cannot be made; the message says why and what to do instead."""


class Status(StrEnum):
    OVERDUE = "overdue"
    TODAY = "due today"
    UPCOMING = "upcoming"
    NO_DATE = "no date"
    OPEN = "open"  # a referral still in place
    DONE = "done"


OPEN_ORDER = {Status.OVERDUE: 0, Status.TODAY: 1, Status.UPCOMING: 2, Status.NO_DATE: 3}


def layout(meeting_guide: MeetingGuide) -> Layout:
    actions = tuple(
        (step.id, spec.id, spec.done_column)
        for step, spec in meeting_guide.all_lists()
        if spec.carry == "open" and spec.done_column
    )
    referrals = tuple((step.id, spec.id) for step, spec in meeting_guide.all_lists() if spec.id == "referrals")
    nxt = next(
        ((s.id, f.id) for s in meeting_guide.steps for f in s.fields if f.kind == "date" and f.id == "next_meeting"),
        None,
    )
    return Layout(actions, referrals, nxt)


@dataclass(slots=True)
class Item:
    """One action item or referral, as its newest stored copy says."""

    kind: str
    row_id: str
    client_id: str
    client_code: str
    meeting_id: str  # the meeting holding the newest copy: where it can be seen or edited
    meeting_final: bool
    source: date | None  # date of the meeting where it was first written
    text: str  # what is to be done, or the service referred to
    who: str = ""
    due: date | None = None
    state: str = ""  # a referral's status as last recorded
    note: str = ""
    since: date | None = None
    live: bool = True  # still on the client's latest list (not removed at a later meeting)
    done_in_meeting: date | None = None  # date of the meeting where it was marked done
    ticked_on: date | None = None  # ticked off on the client record
    status: Status = Status.NO_DATE

    @property
    def done_on(self) -> date | None:
        return self.ticked_on or self.done_in_meeting

    def classify(self, today: date) -> Status:
        if self.ticked_on or self.done_in_meeting:
            self.status = Status.DONE
        elif self.kind == REFERRAL:
            self.status = Status.OPEN
        elif self.due is None:
            self.status = Status.NO_DATE
        elif self.due < today:
            self.status = Status.OVERDUE
        elif self.due == today:
            self.status = Status.TODAY
        else:
            self.status = Status.UPCOMING
        return self.status

    @property
    def visible(self) -> bool:
        return self.live or self.status is Status.DONE


@dataclass(frozen=True, slots=True)
class NextMeeting:
    client_id: str
    client_code: str
    on: date
    meeting_id: str  # the meeting that set the date
    overdue: bool
    set_at: date | None = None  # when that meeting was held
    under_way: date | None = None  # a later meeting started then is still a draft: the date is being met


@dataclass
class Board:
    """Every promise of one client or of all, sorted for showing.

    Done items are by far the most (every promise ever kept); they are made into
    `Item`s only when first asked for, so the open list and the counts stay quick."""

    today: date
    actions: list[Item] = field(default_factory=list)
    referrals: list[Item] = field(default_factory=list)
    meetings: list[NextMeeting] = field(default_factory=list)
    ticks: dict[str, dict[str, Any]] = field(default_factory=dict)  # client id -> followups
    _later: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    _make: Callable[..., Item | None] | None = None

    def _materialise(self) -> None:
        if self._later and self._make is not None:
            later, self._later = self._later, []
            for doc, row in later:
                made = self._make(ACTION, doc, row, False)
                if made is not None:
                    self.actions.append(made)

    def open_actions(self) -> list[Item]:
        found = [i for i in self.actions if i.live and i.status is not Status.DONE]
        return sorted(found, key=lambda i: (OPEN_ORDER[i.status], i.due or date.max, i.client_code, i.text))

    def done_actions(self) -> list[Item]:
        self._materialise()
        found = [i for i in self.actions if i.status is Status.DONE]
        return sorted(found, key=lambda i: (i.done_on or date.min, i.client_code), reverse=True)

    def shown_referrals(self) -> list[Item]:
        found = [i for i in self.referrals if i.visible]
        return sorted(found, key=lambda i: (i.status is Status.DONE, i.client_code, i.since or date.min, i.text))

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Status}
        for item in self.actions:
            if item.visible:
                out[item.status.value] += 1
        out[Status.DONE.value] += len(self._later)
        out["referrals"] = sum(1 for i in self.referrals if i.live and i.status is Status.OPEN)
        out["meetings overdue"] = sum(1 for m in self.meetings if m.overdue)
        return out

    def retick(self, client_id: str, followups: dict[str, Any]) -> None:
        """Re-read one client's ticks after a change, without reading the meetings again."""
        self.ticks[client_id] = followups
        for item in (*self.actions, *self.referrals):
            if item.client_id == client_id:
                item.ticked_on = _tick_date(followups.get(item.row_id))
                item.classify(self.today)


def _tick_date(entry: Any) -> date | None:
    if entry is None:
        return None
    if isinstance(entry, dict):
        return _day(entry.get("done_on"))
    return getattr(entry, "done_on", None)  # a FollowUp not yet saved


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class StoredRecords(Protocol):
    """What the board reads: stored records as saved (the Store is one). Meetings are
    read twice, so `raw_meetings` returns a list."""

    def raw_meetings(self) -> Sequence[dict[str, Any]]: ...

    def get(self, table: str, doc_id: str) -> dict[str, Any] | None: ...


Key = tuple[str, str]  # (started, meeting id): orders a client's meetings, newest last


@dataclass
class _Scan:
    """One pass over the stored meetings: where each promise's newest copy is."""

    started: dict[str, str] = field(default_factory=dict)  # meeting id -> started
    newest: dict[str, tuple[Key, dict[str, Any]]] = field(default_factory=dict)  # client -> newest meeting
    # (client, list) -> newest meeting that has the list: its rows are the live ones.
    latest: dict[tuple[str, str], tuple[Key, dict[str, Any], list[dict[str, Any]]]] = field(default_factory=dict)
    # row id -> (key, meeting, row) of the newest copy marked done, and the first day it was.
    done: dict[str, tuple[Key, dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    first_done: dict[str, str] = field(default_factory=dict)
    dated: dict[str, tuple[Key, dict[str, Any]]] = field(default_factory=dict)  # client -> newest that set a next date

    def add(self, cid: str, part: Any) -> None:
        """One client's part (board_parts.py); row ids are the same only within a client,
        but should two clients share one, the newest copy still wins as it always did."""
        self.started.update(part.started)
        if part.newest is not None:
            self.newest[cid] = part.newest
        if part.dated is not None:
            self.dated[cid] = part.dated
        for list_id, found in part.latest.items():
            self.latest[(cid, list_id)] = found
        for rid, found in part.done.items():
            got = self.done.get(rid)
            if got is None or found[0] > got[0]:
                self.done[rid] = found
        for rid, day in part.first_done.items():
            if rid not in self.first_done or day < self.first_done[rid]:
                self.first_done[rid] = day


@dataclass
class _Items:
    """Makes an Item from a row of a stored meeting, for the clients on the board."""

    scan: _Scan
    client_docs: dict[str, dict[str, Any]]
    ticks: dict[str, dict[str, Any]]
    today: date

    def __call__(self, kind: str, doc: dict[str, Any], row: dict[str, Any], live: bool) -> Item | None:
        cid = doc.get("client_id") or ""
        cdoc = self.client_docs.get(cid)
        if cdoc is None:
            return None  # a meeting whose client record is gone: nothing to follow up
        values = row.get("values") or {}
        origin = row.get("origin")
        rid = row.get("id") or ""
        if kind == ACTION:
            text, who, due, state, note = values.get("what"), values.get("who"), values.get("due"), "", ""
        else:
            text, who, due, state, note = values.get("service"), "", None, values.get("status"), values.get("note")
        started = self.scan.started
        found = Item(
            kind=kind,
            row_id=rid,
            client_id=cid,
            client_code=_text(cdoc.get("code")),
            meeting_id=doc.get("id") or "",
            meeting_final=bool(doc.get("finalised_at")),
            source=_day(started.get(origin)) if origin in started else _day(row.get("added")),
            text=_text(text),
            who=_text(who),
            due=_day(due),
            state=_text(state),
            note=_text(note),
            since=_day(row.get("added")),
            live=live,
            done_in_meeting=_day(self.scan.first_done.get(rid)),
            ticked_on=_tick_date(self.ticks.get(cid, {}).get(rid)),
        )
        found.classify(self.today)
        return found


def build(
    records: StoredRecords,
    meeting_guide: MeetingGuide,
    *,
    client_id: str | None = None,
    today: date | None = None,
    clients: dict[str, Client] | None = None,
) -> Board:
    """The board from the stored meetings in one pass over the raw records.

    `clients` overrides stored client records (ticks not yet written by the saver)."""
    from .board_parts import all_parts, part_of

    today = today or date.today()
    lay = layout(meeting_guide)
    if client_id is None:
        parts = all_parts(records, lay)
    else:
        of_client = getattr(records, "raw_meetings_of", None)  # only theirs are read
        docs = of_client(client_id) if of_client is not None else records.raw_meetings()
        parts = {client_id: part_of((d for d in docs if (d.get("client_id") or "") == client_id), lay)}
    scan = _Scan()
    for cid, part in parts.items():
        scan.add(cid, part)
    # Across clients, a closed client's record is read-only and archived with its handover:
    # its promises can no longer be ticked, so they must not count as overdue forever.
    client_docs = _client_docs(records, scan.newest, clients, skip_closed=client_id is None)
    board = Board(today, ticks={cid: doc.get("followups") or {} for cid, doc in client_docs.items()})
    item = _Items(scan, client_docs, board.ticks, today)
    seen = _live_items(board, scan, lay, item)
    for rid, (_key, doc, row) in scan.done.items():
        if rid not in seen and doc.get("client_id") in client_docs:
            seen.add(rid)
            board._later.append((doc, row))
    board._make = item
    _ticked_elsewhere(parts, board, client_docs, seen, item)
    board.meetings = _next_meetings(lay, scan, client_docs, today)
    return board


def _live_items(board: Board, scan: _Scan, lay: Layout, item: _Items) -> set[str]:
    """The rows on each client's latest lists onto the board (done actions wait for
    their newest done copy); the row ids placed."""
    seen: set[str] = set()
    for (_cid, list_id), (_key, doc, rows) in scan.latest.items():
        kind = REFERRAL if any(list_id == lid for _s, lid in lay.referrals) else ACTION
        target = board.referrals if kind == REFERRAL else board.actions
        for row in rows:
            rid = row.get("id") or ""
            if rid in seen or (kind == ACTION and rid in scan.done):
                continue
            made = item(kind, doc, row, True)
            if made is not None:
                seen.add(rid)
                target.append(made)
    return seen


def _client_docs(
    records: StoredRecords, newest: dict[str, Any], clients: dict[str, Client] | None, *, skip_closed: bool = False
) -> dict[str, dict[str, Any]]:
    from ..records import dump

    out: dict[str, dict[str, Any]] = {}
    for cid in newest:
        doc = dump(clients[cid]) if clients and cid in clients else records.get("clients", cid)
        if doc is not None and not (skip_closed and doc.get("closed_at")):
            out[cid] = doc
    return out


def _ticked_elsewhere(parts: dict[str, Any], board: Board, client_docs, seen: set[str], item) -> None:
    """Ticked rows no longer on a live list (a ticked referral is not carried on): their
    newest copy, which each client's part keeps."""
    best: dict[str, tuple[Key, str, dict[str, Any], dict[str, Any]]] = {}
    for cid, doc in client_docs.items():
        copies = parts[cid].copies if cid in parts else {}
        for rid in doc.get("followups") or {}:
            found = copies.get(rid)
            if rid not in seen and found is not None and (rid not in best or found[0] > best[rid][0]):
                best[rid] = found
    for rid, (_key, kind, doc, row) in best.items():
        made = item(kind, doc, row, False)
        if made is not None:
            seen.add(rid)
            (board.referrals if kind == REFERRAL else board.actions).append(made)


def _next_meetings(lay: Layout, scan: _Scan, client_docs, today: date) -> list[NextMeeting]:
    """The date set at each client's latest meeting; a later finalised meeting has used up
    the earlier dates. A later draft that sets none yet is that meeting under way: the
    date stays, saying so, rather than vanishing without a word."""
    if lay.next_meeting is None:
        return []
    found = []
    for cid, (_key, newest) in scan.newest.items():
        cdoc = client_docs.get(cid)
        if cdoc is None or cdoc.get("closed_at"):
            continue
        doc, under_way = newest, None
        if _next_date(newest, lay.next_meeting) is None and not newest.get("finalised_at") and cid in scan.dated:
            doc, under_way = scan.dated[cid][1], _day(newest.get("started"))
        on = _next_date(doc, lay.next_meeting)
        if on is not None:
            overdue = on < today and under_way is None
            found.append(
                NextMeeting(
                    cid, _text(cdoc.get("code")), on, doc.get("id") or "", overdue, _day(doc.get("started")), under_way
                )
            )
    return sorted(found, key=lambda m: (m.on, m.client_code))


# ---- ticking off ----------------------------------------------------------------------


def tick(client: Client, row_id: str, *, on: date | None = None, note: str = "") -> FollowUp:
    """Record on the client that a promise was kept, dated; meetings are left as they are."""
    if client.closed:
        raise FollowThroughError("This client is closed and read-only; reopen the client to tick items off.")
    if not row_id:
        raise FollowThroughError("Choose an action item or referral to tick off.")
    from .models import FollowUp

    on = on or date.today()
    if on > date.today():
        raise FollowThroughError("An item cannot be done on a date still to come; tick it off on the day.")
    entry = client.followups.get(row_id)
    if entry is None:
        entry = client.followups[row_id] = FollowUp(done_on=on, note=note.strip())
    return entry


def untick(client: Client, row_id: str) -> None:
    """Take a tick back, when it was made by mistake."""
    if client.closed:
        raise FollowThroughError("This client is closed and read-only; reopen the client to change ticks.")
    if client.followups.pop(row_id, None) is None:
        raise FollowThroughError(
            "This item was marked done in a meeting, not ticked off here; open that meeting to change it "
            "(a finalised meeting takes a dated addendum)."
        )


def toggle(client: Client, item: Item, *, on: date | None = None) -> bool:
    """Tick an open item, untick a ticked one; True when it is now ticked."""
    if item.row_id in client.followups:
        untick(client, item.row_id)
        return False
    if item.status is Status.DONE:
        when = f" of {item.done_in_meeting.isoformat()}" if item.done_in_meeting else ""
        raise FollowThroughError(
            f"This item was marked done at the meeting{when}; open that meeting to change it "
            "(a finalised meeting takes a dated addendum)."
        )
    tick(client, item.row_id, on=on)
    return True
