"""The CouchDB protocol client against a real server (pouchdb-server, a node process)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import helpers

from cope_tui.sync import errors
from cope_tui.sync.couch import Couch
from helpers.couch_server import CouchDb


def couch_for(db: CouchDb, **kw) -> Couch:
    return Couch(db.url, auth=db.auth, **kw)


def test_the_protocol_round_trip_on_a_real_server(couch_db: CouchDb) -> None:
    with couch_for(couch_db) as couch:
        assert couch.info()["doc_count"] == 0
        assert couch.create() is False  # it exists
        docs = [
            {"_id": "a1", "_rev": "1-" + "a" * 32, "_revisions": {"start": 1, "ids": ["a" * 32]}, "s": "x"},
            {"_id": "a1", "_rev": "2-" + "b" * 32, "_revisions": {"start": 2, "ids": ["b" * 32, "a" * 32]}, "s": "y"},
            {"_id": "a1", "_rev": "2-" + "c" * 32, "_revisions": {"start": 2, "ids": ["c" * 32, "a" * 32]}, "s": "z"},
        ]
        assert couch.revs_diff({"a1": ["1-" + "a" * 32]}) == {"a1": {"1-" + "a" * 32}}
        assert couch.bulk_docs(docs) == []
        assert couch.revs_diff({"a1": ["2-" + "b" * 32, "3-" + "d" * 32]}) == {"a1": {"3-" + "d" * 32}}
        feed = couch.changes(0, 100)
        assert [row.id for row in feed.rows] == ["a1"]
        assert set(feed.rows[0].revs) == {"2-" + "b" * 32, "2-" + "c" * 32}  # both leaves
        assert couch.changes(feed.last_seq, 100).rows == []
        got = couch.bulk_get([("a1", "2-" + "c" * 32), ("nope", "1-" + "e" * 32)])
        assert [(d["_rev"], d["s"], d["_revisions"]["ids"]) for d in got] == [("2-" + "c" * 32, "z", ["c" * 32, "a" * 32])]
        assert couch.get_local("rep") is None
        rev = couch.put_local("rep", {"since": 3})
        rev = couch.put_local("rep", {"since": 4, "_rev": rev})
        assert couch.get_local("rep")["since"] == 4
        assert couch.get_doc("missing") is None
        assert couch.create_doc({"_id": "cope-team", "k": 1}) is True
        assert couch.create_doc({"_id": "cope-team", "k": 2}) is False
        assert couch.get_doc("cope-team")["k"] == 1


def test_a_missing_database_is_named(couch_db: CouchDb) -> None:
    with Couch(couch_db.url + "-not-there", auth=couch_db.auth) as couch:
        with pytest.raises(errors.NoDatabase, match="no database at"):
            couch.info()
        with pytest.raises(errors.NoDatabase):
            couch.get_doc("cope-team")


def test_round_trips_are_counted(couch_db: CouchDb) -> None:
    with couch_for(couch_db) as couch:
        couch.info()
        couch.changes(0, 10)
        couch.revs_diff({})  # nothing to ask: no request
        assert couch.requests == 2


INNER_TEST = '''
import os, time
from helpers.couch_server import couch_server  # noqa: F401  (the fixture)

def test_holds_the_server(couch_server):
    os.write(1, f"SERVER {couch_server.proc.pid}\\n".encode())
    time.sleep(120)
'''


def gone(pid: int, seconds: float) -> bool:
    """The process `pid` (a group leader) and its group have ended within `seconds`."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL])
def test_a_test_run_stopped_by_a_signal_stops_its_server(tmp_path, couch_server, stop) -> None:
    """A CI job stopped with SIGTERM or SIGKILL left pouchdb-server running: it has a
    session of its own (a ctrl+c meant for pytest is not its), so the signal did not
    reach it, and no teardown ran. `couch_server`: skipped or failed as every sync test
    is when there is no server to run."""
    (tmp_path / "test_inner.py").write_text(INNER_TEST)
    tests = Path(helpers.__file__).parent.parent
    env = {**os.environ, "PYTHONPATH": str(tests)}
    run = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:randomly", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), "-c", os.devnull, "test_inner.py"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        line = b""
        while not line.startswith(b"SERVER "):
            line = run.stdout.readline()
            assert line, "the inner run ended before its server started"
        server = int(line.split()[1])
        run.send_signal(stop)
        run.wait(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    ended = gone(server, 10)
    if not ended:
        os.killpg(server, signal.SIGKILL)  # not left behind by this test either
    assert ended, "pouchdb-server outlived the test run"
