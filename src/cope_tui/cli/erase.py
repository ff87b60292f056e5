"""`cope-tui erase`: remove a client and all their meetings from every file that held them.

Asks first at a terminal, naming the client and counting the meetings; needs --yes
without one. `--retention` lists the closed clients kept longer than `[retention]
closed_years` in config.toml; it never erases anything by itself.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from ..errors import Failure
from ..mdsafe import clean
from ..paths import db_command, resolve_db_path
from ..store.diskio import database_exists
from ..words import agrees, counted
from .shared import EXIT_OK, EXIT_USAGE, PROG, ProgressLine, ask_yes_no, interactive, say

DESCRIPTION = (
    "Erase a client (by code or id) and every meeting of theirs: from the database file,\n"
    "its journal, the client-list summary, every backup, the copies kept aside as\n"
    "damaged and team sync's state (the next sync sends the deletion to the team). The\n"
    "audit log keeps one entry saying who erased how many records and when, and nothing\n"
    "about whom. This cannot be undone. Refused while cope-tui has the database open.\n"
    "\n"
    "With --retention, list the closed clients kept longer than [retention] closed_years\n"
    "in config.toml, with the command that erases each; nothing is erased."
)


def add_command(commands, formatter, add_db: Callable[..., None]) -> None:
    sub = commands.add_parser(
        "erase",
        prog=f"{PROG} erase",
        formatter_class=formatter,
        help="erase a client and their meetings from every file, backups included",
        description=DESCRIPTION,
        epilog=f"examples:\n  {PROG} erase C-104 --db ~/team/clients.json\n  {PROG} erase --retention",
    )
    sub.add_argument("client", nargs="?", metavar="CLIENT", help="the client's code or id")
    sub.add_argument("--retention", action="store_true", help="list closed clients past the retention time")
    sub.add_argument("--yes", action="store_true", help="do not ask (needed without a terminal)")
    add_db(sub, "database file (default: $COPE_TUI_DB, else the default location)")


def cmd_erase(args: argparse.Namespace, *, is_tty: bool | None = None, input_fn=input) -> int:
    from ..settings import user_name
    from ..store.store import Store
    from .crypto import unlock

    if bool(args.retention) == bool(args.client):  # a usage error, as argparse's own are (exit 2)
        which = "not both" if args.retention else "name the client to erase (its code or id)"
        print(f"{PROG} erase: {which}, or give --retention alone to list those past it.", file=sys.stderr)
        return EXIT_USAGE
    db = resolve_db_path(args.db)
    if not database_exists(db):
        raise Failure(f"there is no database at '{db}'; nothing was erased.")
    store = Store(db)
    line = ProgressLine("Erasing from")
    try:
        unlock(store, doing="erasing")
        if args.retention:
            store.wait_ready()
            say_finished_erasure(store)
            return _list_retention(store, db)
        client = _find(store, args.client)
        meetings = len(store.meetings(client.id))
        question = (
            f"Erase client {clean(client.code)} (id {client.id}) and their {counted(meetings, 'meeting')} "
            f"from '{clean(db)}', its backups and "
            "every other copy? This cannot be undone."
        )
        if not args.yes:
            tty = interactive() if is_tty is None else is_tty
            if not tty:
                raise Failure("not erasing without a terminal to ask; add --yes to erase anyway. Nothing was erased.")
            if not ask_yes_no(question, input_fn):
                print("Nothing was erased.")
                return EXIT_OK
        try:
            done = store.erase_client(client.id, by=user_name(), progress=line)
        except KeyboardInterrupt:
            line.clear()
            say(_cut_short(db))
            return 130
    finally:
        store.close()
        line.clear()  # before any message, error or result
    print(clean(f"Erased client {client.code} and {counted(done.meetings, 'meeting')} ({counted(done.records, 'record')}) from {db}."))
    if done.deleted:
        print(f"{counted(len(done.deleted), 'file')} that could not be opened to cut them out {agrees(len(done.deleted), 'was', 'were')} deleted whole.")
    return EXIT_OK


def say_finished_erasure(store) -> None:
    """A writer's open finishes an erasure a kill cut short: a command opened for another
    job (the retention list, accepting what is missing) says so, never "nothing changed"."""
    if store.resumed_erasure:
        print(f"Finished an erasure that was cut short: {counted(store.resumed_erasure, 'record')} erased from every file.")


def _cut_short(db: Path) -> str:
    """ctrl+c while erasing: said only "interrupted.", though the erasure may be decided."""
    from ..store.erase import marker_path

    if not marker_path(db).exists():
        return "interrupted before anything was erased."
    return (
        "interrupted: the erasure is decided but not finished, so some files still hold the client. "
        "Nothing shows them meanwhile, and the next time the database is opened for writing it is "
        f"finished first: run '{db_command(db, 'erase', '--retention')}' or open the app."
    )


def _find(store, key: str):
    client = store.client_by_code(key) or store.client(key.strip())
    if client is None:
        raise Failure(f"no client with code or id '{key}' in '{store.path}'; nothing was erased.")
    return client


def past_retention(store, years: int, now: datetime | None = None) -> list:
    """Closed clients whose closing is more than `years` years ago, oldest first."""
    now = now or datetime.now().astimezone()
    limit = now - timedelta(days=365.25 * years)
    due = [c for c in store.clients() if c.closed_at is not None and _aware(c.closed_at) < limit]
    return sorted(due, key=lambda c: _aware(c.closed_at))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.astimezone()


def _list_retention(store, db: Path) -> int:
    from ..settings import SettingsError, config_path, retention_years

    try:
        years = retention_years()
    except SettingsError as exc:
        raise Failure(str(exc)) from None
    if years is None:
        raise Failure(f"no retention time is set: add\n  [retention]\n  closed_years = 7\nto {config_path()}.")
    due = past_retention(store, years)
    if not due:
        print(f"No closed client in '{clean(db)}' was closed more than {counted(years, 'year')} ago.")
        return EXIT_OK
    print(f"Closed more than {counted(years, 'year')} ago ({len(due)}); nothing has been erased:")
    for client in due:
        meetings = len(store.meetings(client.id))
        print(f"  {clean(client.code)}  (id {client.id})  closed {client.closed_at:%Y-%m-%d}, {counted(meetings, 'meeting')}")
    print(f"To erase one: {db_command(db, 'erase', 'CODE')}")
    return EXIT_OK
