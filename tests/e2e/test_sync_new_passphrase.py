"""A new team passphrase (issue 15): every record sealed again under it, the old one
opens nothing, other members move on with the new one, and a change cut off by kill -9
finishes when the same command runs again."""

from __future__ import annotations

import random
import signal
import subprocess
import time

import orjson
import pytest

from cope_tui.sync.seal import open_team
from cope_tui.sync.team import read_team
from cope_tui.sync.couch import Couch
from cope_tui.sync.versions import open_doc
from helpers.cli import CLI
from helpers.couch_server import CouchDb
from helpers.polling import wait_for
from helpers.sync import make_worker, ok

NEW = "a new passphrase for the north team"


def _popen(worker, *extra: str) -> subprocess.Popen:
    args = [*CLI, "sync", "--remote", worker.remote, "--db", str(worker.db), *extra]
    env = {**worker.env, "COPE_TUI_NEW_TEAM_PASSPHRASE": NEW}
    return subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _every_live_doc_opens_with_the_new_key(couch_db: CouchDb, records: int) -> None:
    status, raw = couch_db.get("_all_docs?include_docs=true&revs=true")
    assert status == 200
    rows = [row for row in orjson.loads(raw)["rows"] if not row["id"].startswith("cope-")]
    assert len(rows) == records
    with Couch(couch_db.url, auth=couch_db.auth) as couch:
        team = open_team(read_team(couch), NEW)
        for row in rows:
            doc = row["doc"]
            revs = couch.bulk_get([(doc["_id"], doc["_rev"])])
            open_doc(team, revs[0])  # Unopenable if anything is still under the old key


def _team_rev(couch_db: CouchDb) -> str:
    status, raw = couch_db.get("cope-team")
    return orjson.loads(raw)["_rev"] if status == 200 else ""


@pytest.mark.parametrize("cut", ["pushing", "switched", "anywhere"])
def test_a_new_team_passphrase_cut_off_by_kill_9_is_finished_by_the_same_command(
    tmp_path, cli_env, couch_db, run_cli, cut
) -> None:
    ann, bea, cal = (make_worker(tmp_path, cli_env, couch_db, run_cli, n) for n in ("Ann", "Bea", "Cal"))
    ok(ann.cli("demo", "--db", ann.db, "--clients", "6", "--meetings", "120"))
    ok(ann.sync())
    ok(bea.sync())
    records = sum(len(t) for t in ann.tables().values())

    new_journal = ann.db.with_name(ann.db.name + ".sync.new.journal")
    before = _team_rev(couch_db)
    proc = _popen(ann, "--new-team-passphrase")
    if cut == "pushing":  # while it pushes under the new key
        wait_for(lambda: (new_journal.exists() and new_journal.stat().st_size > 0) or proc.poll() is not None, 120)
    elif cut == "switched":  # right after the key document was replaced, before the old ones end
        wait_for(lambda: _team_rev(couch_db) != before or proc.poll() is not None, 120, interval=0.002)
    else:
        time.sleep(random.uniform(0.2, 3.0))
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)

    done = ok(run_cli(["sync", "--remote", ann.remote, "--db", str(ann.db), "--new-team-passphrase"],
                      {**ann.env, "COPE_TUI_NEW_TEAM_PASSPHRASE": NEW}, timeout=180))
    assert "new passphrase" in done.stdout
    _every_live_doc_opens_with_the_new_key(couch_db, records)

    old = bea.sync()
    assert old.returncode == 1 and "does not open" in old.stderr
    bea.env["COPE_TUI_TEAM_PASSPHRASE"] = cal.env["COPE_TUI_TEAM_PASSPHRASE"] = NEW
    moved = ok(bea.sync())
    assert "conflict" not in moved.stderr
    ok(cal.sync())
    ann.env["COPE_TUI_TEAM_PASSPHRASE"] = NEW
    ok(ann.sync())
    assert bea.tables() == ann.tables() == cal.tables()
    _every_live_doc_opens_with_the_new_key(couch_db, records)
