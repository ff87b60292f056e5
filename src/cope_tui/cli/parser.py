"""The command line's shape: commands, options, help texts and exit-status notes.

Kept apart from main.py, which runs the commands, so each file does one job.
"""

from __future__ import annotations

import argparse

from .. import __version__
from ..paths import ENV_DB, default_db_path
from .shared import PROG


# Stands for the default DB path in help texts until help is printed: working it out
# needs platformdirs, which a start with --db never has to import.
_DEFAULT_DB = "\x00DEFAULTDB\x00"


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30)

    def format_help(self) -> str:
        text = super().format_help()
        return text.replace(_DEFAULT_DB, str(default_db_path())) if _DEFAULT_DB in text else text


# The demo's most: ten times a large service. A mistyped count (an extra zero or twenty)
# filled memory for minutes before anything was said.
DEMO_MOST = 1_000_000


def _whole(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"must be {least} or more, not {value}")
    if value > DEMO_MOST:
        raise argparse.ArgumentTypeError(f"at most {DEMO_MOST:,}, not {value:,}")
    return value


def _file_name(text: str) -> str:
    """An empty -o (a script's unset variable) printed the records to the terminal."""
    if not text.strip():
        raise argparse.ArgumentTypeError("names no file; give the file's name, or leave -o out to print the export")
    return text


def _named(text: str) -> str:
    """An empty --client, --meeting, --exercise or --handover (a script's unset variable) is
    a usage error, as a missing one is, not a record that is not there."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty; give a code or an id")
    return text


def _positive(text: str) -> int:
    return _whole(text, 1)


def _count(text: str) -> int:
    return _whole(text, 0)


def _lock_minutes(text: str) -> int:
    from ..settings import SettingsError, check_minutes

    try:
        return check_minutes(text, "")
    except SettingsError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_lock_after(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    from ..settings import DEFAULT_IDLE_MINUTES, ENV_LOCK_MINUTES

    parser.add_argument(
        "--lock-after",
        metavar="MINUTES",
        type=_lock_minutes,
        default=None if top else argparse.SUPPRESS,
        help=(
            f"lock the screen after MINUTES without a key or mouse event; 0 = never "
            f"(default: ${ENV_LOCK_MINUTES}, else [lock] idle_minutes in the config file, "
            f"else {DEFAULT_IDLE_MINUTES})"
        ),
    )


def _add_db(parser: argparse.ArgumentParser, help_text: str, *, top: bool = False) -> None:
    # Subcommands leave `db` unset unless given, so `cope-tui --db X export ...` and
    # `cope-tui export --db X ...` both work.
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=None if top else argparse.SUPPRESS,
        help=help_text,
    )


DOCTOR_DESCRIPTION = (
    "Check the database: the file, its JSON, its format version, the journal, every\n"
    "record, and who has it open. Then list the backups kept beside it\n"
    "(NAME.json.backups/) with the result of the same check for each.\n"
    "Exit status 0 if the database is healthy, 1 if there is a problem.\n"
    "\n"
    "A restore never deletes anything: the current file and its journal are moved\n"
    "aside as NAME.json.damaged-TIME and NAME.json.journal.damaged-TIME first.\n"
    "It is refused while cope-tui has the database open.\n"
    "\n"
    "A journal line or a stored record the app cannot read stops it from opening the\n"
    "database. A backup would lose every good save made since it was taken; instead,\n"
    "--set-aside keeps each file that holds such lines or records whole as\n"
    "NAME.damaged-TIME and rewrites it without them, so everything else opens.\n"
    "Nothing is deleted; doctor lists what it would set aside and asks first. The\n"
    "lines set aside are not reported as missing changes afterwards.\n"
    "\n"
    "Saved changes that went missing (a deleted journal, an older copy put in place)\n"
    "are reported until a restore brings them back or --accept-missing is given."
)


def build_parser() -> argparse.ArgumentParser:
    parser = _top_parser()
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", title="commands", description="Run 'cope-tui COMMAND --help' for details."
    )
    for add in (_add_meet, _add_export, _add_demo, _add_doctor):
        add(commands)
    from .crypto import add_commands, name_env

    add_commands(commands, _Formatter, _add_db)
    from .sync import add_command as add_sync

    add_sync(commands, _Formatter, _add_db)
    from .erase import add_command as add_erase

    add_erase(commands, _Formatter, _add_db)
    name_env(parser, commands)
    for command in commands.choices.values():  # `cope-tui sync --version` is asked too; not listed
        command.add_argument("--version", action="version", version=f"{PROG} {__version__}", help=argparse.SUPPRESS)
    return parser


def _top_parser() -> argparse.ArgumentParser:
    default_db = _DEFAULT_DB
    parser = argparse.ArgumentParser(
        prog=PROG,
        usage="%(prog)s [-h] [--version] [--db PATH] [--read-only] [--lock-after MINUTES] [COMMAND [OPTIONS]]",
        formatter_class=_Formatter,
        description=(
            "Guide client meetings step by step in the terminal, keyboard first.\n"
            "With no command, opens the app on the client list."
        ),
        epilog=_top_epilog(default_db),
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_db(parser, f"database file (default: ${ENV_DB}, else {default_db})", top=True)
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="open the app without changing anything (also works while another copy has the DB open)",
    )
    _add_lock_after(parser, top=True)
    return parser


def _top_epilog(default_db: str) -> str:
    from ..settings import DEFAULT_IDLE_MINUTES, ENV_LOCK_MINUTES, config_path

    return f"""\
