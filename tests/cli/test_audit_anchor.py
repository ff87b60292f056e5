"""Issue 11, point 9: the audit chain proves what it claims.

A plain DB's chain could be recomputed by anyone able to write the files, and a cut-off
tail or a deleted log went unnoticed. Now the chain's head is anchored outside the data
folder (both modes), an encrypted DB's chain is an HMAC under a key derived from the DB
key, and a missing log is named missing.
"""

from __future__ import annotations

import stat
from pathlib import Path

import orjson
import pytest

from cope_tui.store import audit, crypto, rekey
from cope_tui.store.audit_check import verify
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import finalise
from cope_tui.session import Session
from cope_tui.store.store import Store

PASS = "correct horse battery staple"


@pytest.fixture(params=["plain", "encrypted"])
def mode(request) -> str:
    return request.param


def signed_db(tmp_path: Path, mode: str = "plain", exports: int = 2) -> Path:
    """A DB with one finalised meeting and `exports` export entries after it."""
    db = tmp_path / "data" / "cope.json"
    session = Session.open(db, lazy=False)
    client = create_client(session.store, "C-1")
    meeting = start_meeting(session.store, session.meeting_guide, client)
    meeting.step("opening").notes = "The original words."
    finalise(meeting, "worker-1")
    session.save_signed(meeting)
    assert session.close()
    if mode == "encrypted":
        rekey.convert(db, rekey.ENCRYPT, PASS)
    for i in range(exports):
        store = Store(db, read_only=True, passphrase=PASS if mode == "encrypted" else None)
        assert audit.log_export(store, what="client C-1", target=f"out-{i}.md", data="x") is None
        store.close()
    return db


def codec_of(db: Path):
    return crypto.unlock(crypto.read_header(db), PASS) if crypto.is_encrypted(db) else None


def loaded(db: Path) -> dict:
    store = Store(db, read_only=True, passphrase=PASS if crypto.is_encrypted(db) else None)
    try:
        store.clients()
        return store._data
    finally:
        store.close()


def problems(db: Path) -> list[str]:
    return [t for level, t in verify(db, loaded(db), codec_of(db)).findings if level == "problem"]


def run_doctor(cli_env, run_cli, db: Path):
    env = {**cli_env, "COPE_TUI_PASSPHRASE": PASS} if crypto.is_encrypted(db) else cli_env
    return run_cli(["doctor", "--db", str(db)], env)


# ---- the reproductions -------------------------------------------------------------------------


def test_a_plain_chain_recomputed_after_an_edit_is_caught_by_the_anchor(tmp_path, cli_env, run_cli):
    """The reproduction: edit a finalised note, recompute its hash and the whole chain."""
    db = signed_db(tmp_path)
    data = orjson.loads(db.read_bytes())
    [meeting] = data["meetings"].values()
    meeting["steps"]["opening"]["notes"] = "Words put in afterwards."
    meeting["content_hash"] = audit.content_hash(meeting)
    db.write_bytes(orjson.dumps(data))
    log = audit.log_path(db)
    entries = [orjson.loads(line) for line in log.read_bytes().splitlines()]
    prev = ""
    for entry in entries:
        if entry["kind"] == "finalise":
            entry["hash"] = meeting["content_hash"]
        entry["prev"] = prev
        entry["entry_hash"] = prev = audit.entry_hash(entry)
    log.write_bytes(b"".join(audit.canonical(e) + b"\n" for e in entries))
    done = run_doctor(cli_env, run_cli, db)
    assert done.returncode == 1, done.stdout
    assert "audit log rewritten: entry 3" in done.stdout


def test_a_cut_off_tail_is_detected(tmp_path, mode, cli_env, run_cli):
    db = signed_db(tmp_path, mode)
    log = audit.log_path(db)
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:-1]))
    assert run_doctor(cli_env, run_cli, db).returncode == 1
    found = problems(db)
    assert any(f"ends at entry {len(lines) - 1}, but this computer saw entry {len(lines)}" in t for t in found), found


def test_an_append_after_a_cut_keeps_the_gap_in_the_log(tmp_path, mode):
    db = signed_db(tmp_path, mode)
    log = audit.log_path(db)
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:-2]))
    store = Store(db, read_only=True, passphrase=PASS if mode == "encrypted" else None)
    assert audit.log_export(store, what="client C-1", target="later.md", data="y") is None
    store.close()
    found = problems(db)
    n = len(lines)  # finalise, (encrypt,) two exports
    text = f"is entry {n + 1}: entries {n - 1} to {n} went missing before it was written"
    assert any(text in t for t in found), found


def test_a_deleted_log_is_named_missing(tmp_path, mode, cli_env, run_cli):
    db = signed_db(tmp_path, mode)
    audit.log_path(db).unlink()
    done = run_doctor(cli_env, run_cli, db)
    assert done.returncode == 1, done.stdout
    entries = 3 + (mode == "encrypted")  # finalise, (encrypt,) two exports
    assert "the audit log is missing" in done.stdout and f"this computer saw it hold {entries} entries" in done.stdout
    assert "no audit log yet" not in done.stdout and "put it back beside it" in done.stdout


