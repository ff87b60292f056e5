"""The command line's side of encryption: `encrypt`, `decrypt`, and the passphrase.

A passphrase comes from COPE_TUI_PASSPHRASE (for scripts) or is asked for at the
terminal without echo. Without either, a command on an encrypted DB stops with a
message saying how to give it. The passphrase is never written anywhere.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

from ..paths import ENV_PASSPHRASE
from ..store import crypto
from ..store.diskio import database_exists
from ..store.store import Store, StoreError, WrongPassphrase
from .shared import PROG, at_terminal, from_env, say
from ..words import counted

TRIES = 3

AskFn = Callable[[str], str]


class PassphraseNeeded(StoreError):
    """No passphrase could be had; the message says how to give one."""


def _needed(db: Path, doing: str) -> PassphraseNeeded:
    return PassphraseNeeded(
        f"'{db}' is encrypted and {doing} needs its passphrase. Run this at a terminal to be "
        f"asked for it, or set the {ENV_PASSPHRASE} environment variable to it."
    )


def ask(db: Path, *, ask_fn: AskFn = getpass.getpass) -> str | None:
    """One passphrase typed at the terminal (None at end of input)."""
    try:
        return ask_fn(f"Passphrase for {db}: ")
    except EOFError:
        print(file=sys.stderr)
        return None


def unlock(store: Store, *, doing: str = "this command", ask_fn: AskFn = getpass.getpass, tty: bool | None = None) -> None:
    """Unlock an encrypted store: the environment's passphrase, or up to three typed tries."""
    if not store.locked:
        return
    given = from_env()
    if given is not None:
        try:
            store.unlock(given)
        except WrongPassphrase:
            raise WrongPassphrase(
                f"The passphrase in {ENV_PASSPHRASE} does not open '{store.path}'. Set it to the "
                "right one (or unset it to be asked at the terminal)."
            ) from None
        return
    if not (at_terminal() if tty is None else tty):
        raise _needed(store.path, doing)
    for attempt in range(1, TRIES + 1):
        typed = ask(store.path, ask_fn=ask_fn)
        if typed is None:
            break
        try:
            store.unlock(typed)
            return
        except WrongPassphrase as exc:
            say(str(exc) if attempt < TRIES else f"That passphrase does not open '{store.path}' either.")
    raise WrongPassphrase(f"'{store.path}' was not unlocked; nothing has been changed.")


def keyring(db: Path, *, ask_fn: AskFn = getpass.getpass, tty: bool | None = None) -> crypto.Keyring:
    """Keys for `doctor`: the DB's (or its first sealed backup's) passphrase, checked once.

    Without a passphrase the keyring is empty and the doctor reports what it can."""
    from ..store import backups

    sealed = [p for p in (db, *(b.path for b in backups.list_backups(db))) if crypto.is_encrypted(p)]
    if not sealed:
        return crypto.Keyring(None)
    given = from_env()
    if given is not None:
        return crypto.Keyring(given)
    if not (at_terminal() if tty is None else tty):
        say(f"'{db}' is encrypted: its records are checked only with {ENV_PASSPHRASE} set, or at a terminal.")
        return crypto.Keyring(None)
    try:
        header = crypto.read_header(sealed[0])
    except crypto.CryptoError:
        header = None  # the doctor will say what is wrong with it
    for attempt in range(1, TRIES + 1):
        typed = ask(db, ask_fn=ask_fn)
        if typed is None or header is None:
            return crypto.Keyring(typed)
        try:
            return crypto.Keyring(typed, crypto.unlock(header, typed))
        except crypto.BadPassphrase:
            say(crypto.describe(sealed[0], crypto.BadPassphrase()) if attempt < TRIES else "Giving up on the passphrase.")
    return crypto.Keyring(None, refused=True)


MIN_LENGTH = crypto.MIN_PASSPHRASE


def new_passphrase(
    db: Path | str,
    *,
    ask_fn: AskFn = getpass.getpass,
    tty: bool | None = None,
    env: str = ENV_PASSPHRASE,
    label: str = "passphrase",
    doing: str | None = None,
) -> str:
    """A new passphrase, typed twice (or from `env`), and not a short one: the file (or,
    for a team passphrase, the team's key document) may be copied and guessed at
    offline, without limit. `db` names what it protects in messages."""
    given = os.environ.get(env) or None
    if given is not None:
        if len(given) < MIN_LENGTH:
            raise PassphraseNeeded(
                f"the {label} in {env} is shorter than {MIN_LENGTH} characters, too "
                f"easy to guess for client records: set a longer one. Nothing has been changed in '{db}'."
            )
        return given
    if not (at_terminal() if tty is None else tty):
        doing = doing or f"encrypting '{db}'"
        raise PassphraseNeeded(
            f"{doing} needs a new {label}: run this at a terminal to type it twice, "
            f"or set {env}. Nothing has been changed."
        )
    for _ in range(TRIES):
        try:
            first = ask_fn(f"New {label} for {db}: ")
            if not first:
                say("an empty passphrase protects nothing; type one (a few words are easy to remember).")
                continue
            short = crypto.short_passphrase(first)
            if short:
                say(short)
                continue
            again = ask_fn(f"The same {label} again: ")
        except EOFError:
            print(file=sys.stderr)
            break
        if first == again:
            return first
        say(f"the two {label}s differ; type them again.")
    raise PassphraseNeeded(f"no {label} was agreed on. Nothing has been changed in '{db}'.")


