"""The Markdown renderer behind documents.py: works on stored records as saved.

Kept apart from the public functions so each file does one job.
"""


from __future__ import annotations

from datetime import date
from itertools import chain
from typing import TYPE_CHECKING, Any

from ..mdsafe import md_cell, md_text
from ..store.store import Store
from .format import (
    EMPTY,
    GETS,
    NO_RECORD,
    NO_TABLE,
    ORIGIN,
    PENDING,
    ROW_BREAK,
    STATE,
    VALUES,
    Cells,
    KindPlan,
    StepPlan,
    Table,
    day_text,
    dict_get,
    duration,
    filled,
    heading,
    join_cells,
    minute_text,
    names_text,
    table_header,
    values_of_rows,
)
from ..words import counted

if TYPE_CHECKING:
    from ..content.meeting_guide import ListSpec, MeetingGuide, Step
    from ..records import CellValue
    from ..meetings.models import Client

# A stored record, as `models.dump` writes it; read, never changed.
Doc = dict[str, Any]



class ExportRun:
    """One export run: the meeting guide, the text so far, and what was worked out for it.

    It renders stored meetings (dicts as `models.dump` writes them) and never changes them."""

    def __init__(self, meeting_guide: MeetingGuide):
        self.meeting_guide = meeting_guide
        self.out: list[str] = []
        self._tables: dict[tuple[str, bool, str], Table] = {}
        self._kinds: dict[bool, KindPlan] = {}
        self._other_steps: dict[str, StepPlan] = {}
        # Cells of text and number columns: md_cell of every text seen so far, no value at
        # all, and numbers but 0 and 1 (see `Cells`).
        self._cells: Cells = {None: ""}
        # Cells of yes/no columns: any value equal to one of these is as true or false as it is.
        self._bools: Cells = {True: "yes", False: "no", None: "no", "": "no"}
        self._days: dict[object, str] = {}
        self._marks: dict[object, str] = {}
        # Tables already rendered, by table and the identity of their rows: see `rows`.
        self._rendered: dict[tuple[int, ...], tuple[list[Doc], list[Any], str]] = {}
        # Set when a row without a stored date was shown as added today: that text holds
        # only today (what export --all keeps of a client is keyed by it: kept_export.py).
        self.dated = False

    def text(self) -> str:
        """The export so far, as one text."""
        return "".join(self.out)

    def take(self) -> str:
        """The export since the last take, as one text; what the run worked out is kept."""
        text = "".join(self.out)
        self.out.clear()
        return text

    def esc(self, text: str) -> str:
        """md_cell, remembered: codes, names and carried rows recur in every meeting."""
        found = self._cells.get(text)
        if found is None:
            found = self._cells[text] = md_cell(text)
        return found

    def day(self, day: str | None) -> str:
        """day_text, remembered: rows carried forward keep the day they were added."""
        found = self._days.get(day)
        if day is None:
            self.dated = True
        if found is None:
            found = day_text(day)
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
            if value not in (0, 1):  # 0 and 1 are the keys False and True: see `Cells`
                self._cells[value] = shown
            return shown
        if type(value) is float and value.is_integer():  # the model reads 3.0 as 3
            return str(int(value))
        return self.esc(value) if type(value) is str else md_cell(value)

    def kind(self, meeting: Doc) -> KindPlan:
        first = meeting.get("kind") == "first"
        found = self._kinds.get(first)
        if found is None:
            found = self._kinds[first] = KindPlan(self, first)
        return found

    def other_step(self, step_id: str) -> StepPlan:
        """The plan of a stored step this kind of meeting does not have, or the meeting guide
        no longer has, worked out once per export (6 in 10 demo meetings are reviews that
        carry the first meeting's boundaries step, and each worked its plan out again)."""
        found = self._other_steps.get(step_id)
        if found is None:
            try:
                step: Step | None = self.meeting_guide.step(step_id)
            except KeyError:
                step = None
            found = self._other_steps[step_id] = StepPlan(self, step, step_id)
        return found

    def table(self, spec: ListSpec, *, added: bool = False, without: str = "") -> Table:
        key = (spec.id, added, without)
        table = self._tables.get(key)
        if table is None:
            cols = [c for c in spec.columns if c.id != without]
            labels = [c.label for c in cols] + (["Added"] if added else [])
            is_bool = [c.kind == "bool" for c in cols]
            cells = [self._bools if b else self._cells for b in is_bool]
            table = Table(labels, [c.id for c in cols], is_bool, without, cells, added)
            self._tables[key] = table
        return table

    # ---- tables -------------------------------------------------------------------

    def rows(self, table: Table, rows: list[Doc], meeting_id: str | None = None) -> str:
        """A Markdown table of `rows`. Rows that came from another meeting than `meeting_id`
        are marked with the day they were added.

        A list carried forward unchanged holds the very row objects of the meeting before
        (the store shares them when it reads its lean form back), so the same table of the
        same rows is rendered once and reused, unless a row of it came from this meeting
        (shown unmarked here). The rows stay referenced with the text, so no other object
        can take their ids while the run lasts."""
        key = (id(table), meeting_id is None, *map(id, rows))
        found = self._rendered.get(key)
        if found is not None and (meeting_id is None or meeting_id not in found[1]):
            return found[2]
        origins = list(map(dict_get, rows, ORIGIN))
        text = self._rows(table, rows, meeting_id, origins)
        if meeting_id is None or meeting_id not in origins:
            self._rendered[key] = (rows, origins, text)
        return text

    def _rows(self, table: Table, rows: list[Doc], meeting_id: str | None, origins: list[Any]) -> str:
        """Tables are most of the work of an export, so the loops over rows and cells are left
        to C: nearly every cell was met before and is one dict lookup."""
        try:
            values_of = list(map(VALUES, rows))
        except KeyError:  # a row stored without values: the model's default is none
            values_of = [row.get("values", EMPTY) for row in rows]
        ids = table.ids
        if not ids or not rows:
            return self._table(table, rows, meeting_id)
        try:
            picked: list[tuple[CellValue, ...]] | None = list(map(table.pick, values_of))
        except KeyError:  # rows without some columns (an untouched checklist, say)
            picked = None
        # Rows holding just the table's columns, or no others than the meeting guide's: the usual case.
        if picked is None or sum(map(len, values_of)) != len(ids) * len(rows):
            if not table.id_set.issuperset(chain.from_iterable(values_of)):
                return self._table(table, rows, meeting_id)  # with columns the meeting guide no longer has
            if picked is None:
                picked = [tuple(map(values.get, ids)) for values in values_of]
        cells = list(map(list, map(map, GETS, table.known, picked)))
        if meeting_id is not None:
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
            lines = list(map(join_cells, cells))
        except TypeError:  # None: cells not met before
            cell = self.cell
            for row_cells, values in zip(cells, picked):
                if None in row_cells:
                    row_cells[:] = [
                        c if c is not None else cell(v, b) for c, v, b in zip(row_cells, values, table.is_bool)
                    ]
            lines = list(map(join_cells, cells))
        if table.added:
            lines = [f"{line} | {self.day(row.get('added'))}" for line, row in zip(lines, rows)]
        return f"{table.header}| {ROW_BREAK.join(lines)} |\n\n"

    def mark(self, added: str | None) -> str:
        """What follows the first cell of a row carried forward from an earlier meeting."""
        mark = f" _(from {self.day(added)})_"
        if added is not None:  # "today" is not for keeping
            self._marks[added] = mark
        return mark

    def _table(self, table: Table, rows: list[Doc], meeting_id: str | None) -> str:
        """One table, row by row; stored columns the meeting guide no longer names are kept."""
        values_of = values_of_rows(rows)
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
            header = table_header(table.labels[:n] + [md_cell(k) for k in extra] + table.labels[n:])
        elif ids:
            header = table.header
        else:
            return f"{counted(len(rows), 'empty row')}.\n\n"
        out = [header]
        for row, values in zip(rows, values_of):
            cells = [self.cell(values.get(i), b) for i, b in zip(ids, is_bool)]
            origin = row.get("origin")
            if meeting_id is not None and origin is not None and origin != meeting_id:
                mark = f"_(from {self.day(row.get('added'))})_"
                cells[0] = f"{cells[0]} {mark}" if cells[0] else mark
            if table.added:
                cells.append(self.day(row.get("added")))
            out.append(f"| {join_cells(cells)} |\n")
        out.append("\n")
        return "".join(out)

    # ---- pieces -----------------------------------------------------------------

    def meeting(self, meeting: Doc, code: str, level: int, goals: list | None = None) -> None:
        """`goals`: the client's case-plan goals, for the scores given at this meeting."""
        kind = self.kind(meeting)
        records: dict[str, Doc] = meeting.get("steps") or EMPTY
        what = "first meeting" if meeting.get("kind") == "first" else "review"
        started = minute_text(meeting["started"])
        finalised_at = meeting.get("finalised_at")
        if finalised_at is not None:
            status = f"Finalised by {self.esc(meeting.get('finalised_by') or 'unknown')} on {minute_text(finalised_at)}"
            if meeting.get("content_hash"):  # what `cope-tui doctor` checks the record against
                status += f" · SHA-256 {md_cell(meeting['content_hash'])}"
        else:
            status = "Not finalised (draft)"
        # The state of each step the meeting guide has for this kind of meeting; no record is pending.
        key = tuple(map(dict_get, map(records.get, kind.ids, NO_RECORD), STATE, PENDING))
        states = kind.states.get(key)
        if states is None:
            states = kind.states[key] = ", ".join(f"{p.title} ({s})" for p, s in zip(kind.plans, key))
        present = meeting.get("present")
        self.out.append(
            f"{heading(level)}{self.esc(code)} — {what}, {started}\n\n"
            f"- **Meeting:** {what} (id {md_cell(meeting.get('id', ''))})\n"
            f"- **Started:** {started}\n"
            f"- **Mode:** {meeting.get('mode', 'in person')}\n"
            f"- **Also present:** {(present and names_text(present)) or 'nobody else recorded'}\n"
            f"- **Duration:** {duration(meeting.get('active_seconds', 0))}\n"
            f"- **Status:** {status}\n"
            f"- **Steps:** {states}\n\n"
        )
        sub = heading(level + 1)
        meeting_id = meeting.get("id", "")
        others = [] if kind.shown.issuperset(records) else [
            (self.other_step(step_id), record) for step_id, record in records.items() if step_id not in kind.shown
        ]
        for index, plan in enumerate(kind.plans):
            record = records.get(plan.id)
            if record is not None:
                self.step(meeting_id, plan, record, sub)
            if index == 0:  # the opening, where the app shows the areas carried from earlier meetings
                for other, held in others:
                    if other.held:
                        self.step(meeting_id, other, held, sub, carried=True)
        for other, record in others:  # steps the meeting guide no longer has, or not for this kind
            if not other.held:
                self.step(meeting_id, other, record, sub)
        if goals:
            from .case_plan import rated_at_markdown

            self.out.append(rated_at_markdown(goals, meeting_id, sub))
        addenda = meeting.get("addenda")
        if addenda:
            out = self.out
            out.append(f"{sub}Addenda\n\n")
            for addendum in addenda:
                body = md_text(addendum["text"])
                head = f"**{minute_text(addendum['at'])}, by {md_cell(addendum['by'])}:**"
                out.append(f"{head}\\\n{body}\n\n" if body else f"{head}\n\n")

    def step(self, meeting_id: str, plan: StepPlan, record: Doc, sub: str, *, carried: bool = False) -> None:
        """A step's section, left out when nothing was recorded in it. `carried`: a checklist's
        areas carried from earlier meetings into one without that step (a review): its own
        state says nothing ("pending", of a step the meeting does not have)."""
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
        tables: list[tuple[str, Table, list[Doc]]] = []
        lists = record.get("lists")
        if lists:
            for list_id, head, table, fixed in plan.lists:
                rows = lists.get(list_id)
                if rows:
                    tables.append((head, table, rows))
                    # An untouched checklist is only the meeting guide's own text.
                    content = content or fixed is None or filled(rows, fixed)
            if not plan.list_ids.issuperset(lists):
                for key, rows in lists.items():
                    if key not in plan.list_ids and rows:
                        tables.append((f"**{md_cell(key)}**\n\n", NO_TABLE, rows))
                        content = True
        if not content:
            return
        out = self.out
        state = "carried" if carried else record.get("state", "pending")
        head = plan.heads.get((sub, state))
        if head is None:
            words = "areas carried from earlier meetings" if carried else state
            head = plan.heads[sub, state] = f"{sub}{plan.title} — {words}\n\n"
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
            count = f"{len(meetings)} (first {minute_text(meetings[0]['started'])}, latest {minute_text(latest['started'])})"
        else:
            count = "none yet"
        out.append(
            f"{heading(level)}Client: {self.esc(client.code)}\n\n"
            f"- **Significant others:** {names_text(client.significant_others) or 'none recorded'}\n"
            f"- **Meetings:** {count}\n"
        )
        if latest is not None:
            out.append(f"- **Next meeting:** {self.next_for(client, latest)}\n")
        from .handover import journey_markdown

        out.append(journey_markdown(client))
        if client.note and not client.note.isspace():
            out.append(f"**Note:**\n\n{md_text(client.note)}\n\n")
        if client.goals:  # the case plan (issue 5): goals, ratings, trend
            from .case_plan import case_plan_markdown

            out.append(case_plan_markdown(client, level + 1))
        if latest is None:
            return
        sub, subsub = heading(level + 1), heading(level + 2)
        kind = self.kind(latest)
        records: dict[str, Doc] = latest.get("steps") or EMPTY
        out.append(f"{sub}Carried-forward lists\n\n_As they stand after the meeting of {minute_text(latest['started'])}._\n\n")
        for step_id, spec, label in kind.carried:
            out.append(f"{subsub}{label}\n\n")
            record = records.get(step_id)
            rows = record.get("lists", EMPTY).get(spec.id) if record is not None else None
            if rows:
                out.append(self.rows(self.table(spec, added=True), rows))
            else:
                out.append("None recorded.\n\n")
        self.open_decisions(records, sub)
        out.append(f"{sub}Open action items\n\n")
        # Rows of carry = "open" lists not yet done, in the latest meeting: the actions still owed.
        by_spec: dict[str, tuple[ListSpec, list[Doc]]] = {}
        for step_id, spec in kind.actions:
            done = spec.done_column or ""
            for row in (records.get(step_id) or EMPTY).get("lists", EMPTY).get(spec.id, ()):
                if not row.get("values", EMPTY).get(done) and row.get("id") not in client.followups:
                    by_spec.setdefault(spec.id, (spec, []))[1].append(row)
        if not by_spec:
            out.append("None open.\n\n")
        for spec, rows in by_spec.values():
            if len(by_spec) > 1:
                out.append(f"**{md_cell(spec.label)}**\n\n")
            out.append(self.rows(self.table(spec, added=True, without=spec.done_column or ""), rows))
        if client.followups:  # ticked off on the client record since (issue 5)
            from .follow_through import ticked_markdown

            out.append(ticked_markdown(client, meetings, level + 1))
        for meeting in meetings:
            self.meeting(meeting, client.code, level + 1, client.goals)

    def open_decisions(self, records: dict[str, Doc], sub: str) -> None:
        """Checklist areas of the latest meeting not yet agreed (undecided, or deferred with
        a reason): each later meeting carries them in its opening until they are agreed."""
        from ..meetings.rules import agreement_of

        found: list[tuple[ListSpec, list[Doc]]] = []
        for step in self.meeting_guide.steps:
            lists = (records.get(step.id) or EMPTY).get("lists", EMPTY) if step.done_rule == "all_decided" else EMPTY
            for spec in step.lists:
                agreed = agreement_of(spec)
                rows = [r for r in lists.get(spec.id, ()) if r.get("values", EMPTY).get(spec.decision) != agreed]
                if agreed is not None and rows:
                    found.append((spec, rows))
        if found:
            self.out.append(f"{sub}Still to agree\n\n")
        for spec, rows in found:
            self.out.append(f"**{md_cell(spec.label)}**\n\n{self.rows(self.table(spec), rows)}")

    def next_for(self, client: Client, latest: Doc) -> str:
        """None for a closed client: the date their last meeting set is not one now."""
        if client.closed_at is not None:
            return f"none, closed on {client.closed_at:%Y-%m-%d}"
        return self.next_meeting(latest)

    def next_meeting(self, meeting: Doc) -> str:
        """The date in the meeting guide's "next_meeting" date field of the meeting."""
        records: dict[str, Doc] = meeting.get("steps") or EMPTY
        step_id = self.kind(meeting).next_step
        if step_id is None:
            return "not set"
        value = (records.get(step_id) or EMPTY).get("fields", EMPTY).get("next_meeting")
        if not value:
            return "not set"
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:  # not an ISO date: show what was stored rather than lose it
            for record in records.values():
                if record.get("fields", EMPTY).get("next_meeting"):
                    return md_cell(record["fields"]["next_meeting"])
            return "not set"


def client_code(store: Store, client_id: str) -> str:
    client = store.client(client_id)
    return client.code if client is not None else f"(unknown client {client_id})"

