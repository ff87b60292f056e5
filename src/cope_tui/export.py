"""Markdown exports of meetings and clients, to print, share or archive.

Pure functions: they read the store and return text; nothing is changed.

Every string a user typed goes through `md_text` (paragraphs) or `md_cell` (one
line: table cells, headings, list items). Both strip terminal control characters
and escape sequences, and escape Markdown so that typed text can never become a
heading, list, table column, link, HTML or an instruction to the terminal.

Exports of a whole DB must stay quick, so the guide's labels and tables are
worked out once per export and texts that recur (carried rows, choices) are
escaped once.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from .guide import ColumnKind, ListSpec, MeetingGuide, Step
from .meetings import carried_from, next_meeting_date, open_actions, steps_of
from .models import CellValue, Client, Meeting, MeetingKind, Row, StepRecord, StepState
from .storage import Store, gc_paused, write_private

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
    if type(text) is str and _PLAIN.fullmatch(text):
        return text.rstrip()
    out: list[str] = []
    blank = False
    for line in _escape_inline(clean(text)).split("\n"):
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

_STATE = {state: state.value for state in StepState}


def _when(moment: datetime) -> str:
    return moment.isoformat(" ", "minutes")


def _day(day: date) -> str:
    return day.isoformat()


def _duration(seconds: int) -> str:
    minutes = max(0, int(seconds)) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def _heading(level: int) -> str:
    return "#" * min(max(level, 1), 6) + " "


def _names(names: list[str]) -> str:
    return ", ".join(shown for shown in map(md_cell, names) if shown)


def _header(labels: list[str]) -> str:
    return f"| {' | '.join(labels)} |\n|{' --- |' * len(labels)}\n"


class _Table:
    """A list's columns as a Markdown table header, worked out once per export."""

    __slots__ = ("ids", "id_set", "is_bool", "columns", "labels", "header")

    def __init__(self, labels: list[str], ids: list[str], is_bool: list[bool], hidden: str = ""):
        self.ids = ids
        # Values not to show, and not to mistake for columns the guide no longer has.
        self.id_set = frozenset(ids) | {hidden}
        self.is_bool = is_bool
        self.columns = list(zip(ids, is_bool))
        self.labels = [md_cell(label) or " " for label in labels]
        self.header = _header(self.labels)


_NO_TABLE = _Table([], [], [])


class _Plan:
    """What a step of the guide looks like in an export: escaped labels, tables."""

    __slots__ = ("id", "title", "fields", "field_ids", "lists", "list_ids", "notes_label")

    def __init__(self, export: _Export, step: Step | None, step_id: str):
        self.id = step_id
        if step is None:  # a record of a step the guide no longer has: keep it all
            self.title = f"{md_cell(step_id)} (not in the current guide)"
            self.fields: list[tuple[str, str]] = []
            self.lists: list[tuple[str, str, _Table, frozenset[str] | None]] = []
            self.notes_label = "Notes"
        else:
            self.title = md_cell(step.title)
            self.fields = [(f.id, md_cell(f.label)) for f in step.fields]
            self.lists = [(s.id, md_cell(s.label), export.table(s), _checklist_fixed(s)) for s in step.lists]
            self.notes_label = md_cell(step.notes_label)
        self.field_ids = frozenset(f for f, _ in self.fields)
        self.list_ids = frozenset(s for s, *_ in self.lists)


def _checklist_fixed(spec: ListSpec) -> frozenset[str] | None:
    """For a checklist, the columns the guide fills in; None for lists users fill."""
    if not spec.fixed:
        return None
    return frozenset({spec.columns[0].id} | {c.id for c in spec.columns if c.readonly})


def _filled(rows: list[Row], fixed: frozenset[str]) -> bool:
    return any(v not in (None, "", False) and k not in fixed for row in rows for k, v in row.values.items())