def _old_passphrase(db: Path, ask_fn: AskFn, tty: bool | None) -> list[str]:
    given = from_env()
    if given is not None:
        return [given]
    if not (at_terminal() if tty is None else tty):
        raise _needed(db, "decrypting it")
    return []  # asked one try at a time by the caller


def cmd_encrypt(args: argparse.Namespace, *, ask_fn: AskFn = getpass.getpass, tty: bool | None = None) -> int:
    from ..store import rekey
    from ..paths import resolve_db_path

    db = resolve_db_path(args.db).absolute()
    pending = crypto.read_marker(db) if crypto.marker_path(db).exists() else None
    if pending is not None:
        phrase = from_env() or (ask(db, ask_fn=ask_fn) if (at_terminal() if tty is None else tty) else None)
        if phrase is None:
            raise _needed(db, "finishing the encryption")
    else:
        if crypto.is_encrypted(db):
            raise rekey.RekeyError(f"'{db}' is encrypted already. Nothing has been changed.")
        phrase = new_passphrase(db, ask_fn=ask_fn, tty=tty)
    existed = database_exists(db)
    changed = rekey.convert(db, rekey.ENCRYPT, phrase)
    what = "Finished encrypting" if pending else ("Encrypted" if existed else "Created the encrypted database")
    print(f"{what} '{db}' ({counted(len(changed), 'file')} rewritten).")
    print(
        "Keep the passphrase somewhere safe: without it these records cannot be read by anyone, "
        "you included. Exports you write stay plain text."
    )
    return 0


def cmd_decrypt(args: argparse.Namespace, *, ask_fn: AskFn = getpass.getpass, tty: bool | None = None) -> int:
    from ..store import rekey
    from ..paths import resolve_db_path

    db = resolve_db_path(args.db).absolute()
    if not database_exists(db) and not crypto.marker_path(db).exists():
        raise rekey.RekeyError(f"there is no database at '{db}'; nothing has been changed.")
    if not crypto.is_encrypted(db) and not crypto.marker_path(db).exists():
        raise rekey.RekeyError(f"'{db}' is not encrypted. Nothing has been changed.")
    given = _old_passphrase(db, ask_fn, tty)
    for attempt in range(1, (1 if given else TRIES) + 1):
        phrase = given[0] if given else ask(db, ask_fn=ask_fn)
        if phrase is None:
            break
        try:
            changed = rekey.convert(db, rekey.DECRYPT, phrase)
        except WrongPassphrase as exc:
            if given or attempt == TRIES:
                raise
            say(str(exc))
            continue
        print(f"Decrypted '{db}' ({counted(len(changed), 'file')} rewritten). Its records are now stored as plain text.")
        return 0
    raise PassphraseNeeded(f"'{db}' was not decrypted; nothing has been changed.")


def export_note(db: Path) -> None:
    """Exports are plain text wherever they are written: say so for an encrypted DB."""
    if crypto.is_encrypted(db):
        say("note: the database is encrypted, but this export is plain text; keep it somewhere safe.")


PASSPHRASE_HELP = (
    f"encryption:\n"
    f"  An encrypted database asks for its passphrase at the terminal, or takes it\n"
    f"  from the {ENV_PASSPHRASE} environment variable (for scripts)."
)


def add_commands(commands, formatter, add_db: Callable[..., None]) -> None:
    """The `encrypt` and `decrypt` subcommands, for parser.py."""
    for name, summary, text in (
        (
            "encrypt",
            "encrypt the database (or create a new, encrypted one)",
            "Encrypt every file of the database: the file itself, its journal, the client-list\n"
            "summary, the audit log and every backup (AES-256-GCM, with a key made from your\n"
            "passphrase by scrypt). You are asked for a new passphrase twice (8 characters or\n"
            "more). With no database at PATH, a new, empty, encrypted one is created. Refused\n"
            "while cope-tui has the database open. If it is cut off, run it again: it finishes\n"
            "the job.\n"
            "Exports stay plain text wherever you write them.",
        ),
        (
            "decrypt",
            "store the database as plain text again",
            "Decrypt every file of the database (the same files as 'encrypt') after asking\n"
            "for the passphrase. Refused while cope-tui has the database open. If it is cut\n"
            "off, run it again: it finishes the job.",
        ),
    ):
        sub = commands.add_parser(
            name,
            prog=f"{PROG} {name}",
            formatter_class=formatter,
            help=summary,
            description=text,
            epilog=f"example:\n  {PROG} {name} --db ~/team/clients.json\n\n{PASSPHRASE_HELP}",
        )
        add_db(sub, "database file (default: $COPE_TUI_DB, else the default location)")


def name_env(parser: argparse.ArgumentParser, commands) -> None:
    """Every command that opens a DB names COPE_TUI_PASSPHRASE in its --help."""
    for sub in [parser, *commands.choices.values()]:
        if ENV_PASSPHRASE not in (sub.epilog or "") and any(a.dest == "db" for a in sub._actions):
            sub.epilog = f"{sub.epilog}\n\n{PASSPHRASE_HELP}" if sub.epilog else PASSPHRASE_HELP
