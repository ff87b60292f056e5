"""Markdown exports of meetings and clients, to print, share or archive.

Pure functions: they read the store and return text; nothing is changed.

Every string a user typed goes through `md_text` (paragraphs) or `md_cell` (one
line: table cells, headings, list items). Both strip terminal control characters
and escape sequences, and escape Markdown so that typed text can never become a
heading, list, table column, link, HTML or an instruction to the terminal.

Exports of a whole DB must stay quick, so they render the stored records as they
are (the JSON of `models.Meeting`, as `models.dump` writes it) rather than
validating every meeting into a model first, which would take most of the time.
The meeting guide's labels and tables are worked out once per export and texts that recur
(carried rows, choices) are escaped once. Stored records are only ever read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .format import Doc, in_date_order
from .render import client_code, ExportRun
from ..words import counted
from ..mdsafe import md_cell, md_text  # noqa: F401  (part of this module's API)
from ..store.store import Store, gc_paused, write_private

if TYPE_CHECKING:
    from ..content.meeting_guide import MeetingGuide
    from ..meetings.models import Client, Meeting


# ---- public -----------------------------------------------------------------------


def meeting_markdown(meeting_guide: MeetingGuide, store: Store, meeting: Meeting, *, level: int = 1) -> str:
    """One meeting as a Markdown document; `level` is the depth of its top heading."""
    from ..records import dump

    export = ExportRun(meeting_guide)
    client = store.client(meeting.client_id)
    export.meeting(dump(meeting), client_code(store, meeting.client_id), level, client.goals if client else None)
    return export.text()


def client_markdown(meeting_guide: MeetingGuide, store: Store, client: Client, *, level: int = 1) -> str:
    """A client's summary, current lists and open actions, then every meeting in date order."""
    with gc_paused():
        export = ExportRun(meeting_guide)
        meetings = in_date_order(store.raw_meetings_of(client.id))  # (the app decodes only theirs)
        export.client(client, meetings, level)
        return export.text()


def all_markdown(meeting_guide: MeetingGuide, store: Store) -> str:
    """Every client, by code, each with all their meetings, then every COPE exercise's
    report, under one title."""
    with gc_paused():
        plan = plan_all(meeting_guide, store)
        return render_all(meeting_guide, plan, plan.clients, orphans=True, header=True) + exercises_part(store)


def exercises_part(store: Store) -> str:
    """The COPE exercises' reports as the last part of `export --all`, one heading level
    down (the report's own title becomes a section); "" when there are none."""
    if not store.raw("exercises"):
        return ""  # (without building the exercise models)
    from .exercise import exercise_markdown

    exercises = sorted(store.exercises(), key=lambda e: (e.start, e.site, e.id))
    parts = ["# COPE exercises\n\n"]
    for exercise in exercises:
        fenced = False
        for line in exercise_markdown(store, exercise).splitlines(keepends=True):
            fenced ^= line.startswith("```")
            parts.append("#" + line if line.startswith("#") and not fenced and line.lstrip("#").startswith(" ") else line)
        parts.append("\n")
    return "".join(parts)


class AllPlan:
    """What `export --all` renders, worked out once: the title, clients by code and their
    meetings in date order, and meetings whose client record is gone (kept in the export).
    `order` is every client's id in export order, `clients` the records of those to render."""

    def __init__(
        self,
        header: str,
        clients: list[Client],
        by_client: dict[str, list[Doc]],
        orphans: dict[str, list[Doc]],
        order: list[str] | None = None,
    ):
        self.header, self.clients, self.by_client, self.orphans = header, clients, by_client, orphans
        self.order = order if order is not None else [client.id for client in clients]


