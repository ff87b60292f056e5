"""What a finalised meeting is signed with: the hash of its content as finalised, and of
each addendum. Pure functions of the stored form (no file, no store): the meeting rules
take the hash when a meeting is finalised, the audit log and doctor check it later.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

# What may still change once a meeting is finalised (addenda), and the hash itself.
NOT_HASHED = ("addenda", "content_hash")


def canonical(value: Any) -> bytes:
    """One byte form per value: sorted keys, no spaces; what every hash here is taken of."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(doc: dict[str, Any]) -> str:
    """The hash of a meeting as finalised: all of it but its addenda and this hash.

    It covers the meeting's content, never how a file encodes it: `doc` is the meeting
    whole, as the app dumps it and the store hands it out. The main file keeps meetings
    in a leaner form (defaults left out, carried rows by reference: store/file_form.py)
    and puts each back whole before anything reads it, so a file upgraded to that form
    (format 1 to 2) keeps every hash as it was signed, and no future encoding can move one.
    Empty (null) fields are left out, so a field a later version adds, empty, to the
    meetings signed before it leaves their hashes as they were. (A migration that changed
    a finalised meeting's stored values would have to be noted in the log, or doctor
    names every such meeting.)
    """
    return sha256(canonical({k: v for k, v in doc.items() if k not in NOT_HASHED and v is not None}))


def addendum_hash(addendum: dict[str, Any]) -> str:
    return sha256(canonical(addendum))
