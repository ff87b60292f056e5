"""A new team passphrase on a team with more records than one batch of the feed.

Found at 11,000 records: ending the old documents read `_changes` and ended what it read
as it went; each one ended moved to the end of the feed, was read again, and was ended
again, for ever (a million revisions on the server within minutes, and the command never
returned). The engine's batches are made small here, so a few dozen records stand for
thousands."""

from __future__ import annotations

import pytest

from cope_tui.meetings.models import Client
from cope_tui.sync import rekey
from cope_tui.sync.rekey import change_team_passphrase
from cope_tui.sync.team import is_record_id
from helpers.sync import members, remote, team_key  # noqa: F401  (fixtures)

NEW = "the north team's passphrase from today"
RECORDS = 23


def leaves(couch) -> dict[str, tuple[str, ...]]:
    """Every record document on the server, with its leaf revisions."""
    found, since = {}, 0
    while True:
        feed = couch.changes(since, 1000)
        found |= {row.id: row.revs for row in feed.rows if is_record_id(row.id)}
        since = feed.last_seq
        if len(feed.rows) < 1000:
            return found


def bounded(couch, limit: int) -> list[int]:
    """Counts the tombstones sent; past `limit` the test fails instead of hanging."""
    sent, post = [0], couch.bulk_docs

    def bulk_docs(docs):
        sent[0] += sum(1 for doc in docs if doc.get("_deleted") and "s" not in doc)
        if sent[0] > limit:
            raise AssertionError(f"more than {limit} old documents ended: it does not stop")
        return post(docs)

    couch.bulk_docs = bulk_docs
    return sent


@pytest.fixture
def old_team(members, monkeypatch):
    """Ann's DB of RECORDS clients, synced under the old key; the feed read 5 at a time."""
    monkeypatch.setattr(rekey, "BATCH", 5)
    ann = members("Ann")
    for n in range(RECORDS):
        ann.store.put_client(Client(code=f"C-{n}"))
    ann.engine.sync()
    ann.engine.close()
    return ann, set(leaves(ann.couch))


def test_every_old_document_is_ended_once_and_the_change_finishes(old_team, team_key) -> None:
    ann, old = old_team
    sent = bounded(ann.couch, 3 * RECORDS)
    ended = change_team_passphrase(ann.store, ann.couch, team_key, "Ann", lambda: NEW)
    assert ended == RECORDS == sent[0]
    now = leaves(ann.couch)
    assert all(int(rev.split("-")[0]) == 2 for rid in old for rev in now[rid])  # one tombstone on each
    assert len(set(now) - old) == RECORDS  # the records under the new key


def test_run_again_after_the_old_ones_ended_it_ends_nothing_more(old_team, team_key, monkeypatch) -> None:
    ann, old = old_team
    take_place = rekey._take_place

    def cut_off(store):
        raise KeyboardInterrupt  # killed after ending the old ones, before the state's switch

    monkeypatch.setattr(rekey, "_take_place", cut_off)
    bounded(ann.couch, 3 * RECORDS)
    with pytest.raises(KeyboardInterrupt):
        change_team_passphrase(ann.store, ann.couch, team_key, "Ann", lambda: NEW)
    monkeypatch.setattr(rekey, "_take_place", take_place)
    ended_first = leaves(ann.couch)

    from cope_tui.sync.seal import open_team
    from cope_tui.sync.team import read_team

    new_team = open_team(read_team(ann.couch), NEW)
    sent = bounded(ann.couch, 0)
    assert change_team_passphrase(ann.store, ann.couch, new_team, "Ann", lambda: NEW) == 0
    assert sent[0] == 0 and leaves(ann.couch) == ended_first


def test_a_member_moving_to_the_new_key_keeps_a_clash_as_a_conflict(members, team_key) -> None:
    """What the README promises of a passphrase change: a record changed on both sides
    meanwhile is a conflict again under the new key (both versions kept)."""
    from cope_tui.sync.engine import SyncEngine
    from cope_tui.sync.seal import open_team
    from cope_tui.sync.team import read_team

    ann, bea = members("Ann"), members("Bea")
    client = Client(code="C-1", note="first")
    ann.store.put_client(client)
    ann.engine.sync()
    bea.engine.sync()
    ann.store.put_client(client.model_copy(update={"note": "Ann's"}))
    theirs = bea.store.client(client.id)
    theirs.note = "Bea's"
    bea.store.put_client(theirs)
    ann.engine.close()
    change_team_passphrase(ann.store, ann.couch, team_key, "Ann", lambda: NEW)
    bea.engine.close()
    bea.engine = SyncEngine(bea.store, bea.couch, open_team(read_team(bea.couch), NEW), "Bea")
    bea.engine.sync()
    (conflict,) = bea.engine.conflicts()
    assert {conflict.value, conflict.current} == {"Ann's", "Bea's"}
