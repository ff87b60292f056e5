"""A client for the documented parts of CouchDB's replication protocol, and no more.

Database info and creation, `_changes` (with `since`, all leaf revisions), `_revs_diff`,
`_bulk_docs` with `new_edits=false`, `_bulk_get` with `revs=true`, `_local` checkpoint
documents, and single documents (for the team's key document). Each failure becomes
one SyncError subclass whose message names the server by its address without any
credentials: a password never appears in a message, a log or an exception.

Answers are checked for shape before use: a server that lies (a list where an object
belongs, a missing field) is refused like one that sends no JSON at all.
"""

from __future__ import annotations

import socket
import ssl
import urllib.parse
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from .errors import KEPT, AuthFailed, BadRemote, BadServer, Forbidden, NoDatabase, Offline, ServerFailed, TimedOut

CONNECT_SECONDS = 10.0
READ_SECONDS = 60.0  # a _bulk_docs of a few MB on a slow link


def check_url(url: str) -> str:
    """The database's address, cleaned: http(s), a host, a database path, and no
    credentials (those come from the environment or a prompt, never from a string that
    ends up in a config file or a shell history)."""
    if not url.strip().isprintable() or " " in url.strip():
        # httpx refuses them only when the client is built, as an error of its own: the
        # command line stopped with a crash report, and F10 in the app did nothing at all.
        raise BadRemote(f"'{_redact(url)}' holds a space or a control character, which no address has. "
                        "Check the address in [sync] remote or --remote.")
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise BadRemote(f"'{_redact(url)}' is not a usable address for a CouchDB database.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRemote(
            f"'{_redact(url)}' is not an http:// or https:// address of a CouchDB database "
            "(for example https://couch.example.org/team-north)."
        )
    if parts.username or parts.password:
        raise BadRemote(
            "The remote's address holds a user name or password. Take them out of it and set "
            "COPE_TUI_SYNC_USER and COPE_TUI_SYNC_PASSWORD instead (or type them when asked)."
        )
    path = parts.path.rstrip("/")
    if not path.strip("/"):
        raise BadRemote(
            f"'{_redact(url)}' names a server but no database: add the team's database, "
            "for example https://couch.example.org/team-north."
        )
    if parts.query or parts.fragment:
        raise BadRemote(f"'{_redact(url)}' has a query or fragment; give the database's address only.")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = f"{host}:{port}" if port else host
    cleaned = urllib.parse.urlunsplit((parts.scheme, netloc, path, "", ""))
    try:
        httpx.URL(cleaned)  # what the client will be built from: refused here, with a message
    except httpx.InvalidURL:
        raise BadRemote(f"'{_redact(url)}' is not a usable address for a CouchDB database.") from None
    return cleaned


def _redact(url: str) -> str:
    """The address with anything before an '@' in its host part removed."""
    scheme, sep, rest = url.strip().partition("://")
    if not sep:
        return _printable(url.strip()[:200])
    host, slash, path = rest.partition("/")
    return _printable(f"{scheme}://{host.rpartition('@')[2]}{slash}{path}"[:200])


def _printable(text: str) -> str:
    """Shown as escapes when it holds a control or bidi character: an address quoted in
    a message goes to a terminal."""
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def is_loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


@dataclass(frozen=True)
class Change:
    """One row of `_changes`: a document and all its leaf revisions, and the winning
    revision's document itself when it was asked for (`include_docs`)."""

    id: str
    revs: tuple[str, ...]
    seq: Any
    doc: dict[str, Any] | None = None


@dataclass(frozen=True)
class Changes:
    rows: list[Change]
    last_seq: Any


