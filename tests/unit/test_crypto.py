"""Encryption at rest on real files: round trips, wrong passphrases, tampering, crashes.

Every DB here is really encrypted (scrypt at full strength, so each unlock takes a
fraction of a second); nothing below the Store is replaced.
"""

from __future__ import annotations

import hashlib
import re
import struct
import time
from pathlib import Path

import pytest

from cope_tui.store import backups, crypto, doctor, rekey, summary
from cope_tui.meetings.models import Client, Meeting, MeetingKind
from cope_tui.store.store import CorruptDatabase, NewerEncryption, Store, StoreError, WrongPassphrase
from helpers.stored import holding, snapshot

PASS = "correct horse battery staple"
MARK = "ZEBRA-MARKER-7731"


def crash(store: Store) -> None:
    """Leave the store as a kill -9 would: journal lines not folded in, lock let go."""
    store.journal.close()
    store.lock.release()


@pytest.fixture
def sealed(tmp_path: Path) -> Path:
    """An encrypted DB with a client and a meeting whose notes hold MARK, compacted."""
    db = tmp_path / "data" / "cope.json"
    store = Store(db)
    client = Client(code="C-1", note=f"client note {MARK}")
    store.put_client(client)
    meeting = Meeting(client_id=client.id, kind=MeetingKind.FIRST)
    meeting.step("opening").notes = f"said {MARK} today"
    store.put_meeting(meeting)
    store.close()
    rekey.convert(db, rekey.ENCRYPT, PASS)
    return db


# ---- the format --------------------------------------------------------------------------

def test_is_encrypted_reads_only_the_header(tmp_path, sealed):
    assert crypto.is_encrypted(sealed)
    assert not crypto.is_encrypted(tmp_path / "missing.json")
    plain = tmp_path / "plain.json"
    plain.write_text('{"meta": {}}')
    assert not crypto.is_encrypted(plain)


def test_codecs_seal_one_line_each_and_detect_changes():
    codec = crypto.new_codec(PASS)
    line = codec.seal_line(b'{"a": "line\\nbreak"}')
    assert b"\n" not in line and codec.open_line(line) == b'{"a": "line\\nbreak"}'
    assert codec.seal_line(b"same") != codec.seal_line(b"same")  # a fresh nonce each time
    for i in range(0, len(line), 7):
        changed = bytearray(line)
        changed[i] = ord("A") if changed[i] != ord("A") else ord("B")
        with pytest.raises(crypto.Tampered):
            codec.open_line(bytes(changed))
    plain = crypto.PlainCodec()
    assert plain.seal_line(b"x") == b"x" and plain.open_line(b"x") == b"x"


# ---- round trips ---------------------------------------------------------------------------

def test_round_trip_save_close_reopen(sealed):
    store = Store(sealed)
    assert store.encrypted and store.locked
    store.unlock(PASS)
    assert not store.locked
    assert [c.code for c in store.clients()] == ["C-1"]
    store.put_client(Client(code="C-2", note=f"second {MARK}"))
    store.close()
    again = Store(sealed, passphrase=PASS)
    assert sorted(c.code for c in again.clients()) == ["C-1", "C-2"]
    meeting = again.meetings()[0]
    assert MARK in meeting.step("opening").notes
    again.close()


def test_lazy_open_paints_from_the_sealed_summary(sealed):
    Store(sealed, passphrase=PASS).close()  # writes the summary, sealed
    raw = summary.sidecar(sealed).read_bytes()
    assert crypto.looks_sealed(raw) and MARK.encode() not in raw
    store = Store(sealed, passphrase=PASS, lazy=True)
    assert not store.ready  # painted from the summary, the DB not parsed yet
    assert [s.code for s in store.client_summaries()] == ["C-1"]
    store.close()


def test_locked_store_reads_and_writes_nothing(sealed):
    before = snapshot(sealed.parent)
    store = Store(sealed)
    assert store.locked
    with pytest.raises(StoreError, match="not unlocked"):
        store.client_summaries()
    with pytest.raises(StoreError, match="not unlocked"):
        store.put_client(Client(code="C-9"))
    store.close()
    after = snapshot(sealed.parent)
    after.pop("cope.json.lock"), before.pop("cope.json.lock", None)
    assert after == before


