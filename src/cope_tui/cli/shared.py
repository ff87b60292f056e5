"""What every command shares: the program's name, exit statuses, how a message is said,
whether a person is at the terminal to be asked, and the passphrase scripts give.

Light on purpose (no store, no pydantic): the start-up path of the app imports it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from ..mdsafe import clean
from ..paths import ENV_PASSPHRASE

PROG = "cope-tui"
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

InputFn = Callable[[str], str]


def say(message: str) -> None:
    """A message to the user on stderr; file, stored and server text in it cannot drive
    their terminal."""
    print(f"{PROG}: {clean(message)}", file=sys.stderr)


def at_terminal() -> bool:
    """Can a passphrase be typed (without echo) here?"""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def interactive() -> bool:
    """Only a person at a terminal is asked anything; scripts get a message and exit 1."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


class ProgressLine:
    """One line on the terminal's stderr, rewritten as a long command moves on ("Checking
    backup 3 of 10..."), gone before its result: at 10,000 meetings `doctor` and `erase`
    work for tens of seconds, and a terminal showing nothing looks hung. Never in a pipe."""

    def __init__(self, doing: str):
        self.doing = doing
        self.written = False
        try:
            self.shown = sys.stderr.isatty()
        except (AttributeError, ValueError):
            self.shown = False

    def __call__(self, what: str) -> None:
        if self.shown:
            sys.stderr.write(f"\r{self.doing} {what}...\x1b[K")
            sys.stderr.flush()
            self.written = True

    def clear(self) -> None:
        if self.written:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.written = False


def ask_yes_no(question: str, input_fn: InputFn = input) -> bool:
    """Ask on the terminal; only 'y' or 'yes' is a yes, end of input is a no."""
    try:
        answer = input_fn(f"{question} [y/N] ")
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        return False
    return answer.strip().casefold() in ("y", "yes")


def from_env() -> str | None:
    """The passphrase scripts give (an empty variable counts as none)."""
    return os.environ.get(ENV_PASSPHRASE) or None
