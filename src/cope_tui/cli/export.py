"""`cope-tui export`: Markdown of one meeting, a client, a handover, an exercise or everything.

Kept apart from main.py, which stays the small start-up path of the app.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import Failure
from ..paths import ENV_DB, db_command, resolve_db_path
from ..store.diskio import database_exists
from ..store.store import Store
from .crypto import export_note, unlock
from .shared import EXIT_OK, say


def _output(value: str, db: Path) -> Path:
    """The -o file, refused at once when it names a folder, a device or one of the DB's
    own files (before the export is built)."""
    from ..store.export_target import export_target_problem

    out = Path(value).expanduser()
    if out.is_dir():
        raise Failure(f"'{out}' is a folder; name a file in it for the export (for example '{out / 'export.md'}').")
    problem = export_target_problem(out, db)
    if problem:
        raise Failure(f"cannot write '{out}': {problem}. Nothing was written.")
    return out


def _write_output(out: Path, text: bytes, db: Path) -> None:
    """Through the one safe writer (export.write_export); a failure leaves no copy behind."""
    from ..export.documents import write_export

    try:
        write_export(out, text, db=db)
    except IsADirectoryError:
        raise Failure(f"'{out}' is a folder; name a file in it for the export. Nothing was written.") from None
    except OSError as exc:
        raise Failure(f"cannot write '{out}': {exc.strerror}. Nothing was written there.") from None


def _one_starting_with(key: str, ids, what: str) -> str | None:
    """The one id that starts with `key` (4 characters or more), else None."""
    if len(key) < 4:
        return None
    matches = [i for i in ids if i.startswith(key)]
    if len(matches) > 1:
        raise Failure(f"'{key}' starts {len(matches)} {what} ids; type more of the id.")
    return matches[0] if matches else None


def _too_short(key: str) -> str:
    """Said when an id's start is too short to be looked for at all."""
    return " (the start of an id needs 4 characters or more)" if len(key.strip()) < 4 else ""


def _meeting_by_id(store, key: str):
    """A meeting by its id, or by the start of it when only one id starts that way."""
    found = store.meeting(key)
    if found is None and (key := _one_starting_with(key, (str(d.get("id", "")) for d in store.raw_meetings()), "meeting")):
        found = store.meeting(key)
    return found


def _exercise_by_id(store, key: str):
    """An exercise by its id, or by the start of it when only one id starts that way."""
    found = store.exercise(key)
    if found is None and (key := _one_starting_with(key, (e.id for e in store.exercises()), "exercise")):
        found = store.exercise(key)
    return found


def _exercise_markdown(store, key: str, db: Path) -> str:
    from ..export.exercise import exercise_markdown

    exercise = _exercise_by_id(store, key.strip())
    if exercise is None:
        raise Failure(
            f"no COPE exercise with the id '{key}' in '{db}'{_too_short(key)}. An exercise's id is at the top "
            f"of its report (ctrl+r on the exercise in the app, or '{db_command(db, 'export', '--all')}')."
        )
    return exercise_markdown(store, exercise)


def cmd_export(args: argparse.Namespace) -> int:
    db = resolve_db_path(args.db)
    if not database_exists(db):
        raise Failure(f"there is no database at '{db}'. Choose one with --db PATH (or {ENV_DB}).")
    from ..content.meeting_guide import load_meeting_guide

    out = _output(args.output, db) if args.output is not None else None
    exercise_id = getattr(args, "exercise", None)
    meeting_guide = load_meeting_guide() if exercise_id is None else None
    from ..export.parallel import keep_until_exit, open_store, start_helper

    helper, lazy = None, False
    if args.all and exercise_id is None and getattr(args, "handover", None) is None:
        from ..store.kept import present as kept_present
        from ..store.summary import checked_here

        # Opened as the app opens it, each client's text can be kept (export/kept_export.py);
        # else forked before the load, so each process parses into its own memory.
        lazy = checked_here(db)
        if not lazy:
            helper = start_helper(db, meeting_guide, None if args.output else sys.stdout.fileno())
        elif not kept_present(db, "export"):  # the first: the second half rendered meanwhile
            from functools import partial

            from ..export.kept_export import second_half

            helper = start_helper(db, meeting_guide, None, work=partial(second_half, db, meeting_guide))
    # (with a helper: the first half's meetings)
    store = keep_until_exit(Store(db, read_only=True, lazy=True, let_go_lines=False) if lazy else open_store(db, helper))
    try:
        unlock(store, doing="exporting")
        export_note(db)
        text = _markdown(args, store, db, meeting_guide, helper, lazy)
        if text is None:  # streamed straight to standard output
            _audit_export(store, args, None)
            return EXIT_OK
    finally:
        store.close()
    data = _as_file(text)
    _deliver(data, out, db)
    _audit_export(store, args, data)
    return EXIT_OK