def test_check_passphrase(sealed):
    store = Store(sealed, passphrase=PASS)
    assert store.check_passphrase(PASS)
    assert not store.check_passphrase(PASS + " ")
    assert store.codec.open_line(store.codec.seal_line(b"audit")) == b"audit"
    store.close()


# ---- bad input -----------------------------------------------------------------------------

def test_wrong_passphrase_is_named_and_the_file_left_alone(sealed):
    before = snapshot(sealed.parent)
    with pytest.raises(WrongPassphrase, match=re.escape(f"does not open '{sealed}'")):
        Store(sealed, passphrase="wrong")
    store = Store(sealed)
    with pytest.raises(WrongPassphrase, match="Try again"):
        store.unlock("also wrong")
    assert store.locked
    store.unlock(PASS)  # a second try with the right one works
    assert store.client_by_code("C-1") is not None
    store.close()
    assert snapshot(sealed.parent)["cope.json"] == before["cope.json"]


# Every region of the header and the body: (offset, what the user must be told).
REGIONS = {
    "magic": (2, "damaged header"),
    "version": (8, "damaged header"),
    "header length": (10, "damaged header"),
    "kind": (11, "damaged header"),
    "scrypt N": (12, "damaged header"),
    "salt": (20, "damaged header"),
    "check value": (40, "damaged header"),
    "body length": (50, "damaged header"),
    "checksum": (58, "damaged header"),
    "nonce": (crypto.HEADER_BYTES + 3, "authentication check"),
    "ciphertext": (crypto.HEADER_BYTES + 12 + 40, "authentication check"),
    "tag": (-5, "authentication check"),
}


@pytest.mark.parametrize("region", list(REGIONS))
def test_a_flipped_byte_anywhere_is_detected_and_nothing_changes(sealed, region):
    offset, message = REGIONS[region]
    raw = bytearray(sealed.read_bytes())
    raw[offset] ^= 0x01
    sealed.write_bytes(bytes(raw))
    before = snapshot(sealed.parent)
    with pytest.raises(CorruptDatabase, match=message) as caught:
        Store(sealed, passphrase=PASS)
    assert str(sealed) in str(caught.value) and "has not been changed" in str(caught.value)
    assert snapshot(sealed.parent) == {**before, "cope.json.lock": snapshot(sealed.parent)["cope.json.lock"]}
    assert bytes(raw) == sealed.read_bytes()


@pytest.mark.parametrize("keep", [5, 40, crypto.HEADER_BYTES + 20, -1])
def test_a_truncated_file_is_named_as_cut_short(sealed, keep):
    raw = sealed.read_bytes()
    cut = raw[:keep]
    sealed.write_bytes(cut)
    with pytest.raises(CorruptDatabase, match="cut short"):
        Store(sealed, passphrase=PASS)
    assert sealed.read_bytes() == cut


def test_a_file_from_a_newer_version_says_so(sealed):
    raw = bytearray(sealed.read_bytes())
    raw[8] = crypto.VERSION + 1
    head = bytes(raw[: crypto.HEADER_BYTES - 8])
    raw[crypto.HEADER_BYTES - 8 : crypto.HEADER_BYTES] = hashlib.sha256(head).digest()[:8]
    sealed.write_bytes(bytes(raw))
    with pytest.raises(NewerEncryption, match="newer cope-tui") as caught:
        Store(sealed, passphrase=PASS)
    assert str(sealed) in str(caught.value) and "Update cope-tui" in str(caught.value)
    assert sealed.read_bytes() == bytes(raw)
    report = doctor.diagnose(sealed, crypto.Keyring(PASS))
    assert not report.healthy and any("newer cope-tui" in f.text for f in report.findings)
    assert report.newest_good is not None  # yet an older backup would lose the newer saves:
    text = doctor.format_report(report)
    assert "--restore-newest" not in text and "update cope-tui rather than restore" in text


