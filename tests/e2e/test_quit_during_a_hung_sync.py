"""ctrl+q while a sync waits on a server that accepts and never answers: the terminal was
blank for most of a minute (the app's exit waited for the sync's thread) and looked hung.
Now the app is gone at once and the command line says what it waits for."""

from __future__ import annotations

import os
import signal
import socket
import threading
from pathlib import Path

from helpers.terminal import Terminal

F10, CTRL_Q = "\x1b[21~", "\x11"


def _silent_server() -> tuple[socket.socket, int]:
    """Accepts connections and never answers a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return server, server.getsockname()[1]


def test_quit_during_a_sync_that_gets_no_answer_says_what_it_waits_for(tmp_path, term_env):
    server, port = _silent_server()
    config = Path(term_env["XDG_CONFIG_HOME"]) / "cope-tui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[sync]\nremote = "http://127.0.0.1:{port}/team"\n[user]\nname = "Ann"\n')
    env = {**term_env, "COPE_TUI_TEAM_PASSPHRASE": "a team passphrase long enough", "COPE_TUI_SYNC_USER": "ann",
           "COPE_TUI_SYNC_PASSWORD": "pw"}
    term = Terminal(["--db", str(tmp_path / "cope.json")], env)
    try:
        term.wait_for("F10 syncs")
        term.drain(0.5)
        term.type(F10)
        term.wait_for("syncing")
        term.type(CTRL_Q)
        term.wait_for("the server is not answering", timeout=15)
    finally:
        os.kill(term.pid, signal.SIGKILL)
        term.exit_status()
        server.close()