class _Export:
    """One export run: the guide plus what was worked out from it so far."""

    def __init__(self, guide: MeetingGuide):
        self.guide = guide
        self._tables: dict[tuple[str, bool, str], _Table] = {}
        self._plans: dict[bool, tuple[list[_Plan], frozenset[str]]] = {}
        self._cells: dict[str, str] = {}

    def esc(self, text: str) -> str:
        """md_cell, remembered: codes, names and carried rows recur in every meeting."""
        found = self._cells.get(text)
        if found is None:
            found = self._cells[text] = md_cell(text)
        return found

    def cell(self, value: CellValue, is_bool: bool) -> str:
        if is_bool or value is True or value is False:
            return "yes" if value else "no"
        if value is None or value == "":
            return ""
        if isinstance(value, int):
            return str(value)
        return self.esc(value)

    def plans(self, meeting: Meeting) -> tuple[list[_Plan], frozenset[str]]:
        first = meeting.kind is MeetingKind.FIRST
        found = self._plans.get(first)
        if found is None:
            plans = [_Plan(self, step, step.id) for step in steps_of(self.guide, meeting)]
            found = self._plans[first] = (plans, frozenset(p.id for p in plans))
        return found

    def table(self, spec: ListSpec, *, added: bool = False, without: str = "") -> _Table:
        key = (spec.id, added, without)
        table = self._tables.get(key)
        if table is None:
            cols = [c for c in spec.columns if c.id != without]
            labels = [c.label for c in cols] + (["Added"] if added else [])
            table = _Table(labels, [c.id for c in cols], [c.kind is ColumnKind.BOOL for c in cols], without)
            self._tables[key] = table
        return table

    # ---- pieces -----------------------------------------------------------------

    def rows(
        self,
        out: list[str],
        table: _Table,
        rows: list[Row],
        *,
        meeting: Meeting | None = None,
        added: bool = False,
    ) -> None:
        """A Markdown table; stored columns the guide no longer names are kept."""
        columns = table.columns
        extra: list[str] = []
        id_set = table.id_set
        for row in rows:
            if not id_set.issuperset(row.values):
                for key in row.values:
                    if key not in id_set and key not in extra:
                        extra.append(key)
        if extra:
            n = len(columns)
            columns = columns + [(key, False) for key in extra]
            out.append(_header(table.labels[:n] + [md_cell(k) for k in extra] + table.labels[n:]))
        elif columns:
            out.append(table.header)
        else:
            out.append(f"{len(rows)} empty row(s).\n\n")
            return
        cell, known_cells = self.cell, self._cells
        for row in rows:
            values = row.values
            # Most cells are texts seen before: one dict lookup each.
            cells = [
                hit if type(v := values.get(i)) is str and (hit := known_cells.get(v)) is not None else cell(v, b)
                for i, b in columns
            ]
            if meeting is not None and carried_from(meeting, row):
                mark = f"_(from {_day(row.added)})_"
                cells[0] = f"{cells[0]} {mark}" if cells[0] else mark
            if added:
                cells.append(_day(row.added))
            out.append(f"| {' | '.join(cells)} |\n")
        out.append("\n")

    def meeting(self, out: list[str], meeting: Meeting, code: str, level: int) -> None:
        plans, shown = self.plans(meeting)
        records = meeting.steps
        kind = "first meeting" if meeting.kind is MeetingKind.FIRST else "review"
        started = _when(meeting.started)
        if meeting.finalised_at is not None:
            status = f"Finalised by {md_cell(meeting.finalised_by or 'unknown')} on {_when(meeting.finalised_at)}"
        else:
            status = "Not finalised (draft)"
        states = ", ".join(
            f"{p.title} ({_STATE[r.state] if (r := records.get(p.id)) is not None else 'pending'})" for p in plans
        )
        out.append(
            f"{_heading(level)}{self.esc(code)} — {kind}, {started}\n\n"
            f"- **Meeting:** {kind} (id {md_cell(meeting.id)})\n"
            f"- **Started:** {started}\n"
            f"- **Mode:** {meeting.mode.value}\n"
            f"- **Also present:** {_names(meeting.present) or 'nobody else recorded'}\n"
            f"- **Duration:** {_duration(meeting.active_seconds)}\n"
            f"- **Status:** {status}\n"
            f"- **Steps:** {states}\n\n"
        )
        sub = _heading(level + 1)
        for plan in plans:
            record = records.get(plan.id)
            if record is not None:
                self.step(out, meeting, plan, record, sub)
        if not shown.issuperset(records):  # steps the guide no longer has, or not for this kind
            for step_id, record in records.items():
                if step_id not in shown:
                    try:
                        step: Step | None = self.guide.step(step_id)
                    except KeyError:
                        step = None
                    self.step(out, meeting, _Plan(self, step, step_id), record, sub)
        if meeting.addenda:
            out.append(f"{sub}Addenda\n\n")
            for addendum in meeting.addenda:
                body = md_text(addendum.text)
                head = f"**{_when(addendum.at)}, by {md_cell(addendum.by)}:**"
                out.append(f"{head}\\\n{body}\n\n" if body else f"{head}\n\n")

    def step(self, out: list[str], meeting: Meeting, plan: _Plan, record: StepRecord, sub: str) -> None:
        """A step's section, left out when nothing was recorded in it."""
        start = len(out)
        out.append(f"{sub}{plan.title} — {_STATE[record.state]}\n\n")
        content = False
        fields = record.fields
        if fields:
            for field_id, label in plan.fields:
                value = fields.get(field_id)
                if value and not value.isspace():
                    out.append(f"**{label}:** {md_text(value)}\n\n")
                    content = True
            if not plan.field_ids.issuperset(fields):
                for key, value in fields.items():
                    if key not in plan.field_ids and value and not value.isspace():
                        out.append(f"**{md_cell(key)}:** {md_text(value)}\n\n")
                        content = True
        lists = record.lists
        if lists:
            for list_id, label, table, fixed in plan.lists:
                rows = lists.get(list_id)
                if rows:
                    out.append(f"**{label}**\n\n")
                    self.rows(out, table, rows, meeting=meeting)
                    # An untouched checklist is only the guide's own text.
                    content = content or fixed is None or _filled(rows, fixed)
            if not plan.list_ids.issuperset(lists):
                for key, rows in lists.items():
                    if key not in plan.list_ids and rows:
                        out.append(f"**{md_cell(key)}**\n\n")
                        self.rows(out, _NO_TABLE, rows, meeting=meeting)
                        content = True
        notes = record.notes
        if notes and not notes.isspace():
            out.append(f"**{plan.notes_label}:**\n\n{md_text(notes)}\n\n")
            content = True
        if not content:
            del out[start:]

    def client(self, out: list[str], client: Client, meetings: list[Meeting], level: int) -> None:
        """`meetings` are fresh from the store: open_actions and next_meeting_date may add
        empty step records to them (setdefault), which changes nothing shown."""
        latest = meetings[-1] if meetings else None
        if latest is not None:
            count = f"{len(meetings)} (first {_when(meetings[0].started)}, latest {_when(latest.started)})"
        else:
            count = "none yet"
        out.append(
            f"{_heading(level)}Client: {self.esc(client.code)}\n\n"
            f"- **Significant others:** {_names(client.significant_others) or 'none recorded'}\n"
            f"- **Meetings:** {count}\n"
        )
        if latest is not None:
            out.append(f"- **Next meeting:** {_next_meeting(self.guide, latest)}\n")
        out.append("\n")
        if client.note and not client.note.isspace():
            out.append(f"**Note:**\n\n{md_text(client.note)}\n\n")
        if latest is None:
            return
        sub, subsub = _heading(level + 1), _heading(level + 2)
        records = latest.steps
        out.append(f"{sub}Carried-forward lists\n\n_As they stand after the meeting of {_when(latest.started)}._\n\n")
        for step in steps_of(self.guide, latest):
            record = records.get(step.id)
            for spec in step.lists:
                if spec.carry != "all":
                    continue  # carry = "open" lists are the action items, below
                out.append(f"{subsub}{md_cell(spec.label)}\n\n")
                rows = record.lists.get(spec.id) if record is not None else None
                if rows:
                    self.rows(out, self.table(spec, added=True), rows, added=True)
                else:
                    out.append("None recorded.\n\n")
        out.append(f"{sub}Open action items\n\n")
        by_spec: dict[str, tuple[ListSpec, list[Row]]] = {}
        for spec, row in open_actions(self.guide, latest):
            by_spec.setdefault(spec.id, (spec, []))[1].append(row)
        if not by_spec:
            out.append("None open.\n\n")
        for spec, rows in by_spec.values():
            if len(by_spec) > 1:
                out.append(f"**{md_cell(spec.label)}**\n\n")
            self.rows(out, self.table(spec, added=True, without=spec.done_column or ""), rows, added=True)
        for meeting in meetings:
            self.meeting(out, meeting, client.code, level + 1)


