"""Joining the team on the server: its key document read, or created on first use.

The first sync to an empty database sets the team passphrase: it creates the key
document, and whoever comes later derives the same key from the same passphrase. Two
members starting a team at the same moment cannot both win: the server keeps the first
document, and the second member is asked for that team's passphrase instead.
"""

from __future__ import annotations

from collections.abc import Callable

from .couch import Couch
from .errors import NotATeam
from .seal import TEAM_DOC_ID, TeamDoc, TeamKey, create_team

RECORD_ID_LENGTH = 32


def is_record_id(doc_id: str) -> bool:
    """The server's ids of team records: 32 hex digits (never the key document, a design
    document or a checkpoint)."""
    return len(doc_id) == RECORD_ID_LENGTH and all(c in "0123456789abcdef" for c in doc_id)


def read_team(couch: Couch) -> TeamDoc | None:
    """The team's key document; None when the database is empty and can become a team's.
    NotATeam when the database holds documents of something else."""
    couch.info()  # a missing database, a refused login: said before anything else
    raw = couch.get_doc(TEAM_DOC_ID)
    if raw is not None:
        return TeamDoc.from_json(raw, couch.shown)
    others = [row.id for row in couch.changes(0, 10).rows if not row.id.startswith("_design/")]
    if others:
        raise NotATeam(
            f"The database at {couch.shown} holds documents but no cope-tui team key: it is not a "
            "cope-tui team's database. Check the address; nothing was changed."
        )
    return None


def start_team(couch: Couch, new_passphrase: Callable[[], str]) -> TeamKey | None:
    """Create the team on an empty database; None when another member was first (then
    read_team() gives their document)."""
    team = create_team(new_passphrase())
    return team if couch.create_doc(team.doc.to_json()) else None