def test_journal_lines_are_sealed_and_a_changed_one_is_named(sealed):
    store = Store(sealed, passphrase=PASS)
    for i in range(3):
        store.put_client(Client(code=f"J-{i}", note=f"journal {MARK}"))
    crash(store)
    journal = sealed.with_name("cope.json.journal")
    raw = journal.read_bytes()
    lines = raw.split(b"\n")
    assert len(lines) == 4 and MARK.encode() not in raw and not raw.startswith(b"{")
    for number in (2, 3):  # a middle line, and the last (whole) line
        changed = list(lines)
        changed[number - 1] = changed[number - 1][:30] + (b"A" if changed[number - 1][30:31] != b"A" else b"B") + changed[number - 1][31:]
        journal.write_bytes(b"\n".join(changed))
        with pytest.raises(CorruptDatabase, match=f"does not decrypt .*line {number}"):
            Store(sealed, passphrase=PASS)
        assert journal.read_bytes() == b"\n".join(changed)
    journal.write_bytes(raw[:-20])  # a kill cut the last line: it was never reported saved
    store = Store(sealed, passphrase=PASS)
    assert {c.code for c in store.clients()} == {"C-1", "J-0", "J-1"}
    store.close()


# ---- nothing plain on disk -------------------------------------------------------------------

def test_no_plain_text_anywhere_while_encrypted_and_back_after_decrypt(sealed):
    folder = sealed.parent
    store = Store(sealed, passphrase=PASS, compact_bytes=2048)
    for i in range(12):  # background compactions: snapshots and temp files
        store.put_client(Client(code=f"G-{i}", note=f"note {i} {MARK} " + "x" * 300))
    store.compact()
    backups.keep_copy(sealed, reason="test")
    store.put_client(Client(code="G-last", note=f"pending {MARK}"))  # left in the journal
    crash(store)
    names = set(snapshot(folder))
    assert {"cope.json", "cope.json.journal", "cope.json.summary"} <= names
    assert any(n.startswith("cope.json.backups/") for n in names)
    assert holding(folder, MARK) == []
    good = backups.newest_good(sealed, crypto.Keyring(PASS))
    assert good is not None and backups.check_file(good.path, crypto.Keyring(PASS)).ok
    assert "passphrase" in backups.check_file(good.path).problem

    rekey.convert(sealed, rekey.DECRYPT, PASS)
    assert not crypto.is_encrypted(sealed)
    assert "cope.json" in holding(folder, MARK)
    assert not any(crypto.looks_sealed(data) for data in snapshot(folder).values())
    plain = Store(sealed)
    assert plain.client_by_code("G-last") is not None and len(plain.clients()) == 14
    plain.close()


def test_encrypt_seals_backups_journals_and_audit_of_a_used_db(tmp_path):
    db = tmp_path / "cope.json"
    store = Store(db)
    store.put_client(Client(code="A-1", note=MARK))
    store.close()
    store = Store(db)
    store.put_client(Client(code="A-2", note=MARK))
    crash(store)
    audit = db.with_name("cope.json.audit")
    audit.write_bytes(b'{"seq": 1, "note": "' + MARK.encode() + b'"}\n')
    assert holding(tmp_path, MARK)
    rekey.convert(db, rekey.ENCRYPT, PASS)
    assert holding(tmp_path, MARK) == []
    codec = Store(db, passphrase=PASS, read_only=True).codec
    assert MARK.encode() in codec.open_line(audit.read_bytes().split(b"\n")[0])
    store = Store(db, passphrase=PASS)
    assert {c.code for c in store.clients()} == {"A-1", "A-2"}
    store.close()


# ---- conversions ---------------------------------------------------------------------------

def test_encrypt_a_new_path_creates_an_empty_encrypted_db(tmp_path):
    db = tmp_path / "new" / "cope.json"
    rekey.convert(db, rekey.ENCRYPT, PASS)
    assert crypto.is_encrypted(db)
    store = Store(db, passphrase=PASS)
    assert store.clients() == []
    store.put_client(Client(code="N-1"))
    store.close()
    with pytest.raises(rekey.RekeyError, match="encrypted already"):
        rekey.convert(db, rekey.ENCRYPT, PASS)


