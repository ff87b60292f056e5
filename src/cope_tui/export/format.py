"""Formatting pieces of the Markdown export: dates, durations, table headers, and the
per-meeting-guide plans the renderer reuses for every meeting.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Protocol

from ..mdsafe import md_cell

if TYPE_CHECKING:
    from ..content.meeting_guide import ListSpec, MeetingGuide, Step
    from ..records import CellValue

# A stored record, as `models.dump` writes it; read, never changed.
Doc = dict[str, Any]

# ---- formatting -----------------------------------------------------------------

# Times and dates as `models.dump` stores them: naive ISO, to the second or microsecond.
_ISO_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EMPTY: dict[str, Any] = {}


@cache
def _adapter(kind: type) -> Any:
    """Pydantic's reading of `kind`: only for times and dates not stored as `models.dump` writes them."""
    from pydantic import TypeAdapter

    return TypeAdapter(kind)


def _moment(value: object) -> datetime:
    """A stored time read as the models read it."""
    return value if isinstance(value, datetime) else _adapter(datetime).validate_python(value)


def minute_text(moment: str | datetime) -> str:
    """A stored time as YYYY-MM-DD HH:MM (what `datetime.isoformat(" ", "minutes")` gives)."""
    if type(moment) is str and _ISO_MOMENT.fullmatch(moment):
        return f"{moment[:10]} {moment[11:16]}"
    return _moment(moment).isoformat(" ", "minutes")


def day_text(day: str | date | None) -> str:
    """A stored date as YYYY-MM-DD; a row stored without one was added today, as `Row` says."""
    if type(day) is str and len(day) == 10 and _ISO_DAY.fullmatch(day):
        return day
    if day is None:
        return date.today().isoformat()
    return (day if isinstance(day, date) else _adapter(date).validate_python(day)).isoformat()


def in_date_order(meetings: list[Doc]) -> list[Doc]:
    """Stored meetings by (started, id), as `Store.meetings` orders them."""
    if all(type(m.get("started")) is str and _ISO_MOMENT.fullmatch(m["started"]) for m in meetings):
        # Same layout throughout, so the texts sort as the times do.
        return sorted(meetings, key=lambda m: (m["started"], m.get("id", "")))
    return sorted(meetings, key=lambda m: (_moment(m.get("started")), m.get("id", "")))


def duration(seconds: int) -> str:
    minutes = max(0, int(seconds)) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def heading(level: int) -> str:
    return "#" * min(max(level, 1), 6) + " "


def names_text(names: list[str]) -> str:
    return ", ".join(shown for shown in map(md_cell, names) if shown)


def table_header(labels: list[str]) -> str:
    return f"| {' | '.join(labels)} |\n|{' --- |' * len(labels)}\n"


def values_of_rows(rows: list[Doc]) -> list[dict[str, CellValue]]:
    try:
        return list(map(VALUES, rows))
    except KeyError:  # a row stored without values: the model's default is none
        return [row.get("values", EMPTY) for row in rows]


# A column's value -> its cell, for the values met so far. Only values that cannot be taken
# for a value of another type are kept: as dict keys 1 and True are one key, but in a text
# or number column one shows as "1" and the other as "yes" (see `ExportRun.cell`).
Cells = dict[object, str]
VALUES = itemgetter("values")
ROW_BREAK = " |\n| "
join_cells = " | ".join
dict_get = dict.get
# Endless arguments for map(); they never run out, so one of each serves every call.
ORIGIN = repeat("origin")
GETS = repeat(dict.get)
STATE = repeat("state")
PENDING = repeat("pending")
NO_RECORD = repeat(EMPTY)


class Table:
    """A list's columns as a Markdown table header, worked out once per export."""

    __slots__ = ("added", "cells", "header", "id_set", "ids", "is_bool", "known", "labels", "pick")

    def __init__(
        self,
        labels: list[str],
        ids: list[str],
        is_bool: list[bool],
        hidden: str = "",
        cells: list[Cells] | None = None,
        added: bool = False,
    ):
        self.ids = ids
        # Values not to show, and not to mistake for columns the meeting guide no longer has.
        self.id_set = frozenset(ids) | {hidden}
        self.is_bool = is_bool
        self.cells = cells if cells is not None else []
        self.known = repeat(self.cells)  # endless, for map()
        # A row's values in column order, as a tuple even for one column (map() stops at the
        # shorter of its arguments); KeyError when a column is missing.
        self.pick = itemgetter(*ids) if len(ids) > 1 else itemgetter(*ids, *ids) if ids else None
        self.added = added  # a last column with the day each row was added
        self.labels = [md_cell(label) or " " for label in labels]
        self.header = table_header(self.labels)


NO_TABLE = Table([], [], [])


class Planner(Protocol):
    """What the plans are worked out from: an export run's meeting guide and its tables
    (render.ExportRun, which remembers each table it works out)."""

    meeting_guide: MeetingGuide

    def table(self, spec: ListSpec) -> Table: ...


class StepPlan:
    """What a step of the meeting guide looks like in an export: escaped labels, tables."""

    __slots__ = ("field_ids", "fields", "heads", "held", "id", "list_ids", "lists", "notes_head", "title")

    def __init__(self, export: Planner, step: Step | None, step_id: str):
        self.id = step_id
        # A checklist every area of which must be decided: a later meeting that has no such
        # step carries its open areas in its opening (meetings/rules.py's held_decisions).
        self.held = step is not None and step.done_rule == "all_decided"
        if step is None:  # a record of a step the meeting guide no longer has: keep it all
            self.title = f"{md_cell(step_id)} (not in the current guide)"  # as exports have always said
            fields: list[tuple[str, str]] = []
            lists: list[tuple[str, str, Table, frozenset[str] | None]] = []
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


class KindPlan:
    """What the meeting guide asks of one kind of meeting (first or review), worked out once per export."""

    __slots__ = ("actions", "carried", "ids", "next_step", "plans", "shown", "states")

    def __init__(self, export: Planner, first: bool):
        steps = export.meeting_guide.steps_for(first)
        self.plans = [StepPlan(export, step, step.id) for step in steps]
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
    """For a checklist, the columns the meeting guide fills in; None for lists users fill."""
    if not spec.fixed:
        return None
    return frozenset({spec.columns[0].id} | {c.id for c in spec.columns if c.readonly})


def filled(rows: list[Doc], fixed: frozenset[str]) -> bool:
    return any(v not in (None, "", False) and k not in fixed for values in values_of_rows(rows) for k, v in values.items())


