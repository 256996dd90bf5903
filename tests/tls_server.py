"""A local HTTPS server whose certificate comes from a throwaway CA, for tests.

Nothing trusts the CA unless it is given as a CA bundle (``TlsServer.ca_file``), so a test can
show that a request succeeds with the setting and fails without it. With ``client_trust``, the
server asks for a client certificate and accepts only one chaining to those PEM certificates;
each answer says which certificate came (``{"client_subject": ...}``).

Built on :mod:`workbench.demo.tls` (the demo server's mTLS port uses the same CA code).
"""

from __future__ import annotations

import contextlib
import json
import ssl
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509

from workbench.demo.tls import ThrowawayCa, server_context

__all__ = ["TlsServer", "tls_server"]


@dataclass(frozen=True)
class TlsServer:
    url: str
    ca: ThrowawayCa
    ca_file: Path


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        assert isinstance(self.connection, ssl.SSLSocket)
        der = self.connection.getpeercert(binary_form=True)
        subject = x509.load_der_x509_certificate(der).subject.rfc4514_string() if der else None
        body = json.dumps({"path": self.path, "client_subject": subject}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


class _TlsHttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.context = context

    def get_request(self):  # type: ignore[no-untyped-def]
        sock, address = super().get_request()
        return self.context.wrap_socket(sock, server_side=True), address

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        return  # a refused handshake is what some tests are about


@contextlib.contextmanager
def tls_server(
    directory: Path, *, ca: ThrowawayCa | None = None, client_trust: Iterable[bytes] | None = None
) -> Iterator[TlsServer]:
    """Serve HTTPS on 127.0.0.1 with a certificate of ``ca`` (a new one by default); its CA
    certificate is written to ``directory``/ca.pem."""
    ca = ca or ThrowawayCa("Test throwaway CA")
    ca_file = directory / "ca.pem"
    ca_file.write_bytes(ca.cert_pem)
    trust = list(client_trust) if client_trust is not None else None
    httpd = _TlsHttpServer(server_context(ca.issue_server(), trust))
    thread = threading.Thread(target=httpd.serve_forever, name="tls-test-server", daemon=True)
    thread.start()
    try:
        yield TlsServer(f"https://127.0.0.1:{httpd.server_address[1]}", ca, ca_file)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
