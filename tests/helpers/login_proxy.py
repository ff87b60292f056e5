"""A CouchDB server that asks for a login, for the tests: pouchdb-server runs as an "admin
party" (no logins), so this stands in front of it on a loopback port, refuses every
request without the one Basic login it was given (401, as CouchDB does) and passes the
others through unchanged."""

from __future__ import annotations

import http.client
import http.server
import threading
import urllib.parse
from base64 import b64encode


class LoginProxy:
    def __init__(self, upstream_db_url: str, user: str, password: str):
        self.upstream = urllib.parse.urlsplit(upstream_db_url)
        self.expected = "Basic " + b64encode(f"{user}:{password}".encode()).decode()
        self.seen: list[str | None] = []  # each request's Authorization header
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                given = self.headers.get("Authorization")
                proxy.seen.append(given)
                if given != proxy.expected:
                    self._answer(401, b'{"error":"unauthorized","reason":"Name or password is incorrect."}')
                    return
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=60)
                try:
                    conn.request(self.command, self.path, body=body or None,
                                 headers={"Content-Type": self.headers.get("Content-Type", "application/json")})
                    reply = conn.getresponse()
                    self._answer(reply.status, reply.read())
                finally:
                    conn.close()

            def _answer(self, status: int, raw: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_PUT = do_DELETE = _any

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{self.upstream.path}"

    def __enter__(self) -> LoginProxy:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
