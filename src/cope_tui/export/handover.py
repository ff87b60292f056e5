"""The handover document of a client (stage 6) as Markdown, to pass on or archive.

Pure: it reads the store and returns text. Every string a user typed goes through
`md_text` (paragraphs) or `md_cell` (table cells), so typed text never becomes
Markdown structure or a terminal escape.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ..mdsafe import drop_hidden, md_cell, md_text
from ..content.stages import StageGuide, load_stages
from ..meetings.stages import SECTIONS, stage_since

if TYPE_CHECKING:
    from ..content.meeting_guide import ListSpec, MeetingGuide
    from ..meetings.models import Client, Meeting
    from ..store.store import Store

REFERRALS = "referrals"  # the meeting guide's list of services the client was referred to


def find_client(store: Store, key: str) -> Client:
    """A client by code, id, or the unique start of an id; LookupError says what to type."""
    key = key.strip()
    client = store.client_by_code(key) or store.client(key)
    if client is not None:
        return client
    clients = store.clients()
    # A code stored with invisible characters (from before codes refused them, or from a
    # peer's file) is shown without them: what the user read off a screen finds it.
    shown = drop_hidden(key).casefold()
    matches = [c for c in clients if drop_hidden(c.code).casefold() == shown]
    if len(matches) == 1:
        return matches[0]
    start = key.lower()  # ids are lower-case hex; one copied from a printout may not be
    matches = [c for c in clients if len(start) >= 4 and c.id.startswith(start)]
    if len(matches) > 1:
        raise LookupError(f"'{key}' starts {len(matches)} client ids; type more of the id, or the code.")
    if not matches:
        short = " (the start of an id needs 4 characters or more)" if len(key) < 4 else ""
        raise LookupError(f"no client with the code or id '{key}'{short}. Codes are listed in the app's client list.")
    return matches[0]


def _table(header: tuple[str, ...], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n\n"


def _stage_name(stages: StageGuide, number: int | None) -> str:
    return f"{number} {stages.stage(number).name}" if number else "-"


def _stage_rows(client: Client, stages: StageGuide) -> list[list[str]]:
    return [
        [change.on.isoformat(), md_cell(_stage_name(stages, change.stage)), md_cell(change.reason)]
        for change in client.stage_history
    ]


def _closure_rows(client: Client) -> list[list[str]]:
    return [[f"{c.at:%Y-%m-%d %H:%M}", "closed" if c.closed else "reopened", md_cell(c.reason)] for c in client.closures]


def journey_markdown(client: Client) -> str:
    """For the client export: the stage and since when, then its dated changes, closing
    and reopening, with their reasons (the handover document tells the whole journey)."""
    stages = load_stages()
    out = f"- **Helping stage:** {md_cell(stages.stage(client.stage).label)}, since {stage_since(client):%Y-%m-%d}\n"
    if client.closed_at:
        out += f"- **Closed:** on {client.closed_at:%Y-%m-%d}; the handover document has the whole journey\n"
    out += "\n"
    rows = sorted(_stage_rows(client, stages) + _closure_rows(client), key=lambda row: row[0])  # stable
    if rows:  # from where it started, as the handover's table: a first change alone told no journey
        rows.insert(0, _added_row(client, stages))
        out += "**The journey so far:**\n\n" + _table(("Date", "Change", "Reason"), rows)
    return out


def _added_row(client: Client, stages: StageGuide) -> list[str]:
    return [f"{client.created:%Y-%m-%d}", md_cell(_stage_name(stages, 1)), "client added"]


def _referral_spec(meeting_guide: MeetingGuide) -> tuple[str, ListSpec] | None:
    for step, spec in meeting_guide.all_lists():
        if spec.id == REFERRALS:
            return step.id, spec
    return None


def _referrals(meeting_guide: MeetingGuide, latest: Meeting | None, client: Client) -> str:
    """The latest meeting's referrals, less those ended since in follow-through: the next
    helper was told a service the worker had ended was still in place."""
    found = _referral_spec(meeting_guide)
    if latest is None or found is None:
        return "_No meeting recorded any referrals._\n\n"
    step_id, spec = found
    rows = latest.peek_rows(step_id, spec.id)
    if not rows:
        return f"_No referrals were listed at the latest meeting ({latest.started:%Y-%m-%d})._\n\n"
    ended = {row.id: client.followups[row.id] for row in rows if row.id in client.followups}
    header = tuple(md_cell(c.label) for c in spec.columns) + ("Since",)
    body = []
    for row in rows:
        cells = []
        for col in spec.columns:
            value = row.values.get(col.id)
            cells.append("" if value in (None, "") else ("yes" if value is True else md_cell(value)))
        if row.id not in ended:
            body.append([*cells, row.added.isoformat()])
    out = f"_As listed at the latest meeting ({latest.started:%Y-%m-%d}):_\n\n"
    out += _table(header, body) if body else "_None left in place._\n\n"
    if ended:
        out += "**Ended since that meeting** (ticked off in follow-through):\n\n"
        for row in rows:
            if row.id in ended:
                name = row.values.get(spec.columns[0].id) or "(no name)"
                out += f"- {md_cell(name)}: ended {ended[row.id].done_on:%Y-%m-%d}\n"
        out += "\n"
    return out


def handover_markdown(store: Store, client: Client, meeting_guide: MeetingGuide | None = None) -> str:
    """The journey, what was learned, the effect, the challenges ahead and the referrals left in place."""
    if meeting_guide is None:
        from ..content.meeting_guide import load_meeting_guide

        meeting_guide = load_meeting_guide()
    stages = load_stages()
    meetings = store.meetings(client.id)
    out: list[str] = [f"# Handover: {md_cell(client.code)}\n\n", _facts(client, meetings, stages)]
    out.append("## The journey\n\n### Stages\n\n")
    out.append(_table(("Date", "Stage", "Reason"), [_added_row(client, stages), *_stage_rows(client, stages)]))
    out.append("### Meetings\n\n")
    if meetings:
        rows = [
            [
                f"{m.started:%Y-%m-%d %H:%M}",
                m.kind.value,
                m.mode.value,
                md_cell(_stage_name(stages, m.stage)),
                f"finalised by {md_cell(m.finalised_by or '?')}" if m.finalised else "draft",
            ]
            for m in meetings
        ]
        out.append(_table(("Date", "Kind", "Mode", "Stage", "Record"), rows))
    else:
        out.append("No meetings were held.\n\n")
    out.extend(_sections(client, meeting_guide, meetings[-1] if meetings else None))
    if client.closures:
        out.append("## Closed and reopened\n\n")
        out.append(_table(("When", "What", "Reason"), _closure_rows(client)))
    out.append(f"_Exported {date.today():%Y-%m-%d}. Plain text: keep it as safe as the records._\n")
    return "".join(out)


def _facts(client: Client, meetings: list[Meeting], stages: StageGuide) -> str:
    """The list at the top: status, stage, since when, meetings held, handover written."""
    handover = client.handover
    status = f"closed on {client.closed_at:%Y-%m-%d %H:%M}" if client.closed_at else "open (not closed yet)"
    held = "none"
    if meetings:
        held = f"{len(meetings)} (first {meetings[0].started:%Y-%m-%d}, latest {meetings[-1].started:%Y-%m-%d})"
    written = f"{handover.written:%Y-%m-%d %H:%M}" if handover else "not written yet"
    return (
        f"- **Status:** {status}\n"
        f"- **Helping stage:** {md_cell(stages.stage(client.stage).label)}, since {stage_since(client):%Y-%m-%d}\n"
        f"- **Client since:** {client.created:%Y-%m-%d}\n"
        f"- **Meetings held:** {held}\n"
        f"- **Handover written:** {written}\n\n"
    )


def _sections(client: Client, meeting_guide: MeetingGuide, latest: Meeting | None) -> list[str]:
    """The handover's written sections, the referrals of the latest meeting among them."""
    handover = client.handover
    out: list[str] = []
    for key, title in SECTIONS:
        text = getattr(handover, key, "") if handover else ""
        if key == "journey":
            out.append("### In the worker's words\n\n")
        else:
            out.append(f"## {title}\n\n")
        if key == "referrals":
            out.append(_referrals(meeting_guide, latest, client))
            if text.strip():
                out.append("**Notes on the referrals:**\n\n")
        if text.strip():
            out.append(md_text(text) + "\n\n")
        elif key != "referrals":
            out.append("_Not written yet._\n\n")
    return out


def handover_for(store: Store, key: str, meeting_guide: MeetingGuide | None = None) -> str:
    """The handover document of the client named by code or id (for `export --handover`)."""
    return handover_markdown(store, find_client(store, key), meeting_guide)
