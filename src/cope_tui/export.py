"""Markdown exports of meetings and clients, to print, share or archive.

Pure functions: they read the store and return text; nothing is changed.

Every string a user typed goes through `md_text` (paragraphs) or `md_cell` (one
line: table cells, headings, list items). Both strip terminal control characters
and escape sequences, and escape Markdown so that typed text can never become a
heading, list, table column, link, HTML or an instruction to the terminal.

Exports of a whole DB must stay quick, so they render the stored records as they
are (the JSON of `models.Meeting`, as `models.dump` writes it) rather than
validating every meeting into a model first, which would take most of the time.
The guide's labels and tables are worked out once per export and texts that recur
(carried rows, choices) are escaped once. Stored records are only ever read.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .storage import Store, gc_paused, write_private

if TYPE_CHECKING:
    from .guide import ListSpec, MeetingGuide, Step
    from .models import CellValue, Client, Meeting

# A stored record, as `models.dump` writes it; read, never changed.
Doc = dict[str, Any]

# ---- making user text safe ----------------------------------------------------

# Whole escape sequences go, not just the ESC, so no "[31m" debris is left behind.
_ESCAPE_SEQ = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI: colours, cursor moves, erase
    r"|\x1b[\]PX^_][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"  # any other ESC sequence, or a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # 8-bit CSI
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"  # 8-bit strings
)
# C0 except tab and newline, DEL, C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NEEDS_CLEANING = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")

# Characters that mean something to Markdown (CommonMark, GFM, and common
# extensions such as pandoc attributes and math) anywhere in a line. The
# backslash comes first so the escapes added after it are not escaped again.
_INLINE = tuple((c, "\\" + c) for c in "\\`*_{}[]<>|~$#")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z])")
# At the start of a line these begin a list, a setext underline or a definition.
_LEAD_MARKS = frozenset("+=:-")
_LEAD_NUMBER = re.compile(r"[0-9]{1,9}(?=[.)])")
_CELL_BREAK = re.compile(r"[ \t]*\n\s*")
# One line that needs no escaping at all: the common case for short answers and
# cells. It holds no control character, no Markdown punctuation, and does not
# start with a space, a block marker or "1." / "1)".
_PLAIN = re.compile(r"(?![0-9]{1,9}[.)]|[-+=: ])[A-Za-z0-9 ,.;:!?'\"()/%-]*")
# Lines of such text, starting however they like: the common case for notes.
_PLAIN_LINES = re.compile(r"[A-Za-z0-9 ,.;:!?'\"()/%\n-]*")


def _escape_inline(text: str) -> str:
    for char, escaped in _INLINE:  # str.replace beats translate and re.sub many times over
        if char in text:
            text = text.replace(char, escaped)
    if "&" in text:
        text = _ENTITY.sub(r"\\&", text)
    return text


def _escape_start(line: str) -> str:
    """Make a block marker at the start of a line ("- ", "+ ", "1. ", "===") literal."""
    first = line[:1]
    if first in _LEAD_MARKS:
        return "\\" + line
    if first.isdigit():
        number = _LEAD_NUMBER.match(line)
        if number:  # escape the dot of "1." rather than the number
            return f"{number.group()}\\{line[number.end() :]}"
    return line


def clean(text: object) -> str:
    """`text` without terminal control characters or escape sequences; tabs and newlines stay."""
    text = text if isinstance(text, str) else str(text)
    if _NEEDS_CLEANING.search(text) is None:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    return _CONTROL.sub("", _ESCAPE_SEQ.sub("", text))


def md_text(text: object) -> str:
    """User text as literal Markdown paragraphs; its line breaks are kept as hard breaks."""
    if type(text) is str:
        if _PLAIN.fullmatch(text):
            return text.rstrip()
        if not _PLAIN_LINES.fullmatch(text):  # else there is nothing to clean or escape within lines
            text = _escape_inline(clean(text))
    else:
        text = _escape_inline(clean(text))
    out: list[str] = []
    blank = False
    for line in text.split("\n"):
        # Leading indentation would make a code block; Markdown drops it in paragraphs anyway.
        line = line.strip(" \t")
        if not line:
            blank = True
            continue
        if out:
            out.append("\n\n" if blank else "\\\n")  # paragraph break, or hard line break
        blank = False
        out.append(_escape_start(line))
    return "".join(out)


def md_cell(text: object) -> str:
    """User text as one literal line: a table cell, heading or list item; newlines become ' / '."""
    if type(text) is str and _PLAIN.fullmatch(text):
        return text.rstrip()
    text = clean(text).strip()
    if "\n" in text:
        text = _CELL_BREAK.sub(" / ", text)
    return _escape_start(_escape_inline(text))


# ---- formatting -----------------------------------------------------------------

# Times and dates as `models.dump` stores them: naive ISO, to the second or microsecond.
_ISO_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_EMPTY: dict[str, Any] = {}


@cache
def _adapter(kind: type) -> Any:
    """Pydantic's reading of `kind`: only for times and dates not stored as `models.dump` writes them."""
    from pydantic import TypeAdapter

    return TypeAdapter(kind)


