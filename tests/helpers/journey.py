"""A client's journey for the tests: a handover with every section written."""

from __future__ import annotations

from cope_tui.meetings.stages import write_handover


def full_handover(client) -> None:
    write_handover(
        client,
        journey="Six meetings, from first contact to steady routines.",
        learned="Lists in the morning help.",
        effect="No missed appointments since March.",
        challenges="The benefit review in spring.",
    )
