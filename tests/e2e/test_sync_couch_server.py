"""The CouchDB protocol client against a real server (pouchdb-server, a node process)."""

from __future__ import annotations

import pytest

from cope_tui.sync import errors
from cope_tui.sync.couch import Couch
from helpers.couch_server import CouchDb


def couch_for(db: CouchDb, **kw) -> Couch:
    return Couch(db.url, auth=db.auth, **kw)


def test_the_protocol_round_trip_on_a_real_server(couch_db: CouchDb) -> None:
    with couch_for(couch_db) as couch:
        assert couch.info()["doc_count"] == 0
        assert couch.create() is False  # it exists
        docs = [
            {"_id": "a1", "_rev": "1-" + "a" * 32, "_revisions": {"start": 1, "ids": ["a" * 32]}, "s": "x"},
            {"_id": "a1", "_rev": "2-" + "b" * 32, "_revisions": {"start": 2, "ids": ["b" * 32, "a" * 32]}, "s": "y"},
            {"_id": "a1", "_rev": "2-" + "c" * 32, "_revisions": {"start": 2, "ids": ["c" * 32, "a" * 32]}, "s": "z"},
        ]
        assert couch.revs_diff({"a1": ["1-" + "a" * 32]}) == {"a1": {"1-" + "a" * 32}}
        assert couch.bulk_docs(docs) == []
        assert couch.revs_diff({"a1": ["2-" + "b" * 32, "3-" + "d" * 32]}) == {"a1": {"3-" + "d" * 32}}
        feed = couch.changes(0, 100)
        assert [row.id for row in feed.rows] == ["a1"]
        assert set(feed.rows[0].revs) == {"2-" + "b" * 32, "2-" + "c" * 32}  # both leaves
        assert couch.changes(feed.last_seq, 100).rows == []
        got = couch.bulk_get([("a1", "2-" + "c" * 32), ("nope", "1-" + "e" * 32)])
        assert [(d["_rev"], d["s"], d["_revisions"]["ids"]) for d in got] == [("2-" + "c" * 32, "z", ["c" * 32, "a" * 32])]
        assert couch.get_local("rep") is None
        rev = couch.put_local("rep", {"since": 3})
        rev = couch.put_local("rep", {"since": 4, "_rev": rev})
        assert couch.get_local("rep")["since"] == 4
        assert couch.get_doc("missing") is None
        assert couch.create_doc({"_id": "cope-team", "k": 1}) is True
        assert couch.create_doc({"_id": "cope-team", "k": 2}) is False
        assert couch.get_doc("cope-team")["k"] == 1


def test_a_missing_database_is_named(couch_db: CouchDb) -> None:
    with Couch(couch_db.url + "-not-there", auth=couch_db.auth) as couch:
        with pytest.raises(errors.NoDatabase, match="no database at"):
            couch.info()
        with pytest.raises(errors.NoDatabase):
            couch.get_doc("cope-team")


def test_round_trips_are_counted(couch_db: CouchDb) -> None:
    with couch_for(couch_db) as couch:
        couch.info()
        couch.changes(0, 10)
        couch.revs_diff({})  # nothing to ask: no request
        assert couch.requests == 2