def _moment(value: object) -> datetime:
    """A stored time read as the models read it."""
    return value if isinstance(value, datetime) else _adapter(datetime).validate_python(value)


def _when(moment: str | datetime) -> str:
    """A stored time as YYYY-MM-DD HH:MM (what `datetime.isoformat(" ", "minutes")` gives)."""
    if type(moment) is str and _ISO_MOMENT.fullmatch(moment):
        return f"{moment[:10]} {moment[11:16]}"
    return _moment(moment).isoformat(" ", "minutes")


def _day(day: str | date | None) -> str:
    """A stored date as YYYY-MM-DD; a row stored without one was added today, as `Row` says."""
    if type(day) is str and len(day) == 10 and _ISO_DAY.fullmatch(day):
        return day
    if day is None:
        return date.today().isoformat()
    return (day if isinstance(day, date) else _adapter(date).validate_python(day)).isoformat()


def _in_date_order(meetings: list[Doc]) -> list[Doc]:
    """Stored meetings by (started, id), as `Store.meetings` orders them."""
    if all(type(m.get("started")) is str and _ISO_MOMENT.fullmatch(m["started"]) for m in meetings):
        # Same layout throughout, so the texts sort as the times do.
        return sorted(meetings, key=lambda m: (m["started"], m.get("id", "")))
    return sorted(meetings, key=lambda m: (_moment(m.get("started")), m.get("id", "")))


def _duration(seconds: int) -> str:
    minutes = max(0, int(seconds)) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def _heading(level: int) -> str:
    return "#" * min(max(level, 1), 6) + " "


def _names(names: list[str]) -> str:
    return ", ".join(shown for shown in map(md_cell, names) if shown)


def _header(labels: list[str]) -> str:
    return f"| {' | '.join(labels)} |\n|{' --- |' * len(labels)}\n"


def _values_of(rows: list[Doc]) -> list[dict[str, CellValue]]:
    try:
        return list(map(_VALUES, rows))
    except KeyError:  # a row stored without values: the model's default is none
        return [row.get("values", _EMPTY) for row in rows]


# A column's value -> its cell, for the values met so far. Only values that cannot be taken
# for a value of another type are kept: as dict keys 1 and True are one key, but in a text
# or number column one shows as "1" and the other as "yes" (see `_Export.cell`).
_Cells = dict[object, str]
_VALUES = itemgetter("values")
_ROW_BREAK = " |\n| "
_join_cells = " | ".join
_dict_get = dict.get
# Endless arguments for map(); they never run out, so one of each serves every call.
_ORIGIN = repeat("origin")
_GETS = repeat(dict.get)
_STATE = repeat("state")
_PENDING = repeat("pending")
_NO_RECORD = repeat(_EMPTY)


