"""The team's key, and each record sealed before it leaves the machine.

One document on the server, `cope-team`, holds what a member needs to derive the key
from the team passphrase: the scrypt salt and parameters and a check value (scrypt's
second half, as in an encrypted DB's header), so a wrong passphrase is told apart from
a damaged record. The key never leaves memory; three keys are derived from it, one per
job, so no use of one can help an attack on another:

  ids      a record's remote id is HMAC(table, record id): opaque, and the same on
           every member's machine, so two edits of one record meet on the server
  revs     a revision's hash is HMAC(parent revision, content): the same edit made
           twice gets the same revision (a resumed push never doubles anything), and
           the server cannot confirm a guess about the content from it
  records  AES-256-GCM (crypto.SealedCodec) with the remote id and revision as the
           associated data: a ciphertext moved to another record or revision is refused

The server sees opaque ids, revision ids, sizes, and when each changed; never a client
code, a note, a date or who wrote it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from ..store import crypto
from .errors import NotATeam, WrongTeamPassphrase

TEAM_DOC_ID = "cope-team"
TEAM_KIND = "cope-tui team key"
FORMAT = 1
# A server must not be able to weaken the key of a team that joins through it.
MIN_LOG2N, MIN_R = crypto.LOG2N, 8
_AAD = b"cope-tui team record v1\n"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True)
class TeamDoc:
    """The team's key document: everything but the key."""

    team: str
    params: tuple[bytes, int, int, int]  # salt, log2(N), r, p
    check: bytes
    # Fingerprints of the keys this one replaced (a passphrase change, rekey.py): a member
    # whose DB synced under one of them moves on to this key by itself.
    replaces: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        salt, log2n, r, p = self.params
        return {
            "_id": TEAM_DOC_ID,
            "kind": TEAM_KIND,
            "format": FORMAT,
            "team": self.team,
            "kdf": {"name": "scrypt", "log2n": log2n, "r": r, "p": p, "salt": _b64(salt)},
            "check": _b64(self.check),
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any], shown: str) -> TeamDoc:
        """The document as the server gave it; NotATeam when it is not one of ours."""
        try:
            kdf = doc["kdf"]
            if doc.get("kind") != TEAM_KIND or kdf.get("name") != "scrypt" or not isinstance(doc["team"], str):
                raise ValueError("not ours")
            if doc.get("format") != FORMAT:
                raise NotATeam(
                    f"The team at {shown} was set up by a newer cope-tui (format {doc.get('format')}). "
                    "Update cope-tui to sync with it. Nothing was changed."
                )
            params = (base64.b64decode(kdf["salt"], validate=True), int(kdf["log2n"]), int(kdf["r"]), int(kdf["p"]))
            check = base64.b64decode(doc["check"], validate=True)
        except (KeyError, TypeError, ValueError, AttributeError, binascii.Error):
            raise NotATeam(
                f"The document '{TEAM_DOC_ID}' at {shown} is not a cope-tui team's key document. "
                "Check the address; nothing was changed."
            ) from None
        salt, log2n, r, p = params
        if not (MIN_LOG2N <= log2n <= 24 and MIN_R <= r <= 32 and 1 <= p <= 16) or len(salt) < 16 or len(check) != crypto.CHECK_BYTES:
            raise NotATeam(
                f"The team's key document at {shown} asks for a key weaker than cope-tui allows, "
                "or is damaged. It was not used; ask whoever runs the server."
            )
        replaces = doc.get("replaces", [])
        replaces = tuple(r for r in replaces if isinstance(r, str)) if isinstance(replaces, list) else ()
        return cls(doc["team"], params, check, replaces)

    @property
    def fingerprint(self) -> str:
        """Names this exact key document: a member's DB remembers it and notices a swap."""
        salt, log2n, r, p = self.params
        raw = b"\n".join([self.team.encode(), salt, str((log2n, r, p)).encode(), self.check])
        return hashlib.sha256(raw).hexdigest()[:32]


def _subkey(key: bytes, label: bytes) -> bytes:
    return hmac.new(key, b"cope-tui team sync: " + label, hashlib.sha256).digest()


class TeamKey:
    """The keys of one team, in memory only."""

    def __init__(self, key: bytes, doc: TeamDoc):
        self.doc = doc
        self._ids = _subkey(key, b"record ids")
        self._revs = _subkey(key, b"revisions")
        self._codec = crypto.SealedCodec(_subkey(key, b"records"), doc.params, doc.check)

    def remote_id(self, table: str, record_id: str) -> str:
        mac = hmac.new(self._ids, f"{table}\x00{record_id}".encode(), hashlib.sha256)
        return mac.hexdigest()[:32]

    def rev_hash(self, parent: str | None, kind: str, content: bytes) -> str:
        """32 hex digits, like CouchDB's own (an MD5 there); keyed, so it says nothing."""
        mac = hmac.new(self._revs, f"{parent or ''}\n{kind}\n".encode(), hashlib.sha256)
        mac.update(content)
        return mac.hexdigest()[:32]

    def seal(self, rid: str, rev: str, payload: bytes) -> str:
        return self._codec.seal_line(payload, _AAD + f"{rid}\n{rev}".encode()).decode("ascii")

    def open(self, rid: str, rev: str, sealed: object) -> bytes:
        """The payload; crypto.CryptoError when it fails its check (changed, moved, forged)."""
        if not isinstance(sealed, str):
            raise crypto.Tampered()
        return self._codec.open_line(sealed.encode("ascii", "replace"), _AAD + f"{rid}\n{rev}".encode())


def create_team(passphrase: str) -> TeamKey:
    """A new team: fresh salt, the project's scrypt parameters (slow: a worker thread)."""
    params = crypto.new_params()
    key, check = crypto.derive(passphrase, params)
    return TeamKey(key, TeamDoc(secrets.token_hex(8), params, check))


def open_team(doc: TeamDoc, passphrase: str) -> TeamKey:
    """The team's keys (slow: a worker thread); WrongTeamPassphrase when it does not fit."""
    key, check = crypto.derive(passphrase, doc.params)
    if not hmac.compare_digest(check, doc.check):
        raise WrongTeamPassphrase("That team passphrase does not open this team's records.")
    return TeamKey(key, doc)
