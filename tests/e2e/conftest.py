"""Fixtures of the end-to-end tests: the CouchDB-protocol server of the sync tests (a
node process, started once per session by the first test that asks for it) and the
environment of the real program on a pty."""

from __future__ import annotations

import pytest

from helpers.couch_server import couch_db, couch_server, own_couch_server  # noqa: F401  (fixtures)


@pytest.fixture
def term_env(cli_env: dict[str, str]) -> dict[str, str]:
    """The program's environment on an 80x24 xterm (a test may override it)."""
    return {**cli_env, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