class _Table:
    """A list's columns as a Markdown table header, worked out once per export."""

    __slots__ = ("added", "cells", "header", "id_set", "ids", "is_bool", "known", "labels", "pick")

    def __init__(
        self,
        labels: list[str],
        ids: list[str],
        is_bool: list[bool],
        hidden: str = "",
        cells: list[_Cells] | None = None,
        added: bool = False,
    ):
        self.ids = ids
        # Values not to show, and not to mistake for columns the guide no longer has.
        self.id_set = frozenset(ids) | {hidden}
        self.is_bool = is_bool
        self.cells = cells if cells is not None else []
        self.known = repeat(self.cells)  # endless, for map()
        # A row's values in column order, as a tuple even for one column (map() stops at the
        # shorter of its arguments); KeyError when a column is missing.
        self.pick = itemgetter(*ids) if len(ids) > 1 else itemgetter(*ids, *ids) if ids else None
        self.added = added  # a last column with the day each row was added
        self.labels = [md_cell(label) or " " for label in labels]
        self.header = _header(self.labels)


_NO_TABLE = _Table([], [], [])


class _Plan:
    """What a step of the guide looks like in an export: escaped labels, tables."""

    __slots__ = ("field_ids", "fields", "heads", "id", "list_ids", "lists", "notes_head", "title")

    def __init__(self, export: _Export, step: Step | None, step_id: str):
        self.id = step_id
        if step is None:  # a record of a step the guide no longer has: keep it all
            self.title = f"{md_cell(step_id)} (not in the current guide)"
            fields: list[tuple[str, str]] = []
            lists: list[tuple[str, str, _Table, frozenset[str] | None]] = []
            notes_label = "Notes"
        else:
            self.title = md_cell(step.title)
            fields = [(f.id, md_cell(f.label)) for f in step.fields]
            lists = [(s.id, md_cell(s.label), export.table(s), _checklist_fixed(s)) for s in step.lists]
            notes_label = md_cell(step.notes_label)
        # Each with the text that comes before its answer or table.
        self.fields = [(field_id, f"**{label}:** ") for field_id, label in fields]
        self.lists = [(list_id, f"**{label}**\n\n", table, fixed) for list_id, label, table, fixed in lists]
        self.notes_head = f"**{notes_label}:**\n\n"
        self.field_ids = frozenset(f for f, _ in fields)
        self.list_ids = frozenset(s for s, *_ in lists)
        # The step's heading, by heading level and state.
        self.heads: dict[tuple[str, str], str] = {}


class _Kind:
    """What the guide asks of one kind of meeting (first or review), worked out once per export."""

    __slots__ = ("actions", "carried", "ids", "next_step", "plans", "shown", "states")

    def __init__(self, export: _Export, first: bool):
        steps = export.guide.steps_for(first)
        self.plans = [_Plan(export, step, step.id) for step in steps]
        self.ids = [p.id for p in self.plans]
        self.shown = frozenset(self.ids)
        # The "Steps:" line of a meeting, by the states of its steps.
        self.states: dict[tuple[str, ...], str] = {}
        # carry = "all" lists, shown as they stand; carry = "open" lists hold the action items.
        self.carried = [(s.id, spec, md_cell(spec.label)) for s in steps for spec in s.lists if spec.carry == "all"]
        self.actions = [(s.id, spec) for s in steps for spec in s.lists if spec.carry == "open"]
        # The step whose "next_meeting" date field says when the client is seen next.
        self.next_step = next(
            (s.id for s in steps for f in s.fields if f.kind == "date" and f.id == "next_meeting"), None
        )


def _checklist_fixed(spec: ListSpec) -> frozenset[str] | None:
    """For a checklist, the columns the guide fills in; None for lists users fill."""
    if not spec.fixed:
        return None
    return frozenset({spec.columns[0].id} | {c.id for c in spec.columns if c.readonly})


def _filled(rows: list[Doc], fixed: frozenset[str]) -> bool:
    return any(v not in (None, "", False) and k not in fixed for values in _values_of(rows) for k, v in values.items())


