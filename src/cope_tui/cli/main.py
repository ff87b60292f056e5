"""Command line: open the app, start a meeting, export Markdown, write demo data, doctor.

Nothing here imports Textual at module level, so `export`, `demo`, `--help` and
`--version` start fast and work without a terminal UI.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ContentError, Failure
from ..mdsafe import clean
from ..paths import ENV_PASSPHRASE, db_command, resolve_db_path
from ..store.diskio import database_exists
from ..store.store import CorruptDatabase, DatabaseLocked, ForeignDatabase, Store, StoreError, UnreadableRecords
from .parser import build_parser
from .app_start import NO_TERMINAL, app_db, stop_team_sync
from .shared import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, PROG, InputFn, ProgressLine, ask_yes_no, from_env, interactive, say
from ..words import counted

if TYPE_CHECKING:
    from ..store.backup_check import CheckResult
    from ..store.backups import Backup
    from ..session import Session


# The passphrase handling (cli/crypto.py) and the commands other than the app's are
# imported only when a command needs them.


def unlock(store, *, doing: str) -> None:
    from .crypto import unlock

    unlock(store, doing=doing)


def export_note(db: Path) -> None:
    from .crypto import export_note

    export_note(db)


def cmd_encrypt(args: argparse.Namespace) -> int:
    from .crypto import cmd_encrypt

    return cmd_encrypt(args)


def cmd_decrypt(args: argparse.Namespace) -> int:
    from .crypto import cmd_decrypt

    return cmd_decrypt(args)


def _run_session(session: Session, db: Path, meet_code: str | None, *, lock_after: int | None = None) -> int:
    saved = False
    if not interactive():
        # Run with its output into a pipe (`| head`) it spun at full speed once the reader
        # had gone, holding the database's lock, until killed.
        session.close()
        raise Failure(NO_TERMINAL)
    try:
        from ..app import create_app  # Textual is imported only when the UI runs
        from ..settings import load_settings

        app = create_app(session, meet_code=meet_code, settings=load_settings(flag=lock_after))
        try:
            app.run()
        finally:
            stop_team_sync(app)  # a sync still running stops after its batch, before the DB closes
        code = getattr(app, "return_code", None) or EXIT_OK
    finally:
        saved = session.close()
    if app.crash_message:  # a bug ended the app: where its report is
        print(app.crash_message, file=sys.stderr)
    if not saved:
        say(f"some changes could not be saved to '{db}'. Check the disk and open the app again.")
        return EXIT_FAILURE
    return int(code)


def _describe(backup: Backup, check: CheckResult) -> str:
    from ..store.doctor import when

    return f"{when(backup.taken)} ({counted(check.clients, 'client')}, {counted(check.meetings, 'meeting')})"


def backup_hint(db: Path) -> Backup | None:
    """After a damaged or foreign DB: name the newest good backup and the command to restore it."""
    from ..store import backups
    from ..store.doctor import restore_command

    from ..store.crypto import Keyring

    keys = Keyring(from_env())
    backup = backups.newest_good(db, keys)
    if backup is None:
        if backups.list_backups(db):
            say(
                f"none of the backups of this file checks out. "
                f"'{db_command(db, 'doctor')}' shows why."
            )
        return None
    check = backups.check_file(backup.path, keys)
    say(f"the newest good backup is from {_describe(backup, check)}: {backup.path}")
    say(f"to restore it (the damaged file is kept aside): {restore_command(Path(db).expanduser().absolute())}")
    return backup


def launch(
    db: Path,
    *,
    read_only: bool = False,
    meet_code: str | None = None,
    is_tty: bool | None = None,
    input_fn: InputFn = input,
    run: Callable[[Session, Path, str | None], int] = _run_session,
) -> int:
    """Open the DB and run the app; on a locked or damaged DB, offer a way out at a terminal.

    Locked: open it read-only instead. Damaged or foreign: restore the newest good backup
    (the damaged file is moved aside, never deleted). Without a terminal nothing is asked
    and the exit status is 1, as before.
    """
    tty = interactive() if is_tty is None else is_tty
    _derive_while_importing(db)
    try:
        session = _open_session(db, read_only=read_only, tty=tty)
    except DatabaseLocked as exc:
        hint = read_only_hint(db) if meet_code is None and not tty else ""
        say(f"{exc}{hint}")
        if not tty or not ask_yes_no("Open it read-only instead?", input_fn):
            return EXIT_FAILURE
        if meet_code is not None:
            say(f"read-only: no new meeting is started; find {meet_code} in the client list.")
        session = _open_session(db, read_only=True, tty=tty)
        meet_code = None
    except UnreadableRecords as exc:  # a restore would lose good saves: the message says what does not
        say(str(exc))
        return EXIT_FAILURE
    except (CorruptDatabase, ForeignDatabase) as exc:
        say(str(exc))
        backup = backup_hint(db)
        if backup is None or read_only or not tty:
            return EXIT_FAILURE
        if not ask_yes_no("Restore it now? The damaged file is kept aside.", input_fn):
            return EXIT_FAILURE
        from ..store import backups  # only on this path: it is not needed to open a healthy DB

        from ..store.crypto import Keyring  # the restore's audit entry is sealed with this key

        aside = backups.restore(db, backup, Keyring(from_env()), on_note=say)
        kept = f"; the damaged file is kept as {aside}" if aside else ""
        say(f"restored {backup.path.name}{kept}.")
        session = _open_session(db, read_only=read_only, tty=tty)
    return run(session, db, meet_code)


def read_only_hint(db: Path) -> str:
    """The command that opens this very DB read-only: `cope-tui --read-only` alone opened
    the default one, not the `--db` the user had typed."""
    return f" ('{db_command(db, '', '--read-only')}' does that.)"


def _open_session(db: Path, *, read_only: bool, tty: bool) -> Session:
    """Open with the environment's passphrase; a wrong one is named as such, and at a
    terminal the app then asks for it as if none were set."""
    from ..session import Session
    from ..store.store import WrongPassphrase

    passphrase = from_env()
    try:
        return Session.open(db, read_only=read_only, passphrase=passphrase)
    except WrongPassphrase:
        if passphrase is None:
            raise
        wrong = f"The passphrase in {ENV_PASSPHRASE} does not open '{db}'"
        if not tty:
            raise WrongPassphrase(f"{wrong}. Set it to the right one, or unset it.") from None
        session = Session.open(db, read_only=read_only, passphrase=None)
        session.unlock_note = f"{wrong}: type it here instead."
        return session


def _derive_while_importing(db: Path) -> None:
    """With the passphrase in the environment, derive an encrypted DB's key (0.3 s of
    scrypt, which leaves the interpreter free) while Textual is imported, not before."""
    from ..store.crypto import derive_ahead, is_encrypted

    passphrase = from_env()
    if passphrase and is_encrypted(db):
        thread = derive_ahead(db, passphrase)
        from .. import app  # noqa: F401  (the import is the point)

        thread.join()


def cmd_app(args: argparse.Namespace) -> int:
    run = partial(_run_session, lock_after=args.lock_after)
    return launch(app_db(args.db), read_only=args.read_only, run=run)


def cmd_meet(args: argparse.Namespace) -> int:
    try:
        from ..meetings.models import check_code

        code = check_code(args.code)
    except ValueError as exc:
        print(f"{PROG} meet: {exc}", file=sys.stderr)
        return EXIT_USAGE
    run = partial(_run_session, lock_after=getattr(args, "lock_after", None))
    return launch(app_db(args.db), meet_code=code, run=run)


def cmd_export(args: argparse.Namespace) -> int:
    from .export import cmd_export

    return cmd_export(args)


def cmd_demo(args: argparse.Namespace) -> int:
    from ..demo.writer import write_demo
    from ..demo.exercise import write_demo_exercise

    if not getattr(args, "db", None):
        print(
            f"{PROG} demo: --db PATH is required (demo data is never written to your default database).",
            file=sys.stderr,
        )
        return EXIT_USAGE
    db = Path(args.db).expanduser()
    from ..content.meeting_guide import load_meeting_guide

    meeting_guide = load_meeting_guide()
    store = Store(db)
    try:
        unlock(store, doing="writing demo data")
        existing = len(store.clients())
        if existing and _holds_demo(store):
            # The README's command run a second time: the demo is there, so say so and let
            # the `&& cope-tui --db ...` that follows open it.
            print(f"'{db}' already holds the demo data ({counted(existing, 'client')}); nothing was written.")
            return EXIT_OK
        if existing:
            raise Failure(
                f"'{db}' already holds {counted(existing, 'client')}; demo data is only written to a database "
                "without clients. Choose a new file with --db PATH."
            )
        try:
            counts = write_demo(store, meeting_guide, clients=args.clients, meetings=args.meetings, seed=args.seed)
            cope = write_demo_exercise(store, seed=args.seed)
        except KeyboardInterrupt:  # ctrl+c on a demo too big: say what is left behind
            say(f"interrupted: '{db}' holds only part of the demo, and the next demo run refuses it. "
                f"Delete it and the files beside it named {db.name}.*, or give a new --db PATH.")
            return 130
    finally:
        store.close()
    print(
        f"Wrote {counts['clients']} clients and {counts['meetings']} meetings "
        f"({counts['finalised']} finalised, {counts['unfinished']} unfinished, "
        f"{counts['addenda']} addenda), and {cope['exercises']} COPE exercises "
        f"(a first one with {cope['problems']} problems and a follow-up carrying {cope['carried']} of them, "
        f"{cope['done']} now done, plus {cope['new']} new) to {store.path}"
    )
    return EXIT_OK


def _holds_demo(store: Store) -> bool:
    """The demo's own records: its fictional COPE site, facilitated by its fictional facilitator."""
    from ..demo.exercise import FACILITATOR, SITE

    return any(e.site == SITE and e.facilitator == FACILITATOR for e in store.exercises())