database:
  All clients and meetings live in one file. It is chosen by, in order:
  --db PATH, then the {ENV_DB} environment variable, then the default
  {default_db}

screen lock:
  After {DEFAULT_IDLE_MINUTES} minutes without a key or mouse event the app hides everything
  until an encrypted database's passphrase is typed again (a plain one: enter).
  F12 locks at once. Set the time with
  --lock-after, the {ENV_LOCK_MINUTES} environment variable, or
  [lock] idle_minutes = N in {config_path()}; 0 never locks.

exit status:
  0  success
  1  failure: unknown client, meeting or exercise, or a database/content problem
  2  usage error: a bad command line

examples:
  {PROG}                              open the app
  {PROG} --read-only                  look without changing anything
  {PROG} meet C-0042                  start a meeting with client C-0042
  {PROG} export --client C-0042 -o c42.md
  {PROG} export --exercise 3f9a1c2b -o cope-report.md
  {PROG} doctor                       check the database and its backups
  {PROG} demo --db /tmp/demo.json && {PROG} --db /tmp/demo.json
"""


def _add_meet(commands) -> None:
    meet = commands.add_parser(
        "meet",
        prog=f"{PROG} meet",
        formatter_class=_Formatter,
        help="open the app straight into a meeting with a client",
        description=(
            "Open the app straight into a meeting with the client CODE: the client's\n"
            "unfinished meeting if there is one (after a dropped connection, say), else a\n"
            "new one. The client is created first if no client has that code."
        ),
        epilog=f"example:\n  {PROG} meet C-0042\n  {PROG} meet C-0042 --db ~/team/clients.json",
    )
    meet.add_argument("code", metavar="CODE", help="the client's code or display name (quote it if it has spaces)")
    _add_db(meet, f"database file (default: ${ENV_DB}, else the default location)")
    _add_lock_after(meet)


def _add_export(commands) -> None:
    export = commands.add_parser(
        "export",
        prog=f"{PROG} export",
        formatter_class=_Formatter,
        help="print meetings or a COPE exercise report as Markdown, or write them to a file",
        description=(
            "Export records as Markdown: one client's meetings, one meeting, everything,\n"
            "the report of one COPE exercise, or a client's handover document.\n"
            "Prints to standard output unless -o is given. The database is opened\n"
            "read-only, so this works while the app is running."
        ),
        epilog=(
            "examples:\n"
            f"  {PROG} export --client C-0042 -o c42.md\n"
            f"  {PROG} export --meeting 3f9a1c2b | less   (the start of an id is enough when unique)\n"
            f"  {PROG} export --all -o everything.md\n"
            f"  {PROG} export --exercise 3f9a -o cope-report.md   (a COPE exercise's report)\n"
            f"  {PROG} export --handover C-0042 -o c42-handover.md   (a client's handover document)"
        ),
    )
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument("--client", metavar="CLIENT", type=_named, help="all meetings of one client, by code or id")
    which.add_argument("--meeting", metavar="ID", type=_named, help="one meeting, by its id (shown in the app and in exports)")
    which.add_argument("--all", action="store_true", help="everything: every client and meeting, then every COPE exercise's report")
    which.add_argument(
        "--exercise",
        metavar="ID",
        type=_named,
        help="the report of one COPE exercise, by its id (shown in the app and in its report)",
    )
    which.add_argument(
        "--handover",
        metavar="CLIENT",
        type=_named,
        help="the handover document of one client (journey, learning, effect, challenges, referrals, "
        "reflection), by code or id",
    )
    export.add_argument(
        "-o", "--output", metavar="FILE", type=_file_name, help="write to FILE (readable by you only) instead of standard output"
    )
    _add_db(export, f"database file (default: ${ENV_DB}, else the default location)")


def _add_demo(commands) -> None:
    demo = commands.add_parser(
        "demo",
        prog=f"{PROG} demo",
        usage="%(prog)s --db PATH [--clients N] [--meetings N] [--seed N]",
        formatter_class=_Formatter,
        help="write fictional sample data into a new database",
        description=(
            "Write fictional, reproducible sample clients and meetings for trying the app.\n"
            "--db is required and the database must not hold any clients yet, so demo\n"
            "data never lands in your real records. Run again on a database that already\n"
            "holds the demo, it says so and writes nothing (exit status 0)."
        ),
        epilog=(
            "examples:\n"
            f"  {PROG} demo --db /tmp/demo.json\n"
            f"  {PROG} demo --db /tmp/big.json --clients 1000 --meetings 10000\n"
            f"  {PROG} --db /tmp/demo.json        (then open it in the app)"
        ),
    )
    _add_db(demo, "the database file to create (required; must hold no clients, or the demo already)")
    demo.add_argument("--clients", type=_positive, default=8, metavar="N", help="number of clients (default: 8)")
    demo.add_argument(
        "--meetings", type=_count, default=30, metavar="N", help="number of meetings over all clients (default: 30)"
    )
    demo.add_argument("--seed", type=int, default=1, metavar="N", help="same seed, same data (default: 1)")


def _add_doctor(commands) -> None:
    doctor = commands.add_parser(
        "doctor",
        prog=f"{PROG} doctor",
        usage="%(prog)s [--db PATH] [--restore BACKUP | --restore-newest | --set-aside | --accept-missing] [--yes]",
        formatter_class=_Formatter,
        help="check the database and its backups; restore a backup",
        description=DOCTOR_DESCRIPTION,
        epilog=(
            "examples:\n"
            f"  {PROG} doctor\n"
            f"  {PROG} doctor --db ~/team/clients.json --restore-newest\n"
            f"  {PROG} doctor --restore cope-tui-20261124T071530.123456Z.json --yes\n"
            f"  {PROG} doctor --db ~/team/clients.json --set-aside"
        ),
    )
    _add_db(doctor, f"database file (default: ${ENV_DB}, else the default location)")
    how = doctor.add_mutually_exclusive_group()
    how.add_argument(
        "--restore", metavar="BACKUP", help="restore this backup: a path, or a file name from the backup list"
    )
    how.add_argument("--restore-newest", action="store_true", help="restore the newest backup that checks out")
    how.add_argument(
        "--set-aside",
        action="store_true",
        help="keep the journal lines and records the app cannot read in .damaged- files, and open the rest",
    )
    how.add_argument(
        "--accept-missing",
        action="store_true",
        help="stop reporting the saved changes found missing, once you have looked for them (the record stays)",
    )
    doctor.add_argument(
        "--yes", action="store_true", help="restore or set aside without asking (required when not run from a terminal)"
    )
