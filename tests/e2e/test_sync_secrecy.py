"""The server reads nothing and can change nothing unseen; logins and passphrases are
never written anywhere."""

from __future__ import annotations

import base64
import re
from argparse import Namespace
from pathlib import Path

import orjson
import pytest

from cope_tui.store.crypto import PlainCodec
from cope_tui.errors import Failure
from cope_tui.sync.state import SyncState
from cope_tui.meetings.models import Client, Meeting, MeetingKind
from helpers.couch_server import CouchDb
from helpers.sync import PHRASE, make_worker, ok

MARKER = "ZEBRA-MARKER-7731"
CODE = "C-SECRET-4242"


@pytest.fixture
def pair(tmp_path, cli_env, couch_db: CouchDb, run_cli):
    return [make_worker(tmp_path, cli_env, couch_db, run_cli, n) for n in ("Ann", "Bea")]


def _server_bytes(db: CouchDb) -> bytes:
    """Everything the server holds for the database: every document with every revision
    it still has, the change feed, the checkpoints."""
    found = []
    status, raw = db.get("_all_docs?include_docs=true")
    assert status == 200
    found.append(raw)
    for row in orjson.loads(raw)["rows"]:
        status, revs = db.get(f"{row['id']}?open_revs=all&revs=true")
        found.append(revs)
    status, changes = db.get("_changes?style=all_docs&include_docs=true")
    found.append(changes)
    status, info = db.get("")
    found.append(info)
    return b"\n".join(found)


def _checkpoint(db: CouchDb, worker) -> bytes:
    state = SyncState(worker.db, PlainCodec())
    try:
        status, raw = db.get(f"_local/cope-tui-{state.meta['replica']}")
    finally:
        state.close()
    assert status == 200
    return raw


def test_the_server_sees_no_note_client_code_date_or_name(pair, couch_db, tmp_path) -> None:
    ann, bea = pair
    for worker in pair:  # names with a '-', which base64 never holds: found only if leaked
        config = tmp_path / f"config-{worker.name}" / "cope-tui" / "config.toml"
        config.write_text(f'[user]\nname = "Worker-{worker.name} Q"\n', encoding="utf-8")
    ok(ann.cli("demo", "--db", ann.db, "--clients", "3", "--meetings", "6"))
    with ann.store() as store:
        client = Client(code=CODE, note=f"lives at {MARKER}")
        store.put_client(client)
        meeting = Meeting(client_id=client.id, kind=MeetingKind.FIRST)
        meeting.step("opening").notes = f"said {MARKER} twice"
        store.put_meeting(meeting)
    ok(ann.sync())
    ok(bea.sync())
    with bea.store() as store:
        store.delete("clients", client.id)  # a deletion too
    ok(bea.sync())
    ok(ann.sync())
    held = _server_bytes(couch_db) + _checkpoint(couch_db, ann) + _checkpoint(couch_db, bea)
    text = held.decode("utf-8", "replace")
    assert MARKER not in text and CODE not in text
    dates = {d for doc in ann.tables()["meetings"].values() for d in re.findall(r"\d{4}-\d{2}-\d{2}", orjson.dumps(doc).decode())}
    assert dates and not [d for d in dates if d in text]
    assert "Worker-" not in text  # who wrote what is sealed too
    assert bea.tables() == ann.tables()


def test_a_wrong_team_passphrase_has_its_own_message(pair) -> None:
    ann, bea = pair
    ok(ann.sync())
    bea.env["COPE_TUI_TEAM_PASSPHRASE"] = "not the team's passphrase"
    wrong = bea.sync()
    assert wrong.returncode == 1
    assert "COPE_TUI_TEAM_PASSPHRASE does not open the team's records" in wrong.stderr
    assert "not the team" not in wrong.stderr + wrong.stdout
    assert not Path(str(bea.db) + ".sync").exists()  # nothing was synced


def test_a_typed_wrong_team_passphrase_is_asked_again_then_refused(pair, monkeypatch) -> None:
    from cope_tui.cli.sync import cmd_sync

    ann, bea = pair
    ok(ann.sync())
    for key, value in bea.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("COPE_TUI_TEAM_PASSPHRASE")
    typed = iter(["wrong one", "wrong two", PHRASE])
    args = Namespace(remote=bea.remote, db=str(bea.db))
    assert cmd_sync(args, ask_fn=lambda _prompt: next(typed), tty=True) == 0  # the third try opens it
    typed = iter(["wrong"] * 3)
    with pytest.raises(Failure, match="does not open the team's records"):
        cmd_sync(args, ask_fn=lambda _prompt: next(typed), tty=True)