def _team_conflicts(db: Path, codec) -> int:
    from .doctor import team_conflicts

    return team_conflicts(db, codec)


def cmd_doctor(args: argparse.Namespace, *, is_tty: bool | None = None, input_fn: InputFn = input) -> int:
    from ..store import backups, doctor
    from .crypto import keyring

    db = resolve_db_path(args.db).absolute()
    if getattr(args, "accept_missing", False):
        return _accept_missing(db)
    keys = keyring(db)
    line = ProgressLine("Checking")
    try:
        report = doctor.diagnose(db, keys=keys, progress=line)
    finally:
        line.clear()  # before any message, error or report
    restoring = bool(args.restore or args.restore_newest)
    setting_aside = getattr(args, "set_aside", False)
    print(clean(doctor.format_report(report, suggest=not restoring and not setting_aside)))  # it quotes files
    from ..store.crypto import rekey_pending

    if (restoring or setting_aside) and rekey_pending(db):  # (said in the report: finish it first)
        raise Failure("a half-done encrypt or decrypt is finished first, as above. Nothing has been changed.")
    if setting_aside:
        from .doctor import set_aside_flow

        return set_aside_flow(db, keys, report, args, is_tty=is_tty, input_fn=input_fn)
    status = EXIT_OK if report.healthy else EXIT_FAILURE
    if not restoring:
        return max(status, _team_conflicts(db, report.codec))
    backup = _backup_to_restore(db, args, report)
    check = backups.check_file(backup.path, keys)
    if not check.ok:
        raise Failure(f"the backup '{backup.path}' does not check out ({check.problem}); nothing has been changed.")
    question = (
        f"Restore {backup.path.name} from {_describe(backup, check)} as '{db}'? "
        "The current file is kept aside."
    )
    tty = interactive() if is_tty is None else is_tty
    print()
    if not args.yes:
        if not tty:
            raise Failure(
                "not restoring without a terminal to ask; add --yes to restore anyway. Nothing has been changed."
            )
        if not ask_yes_no(question, input_fn):
            print("Nothing has been changed.")
            return status
    aside = backups.restore(db, backup, keys, on_note=say)  # keys seal its audit entry
    print(f"Restored {backup.path} as {db}.")
    if aside:
        suffix = aside.name.split(".damaged-")[-1]
        for path in (db, *backups.journals_of(db)):
            kept = path.with_name(f"{path.name}.damaged-{suffix}")
            if kept.exists():
                print(f"The previous {'file' if path == db else path.name} is kept as {kept}.")
    after = doctor.diagnose(db, keys=keys)
    if after.healthy:
        print("The database is healthy now.")
        return EXIT_OK
    print(f"The restored database still has problems; run '{db_command(db, 'doctor')}' for details.")
    return EXIT_FAILURE


