"""Words typed into a form that was still open when the app stopped.

A screen's editor saves as it goes; a dialog's fields are only a record once the form is
saved. A hang-up (a dropped SSH link, a closed laptop) or a quit with a form open used
to take those words with it: a new client's notes, a goal's indicators, an addendum.
Now the form's typed fields are kept in the DB, as they are typed (a kill -9 or a power
cut gives no stop to keep them at) and as the app stops, sealed like the rest and never
sent to the team (sync takes only clients, meetings and exercises), until the user has
them back and says so.

Each form left open is one record of the format table, `left_open.<key>`, so erasing a
client erases the words typed for them too (erase.ids_of_client), like their meetings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PREFIX = "left_open."
TABLE = "meta"


@dataclass(frozen=True)
class LeftOpen:
    """One form's words: its title, the client it was for (if any), when, each changed
    field as (label, text), and the title of the screen it was opened on (an
    exercise's site, where no client says where)."""

    key: str
    title: str
    client_id: str | None
    at: str
    fields: tuple[tuple[str, str], ...]
    where: str = ""
    form: str = ""  # the form the app can open again with these words (dialogs/base.py's `reopens`)


def as_doc(
    title: str, client_id: str | None, at: str, fields: list[tuple[str, str]], where: str = "", form: str = ""
) -> dict[str, Any]:
    return {
        "title": title, "client_id": client_id, "at": at, "fields": [list(pair) for pair in fields], "where": where,
        "form": form,
    }


def from_doc(doc_id: str, doc: Any) -> LeftOpen | None:
    """None for anything that is not one of ours (a newer app's, or damage): shown as
    nothing rather than as a crash at start-up."""
    if not doc_id.startswith(PREFIX) or not isinstance(doc, dict):
        return None
    fields = doc.get("fields")
    if not isinstance(fields, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair) for pair in fields
    ):
        return None
    client = doc.get("client_id")
    return LeftOpen(
        key=doc_id[len(PREFIX) :],
        title=str(doc.get("title", "")),
        client_id=client if isinstance(client, str) else None,
        at=str(doc.get("at", "")),
        fields=tuple((label, text) for label, text in fields),
        where=str(doc.get("where", "")),
        form=str(doc.get("form", "")),
    )


def ids_of_client(meta: dict[str, Any], client_id: str) -> set[tuple[str, str]]:
    """The kept forms typed for this client: erased with them."""
    return {
        (TABLE, doc_id)
        for doc_id, doc in meta.items()
        if doc_id.startswith(PREFIX) and isinstance(doc, dict) and doc.get("client_id") == client_id
    }


def kept(store: Any) -> list[LeftOpen]:
    """Every kept form, oldest first."""
    found = (from_doc(doc_id, doc) for doc_id, doc in store.raw_versions(TABLE) if isinstance(doc_id, str))
    return sorted((entry for entry in found if entry is not None), key=lambda entry: entry.at)