def test_a_deleted_log_of_exports_only_is_named_missing(tmp_path, cli_env, run_cli):
    db = tmp_path / "data" / "cope.json"
    store = Store(db)
    create_client(store, "C-1")
    store.close()
    store = Store(db, read_only=True)
    assert audit.log_export(store, what="client C-1", target="out.md", data="x") is None
    store.close()
    audit.log_path(db).unlink()
    done = run_doctor(cli_env, run_cli, db)
    assert done.returncode == 1 and "the audit log is missing" in done.stdout, done.stdout


def test_a_deleted_log_elsewhere_is_named_missing_by_its_finalised_meetings(tmp_path, cli_env, run_cli):
    """No anchor (another computer, a moved DB): the finalised meetings say there was a log."""
    from cope_tui.store import anchor  # new with these tests: imported here, so the others ran against the code before it
    db = signed_db(tmp_path, exports=0)
    audit.log_path(db).unlink()
    for path in anchor.folder().glob("*.audit"):
        path.unlink()
    done = run_doctor(cli_env, run_cli, db)
    assert done.returncode == 1, done.stdout
    assert "the audit log is missing" in done.stdout and "1 finalised meeting" in done.stdout
    assert "no audit log yet" not in done.stdout


# ---- the keyed chain ---------------------------------------------------------------------------


def test_an_encrypted_dbs_chain_is_keyed(tmp_path):
    db = signed_db(tmp_path, "encrypted")
    codec = codec_of(db)
    log = audit.log_path(db)
    lines = log.read_bytes().splitlines()
    entries = [orjson.loads(codec.open_line(line)) for line in lines]
    keyed = [e for e in entries if "mac" in e]
    assert len(keyed) == 3  # the encrypt entry and the two exports; the finalise came before
    for entry in keyed:
        body = audit.canonical({k: v for k, v in entry.items() if k != "entry_hash"})
        assert entry["mac"] == codec.chain_key_id and entry["entry_hash"] == codec.chain_mac(body)
        assert entry["entry_hash"] != audit.sha256(body)
    assert problems(db) == []
    # An entry changed and its link recomputed without the chain key (plain SHA-256, as
    # anyone could) is caught, even when sealed again.
    forged = dict(entries[-1], target="elsewhere.md")
    body = audit.canonical({k: v for k, v in forged.items() if k != "entry_hash"})
    forged["entry_hash"] = audit.sha256(body)
    lines[-1] = codec.seal_line(audit.canonical(forged))
    log.write_bytes(b"".join(line + b"\n" for line in lines))
    found = problems(db)
    assert any(f"line {len(lines)}" in t and "changed after it was written" in t for t in found), found


def test_an_old_unkeyed_sealed_log_still_verifies_and_grows_keyed(tmp_path):
    """A log sealed by the cope-tui before keyed chains: plain SHA-256 links inside."""
    from cope_tui.store import anchor  # new with these tests: imported here, so the others ran against the code before it
    db = signed_db(tmp_path, "encrypted", exports=0)
    codec = codec_of(db)
    log = audit.log_path(db)
    old = []
    prev = ""
    for seq, entry in enumerate([orjson.loads(codec.open_line(x)) for x in log.read_bytes().splitlines()], 1):
        entry = {k: v for k, v in entry.items() if k not in ("mac", "entry_hash")}
        entry.update(seq=seq, prev=prev)
        entry["entry_hash"] = prev = audit.sha256(audit.canonical(entry))
        old.append(codec.seal_line(audit.canonical(entry)) + b"\n")
    log.write_bytes(b"".join(old))
    for path in anchor.folder().glob("*.audit"):
        path.unlink()  # an upgraded DB has no anchor yet
    assert problems(db) == []
    store = Store(db, read_only=True, passphrase=PASS)
    assert audit.log_export(store, what="client C-1", target="new.md", data="z") is None
    store.close()
    assert problems(db) == []
    last = orjson.loads(codec.open_line(log.read_bytes().splitlines()[-1]))
    assert last["mac"] == codec.chain_key_id and last["prev"] == prev


def test_after_decrypt_keyed_entries_are_noted_not_failed(tmp_path, cli_env, run_cli):
    db = signed_db(tmp_path, "encrypted")
    rekey.convert(db, rekey.DECRYPT, PASS)
    done = run_doctor(cli_env, run_cli, db)
    assert done.returncode == 0, done.stdout
    assert "written while the database was encrypted with another key" in done.stdout


def test_an_anchor_behind_the_log_is_no_alarm(tmp_path, mode):
    """A kill between the log's fsync and the anchor's write leaves the anchor one behind."""
    from cope_tui.store import anchor  # new with these tests: imported here, so the others ran against the code before it
    db = signed_db(tmp_path, mode)
    head = anchor.read_audit(db)
    codec = codec_of(db)
    lines = audit.log_path(db).read_bytes().splitlines()
    before = orjson.loads(codec.open_line(lines[-2]) if codec else lines[-2])
    anchor.write_audit(db, before["seq"], before["entry_hash"])
    assert anchor.read_audit(db)["seq"] == head["seq"] - 1
    assert problems(db) == []


def test_the_anchors_are_private(tmp_path):
    from cope_tui.store import anchor  # new with these tests: imported here, so the others ran against the code before it
    signed_db(tmp_path)
    folder = anchor.folder()
    assert str(folder).startswith(str(tmp_path))  # the state folder conftest isolates
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {p.suffix for p in folder.iterdir()} == {".seq", ".audit"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
