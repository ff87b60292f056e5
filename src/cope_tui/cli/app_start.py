"""Starting the app from the command line: only where there is a terminal for it, and
a team sync still running at its end stopped in the open.

Kept apart from main.py, which stays the small start-up path of every command.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from ..errors import Failure
from ..paths import resolve_db_path
from ..store.diskio import database_exists
from .shared import PROG, interactive, say

NO_TERMINAL = (
    "the app needs a terminal for its input and output; neither may be a pipe or a file "
    "(over SSH, ask for one: ssh -t). "
    f"For scripts: '{PROG} export', '{PROG} doctor' and '{PROG} sync' (see '{PROG} --help')."
)


def app_db(given: str | None) -> Path:
    """The DB the app will open. Without a terminal a new one is not made only to be left
    (an existing one is opened first: what is wrong with it is worth saying)."""
    db = resolve_db_path(given)
    if not interactive() and not database_exists(db) and _could_make(db):
        raise Failure(NO_TERMINAL)
    return db


def _could_make(db: Path) -> bool:
    """Could the DB be made here? Where it could not, the open says so, naming the place,
    before anything is made: that is the first thing to put right."""
    folder = db.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return os.access(folder, os.W_OK | os.X_OK)


def stop_team_sync(app) -> None:
    """A sync waiting on a server that does not answer holds the exit until its request
    times out: the screen was blank for most of a minute, and it looked hung."""
    stopper = threading.Thread(target=app.stop_team_sync, name="cope-stop-sync", daemon=True)
    stopper.start()
    stopper.join(1.0)
    if stopper.is_alive():
        try:
            say("stopping the team sync: the server is not answering, which can take up to a minute. "
                "What you typed is kept; it is saved as soon as the sync has stopped.")
        except OSError:
            pass  # no terminal to say it on (hung up): the wait and the save go on all the same
        stopper.join()
