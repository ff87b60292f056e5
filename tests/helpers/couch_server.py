"""A real CouchDB-protocol server for the sync tests, on a loopback port.

By default it is `pouchdb-server` from npm (installed into tests/couch/ by the README's
test command: `npm ci --prefix tests/couch`), started once per test session in memory;
each test gets a database of its own. COPE_TEST_COUCH_URL points the tests at an Apache
CouchDB instead (`http://admin:secret@127.0.0.1:5984`: its admin creates the databases).

Without node or the installed server the tests that need it are skipped, saying why;
with COPE_TEST_REQUIRE_COUCH=1 (as .ci/run sets) they fail instead, so CI can never pass
by skipping them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from base64 import b64encode
from dataclasses import dataclass
from pathlib import Path

import pytest

TESTS = Path(__file__).parent.parent  # tests/: the npm package is installed in tests/couch/
SERVER_BIN = TESTS / "couch" / "node_modules" / "pouchdb-server" / "bin" / "pouchdb-server"
ENV_URL = "COPE_TEST_COUCH_URL"
ENV_REQUIRE = "COPE_TEST_REQUIRE_COUCH"
START_TIMEOUT = 90.0  # seconds; node starts slowly on a busy 2-core machine


def missing_reason() -> str | None:
    """Why pouchdb-server cannot run here (None when it can)."""
    if shutil.which("node") is None:
        return "node is not installed, so the CouchDB-protocol test server cannot run"
    if not SERVER_BIN.is_file():
        return "pouchdb-server is not installed: run `npm ci --prefix tests/couch --ignore-scripts`"
    return None


def skip_or_fail(reason: str) -> None:
    if os.environ.get(ENV_REQUIRE):
        pytest.fail(f"{reason} ({ENV_REQUIRE} is set: the sync tests must run here)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(method: str, url: str, auth: tuple[str, str] | None = None, body: bytes | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, method=method)
    req.add_header("Content-Type", "application/json")
    if auth:
        req.add_header("Authorization", "Basic " + b64encode(f"{auth[0]}:{auth[1]}".encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@dataclass
class CouchDb:
    """One database on the test server: its URL (no credentials in it) and the admin's."""

    url: str
    auth: tuple[str, str] | None = None
    guarded: bool = False  # a real CouchDB: a database's members must be named in _security

    def get(self, path: str = "") -> tuple[int, bytes]:
        return _request("GET", f"{self.url}/{path}" if path else self.url, self.auth)

    def send(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        return _request(method, f"{self.url}/{path}", self.auth, body)

    def add_member(self, name: str, password: str) -> None:
        """A user of the server who may read and write this database (and nothing else)."""
        server = self.url.rsplit("/", 1)[0]
        body = f'{{"name": "{name}", "password": "{password}", "roles": [], "type": "user"}}'.encode()
        status, reply = _request("PUT", f"{server}/_users/org.couchdb.user:{name}", self.auth, body)
        assert status in (201, 202), reply
        if self.guarded:
            members = f'{{"members": {{"names": ["{name}"], "roles": []}}, "admins": {{"names": [], "roles": []}}}}'
            status, reply = self.send("PUT", "_security", members.encode())
            assert status in (200, 201), reply

    def env(self) -> dict[str, str]:
        """The variables a `cope-tui sync` subprocess needs to log in."""
        if not self.auth:
            return {}
        return {"COPE_TUI_SYNC_USER": self.auth[0], "COPE_TUI_SYNC_PASSWORD": self.auth[1]}


# "$@" is the server; fd 3 keeps the pipe from the test run (a background job's stdin is
# /dev/null); `wait` makes sh end with the server, so a server that fails to start is seen.
WATCHED = 'exec 3<&0; "$@" & server=$!; (cat <&3 >/dev/null; kill -9 "$server" 2>/dev/null) & wait "$server"'


class CouchServer:
    """A pouchdb-server process: in memory, or on disk in `workdir` (so it can be stopped
    and started again with its data, for the 'server stopped mid-sync' test)."""

    def __init__(self, workdir: Path, *, in_memory: bool = True, port: int | None = None):
        self.workdir = workdir
        self.in_memory = in_memory
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self.auth: tuple[str, str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        args = ["node", str(SERVER_BIN), "--port", str(self.port), "--host", "127.0.0.1", "-n"]
        args += ["--config", str(self.workdir / "config.json")]
        args += ["--in-memory"] if self.in_memory else ["--dir", str(self.workdir)]
        log = open(self.workdir / "server.log", "ab")  # noqa: SIM115 (kept by the process)
        # The server goes when the test run does, however it ends (a CI job stopped with
        # SIGTERM or SIGKILL left it running): `sh` starts it and kills it once the run's
        # end of a pipe closes. Its own session, so a ctrl+c meant for pytest is not its.
        self.proc = subprocess.Popen(
            ["sh", "-c", WATCHED, "sh", *args], cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.PIPE, start_new_session=True,
        )
        log.close()
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                tail = (self.workdir / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"pouchdb-server exited with {self.proc.returncode}:\n{tail}")
            try:
                status, _ = _request("GET", self.url + "/")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"pouchdb-server did not answer on {self.url} within {START_TIMEOUT:.0f} s")

    def stop(self, *, kill: bool = False) -> None:
        """Stop it (SIGKILL with `kill`: gone at once, mid-request)."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=20)
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc = None

    def new_db(self) -> CouchDb:
        db = CouchDb(f"{self.url}/t-{secrets.token_hex(6)}", self.auth, guarded=isinstance(self, ExternalCouch))
        status, body = db.send("PUT", "")
        if status not in (201, 202):
            raise RuntimeError(f"could not create a test database: {status} {body[:200]!r}")
        return db


class ExternalCouch(CouchServer):
    """An Apache CouchDB named by COPE_TEST_COUCH_URL; never started or stopped by us."""

    def __init__(self, given: str):
        parts = urllib.parse.urlsplit(given)
        super().__init__(Path("."), port=parts.port or 5984)
        self._url = f"{parts.scheme}://{parts.hostname}:{self.port}"
        self.auth = (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or "")) if parts.username else None

    @property
    def url(self) -> str:
        return self._url

    def start(self) -> None:
        status, _ = _request("GET", self.url + "/", self.auth)
        if status != 200:
            raise RuntimeError(f"{ENV_URL} does not answer ({status})")

    def stop(self, *, kill: bool = False) -> None:
        pass


@pytest.fixture(scope="session")
def couch_server(tmp_path_factory: pytest.TempPathFactory):
    """One CouchDB-protocol server for the whole session."""
    given = os.environ.get(ENV_URL)
    if given:
        server: CouchServer = ExternalCouch(given)
    else:
        reason = missing_reason()
        if reason:
            skip_or_fail(reason)
        server = CouchServer(tmp_path_factory.mktemp("couch"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def couch_db(couch_server: CouchServer):
    """A fresh, empty database on the session's server; deleted afterwards."""
    db = couch_server.new_db()
    yield db
    db.send("DELETE", "")


@pytest.fixture
def own_couch_server(tmp_path: Path):
    """A pouchdb-server of this test's own, keeping its data on disk: the test may stop it
    (even with SIGKILL) and start it again on the same port."""
    reason = missing_reason()
    if reason:
        skip_or_fail(reason)
    server = CouchServer(tmp_path / "own-couch", in_memory=False)
    server.start()
    yield server
    server.stop()
