"""`cope-tui doctor --set-aside`: the command-line side of set_aside (asking, telling).

Kept apart from main.py, which stays the small start-up path of the app.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import Failure
from ..paths import db_command
from ..words import agrees, counted
from .shared import EXIT_FAILURE, EXIT_OK, InputFn, ask_yes_no, interactive


def set_aside_flow(
    db: Path, keys, report, args: argparse.Namespace, *, is_tty: bool | None, input_fn: InputFn
) -> int:
    """After the report: say what would be set aside, ask (or --yes), do it, check again."""
    from ..store import doctor, set_aside

    status = EXIT_OK if report.healthy else EXIT_FAILURE
    found = set_aside.find(db, report.codec)
    if found.blocked:
        raise Failure(f"nothing can be set aside: {found.blocked}. Nothing has been changed.")
    print()
    if found.empty:
        print("Nothing to set aside: every journal line and stored record can be read.")
        return status
    print("To be set aside (each file is kept whole as a '.damaged-' file first; nothing is deleted):")
    for text in found.describe():
        print(f"  {text}")
    if not args.yes:
        if not (interactive() if is_tty is None else is_tty):
            raise Failure(
                "not setting anything aside without a terminal to ask; add --yes to do it anyway. "
                "Nothing has been changed."
            )
        if not ask_yes_no("Set them aside now?", input_fn):
            print("Nothing has been changed.")
            return status
    try:
        done = set_aside.set_aside(db, report.codec, expect=found)
    except set_aside.SetAsideError as exc:
        raise Failure(str(exc)) from None
    for target, kept in done:
        print(f"The previous {target.name} is kept as {kept}.")
    after = doctor.diagnose(db, keys=keys)
    if after.healthy:
        print("The database is healthy now.")
        return EXIT_OK
    print(f"The database still has problems; run '{db_command(db, 'doctor')}' for details.")
    return EXIT_FAILURE


def team_conflicts(db: Path, codec) -> int:
    """What the team sync left to choose, as doctor reports it: EXIT_FAILURE when a
    finalised meeting has another version beside it (someone must look), else EXIT_OK."""
    from ..sync.errors import SyncError
    from ..sync.state import SyncState, state_path

    state_file = state_path(db)
    if not state_file.exists() and not state_file.with_name(state_file.name + ".journal").exists():
        return EXIT_OK  # never synced
    try:
        state = SyncState(db, codec or _plain(), read_only=True)
    except SyncError as exc:
        print(f"Team sync: {exc}")
        return EXIT_FAILURE
    found = state.open_conflicts()
    if not found:
        return EXIT_OK
    signed = sorted({record_id[:8] for table, record_id, kind in found if kind == "finalised"})
    print(f"Team sync: {counted(len(found), 'conflict')} {agrees(len(found), 'waits', 'wait')} for a choice (F11 in the app); both versions are kept.")
    if signed:
        print(
            f"  {counted(len(signed), 'finalised meeting')} {agrees(len(signed), 'has', 'have')} another version from the team kept beside them "
            f"(meeting {', '.join(signed)}): a finalised meeting never changes, so look at both and settle it."
        )
        return EXIT_FAILURE
    return EXIT_OK


def _plain():
    from ..store.crypto import PlainCodec

    return PlainCodec()
