"""The replication-protocol client: the real server's answers, and every way a server or
network can fail, each mapped to its own SyncError with a message that holds no login."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from cope_tui.sync import errors
from cope_tui.sync.couch import Couch, check_url
from helpers.couch_server import free_port

SECRET_USER, SECRET_PASSWORD = "alice-the-worker", "pa55-w0rd-never-shown"


@pytest.mark.parametrize(
    "url",
    ["ftp://host/db", "http://host", "http://host/", "not a url", f"http://{SECRET_USER}:{SECRET_PASSWORD}@host/db",
     "http://host/db?x=1", "http://host:99999/db"],
)
def test_unusable_addresses_are_refused_without_echoing_a_password(url: str) -> None:
    with pytest.raises(errors.BadRemote) as caught:
        check_url(url)
    assert SECRET_PASSWORD not in str(caught.value)


@pytest.mark.parametrize("url", ["http://host/db\x1b]0;title\x07", "http://host/te am", "http://host/db\u202e", "http://host/\tdb"])
def test_an_address_with_a_control_character_or_a_space_is_refused_and_shown_escaped(url: str) -> None:
    with pytest.raises(errors.BadRemote) as caught:
        check_url(url)
    said = str(caught.value)
    assert "control character" in said and said.isprintable()


def test_the_address_is_cleaned() -> None:
    assert check_url(" https://Couch.example.org/team-north/ ") == "https://couch.example.org/team-north"
    assert check_url("http://127.0.0.1:5984/a/b") == "http://127.0.0.1:5984/a/b"


def _assert_clean(exc: BaseException) -> None:
    assert SECRET_USER not in str(exc) and SECRET_PASSWORD not in str(exc)


def test_connection_refused_is_offline() -> None:
    with Couch(f"http://127.0.0.1:{free_port()}/team", auth=(SECRET_USER, SECRET_PASSWORD)) as couch:
        with pytest.raises(errors.Offline, match="(?i)offline.*refused.*Nothing was lost") as caught:
            couch.info()
    _assert_clean(caught.value)


def test_an_unknown_host_name_is_offline() -> None:
    with Couch("http://no-such-host.invalid/team", auth=(SECRET_USER, SECRET_PASSWORD)) as couch:
        with pytest.raises(errors.Offline, match="(?i)offline") as caught:
            couch.info()
    _assert_clean(caught.value)


def test_a_server_that_never_answers_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)  # accepted by the kernel, never answered
        port = listener.getsockname()[1]
        with Couch(f"http://127.0.0.1:{port}/team", auth=(SECRET_USER, SECRET_PASSWORD), timeout=0.5) as couch:
            with pytest.raises(errors.TimedOut, match="(?i)offline.*timed out") as caught:
                couch.info()
    _assert_clean(caught.value)


class _Canned(http.server.BaseHTTPRequestHandler):
    status = 200
    body = b"{}"
    drop = False

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.drop:  # the connection cut mid-answer
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"res")
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_PUT = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def lying_server(status: int = 200, body: bytes = b"{}", drop: bool = False) -> Iterator[str]:
    handler = type("Handler", (_Canned,), {"status": status, "body": body, "drop": drop})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/team"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [
        (401, errors.AuthFailed, "did not accept the login.*COPE_TUI_SYNC_USER"),
        (403, errors.Forbidden, "not allowed.*members"),
        (404, errors.NoDatabase, "no database at"),
        (500, errors.ServerFailed, "HTTP 500.*Nothing was lost"),
        (503, errors.ServerFailed, "HTTP 503"),
        (418, errors.BadServer, "HTTP 418"),
    ],
)
def test_http_failures_each_get_their_own_error(status: int, kind: type, words: str) -> None:
    with lying_server(status, b'{"error":"x"}') as url, Couch(url, auth=(SECRET_USER, SECRET_PASSWORD)) as couch:
        with pytest.raises(kind, match=words) as caught:
            couch.changes(0, 10)
    _assert_clean(caught.value)
    assert url.rsplit("/", 1)[0] in str(caught.value)  # the server is named


@pytest.mark.parametrize(
    ("call", "body"),
    [
        ("info", b"<html>a login page</html>"),
        ("info", b"[1, 2]"),
        ("changes", b'{"results": {"id": "x"}, "last_seq": 1}'),
        ("changes", b'{"results": [{"id": "x", "changes": [{"rev": "not-a-rev"}]}], "last_seq": 1}'),
        ("changes", b'{"results": []}'),
        ("revs_diff", b'{"other": {"missing": ["1-a"]}}'),
        ("revs_diff", b'{"d": {"missing": "1-a"}}'),
        ("bulk_docs", b'{"ok": true}'),
        ("bulk_get", b'{"results": [{"id": "d", "docs": {"ok": {}}}]}'),
        ("put_local", b'{"ok": true}'),
    ],
)
def test_a_server_that_lies_is_refused(call: str, body: bytes) -> None:
    args = {
        "info": (),
        "changes": (0, 10),
        "revs_diff": ({"d": ["1-a"]},),
        "bulk_docs": ([{"_id": "d", "_rev": "1-a"}],),
        "bulk_get": ([("d", "1-a")],),
        "put_local": ("rep", {"since": 1}),
    }[call]
    status = 201 if call in ("bulk_docs", "put_local") else 200
    with lying_server(status, body) as url, Couch(url) as couch:
        with pytest.raises(errors.BadServer, match="(?i)not JSON|does not allow"):
            getattr(couch, call)(*args)


def test_a_connection_cut_mid_answer_is_offline() -> None:
    with lying_server(drop=True) as url, Couch(url, auth=(SECRET_USER, SECRET_PASSWORD)) as couch:
        with pytest.raises(errors.Offline, match="(?i)offline.*cut off") as caught:
            couch.changes(0, 10)
    _assert_clean(caught.value)