class _Export:
    """One export run: the guide, the text so far, and what was worked out for it.

    It renders stored meetings (dicts as `models.dump` writes them) and never changes them."""

    def __init__(self, guide: MeetingGuide):
        self.guide = guide
        self.out: list[str] = []
        self._tables: dict[tuple[str, bool, str], _Table] = {}
        self._kinds: dict[bool, _Kind] = {}
        # Cells of text and number columns: md_cell of every text seen so far, no value at
        # all, and numbers but 0 and 1 (see `_Cells`).
        self._cells: _Cells = {None: ""}
        # Cells of yes/no columns: any value equal to one of these is as true or false as it is.
        self._bools: _Cells = {True: "yes", False: "no", None: "no", "": "no"}
        self._days: dict[object, str] = {}
        self._marks: dict[object, str] = {}

    def text(self) -> str:
        """The export so far, as one text."""
        return "".join(self.out)

    def esc(self, text: str) -> str:
        """md_cell, remembered: codes, names and carried rows recur in every meeting."""
        found = self._cells.get(text)
        if found is None:
            found = self._cells[text] = md_cell(text)
        return found

    def day(self, day: str | None) -> str:
        """_day, remembered: rows carried forward keep the day they were added."""
        found = self._days.get(day)
        if found is None:
            found = _day(day)
            if day is not None:  # "today" is not for keeping
                self._days[day] = found
        return found

    def cell(self, value: CellValue, is_bool: bool) -> str:
        if is_bool or value is True or value is False:
            return "yes" if value else "no"
        if value is None or value == "":
            return ""
        if isinstance(value, int):
            shown = str(value)
            if value not in (0, 1):  # 0 and 1 are the keys False and True: see `_Cells`
                self._cells[value] = shown
            return shown
        if type(value) is float and value.is_integer():  # the model reads 3.0 as 3
            return str(int(value))
        return self.esc(value) if type(value) is str else md_cell(value)

    def kind(self, meeting: Doc) -> _Kind:
        first = meeting.get("kind") == "first"
        found = self._kinds.get(first)
        if found is None:
            found = self._kinds[first] = _Kind(self, first)
        return found

    def table(self, spec: ListSpec, *, added: bool = False, without: str = "") -> _Table:
        key = (spec.id, added, without)
        table = self._tables.get(key)
        if table is None:
            cols = [c for c in spec.columns if c.id != without]
            labels = [c.label for c in cols] + (["Added"] if added else [])
            is_bool = [c.kind == "bool" for c in cols]
            cells = [self._bools if b else self._cells for b in is_bool]
            table = _Table(labels, [c.id for c in cols], is_bool, without, cells, added)
            self._tables[key] = table
        return table

    # ---- tables -------------------------------------------------------------------

    def rows(self, table: _Table, rows: list[Doc], meeting_id: str | None = None) -> str:
        """A Markdown table of `rows`. Rows that came from another meeting than `meeting_id`
        are marked with the day they were added.

        Tables are most of the work of an export, so the loops over rows and cells are left
        to C: nearly every cell was met before and is one dict lookup."""
        try:
            values_of = list(map(_VALUES, rows))
        except KeyError:  # a row stored without values: the model's default is none
            values_of = [row.get("values", _EMPTY) for row in rows]
        ids = table.ids
        if not ids or not rows:
            return self._table(table, rows, meeting_id)
        try:
            picked: list[tuple[CellValue, ...]] | None = list(map(table.pick, values_of))
        except KeyError:  # rows without some columns (an untouched checklist, say)
            picked = None
        # Rows holding just the table's columns, or no others than the guide's: the usual case.
        if picked is None or sum(map(len, values_of)) != len(ids) * len(rows):
            if not table.id_set.issuperset(chain.from_iterable(values_of)):
                return self._table(table, rows, meeting_id)  # with columns the guide no longer has
            if picked is None:
                picked = [tuple(map(values.get, ids)) for values in values_of]
        cells = list(map(list, map(map, _GETS, table.known, picked)))
        if meeting_id is not None:
            origins = list(map(_dict_get, rows, _ORIGIN))
            if origins.count(None) + origins.count(meeting_id) != len(origins):  # some came from earlier
                marks = self._marks
                for n, origin in enumerate(origins):
                    if origin is not None and origin != meeting_id:
                        added = rows[n].get("added")
                        mark = marks.get(added) or self.mark(added)
                        row_cells = cells[n]
                        first = row_cells[0]
                        if first is None:
                            first = self.cell(picked[n][0], table.is_bool[0])
                        row_cells[0] = first + mark if first else mark[1:]
        try:
            lines = list(map(_join_cells, cells))
        except TypeError:  # None: cells not met before
            cell = self.cell
            for row_cells, values in zip(cells, picked):
                if None in row_cells:
                    row_cells[:] = [
                        c if c is not None else cell(v, b) for c, v, b in zip(row_cells, values, table.is_bool)
                    ]
            lines = list(map(_join_cells, cells))
        if table.added:
            lines = [f"{line} | {self.day(row.get('added'))}" for line, row in zip(lines, rows)]
        return f"{table.header}| {_ROW_BREAK.join(lines)} |\n\n"

    def mark(self, added: str | None) -> str:
        """What follows the first cell of a row carried forward from an earlier meeting."""
        mark = f" _(from {self.day(added)})_"
        if added is not None:  # "today" is not for keeping
            self._marks[added] = mark
        return mark

    def _table(self, table: _Table, rows: list[Doc], meeting_id: str | None) -> str:
        """One table, row by row; stored columns the guide no longer names are kept."""
        values_of = _values_of(rows)
        ids, is_bool = table.ids, table.is_bool
        extra: list[str] = []
        for values in values_of:
            for key in values:
                if key not in table.id_set and key not in extra:
                    extra.append(key)
        if extra:
            n = len(ids)
            ids = ids + extra
            is_bool = is_bool + [False] * len(extra)
            header = _header(table.labels[:n] + [md_cell(k) for k in extra] + table.labels[n:])
        elif ids:
            header = table.header
        else:
            return f"{len(rows)} empty row(s).\n\n"
        out = [header]
        for row, values in zip(rows, values_of):
            cells = [self.cell(values.get(i), b) for i, b in zip(ids, is_bool)]
            origin = row.get("origin")
            if meeting_id is not None and origin is not None and origin != meeting_id:
                mark = f"_(from {self.day(row.get('added'))})_"
                cells[0] = f"{cells[0]} {mark}" if cells[0] else mark
            if table.added:
                cells.append(self.day(row.get("added")))
            out.append(f"| {_join_cells(cells)} |\n")
        out.append("\n")
        return "".join(out)

    # ---- pieces -----------------------------------------------------------------

    def meeting(self, meeting: Doc, code: str, level: int) -> None:
        kind = self.kind(meeting)
        records: dict[str, Doc] = meeting.get("steps") or _EMPTY
        what = "first meeting" if meeting.get("kind") == "first" else "review"
        started = _when(meeting["started"])
        finalised_at = meeting.get("finalised_at")
        if finalised_at is not None:
            status = f"Finalised by {self.esc(meeting.get('finalised_by') or 'unknown')} on {_when(finalised_at)}"
        else:
            status = "Not finalised (draft)"
        # The state of each step the guide has for this kind of meeting; no record is pending.
        key = tuple(map(_dict_get, map(records.get, kind.ids, _NO_RECORD), _STATE, _PENDING))
        states = kind.states.get(key)
        if states is None:
            states = kind.states[key] = ", ".join(f"{p.title} ({s})" for p, s in zip(kind.plans, key))
        present = meeting.get("present")
        self.out.append(
            f"{_heading(level)}{self.esc(code)} — {what}, {started}\n\n"
            f"- **Meeting:** {what} (id {md_cell(meeting.get('id', ''))})\n"
            f"- **Started:** {started}\n"
            f"- **Mode:** {meeting.get('mode', 'in person')}\n"
            f"- **Also present:** {(present and _names(present)) or 'nobody else recorded'}\n"
            f"- **Duration:** {_duration(meeting.get('active_seconds', 0))}\n"
            f"- **Status:** {status}\n"
            f"- **Steps:** {states}\n\n"
        )
        sub = _heading(level + 1)
        meeting_id = meeting.get("id", "")
        for plan in kind.plans:
            record = records.get(plan.id)
            if record is not None:
                self.step(meeting_id, plan, record, sub)
        if not kind.shown.issuperset(records):  # steps the guide no longer has, or not for this kind
            for step_id, record in records.items():
                if step_id not in kind.shown:
                    try:
                        step: Step | None = self.guide.step(step_id)
                    except KeyError:
                        step = None
                    self.step(meeting_id, _Plan(self, step, step_id), record, sub)
        addenda = meeting.get("addenda")
        if addenda:
            out = self.out
            out.append(f"{sub}Addenda\n\n")
            for addendum in addenda:
                body = md_text(addendum["text"])
                head = f"**{_when(addendum['at'])}, by {md_cell(addendum['by'])}:**"
                out.append(f"{head}\\\n{body}\n\n" if body else f"{head}\n\n")

    def step(self, meeting_id: str, plan: _Plan, record: Doc, sub: str) -> None:
        """A step's section, left out when nothing was recorded in it."""
        answers: list[str] = []
        fields = record.get("fields")
        if fields:
            for field_id, head in plan.fields:
                value = fields.get(field_id)
                if value and not value.isspace():
                    answers.append(f"{head}{md_text(value)}\n\n")
            if not plan.field_ids.issuperset(fields):
                for key, value in fields.items():
                    if key not in plan.field_ids and value and not value.isspace():
                        answers.append(f"**{md_cell(key)}:** {md_text(value)}\n\n")
        notes = record.get("notes")
        noted = bool(notes) and not notes.isspace()
        content = noted or bool(answers)
        tables: list[tuple[str, _Table, list[Doc]]] = []
        lists = record.get("lists")
        if lists:
            for list_id, head, table, fixed in plan.lists:
                rows = lists.get(list_id)
                if rows:
                    tables.append((head, table, rows))
                    # An untouched checklist is only the guide's own text.
                    content = content or fixed is None or _filled(rows, fixed)
            if not plan.list_ids.issuperset(lists):
                for key, rows in lists.items():
                    if key not in plan.list_ids and rows:
                        tables.append((f"**{md_cell(key)}**\n\n", _NO_TABLE, rows))
                        content = True
        if not content:
            return
        out = self.out
        state = record.get("state", "pending")
        head = plan.heads.get((sub, state))
        if head is None:
            head = plan.heads[sub, state] = f"{sub}{plan.title} — {state}\n\n"
        out.append(head)
        out += answers
        for head, table, rows in tables:
            out.append(head)
            out.append(self.rows(table, rows, meeting_id))
        if noted:
            out.append(f"{plan.notes_head}{md_text(notes)}\n\n")

    def client(self, client: Client, meetings: list[Doc], level: int) -> None:
        """A client's summary, lists and open actions, then `meetings` (stored, in date order)."""
        out = self.out
        latest = meetings[-1] if meetings else None
        if latest is not None:
            count = f"{len(meetings)} (first {_when(meetings[0]['started'])}, latest {_when(latest['started'])})"
        else:
            count = "none yet"
        out.append(
            f"{_heading(level)}Client: {self.esc(client.code)}\n\n"
            f"- **Significant others:** {_names(client.significant_others) or 'none recorded'}\n"
            f"- **Meetings:** {count}\n"
        )
        if latest is not None:
            out.append(f"- **Next meeting:** {self.next_meeting(latest)}\n")
        out.append("\n")
        if client.note and not client.note.isspace():
            out.append(f"**Note:**\n\n{md_text(client.note)}\n\n")
        if latest is None:
            return
        sub, subsub = _heading(level + 1), _heading(level + 2)
        kind = self.kind(latest)
        records: dict[str, Doc] = latest.get("steps") or _EMPTY
        out.append(f"{sub}Carried-forward lists\n\n_As they stand after the meeting of {_when(latest['started'])}._\n\n")
        for step_id, spec, label in kind.carried:
            out.append(f"{subsub}{label}\n\n")
            record = records.get(step_id)
            rows = record.get("lists", _EMPTY).get(spec.id) if record is not None else None
            if rows:
                out.append(self.rows(self.table(spec, added=True), rows))
            else:
                out.append("None recorded.\n\n")
        out.append(f"{sub}Open action items\n\n")
        # Rows of carry = "open" lists not yet done, in the latest meeting: the actions still owed.
        by_spec: dict[str, tuple[ListSpec, list[Doc]]] = {}
        for step_id, spec in kind.actions:
            done = spec.done_column or ""
            for row in (records.get(step_id) or _EMPTY).get("lists", _EMPTY).get(spec.id, ()):
                if not row.get("values", _EMPTY).get(done):
                    by_spec.setdefault(spec.id, (spec, []))[1].append(row)
        if not by_spec:
            out.append("None open.\n\n")
        for spec, rows in by_spec.values():
            if len(by_spec) > 1:
                out.append(f"**{md_cell(spec.label)}**\n\n")
            out.append(self.rows(self.table(spec, added=True, without=spec.done_column or ""), rows))
        for meeting in meetings:
            self.meeting(meeting, client.code, level + 1)

    def next_meeting(self, meeting: Doc) -> str:
        """The date in the guide's "next_meeting" date field of the meeting."""
        records: dict[str, Doc] = meeting.get("steps") or _EMPTY
        step_id = self.kind(meeting).next_step
        if step_id is None:
            return "not set"
        value = (records.get(step_id) or _EMPTY).get("fields", _EMPTY).get("next_meeting")
        if not value:
            return "not set"
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:  # not an ISO date: show what was stored rather than lose it
            for record in records.values():
                if record.get("fields", _EMPTY).get("next_meeting"):
                    return md_cell(record["fields"]["next_meeting"])
            return "not set"