class Couch:
    """One CouchDB database over HTTP(S); `requests` counts the round trips made."""

    def __init__(
        self,
        url: str,
        *,
        auth: tuple[str, str] | None = None,
        timeout: float = READ_SECONDS,
        transport: httpx.BaseTransport | None = None,
    ):
        self.url = self.shown = check_url(url)
        self.requests = 0
        headers = {"Accept": "application/json"}
        if is_loopback(self.url):
            # Over loopback, bytes cost nothing and compressing them costs both ends the
            # processor (a first pull of 10,000 meetings: seconds of the server's time);
            # across a network, gzip saves about a quarter of the bytes of sealed records.
            headers["Accept-Encoding"] = "identity"
        self._http = httpx.Client(
            base_url=self.url + "/",
            auth=httpx.BasicAuth(*auth) if auth else None,
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_SECONDS, timeout)),
            headers=headers,
            follow_redirects=False,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Couch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the protocol ------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """The database's info (`GET /db`); NoDatabase when it does not exist."""
        body = self._json("GET", "", what="database info")
        _expect(isinstance(body, dict) and "doc_count" in body, self.shown, "database info")
        return body

    def create(self) -> bool:
        """Create the database (an admin's job); False when it existed already."""
        status, _ = self._call("PUT", "", ok=(201, 202, 412))
        return status != 412

    def get_doc(self, doc_id: str) -> dict[str, Any] | None:
        status, body = self._call("GET", _quote(doc_id), ok=(200, 404))
        if status == 404:
            self._database_exists(body)
            return None
        return self._parse_object(body, "a document")

    def create_doc(self, doc: dict[str, Any]) -> bool:
        """PUT a new document; False when one with its id exists already (someone was first)."""
        status, _ = self._call("PUT", _quote(doc["_id"]), ok=(201, 202, 409), content=orjson.dumps(doc))
        return status != 409

    def replace_doc(self, doc: dict[str, Any]) -> bool:
        """PUT a document over the revision `doc["_rev"]`; False when that is no longer the
        current one (someone changed it meanwhile)."""
        status, _ = self._call("PUT", _quote(doc["_id"]), ok=(200, 201, 202, 409), content=orjson.dumps(doc))
        return status != 409

    def changes(self, since: Any, limit: int, *, docs: bool = False) -> Changes:
        """Changes since `since`, every leaf revision of each; `docs`: with the winning
        revision's document (`include_docs`), which is left out where it is not one."""
        params = {"since": _since(since), "style": "all_docs", "limit": str(limit)}
        if docs:
            params["include_docs"] = "true"
        body = self._json("GET", "_changes", params=params, what="the list of changes")
        rows = body.get("results") if isinstance(body, dict) else None
        _expect(isinstance(rows, list) and "last_seq" in body, self.shown, "the list of changes")
        found = []
        for row in rows:
            ok = isinstance(row, dict) and isinstance(row.get("id"), str) and isinstance(row.get("changes"), list)
            revs = tuple(c.get("rev") for c in row["changes"] if isinstance(c, dict)) if ok else ()
            _expect(ok and revs and all(isinstance(r, str) and _is_rev(r) for r in revs), self.shown, "a change")
            doc = row.get("doc") if docs else None
            found.append(Change(row["id"], revs, row.get("seq"), doc if isinstance(doc, dict) else None))
        return Changes(found, body["last_seq"])

    def revs_diff(self, revs: dict[str, list[str]]) -> dict[str, set[str]]:
        """Which of these revisions the server lacks, by document id."""
        if not revs:
            return {}
        body = self._json("POST", "_revs_diff", content=orjson.dumps(revs), what="the revisions it lacks")
        _expect(isinstance(body, dict), self.shown, "the revisions it lacks")
        missing: dict[str, set[str]] = {}
        for doc_id, entry in body.items():
            lacks = entry.get("missing") if isinstance(entry, dict) else None
            _expect(isinstance(lacks, list) and doc_id in revs, self.shown, "the revisions it lacks")
            missing[doc_id] = {r for r in lacks if r in revs[doc_id]}
        return missing

    def bulk_docs(self, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Store these exact revisions (`new_edits=false`); the per-document errors."""
        if not docs:
            return []
        payload = orjson.dumps({"docs": docs, "new_edits": False})
        body = self._json("POST", "_bulk_docs", content=payload, ok=(201, 202), what="storing records")
        _expect(isinstance(body, list), self.shown, "storing records")
        return [row for row in body if isinstance(row, dict) and "error" in row]

    def bulk_get(self, wanted: list[tuple[str, str]]) -> list[dict[str, Any]]:
        """These revisions with their history (`revs=true`); ones gone meanwhile are left out."""
        if not wanted:
            return []
        payload = orjson.dumps({"docs": [{"id": i, "rev": r} for i, r in wanted]})
        body = self._json("POST", "_bulk_get", params={"revs": "true"}, content=payload, what="records")
        rows = body.get("results") if isinstance(body, dict) else None
        _expect(isinstance(rows, list), self.shown, "records")
        found = []
        for row in rows:
            docs = row.get("docs") if isinstance(row, dict) else None
            _expect(isinstance(docs, list), self.shown, "records")
            for item in docs:
                doc = item.get("ok") if isinstance(item, dict) else None
                if isinstance(doc, dict):
                    found.append(doc)
        return found

    def get_local(self, name: str) -> dict[str, Any] | None:
        return self.get_doc(f"_local/{name}")

    def put_local(self, name: str, body: dict[str, Any]) -> str | None:
        """Write a checkpoint (`body` carries `_rev` when it replaces one); its new rev, or
        None when `_rev` is not the current one (a write whose answer was lost)."""
        status, raw = self._call("PUT", f"_local/{_quote(name)}", content=orjson.dumps(body), ok=(200, 201, 202, 409))
        if status == 409:
            return None
        reply = self._parse_object(raw, "a checkpoint")
        _expect(isinstance(reply.get("rev"), str), self.shown, "a checkpoint")
        return reply["rev"]

    # ---- HTTP and its failures ---------------------------------------------------------

    def _json(self, method: str, path: str, *, what: str, ok: tuple[int, ...] = (200,), **kw: Any) -> Any:
        _, body = self._call(method, path, ok=ok, **kw)
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            raise BadServer(f"{self.shown} sent something that is not JSON in answer to a request for {what}; "
                            "is this address a CouchDB database? " + KEPT) from None

    def _parse_object(self, body: bytes, what: str) -> dict[str, Any]:
        try:
            found = orjson.loads(body)
        except orjson.JSONDecodeError:
            found = None
        _expect(isinstance(found, dict), self.shown, what)
        return found

    def _database_exists(self, body: bytes) -> None:
        """A 404 for a document: fine, unless the database itself is missing."""
        try:
            reason = orjson.loads(body).get("reason")
        except (orjson.JSONDecodeError, AttributeError):
            reason = None
        if reason in ("no_db_file", "Database does not exist."):
            raise NoDatabase(_no_database(self.shown))

    def _call(self, method: str, path: str, *, ok: tuple[int, ...] = (200,), **kw: Any) -> tuple[int, bytes]:
        self.requests += 1
        if "content" in kw:
            kw.setdefault("headers", {})["Content-Type"] = "application/json"
        try:  # the database itself is its URL exactly: no trailing slash
            resp = self._http.request(method, path or self.url, **kw)
        except httpx.HTTPError as exc:
            raise _network_error(self.shown, exc) from None
        if resp.status_code in ok:
            return resp.status_code, resp.content
        raise _status_error(self.shown, resp.status_code, path)


def _quote(doc_id: str) -> str:
    return urllib.parse.quote(doc_id, safe="/") if doc_id.startswith("_local/") else urllib.parse.quote(doc_id, safe="")


def _since(seq: Any) -> str:
    return seq if isinstance(seq, str) else orjson.dumps(seq).decode() if seq is not None else "0"


def _is_rev(rev: str) -> bool:
    gen, dash, rest = rev.partition("-")
    return bool(dash and gen.isdigit() and rest)


def _expect(condition: bool, shown: str, what: str) -> None:
    if not condition:
        raise BadServer(
            f"{shown} answered a request for {what} with something CouchDB's protocol does not allow. "
            "The sync stopped before using it. " + KEPT
        )


def _no_database(shown: str) -> str:
    return (f"There is no database at {shown}. Check the address, or ask the server's administrator "
            "to create the team's database and make you a member of it.")


def _network_error(shown: str, exc: httpx.HTTPError) -> Exception:
    if isinstance(exc, httpx.ConnectTimeout):
        return Offline(f"Offline: {shown} did not answer within {CONNECT_SECONDS:.0f} seconds. {KEPT}")
    if isinstance(exc, httpx.TimeoutException):
        return TimedOut(f"Offline: {shown} stopped answering part-way through (timed out). {KEPT}")
    if isinstance(exc, httpx.ConnectError):
        return Offline(f"Offline: cannot reach {shown} ({_why_not(exc)}). {KEPT}")
    if isinstance(exc, (httpx.NetworkError, httpx.RemoteProtocolError)):
        return Offline(f"Offline: the connection to {shown} was cut off part-way through. {KEPT}")
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return BadRemote(f"{shown} is not an address cope-tui can connect to.")
    return BadServer(f"{shown} answered in a way cope-tui cannot use ({type(exc).__name__}). {KEPT}")


def _why_not(exc: BaseException) -> str:
    """The cause in words, from the chain of exceptions under httpx's (never their text,
    which can quote the address with whatever was in it)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return "its TLS certificate is not trusted by this machine"
        if isinstance(seen, ssl.SSLError):
            return "the TLS handshake failed"
        if isinstance(seen, socket.gaierror):
            return "its name was not found: check the address and the network"
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused: is the server running?"
        if isinstance(seen, OSError) and seen.errno is not None:
            return "the network is unreachable" if seen.errno in (101, 113) else "the connection failed"
        seen = seen.__cause__ or seen.__context__
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused: is the server running?"
    if "name" in text and ("resolution" in text or "not known" in text):
        return "its name was not found: check the address and the network"
    return "the connection failed"


def _status_error(shown: str, status: int, path: str) -> Exception:
    if status == 401:
        return AuthFailed(
            f"{shown} did not accept the login. Set COPE_TUI_SYNC_USER and COPE_TUI_SYNC_PASSWORD "
            "(or type them when asked) to a member's name and password."
        )
    if status == 403:
        return Forbidden(
            f"{shown} refused: this login is not allowed to read and write this database. Ask its "
            "administrator to add you to the database's members."
        )
    if status == 404 and path in ("", "_changes", "_revs_diff", "_bulk_docs", "_bulk_get"):
        return NoDatabase(_no_database(shown))
    if status >= 500:
        return ServerFailed(f"{shown} failed with an error of its own (HTTP {status}). Try again later. {KEPT}")
    return BadServer(f"{shown} refused a request with HTTP {status}; is this address a CouchDB database? {KEPT}")