def _markdown(args: argparse.Namespace, store: Store, db: Path, meeting_guide, helper, lazy: bool) -> str | bytes | None:
    """The export the arguments ask for; None when it went straight to standard output.
    `lazy`: the store was opened as the app opens it (then `--all` keeps what it renders)."""
    from ..export import documents as export

    if getattr(args, "exercise", None) is not None:
        return _exercise_markdown(store, args.exercise, db)
    if getattr(args, "handover", None) is not None:
        from ..export.handover import handover_for

        try:
            return handover_for(store, args.handover, meeting_guide)
        except LookupError as exc:
            raise Failure(f"{exc} (database '{db}')") from None
    if args.all:
        return _all(args, store, meeting_guide, helper, lazy)
    if args.client is not None:
        from ..export.handover import find_client

        try:
            client = find_client(store, args.client)
        except LookupError as exc:
            raise Failure(f"{exc} '{db_command(db, 'export', '--all')}' exports everything.") from None
        return export.client_markdown(meeting_guide, store, client)
    meeting = _meeting_by_id(store, args.meeting.strip())
    if meeting is None:
        raise Failure(
            f"no meeting with the id '{args.meeting}' in '{db}'{_too_short(args.meeting)}. "
            f"Ids are shown in '{db_command(db, 'export', '--client CODE')}'; '{db_command(db, 'export', '--all')}' exports everything."
        )
    return export.meeting_markdown(meeting_guide, store, meeting)


def _all(args: argparse.Namespace, store: Store, meeting_guide, helper, lazy: bool) -> bytes | None:
    """`--all`: kept and rendered a client at a time (export/kept_export.py) when the store
    holds the file's lines, else parsed and rendered (on two processes for a large DB)."""
    from ..export import parallel as export_parallel
    from ..export.kept_export import export_all as export_kept

    parts: list[bytes] = []
    emit = parts.append
    if not args.output:
        sys.stdout.flush()  # straight to stdout (from both halves): 60 MB copied once
        fd = sys.stdout.fileno()
        emit = lambda data: export_parallel.write_all(fd, data)  # noqa: E731
    if lazy:
        if export_kept(meeting_guide, store, emit, helper):
            return b"".join(parts) if args.output else None
        if helper is not None:  # (all parsed after all: its helper renders as export_kept would)
            helper.abandon()
            helper = None
    if args.output:
        return export_parallel.all_markdown_bytes(meeting_guide, store, helper)
    export_parallel.write_all_markdown(meeting_guide, store, sys.stdout.fileno(), helper)
    return None


def _as_file(text: str | bytes) -> bytes:
    """The export's bytes as written: UTF-8, ending with a newline."""
    if isinstance(text, str):
        text = text.encode("utf-8")
    return text if text.endswith(b"\n") else text + b"\n"


def _deliver(text: bytes, out: Path | None, db: Path) -> None:
    if out is not None:
        _write_output(out, text, db)
        print(f"Wrote {out}", file=sys.stderr)
    else:
        from ..export.parallel import write_stdout

        try:
            write_stdout(text)
        except BrokenPipeError:
            raise  # the reader went away (`| head`): main says nothing
        except OSError as exc:  # `> /dev/full`, a full disk: said as "cannot use", naming nothing
            raise Failure(f"cannot write the export to standard output: {exc.strerror or exc}.") from None


def _audit_export(store: Store, args: argparse.Namespace, text: bytes | None) -> None:
    from ..store.audit import log_cli_export  # the export goes into the DB's audit log (issue 6)

    if note := log_cli_export(store, args, text):
        say(note)
    for missing in getattr(store, "integrity_notes", ()):  # saved changes gone missing (anchor.py)
        say(f"warning: {missing}")
