"""What `export --all` keeps of each client is taken again while KEPT_TAG and the version
are the same: a change to how a client renders, without a new tag, served the old text
(found by hand: no "client added" row and no goal scores, from text kept the day before).

The schema-1 fixture's whole export (tests/data/schema1/exports/all.md) is rewritten
whenever the rendering changes (its own test insists); this ties it to the tag. When it
fails: raise KEPT_TAG in export/kept_export.py, then put the new pair here."""

from __future__ import annotations

import hashlib

from cope_tui.export.kept_export import KEPT_TAG
from helpers.every_export import FIXTURE

RENDERED_BY = ("export 5", "a18a645a743c8147")  # (KEPT_TAG, the start of all.md's SHA-256)


def test_a_change_to_the_rendering_comes_with_a_new_kept_tag() -> None:
    digest = hashlib.sha256((FIXTURE / "exports" / "all.md").read_bytes()).hexdigest()[:16]
    assert (KEPT_TAG, digest) == RENDERED_BY, (
        "the export renders differently: raise KEPT_TAG (kept text of the old rendering would "
        "be served by export --all) and record the new pair in RENDERED_BY"
    )