def plan_all(
    meeting_guide: MeetingGuide, store: Store, *, total: int | None = None, wanted: Callable[[str], bool] | None = None
) -> AllPlan:
    """`total`: the DB's meeting count, when the store holds only some of them; `wanted`:
    which clients become records to render (each process of `export --all` renders half)."""
    from ..meetings.models import Client

    docs = clients_in_order(store)
    order = [doc["id"] for doc in docs]
    clients = [Client.model_validate(doc) for doc in docs if wanted is None or wanted(doc["id"])]
    by_client: dict[str, list[Doc]] = {}
    for meeting in in_date_order(store.raw_meetings()):  # stored dicts: no models to build
        by_client.setdefault(meeting.get("client_id", ""), []).append(meeting)
    if total is None:
        total = sum(map(len, by_client.values()))
    known = set(order)
    orphans = {cid: ms for cid, ms in by_client.items() if cid not in known}
    return AllPlan(all_header(meeting_guide, store, len(order), total), clients, by_client, orphans, order)


def all_header(meeting_guide: MeetingGuide, store: Store, clients: int, meetings: int) -> str:
    """The title of `export --all` and what it holds."""
    exercises = len(store.raw("exercises"))  # counted as stored: no exercise models for a count
    cope = f", {counted(exercises, 'COPE exercise')}" if exercises else ""
    return f"# {md_cell(meeting_guide.title)}: all records\n\n{counted(clients, 'client')}, {counted(meetings, 'meeting')}{cope}.\n\n"


def clients_in_order(store: Store) -> list[Doc]:
    """The stored clients by code, as the records sort."""
    return sorted(store.raw("clients"), key=_client_order)


def _client_order(doc: Doc) -> tuple[str, str, str]:
    """A stored client's place in the export: its code (stripped, as the record reads it),
    folded then as typed, then its id."""
    code = doc["code"].strip()
    return code.casefold(), code, doc["id"]


def render_all(meeting_guide: MeetingGuide, plan: AllPlan, clients: list[Client], *, orphans: bool, header: bool) -> str:
    """The part of the export for `clients` (and the orphaned meetings when asked)."""
    return "".join(_parts(meeting_guide, plan, clients, orphans=orphans, header=header))


def render_all_bytes(meeting_guide: MeetingGuide, plan: AllPlan, clients: list[Client], *, orphans: bool, header: bool) -> list[bytes]:
    """The same as UTF-8, a piece per client: never one text of the whole part, which takes
    twice its size in memory (one em dash makes Python keep every character in two bytes)."""
    return [part.encode() for part in _parts(meeting_guide, plan, clients, orphans=orphans, header=header)]


def _parts(meeting_guide: MeetingGuide, plan: AllPlan, clients: list[Client], *, orphans: bool, header: bool) -> Iterator[str]:
    export = ExportRun(meeting_guide)
    if header:
        yield plan.header
    for client in clients:
        export.client(client, plan.by_client.get(client.id, []), 2)
        yield export.take()
    if orphans and plan.orphans:
        yield orphans_part(export, plan.orphans)


def orphans_part(export: ExportRun, orphans: dict[str, list[Doc]]) -> str:
    """The meetings whose client record is gone, kept at the end of `export --all`."""
    export.out.append("## Meetings without a client record\n\n")
    for client_id, meetings in orphans.items():
        for meeting in meetings:
            export.meeting(meeting, f"(unknown client {client_id})", 3)
    return export.take()


def file_name(stem: str) -> str:
    """A proposed export's name: a site or a client code may hold '/' or spaces, which
    would make a folder or a name the shell splits."""
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in stem) + ".md"


def write_export(path: Path, text: str | bytes, *, db: Path | None = None) -> None:
    """Write an export for its owner's eyes only (0600), atomically: a crash leaves the old file
    or the new one. Raises OSError, whose strerror says what went wrong; never over the
    files of `db`, the database it came from, nor over a device (ExportRefused)."""
    from ..store.export_target import check_export_target

    check_export_target(Path(path), db)
    data = text.encode("utf-8") if isinstance(text, str) else text
    if not data.endswith(b"\n"):
        data += b"\n"
    write_private(Path(path), data)