def _client_code(store: Store, client_id: str) -> str:
    client = store.client(client_id)
    return client.code if client is not None else f"(unknown client {client_id})"


# ---- public -----------------------------------------------------------------------


def meeting_markdown(guide: MeetingGuide, store: Store, meeting: Meeting, *, level: int = 1) -> str:
    """One meeting as a Markdown document; `level` is the depth of its top heading."""
    from .models import dump

    export = _Export(guide)
    export.meeting(dump(meeting), _client_code(store, meeting.client_id), level)
    return export.text()


def client_markdown(guide: MeetingGuide, store: Store, client: Client, *, level: int = 1) -> str:
    """A client's summary, current lists and open actions, then every meeting in date order."""
    with gc_paused():
        export = _Export(guide)
        meetings = _in_date_order([m for m in store.raw_meetings() if m.get("client_id") == client.id])
        export.client(client, meetings, level)
        return export.text()


def all_markdown(guide: MeetingGuide, store: Store) -> str:
    """Every client, by code, each with all their meetings, under one title."""
    with gc_paused():
        clients = sorted(store.clients(), key=lambda c: (c.code.casefold(), c.code, c.id))
        by_client: dict[str, list[Doc]] = {}
        for meeting in _in_date_order(store.raw_meetings()):  # stored dicts: no models to build
            by_client.setdefault(meeting.get("client_id", ""), []).append(meeting)
        total = sum(map(len, by_client.values()))
        export = _Export(guide)
        export.out.append(f"# {md_cell(guide.title)}: all records\n\n{len(clients)} clients, {total} meetings.\n\n")
        for client in clients:
            export.client(client, by_client.pop(client.id, []), 2)
        if by_client:  # meetings whose client record is gone: keep them in the export
            export.out.append("## Meetings without a client record\n\n")
            for client_id, meetings in by_client.items():
                for meeting in meetings:
                    export.meeting(meeting, f"(unknown client {client_id})", 3)
        return export.text()


def write_export(path: Path, text: str) -> None:
    """Write an export for its owner's eyes only (0600), atomically: a crash leaves the old file
    or the new one. Raises OSError, whose strerror says what went wrong."""
    if not text.endswith("\n"):
        text += "\n"
    write_private(Path(path), text.encode("utf-8"))
