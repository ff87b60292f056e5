"""The team key and sealed records: opaque ids, a ciphertext bound to its id and revision,
a wrong passphrase told apart, and a key document a server cannot weaken."""

from __future__ import annotations

import base64

import pytest

from cope_tui.store import crypto
from cope_tui.sync import errors
from cope_tui.sync.seal import TeamDoc, create_team, open_team

PHRASE = "correct horse battery staple"


@pytest.fixture(scope="module")
def team():
    return create_team(PHRASE)


def test_remote_ids_are_opaque_and_the_same_for_every_member(team) -> None:
    again = open_team(TeamDoc.from_json(team.doc.to_json(), "server"), PHRASE)
    rid = team.remote_id("clients", "0123456789abcdef")
    assert rid == again.remote_id("clients", "0123456789abcdef")
    assert rid != team.remote_id("meetings", "0123456789abcdef")
    assert len(rid) == 32 and "0123456789abcdef" not in rid


def test_a_sealed_record_opens_only_where_it_was_sealed(team) -> None:
    rid, rev = team.remote_id("meetings", "m1"), "1-" + "a" * 32
    sealed = team.seal(rid, rev, b'{"note": "private words"}')
    assert "private" not in sealed
    assert team.open(rid, rev, sealed) == b'{"note": "private words"}'
    with pytest.raises(crypto.CryptoError):
        team.open(team.remote_id("meetings", "m2"), rev, sealed)  # moved to another record
    with pytest.raises(crypto.CryptoError):
        team.open(rid, "2-" + "a" * 32, sealed)  # moved to another revision
    raw = bytearray(base64.b64decode(sealed))
    raw[20] ^= 1
    with pytest.raises(crypto.CryptoError):
        team.open(rid, rev, base64.b64encode(bytes(raw)).decode())  # one bit changed
    with pytest.raises(crypto.CryptoError):
        team.open(rid, rev, 12345)


def test_a_wrong_passphrase_has_its_own_error(team) -> None:
    with pytest.raises(errors.WrongTeamPassphrase, match="does not open"):
        open_team(team.doc, "not the team's passphrase")


def test_revision_hashes_are_keyed_and_repeatable(team) -> None:
    one = team.rev_hash("1-abc", "live", b"content")
    assert one == team.rev_hash("1-abc", "live", b"content") and len(one) == 32
    assert one != team.rev_hash("1-abd", "live", b"content") != team.rev_hash("1-abc", "closed", b"content")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["kdf"].update(log2n=10), "weaker"),
        (lambda d: d["kdf"].update(r=1), "weaker"),
        (lambda d: d.update(check="AAAA"), "weaker"),
        (lambda d: d.update(kind="something else"), "not a cope-tui team"),
        (lambda d: d["kdf"].update(salt="%%%"), "not a cope-tui team"),
        (lambda d: d.pop("kdf"), "not a cope-tui team"),
        (lambda d: d.update(format=2), "newer cope-tui"),
    ],
)
def test_a_bad_key_document_is_refused(team, change, words) -> None:
    doc = team.doc.to_json()
    doc["kdf"] = dict(doc["kdf"])
    change(doc)
    with pytest.raises(errors.NotATeam, match=words):
        TeamDoc.from_json(doc, "http://server/db")


def test_the_fingerprint_names_the_exact_document(team) -> None:
    other = create_team(PHRASE)
    assert team.doc.fingerprint != other.doc.fingerprint
    assert TeamDoc.from_json(team.doc.to_json(), "s").fingerprint == team.doc.fingerprint