def _tamper(db: CouchDb, doc_id: str, change) -> None:
    status, raw = db.get(doc_id)
    doc = orjson.loads(raw)
    change(doc)
    status, reply = db.send("PUT", doc_id, orjson.dumps(doc))
    assert status in (201, 202), reply


def _flip(sealed: str) -> str:
    raw = bytearray(base64.b64decode(sealed))
    raw[30] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def test_a_ciphertext_changed_or_moved_on_the_server_is_refused(pair, couch_db) -> None:
    ann, bea = pair
    ok(ann.cli("demo", "--db", ann.db, "--clients", "2", "--meetings", "4"))
    ok(ann.sync())
    status, raw = couch_db.get("_all_docs?include_docs=true")
    docs = [row["doc"] for row in orjson.loads(raw)["rows"] if row["id"] != "cope-team"]
    changed, moved_to, source = docs[0], docs[1], docs[2]
    _tamper(couch_db, changed["_id"], lambda d: d.update(s=_flip(d["s"])))
    _tamper(couch_db, moved_to["_id"], lambda d: d.update(s=source["s"]))
    refused = bea.sync()
    assert refused.returncode == 1
    assert "2 record versions on the server failed their check" in refused.stderr
    assert "Everything else is synced" in refused.stderr
    theirs, mine = bea.tables(), ann.tables()
    assert _count(theirs) == _count(mine) - 2  # the two were not taken; all the rest was
    again = bea.sync()
    assert again.returncode == 1 and "failed their check" in again.stderr  # still said, until fixed


def _count(tables) -> int:
    return sum(len(t) for t in tables.values())


def test_logins_and_passphrases_are_never_written_or_shown(pair, couch_db, tmp_path) -> None:
    ann, bea = pair
    password = "pw-" + "9f8e7d6c5b4a"
    couch_db.add_member("ann-login", password)
    ann.env.update(COPE_TUI_SYNC_USER="ann-login", COPE_TUI_SYNC_PASSWORD=password, COPE_TUI_PASSPHRASE="db passphrase 123")
    ok(ann.cli("encrypt", "--db", ann.db))
    ok(ann.cli("demo", "--db", ann.db, "--clients", "2", "--meetings", "3"))
    results = [ok(ann.sync()), ok(ann.sync())]
    ann.env["COPE_TUI_SYNC_PASSWORD"] = "pw-wrong-" + "0a1b2c"
    refused = ann.sync()
    assert refused.returncode == 1 and "did not accept the login" in refused.stderr
    secrets = [password.encode(), b"pw-wrong-0a1b2c", PHRASE.encode(), b"db passphrase 123", b"ann-login"]
    for result in [*results, refused]:
        assert not [s for s in secrets if s in (result.stdout + result.stderr).encode()]
    files = [p for p in tmp_path.rglob("*") if p.is_file() and "own-couch" not in p.parts]
    assert any(p.name.endswith(".sync") or p.name.endswith(".sync.journal") for p in files)
    for path in files:
        data = path.read_bytes()
        assert not [s for s in secrets if s in data], path
    state = Path(str(ann.db) + ".sync.journal").read_bytes()
    assert state and not state.lstrip().startswith(b"{")  # sealed like the DB's own journal


def test_encrypt_and_decrypt_convert_the_sync_state_too(pair) -> None:
    ann, bea = pair
    with ann.store() as store:
        store.put_client(Client(code=CODE, note=MARKER))
    ok(ann.sync())
    state = [Path(str(ann.db) + ".sync"), Path(str(ann.db) + ".sync.journal")]
    with ann.store() as store:
        store.put_client(Client(code="C-in-the-journal-only"))
        whole = SyncState(ann.db, PlainCodec())  # fold the journal in, so both files exist
        whole.compact()
        whole.commit(meta={"note": MARKER})  # and one line after it
        whole.close()
    assert all(MARKER.encode() in path.read_bytes() for path in state)
    ann.env["COPE_TUI_PASSPHRASE"] = "db passphrase 123"
    ok(ann.cli("encrypt", "--db", ann.db))
    for path in state:
        assert MARKER.encode() not in path.read_bytes(), path
    with ann.store() as store:
        store.put_client(Client(code="C-after-encrypt"))
    assert "conflict" not in ok(ann.sync()).stderr
    ok(ann.cli("decrypt", "--db", ann.db))
    ann.env.pop("COPE_TUI_PASSPHRASE")
    assert "conflict" not in ok(ann.sync()).stderr
    ok(bea.sync())
    assert bea.tables() == ann.tables()