def test_conversion_is_refused_while_the_db_is_open(sealed):
    store = Store(sealed, passphrase=PASS)
    try:
        with pytest.raises(StoreError, match="in use"):
            rekey.convert(sealed, rekey.DECRYPT, PASS)
    finally:
        store.close()
    assert crypto.is_encrypted(sealed)


def test_decrypt_with_the_wrong_passphrase_changes_nothing(sealed):
    before = snapshot(sealed.parent)
    with pytest.raises(WrongPassphrase):
        rekey.convert(sealed, rekey.DECRYPT, "nope")
    after = snapshot(sealed.parent)
    assert {k: v for k, v in after.items() if k != "cope.json.lock"} == {
        k: v for k, v in before.items() if k != "cope.json.lock"
    }


def test_a_damaged_db_is_not_converted(sealed):
    raw = bytearray(sealed.read_bytes())
    raw[-3] ^= 0xFF
    sealed.write_bytes(bytes(raw))
    with pytest.raises(StoreError, match="authentication check"):
        rekey.convert(sealed, rekey.DECRYPT, PASS)
    assert sealed.read_bytes() == bytes(raw) and not crypto.marker_path(sealed).exists()


# ---- doctor ----------------------------------------------------------------------------------

def test_doctor_opens_an_encrypted_db_with_the_passphrase(sealed):
    Store(sealed, passphrase=PASS).close()
    report = doctor.diagnose(sealed, crypto.Keyring(PASS))
    text = doctor.format_report(report)
    assert report.healthy, text
    assert "encrypted (AES-256-GCM" in text and "1 client and 1 meeting" in text
    assert all(check.ok for _, check in report.backups)

    locked = doctor.diagnose(sealed)
    assert not locked.healthy and any("passphrase is needed" in f.text for f in locked.findings)

    wrong = doctor.diagnose(sealed, crypto.Keyring("wrong"))
    assert any("does not open" in f.text for f in wrong.findings)

    raw = bytearray(sealed.read_bytes())
    raw[-1] ^= 1
    sealed.write_bytes(bytes(raw))
    tampered = doctor.diagnose(sealed, crypto.Keyring(PASS))
    assert any("authentication check" in f.text for f in tampered.findings)
    assert sealed.read_bytes() == bytes(raw)
    assert tampered.newest_good is not None  # the sealed backups still check out


def test_header_layout_is_as_documented(sealed):
    """The figures as crypto.py's docstring and the README give them, written out here:
    compared with the module's own constants, a weaker scrypt passed (issue 12, point 10)."""
    raw = sealed.read_bytes()
    magic, version, hlen = struct.unpack_from(">8sBH", raw)
    assert (magic, version, hlen) == (b"COPETUI\x1a", 1, 63)  # the body starts at byte 63
    header = crypto.parse_header(raw)
    assert (header.log2n, header.r, header.p) == (17, 10, 1)  # N=2^17, r=10: 160 MiB a guess
    assert len(raw) == 63 + header.body_len


def test_a_key_derived_ahead_is_the_same_key_and_is_used_once(sealed, monkeypatch):
    """The start-up derives the key while Textual imports; the open then takes that key."""
    params = crypto.read_header(sealed).params
    expected = crypto._scrypt(PASS, *params)
    crypto.derive_ahead(sealed, PASS).join()
    assert crypto._AHEAD == {(PASS, params): (expected[:32], expected[32:])}
    monkeypatch.setattr(crypto, "_scrypt", lambda *a: pytest.fail("derived a second time"))
    store = Store(sealed, read_only=True, passphrase=PASS)
    assert MARK in store.clients()[0].note
    assert crypto._AHEAD == {}, "taken once, not kept"


def test_a_wrong_or_missing_key_ahead_changes_nothing(sealed, tmp_path):
    crypto.derive_ahead(sealed, "not it").join()
    crypto.derive_ahead(tmp_path / "missing.json", PASS).join()  # no file: nothing to report yet
    plain = tmp_path / "plain.json"
    plain.write_text("{}")
    crypto.derive_ahead(plain, PASS).join()
    with pytest.raises(WrongPassphrase):
        Store(sealed, read_only=True, passphrase="not it")
    assert crypto._AHEAD == {}