def _next_meeting(guide: MeetingGuide, meeting: Meeting) -> str:
    try:
        when = next_meeting_date(guide, meeting)
    except ValueError:  # not an ISO date: show what was stored rather than lose it
        for record in meeting.steps.values():
            if record.fields.get("next_meeting"):
                return md_cell(record.fields["next_meeting"])
        return "not set"
    return _day(when) if when else "not set"


def _client_code(store: Store, client_id: str) -> str:
    client = store.client(client_id)
    return client.code if client is not None else f"(unknown client {client_id})"


# ---- public -----------------------------------------------------------------------


def meeting_markdown(guide: MeetingGuide, store: Store, meeting: Meeting, *, level: int = 1) -> str:
    """One meeting as a Markdown document; `level` is the depth of its top heading."""
    out: list[str] = []
    _Export(guide).meeting(out, meeting, _client_code(store, meeting.client_id), level)
    return "".join(out)


def client_markdown(guide: MeetingGuide, store: Store, client: Client, *, level: int = 1) -> str:
    """A client's summary, current lists and open actions, then every meeting in date order."""
    out: list[str] = []
    with gc_paused():
        _Export(guide).client(out, client, store.meetings(client.id), level)
        return "".join(out)


def all_markdown(guide: MeetingGuide, store: Store) -> str:
    """Every client, by code, each with all their meetings, under one title."""
    out: list[str] = []
    with gc_paused():
        clients = sorted(store.clients(), key=lambda c: (c.code.casefold(), c.code, c.id))
        by_client: dict[str, list[Meeting]] = {}
        for meeting in store.meetings():  # one read, already in date order
            by_client.setdefault(meeting.client_id, []).append(meeting)
        total = sum(map(len, by_client.values()))
        out.append(f"# {md_cell(guide.title)}: all records\n\n{len(clients)} clients, {total} meetings.\n\n")
        export = _Export(guide)
        for client in clients:
            export.client(out, client, by_client.pop(client.id, []), 2)
        if by_client:  # meetings whose client record is gone: keep them in the export
            out.append("## Meetings without a client record\n\n")
            for client_id, meetings in by_client.items():
                for meeting in meetings:
                    export.meeting(out, meeting, f"(unknown client {client_id})", 3)
        return "".join(out)


def write_export(path: Path, text: str) -> None:
    """Write an export for its owner's eyes only (0600), atomically: a crash leaves the old file
    or the new one. Raises OSError, whose strerror says what went wrong."""
    if not text.endswith("\n"):
        text += "\n"
    write_private(Path(path), text.encode("utf-8"))
