"""The client export's "Ticked off" section: promises kept since they were written.

A tick lives on the client record, not in the meeting that holds the promise, so the
export reads both: each ticked row id is looked up in the client's meetings (newest copy
first) and shown with the date it was ticked off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .format import heading, table_header
from ..mdsafe import md_cell

if TYPE_CHECKING:
    from ..meetings.models import Client

Doc = dict[str, Any]


def ticked_markdown(client: Client, meetings: list[Doc], level: int) -> str:
    """A table of the client's ticked-off action items and ended referrals, newest first."""
    wanted = client.followups
    if not wanted:
        return ""
    found: dict[str, Doc] = {}
    for meeting in reversed(meetings):  # stored in date order: the newest copy wins
        for record in (meeting.get("steps") or {}).values():
            for rows in (record.get("lists") or {}).values():
                for row in rows:
                    rid = row.get("id")
                    if rid in wanted and rid not in found:
                        found[rid] = row.get("values") or {}
        if len(found) == len(wanted):
            break
    lines = [f"{heading(level)}Ticked off\n\n", table_header(["Done on", "Item", "Who or what"])]
    for rid, entry in sorted(wanted.items(), key=lambda kv: kv[1].done_on, reverse=True):
        values = found.get(rid)
        if values is None:
            continue  # its meeting is gone: nothing to name
        if "service" in values:
            item, who = values.get("service"), "referral ended"
        else:
            item, who = values.get("what"), values.get("who")
        lines.append(f"| {entry.done_on.isoformat()} | {md_cell(str(item or ''))} | {md_cell(str(who or ''))} |\n")
    return "".join(lines) + "\n" if len(lines) > 2 else ""
