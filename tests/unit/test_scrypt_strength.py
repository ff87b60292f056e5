"""Issue 12, point 10: scrypt's strength is pinned to the documented figures.

The README promises N=2^17, r=10 (p=1: 160 MiB per guess). The header test used to
compare the header with `crypto.LOG2N, R, P`, read from the code under test, so a
weaker LOG2N passed unnoticed. Here the figures are written out, and the key is derived
again with the standard library's scrypt, so a file sealed under weaker settings than
its header claims fails too.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

from cope_tui.meetings.models import Client
from cope_tui.store import crypto, rekey
from cope_tui.store.store import Store
from cope_tui.sync.seal import create_team

PASS = "correct horse battery staple"
DOCUMENTED = {"log2n": 17, "r": 10, "p": 1}  # README "Encryption at rest": N=2^17, r=10
KEY_AND_CHECK = 32 + 16  # AES-256 key, then the 16-byte check value kept in the header


def scrypt_by_the_book(passphrase: str, salt: bytes) -> bytes:
    """scrypt at the documented figures, by hashlib (OpenSSL), not by cope_tui's code."""
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    n, r, p = 2 ** DOCUMENTED["log2n"], DOCUMENTED["r"], DOCUMENTED["p"]
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=KEY_AND_CHECK)


def test_an_encrypted_db_is_sealed_at_the_documented_strength(tmp_path: Path) -> None:
    db = tmp_path / "data" / "cope.json"
    store = Store(db)
    store.put_client(Client(code="C-1"))
    store.close()
    rekey.convert(db, rekey.ENCRYPT, PASS)
    header = crypto.parse_header(db.read_bytes())
    assert {"log2n": header.log2n, "r": header.r, "p": header.p} == DOCUMENTED
    assert len(header.salt) == 16
    # The check value is the second half of scrypt's output: derived here at N=2^17, r=10.
    assert scrypt_by_the_book(PASS, header.salt)[32:] == header.check


def test_a_team_key_is_derived_at_the_documented_strength() -> None:
    team = create_team(PASS)
    salt, log2n, r, p = team.doc.params
    assert {"log2n": log2n, "r": r, "p": p} == DOCUMENTED
    assert scrypt_by_the_book(PASS, salt)[32:] == team.doc.check