def _backup_to_restore(db: Path, args: argparse.Namespace, report):
    """The backup `--restore NAME` names, or the newest good one (`--restore-newest`)."""
    from ..store import doctor

    try:
        if args.restore:
            return doctor.find_backup(db, args.restore)
        good = report.newest_good
        if good is None:
            raise Failure(f"there is no good backup of '{db}' to restore; nothing has been changed.")
        return good[0]
    except doctor.DoctorError as exc:
        raise Failure(str(exc)) from None


def _accept_missing(db: Path) -> int:
    """`doctor --accept-missing`: the DB is opened for writing (so whatever is missing now is
    recorded, as the app would) and, still holding it, what is recorded is accepted."""
    from ..store import anchor
    from .erase import say_finished_erasure

    if not database_exists(db):
        raise Failure(f"there is no database at '{db}'; nothing has been changed.")
    store = Store(db)
    try:
        unlock(store, doing="accepting the missing changes")
        store.wait_ready()
        accepted = anchor.accept(db)
    finally:
        store.close()
    say_finished_erasure(store)
    if not accepted:
        left = "nothing else has been changed" if store.resumed_erasure else "nothing has been changed"
        print(f"Nothing was recorded missing for '{db}'; {left}.")
        return EXIT_OK
    for gap in accepted:
        print(f"Accepted as lost: {gap.text(db)}.")
    print(f"These are no longer reported (the record of them is kept). Run '{db_command(db, 'doctor')}' to check the rest.")
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    from .sync import cmd_sync

    return cmd_sync(args)


