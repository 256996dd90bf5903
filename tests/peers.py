"""Small real HTTP peers for fault tests: a server that answers what a test tells it to.

These are real sockets on 127.0.0.1, not mocks: the client under test goes through requests,
urllib3 and the kernel exactly as it would against a misbehaving provider.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Canned:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        return  # a client hanging up mid-connection is what some tests are about


class CannedServer:
    """Serves ``routes[path]`` (a Canned answer); records requests (method, path, body) and,
    in ``headers``, the headers of each.

    ``keep_alive`` answers in HTTP/1.1 and keeps connections open; ``clients`` records the
    client address (host, port) of each request, so a test can tell reused connections.
    While ``hold`` is set to an unset event, every answer waits for it (at most 10 s): requests
    pile up in flight until the test releases them.
    """

    def __init__(self, keep_alive: bool = False) -> None:
        self.routes: dict[str, Canned] = {}
        self.requests: list[tuple[str, str, bytes]] = []
        self.headers: list[dict[str, str]] = []
        self.clients: list[tuple[str, int]] = []
        self.hold: threading.Event | None = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append((self.command, self.path, body))
                server.headers.append(dict(self.headers.items()))
                server.clients.append(self.client_address)
                if server.hold is not None:
                    server.hold.wait(10)
                canned = server.routes.get(
                    self.path.split("?")[0], Canned(404, b"not found", "text/plain")
                )
                self.send_response(canned.status)
                self.send_header("Content-Type", canned.content_type)
                for k, v in canned.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(canned.body)))
                self.end_headers()
                self.wfile.write(canned.body)

            do_GET = _answer
            do_POST = _answer

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="canned-server"
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def json(self, path: str, doc: object, status: int = 200) -> None:
        self.routes[path] = Canned(status, json.dumps(doc).encode())

    def start(self) -> CannedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


#: ``response_types_supported`` of npm oidc-provider's default configuration: no bare ``token``.
OIDC_PROVIDER_RESPONSE_TYPES = ["code", "id_token", "id_token token", "none"]


def serve_oidc_configuration(server: CannedServer, **extra: object) -> None:
    """An OpenID configuration on ``server`` laid out like npm oidc-provider's (its response
    types; ``/auth``, ``/token``, ``/jwks``), plus ``extra`` members."""
    server.json(
        "/.well-known/openid-configuration",
        {
            "issuer": server.url,
            "authorization_endpoint": server.url + "/auth",
            "token_endpoint": server.url + "/token",
            "jwks_uri": server.url + "/jwks",
            "response_types_supported": OIDC_PROVIDER_RESPONSE_TYPES,
            **extra,
        },
    )


@contextmanager
def canned_server(keep_alive: bool = False) -> Iterator[CannedServer]:
    server = CannedServer(keep_alive).start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers: a read timeout for whoever calls it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


def closed_port_url() -> str:
    """A loopback URL on which nothing listens (connection refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"
