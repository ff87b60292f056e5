"""What the client asks of the server on the wire: no compression over loopback (bytes
cost nothing there, compressing costs both ends the processor), gzip elsewhere; and the
winning documents with the changes only when asked for."""

from __future__ import annotations

import httpx
import orjson
import pytest

from cope_tui.sync.couch import Couch


def _server(seen: list[httpx.Request], rows: list[dict]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=orjson.dumps({"results": rows, "last_seq": "9-x"}))

    return httpx.MockTransport(answer)


@pytest.mark.parametrize(
    ("url", "compressed"),
    [("http://127.0.0.1:5984/team", False), ("http://localhost:5984/team", False), ("http://[::1]:5984/team", False),
     ("https://couch.example.org/team", True), ("http://10.0.0.7:5984/team", True)],
)
def test_answers_come_uncompressed_over_loopback_only(url: str, compressed: bool) -> None:
    seen: list[httpx.Request] = []
    with Couch(url, transport=_server(seen, [])) as couch:
        couch.changes(0, 10)
    encodings = seen[0].headers["accept-encoding"]
    assert ("gzip" in encodings) is compressed
    assert (encodings == "identity") is not compressed


def test_the_winning_documents_come_with_the_changes_only_when_asked() -> None:
    rows = [
        {"id": "a", "seq": "1", "changes": [{"rev": "1-aa"}], "doc": {"_id": "a", "_rev": "1-aa", "s": "x"}},
        {"id": "b", "seq": "2", "changes": [{"rev": "2-bb"}, {"rev": "2-cc"}], "doc": "not a document"},
    ]
    seen: list[httpx.Request] = []
    with Couch("http://127.0.0.1:5984/team", transport=_server(seen, rows)) as couch:
        plain = couch.changes(0, 10)
        with_docs = couch.changes(0, 10, docs=True)
    assert "include_docs" not in seen[0].url.params and seen[1].url.params["include_docs"] == "true"
    assert seen[1].url.params["style"] == "all_docs"  # every leaf still listed
    assert [row.doc for row in plain.rows] == [None, None]
    assert [row.doc for row in with_docs.rows] == [rows[0]["doc"], None]
    assert with_docs.rows[1].revs == ("2-bb", "2-cc")