def cmd_erase(args: argparse.Namespace) -> int:
    from .erase import cmd_erase

    return cmd_erase(args)


COMMANDS = {None: cmd_app, "meet": cmd_meet, "export": cmd_export, "demo": cmd_demo, "doctor": cmd_doctor}
COMMANDS.update(encrypt=cmd_encrypt, decrypt=cmd_decrypt, sync=cmd_sync, erase=cmd_erase)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (see `cope-tui --help`)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        if exc.code is None:
            return EXIT_OK
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except DatabaseLocked as exc:
        hint = read_only_hint(resolve_db_path(args.db)) if args.command is None else ""
        if args.command == "sync" and getattr(args, "new_team_passphrase", False):
            hint = " A new team passphrase is set from here only: quit the app there, then run this again."
        elif args.command == "sync":  # the app holds it: it syncs the same records the same way
            hint = " If that is the app, F10 there syncs this database now."
        say(f"{exc}{hint}")
    except UnreadableRecords as exc:
        say(str(exc))
    except (CorruptDatabase, ForeignDatabase) as exc:
        say(str(exc))
        try:
            backup_hint(resolve_db_path(getattr(args, "db", None)))
        except Exception:  # a hint must never hide the message above
            pass
    except (StoreError, ContentError, Failure) as exc:
        say(str(exc))
    except KeyboardInterrupt:
        say("interrupted.")
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); silence the flush at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
    except OSError as exc:  # e.g. no permission to create the DB folder
        where = f" '{exc.filename}'" if exc.filename else ""
        say(f"cannot use{where}: {exc.strerror or exc}.")
    except Exception as exc:  # a bug: a report without client text, never a traceback
        from ..store.crash_report import report_or_reason, user_message

        report, problem = report_or_reason(exc, f"the command line ({args.command or 'app'})")
        print(user_message(report, problem), file=sys.stderr)
    return EXIT_FAILURE


def run() -> None:
    """Console-script entry: exit with main()'s status.

    By then the DB is closed and released; flushing the streams is all that is left, so
    the process leaves at once rather than spend seconds freeing a large loaded DB
    object by object (1.5 s at 10,000 meetings).

    Core dumps are turned off first, for the whole process (see hardening): every
    command (the app, meet, export, doctor, encrypt, decrypt, demo) may come to hold a
    passphrase, a key or decrypted records. Done here, at the process's entry (the
    console script and `python -m cope_tui.cli.main`), not in main(), which callers inside
    another process (tests among them) use without giving that process up for good.
    """
    from ..store.crash_report import thread_reports, watch_threads
    from .hardening import no_core_dumps

    no_core_dumps()
    watch_threads()
    code = main()
    for message in thread_reports():
        print(message, file=sys.stderr)
        code = code or EXIT_FAILURE
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass  # a reader that went away (| head) or a closed stream: nothing left to say
    os._exit(code)


if __name__ == "__main__":
    run()
