"""Running the demo server: :class:`DemoServer` (a thread or the foreground) and
:func:`describe`, the text ``workbench demo-server`` prints.

Example::

    with DemoServer(DemoConfig(port=0)) as server:   # started, ephemeral port
        print(server.issuer)                           # http://127.0.0.1:54321
        ...                                            # stopped and joined on exit

    server = DemoServer(DemoConfig(port=9000))         # foreground (the CLI)
    server.bind()
    print(describe(server))
    server.serve_forever()                             # until Ctrl-C or stop()
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import selectors
import socket
import threading
from types import TracebackType
from typing import Any, Final

from flask import Flask
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from .accounts import CLIENTS, LOOPBACK_HOSTS, REDIRECT_PATH, SCOPES, USERS
from .api import WRITE_SCOPE, api_urls
from .authority import DemoAuthority
from .config import DemoConfig
from .web import authority_of, create_app

__all__ = [
    "THREAD_NAME_PREFIX",
    "DemoConfig",
    "DemoServer",
    "describe",
    "exposure_warning",
    "lan_address",
]

_log = logging.getLogger(__name__)

#: Every thread the server starts has a name starting with this.
THREAD_NAME_PREFIX: Final = "workbench-demo"
_JOIN_TIMEOUT = 5.0


def lan_address() -> str:
    """This machine's address on the local network (the source address of the default
    route), or ``127.0.0.1`` when there is no network."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            # A UDP "connect" sends nothing; it only selects the outgoing interface.
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1 (RFC 5737)
            address = probe.getsockname()[0]
            return str(address)
    except OSError:
        return "127.0.0.1"


def _public_host(config: DemoConfig) -> str:
    if config.public_host:
        return config.public_host
    if config.host in ("", "0.0.0.0", "::"):
        return lan_address()
    return config.host


def _url_host(host: str) -> str:
    host = host.strip("[]")
    return f"[{host}]" if ":" in host else host


def exposure_warning(config: DemoConfig, issuer: str | None = None) -> str | None:
    """A warning when the server listens on more than the loopback interface, else None."""
    if not config.exposed:
        return None
    where = f" as {issuer}" if issuer else ""
    return (
        f"WARNING: the demo server listens on {config.host or '0.0.0.0'} and is reachable "
        f"from your local network{where} (plain HTTP, public demo passwords). Anyone on "
        "the network can use it; stop it when you are done."
    )


#: Longest chunk-size line (with extensions) and most trailer lines read from a chunked body.
_MAX_CHUNK_LINE = 1024
_MAX_TRAILERS = 32
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")


class _BodyRefused(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


class _QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler with its per-request log lines sent to DEBUG, not stderr, and a
    cap on request bodies enforced before the application runs:

    * a ``Content-Length`` over the limit is answered 413 at once: the body is never read,
      and the connection is closed (the unread bytes must not be taken for a request);
    * a chunked body is read here, chunk by chunk, and refused with 413 as soon as it would
      pass the limit; a complete one is handed on as an ordinary ``Content-Length`` body.

    (Flask's ``MAX_CONTENT_LENGTH`` refuses a long ``Content-Length`` body too, but for a
    chunked one werkzeug only stops reading at the limit and passes the truncated body on.)
    """

    server: _DemoWSGIServer

    def log(self, type: str, message: str, *args: Any) -> None:
        _log.debug("%s " + message, self.address_string(), *args)

    def run_wsgi(self) -> None:
        limit = self.server.max_request_body
        coding = self.headers.get("Transfer-Encoding", "")
        encodings = [e.strip().lower() for e in coding.split(",")]
        try:
            if encodings != [""]:
                if encodings != ["chunked"]:
                    raise _BodyRefused(501, "Only the chunked transfer coding is supported.")
                body = self._read_chunked(limit)
            else:
                self._check_length(limit)
                super().run_wsgi()
                return
        except _BodyRefused as refused:
            self._refuse(refused.status, refused.description)
            return
        del self.headers["Transfer-Encoding"]
        del self.headers["Content-Length"]
        self.headers["Content-Length"] = str(len(body))
        socket_file = self.rfile
        self.rfile = io.BytesIO(body)
        try:
            super().run_wsgi()
        finally:
            self.rfile = socket_file

    def _check_length(self, limit: int) -> None:
        length = self.headers.get_all("Content-Length") or []
        if not length:
            return
        if len(set(length)) != 1 or not length[0].strip().isdigit():
            raise _BodyRefused(400, "The Content-Length header is not one number.")
        if int(length[0]) > limit:
            raise _BodyRefused(413, f"The request body is larger than {limit} bytes.")

    def _read_line(self) -> bytes:
        line: bytes = self.rfile.readline(_MAX_CHUNK_LINE + 1)
        if len(line) > _MAX_CHUNK_LINE or not line.endswith(b"\n"):
            raise _BodyRefused(400, "Malformed chunked request body.")
        return line.rstrip(b"\r\n")

    def _read_chunked(self, limit: int) -> bytes:
        """The decoded chunked body (RFC 9112 §7.1), never more than ``limit`` bytes."""
        body = bytearray()
        while True:
            size_text = self._read_line().split(b";", 1)[0].strip()
            if not _CHUNK_SIZE.fullmatch(size_text):
                raise _BodyRefused(400, "Malformed chunk size in the request body.")
            size = int(size_text, 16)
            if size == 0:
                break
            if len(body) + size > limit:
                raise _BodyRefused(413, f"The request body is larger than {limit} bytes.")
            data = self.rfile.read(size)
            if len(data) != size or self._read_line() != b"":
                raise _BodyRefused(400, "Malformed chunked request body.")
            body += data
        for _ in range(_MAX_TRAILERS):
            if self._read_line() == b"":
                return bytes(body)
        raise _BodyRefused(400, "Too many trailer fields in the request body.")

    def _refuse(self, status: int, description: str) -> None:
        """Answer without reading (more of) the body, then close the connection (the unread
        body would otherwise be taken for the next request)."""
        body = json.dumps({"error": "invalid_request", "error_description": description})
        data = body.encode()
        self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)


class _DemoWSGIServer(ThreadedWSGIServer):
    """A threaded werkzeug server that stops at once when asked (no shutdown polling) and,
    when closed, also closes open connections and joins the request threads, so no thread
    outlives it."""

    def __init__(self, host: str, port: int, app: Any, fd: int, max_request_body: int) -> None:
        self.max_request_body = max_request_body
        self._active: dict[threading.Thread, socket.socket] = {}
        self._active_lock = threading.Lock()
        self._wake_r, self._wake_w = socket.socketpair()
        self._stop_requested = threading.Event()
        self._ready = False  # werkzeug calls server_close() inside __init__ when given fd
        self._closed = False
        self.closing = threading.Event()
        self.serve_done = threading.Event()
        super().__init__(host, port, app, handler=_QuietRequestHandler, fd=fd)
        self._ready = True

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Accept connections until :meth:`stop_serving` (or Ctrl-C), then close.

        socketserver's loop wakes every ``poll_interval`` to look for a shutdown request;
        this one sleeps until a connection or the wake-up socket is readable."""
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self.socket, selectors.EVENT_READ)
                selector.register(self._wake_r, selectors.EVENT_READ)
                while not self._stop_requested.is_set():
                    for key, _ in selector.select():
                        if key.fileobj is self.socket and not self._stop_requested.is_set():
                            self._accept_one()
        except KeyboardInterrupt:
            pass
        finally:
            self.server_close()
            self.serve_done.set()

    def _accept_one(self) -> None:
        try:
            request, client_address = self.get_request()
        except OSError:
            return
        try:
            self.process_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
            self.shutdown_request(request)

    def stop_serving(self) -> None:
        """Make :meth:`serve_forever` return (from any thread)."""
        self._stop_requested.set()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"{THREAD_NAME_PREFIX}-request",
            daemon=True,
        )
        with self._active_lock:
            self._active[thread] = request
        thread.start()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._active_lock:
                self._active.pop(threading.current_thread(), None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.closing.is_set():
            _log.debug("error while closing a connection from %s", client_address, exc_info=True)
        else:
            _log.warning("error handling a request from %s", client_address, exc_info=True)

    def server_close(self) -> None:
        if not self._ready:
            super().server_close()
            return
        if self._closed:
            return
        self._closed = True
        self.closing.set()
        super().server_close()
        self._wake_r.close()
        self._wake_w.close()
        with self._active_lock:
            active = list(self._active.items())
        for _, connection in active:
            # Unblock a thread waiting for a request that will never come (an idle
            # keep-alive or preconnected socket).
            with contextlib.suppress(OSError):  # already closed by its thread
                connection.shutdown(socket.SHUT_RDWR)
        for thread, _ in active:
            thread.join(_JOIN_TIMEOUT)


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket. Bound here rather than by werkzeug, which prints to stderr
    and calls ``sys.exit`` when the port is taken; this raises ``OSError`` instead."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    infos = socket.getaddrinfo(host or None, port, family, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if os.name != "nt":  # on Windows SO_REUSEADDR would allow stealing the port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(infos[0][4])
        sock.listen(64)
    except BaseException:
        sock.close()
        raise
    return sock


class DemoServer:
    """The demo authorization server on a real socket.

    ``start()`` serves from a background thread and returns once the socket listens;
    ``serve_forever()`` serves in the calling thread. ``stop()`` shuts down, closes open
    connections and joins every thread the server started. A server runs once: after
    ``stop()`` make a new one (with a new key and empty state).
    """

    def __init__(self, config: DemoConfig | None = None) -> None:
        self.config = config or DemoConfig()
        self._httpd: _DemoWSGIServer | None = None
        self._app: Flask | None = None
        self._issuer: str | None = None
        self._thread: threading.Thread | None = None
        self._serving = False
        self._stopped = False
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    # -- lifecycle ----------------------------------------------------------------------
    def bind(self) -> DemoServer:
        """Open the listening socket and build the app; the issuer is known afterwards.
        Idempotent. Raises ``OSError`` when the address cannot be bound."""
        with self._lock:
            if self._stopped:
                raise RuntimeError("this DemoServer was stopped; create a new one")
            if self._httpd is not None:
                return self
            sock = _listen(self.config.host, self.config.port)
            try:
                port = int(sock.getsockname()[1])
                issuer = f"http://{_url_host(_public_host(self.config))}:{port}"
                app = create_app(self.config, issuer, stopping=self._stopping)
                httpd = _DemoWSGIServer(
                    self.config.host,
                    port,
                    app,
                    fd=sock.fileno(),
                    max_request_body=self.config.max_request_body,
                )
            finally:
                sock.close()  # werkzeug serves a duplicate of the descriptor
            self._httpd, self._app, self._issuer = httpd, app, issuer
        warning = exposure_warning(self.config, issuer)
        if warning:
            _log.warning("%s", warning)
        return self

    def start(self) -> DemoServer:
        """Serve from a background thread; returns once listening."""
        httpd = self.bind()._claim_serving()
        thread = threading.Thread(
            target=httpd.serve_forever,
            name=f"{THREAD_NAME_PREFIX}-server",
            daemon=True,
        )
        self._thread = thread
        thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until ``stop()`` (from another thread) or Ctrl-C."""
        httpd = self.bind()._claim_serving()
        try:
            httpd.serve_forever()  # closes the server when it returns
        finally:
            self._stopping.set()
            with self._lock:
                self._stopped = True

    def stop(self) -> None:
        """Shut down, close connections, join all threads. Safe to call twice."""
        with self._lock:
            httpd, thread, serving = self._httpd, self._thread, self._serving
            self._stopped = True
        self._stopping.set()  # wake requests sleeping in token_delay
        if httpd is None:
            return
        if serving:
            httpd.stop_serving()
            httpd.serve_done.wait(_JOIN_TIMEOUT)  # serve_forever closes the server
        else:
            httpd.server_close()
        if thread is not None and thread is not threading.current_thread():
            thread.join(_JOIN_TIMEOUT)

    def _claim_serving(self) -> _DemoWSGIServer:
        with self._lock:
            if self._serving:
                raise RuntimeError("the demo server is already running")
            if self._stopped or self._httpd is None:
                raise RuntimeError("this DemoServer was stopped; create a new one")
            self._serving = True
            return self._httpd

    def __enter__(self) -> DemoServer:
        if not self._serving:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- facts --------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._serving and not self._stopped

    @property
    def issuer(self) -> str:
        """``http://<public host>:<port>`` (available after ``bind()``/``start()``)."""
        if self._issuer is None:
            raise RuntimeError("the demo server is not bound yet: call start() or bind()")
        return self._issuer

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the demo server is not bound yet: call start() or bind()")
        return int(self._httpd.port)

    @property
    def app(self) -> Flask:
        if self._app is None:
            raise RuntimeError("the demo server is not bound yet: call start() or bind()")
        return self._app

    @property
    def authority(self) -> DemoAuthority:
        """Keys, in-memory state and URLs of the running server."""
        return authority_of(self.app)

    @property
    def exposure_warning(self) -> str | None:
        return exposure_warning(self.config, self._issuer)

    def url(self, name: str) -> str:
        """Absolute URL of an endpoint by its name in :data:`DEFAULT_PATHS`."""
        return self.issuer + self.config.endpoint_paths[name]

    @property
    def discovery_url(self) -> str:
        return self.url("openid_configuration")


def describe(server: DemoServer) -> str:
    """What ``workbench demo-server`` prints: issuer, endpoints, clients, users."""
    config = server.config
    lines = [
        "Token Workbench demo authorization server",
        f"  issuer:     {server.issuer}",
        f"  discovery:  {server.discovery_url}",
        f"  tokens:     RS256 JWT access tokens (typ at+jwt), {config.access_token_ttl} s; "
        f"refresh tokens {config.refresh_token_ttl} s, rotated on every use",
        "  register:   "
        + (
            f"RFC 7591 with the initial access token {config.initial_access_token}"
            " (a public demo value; send it as Bearer)"
            if config.initial_access_token
            else "RFC 7591, open (no initial access token); RFC 7592 read and delete"
        ),
        *(
            [
                "  device:     PKCE required (S256 code_challenge on the device request, "
                "code_verifier on every poll)"
            ]
            if config.require_device_pkce
            else []
        ),
        "  DPoP:       proofs checked, tokens bound (RFC 9449)"
        + ("; nonces required (use_dpop_nonce)" if config.require_dpop_nonce else ""),
        *(
            [
                f"  trigger:    pre-token generation {server.authority.trigger.label} "
                f"({server.authority.trigger.version})"
            ]
            if server.authority.trigger.active
            else []
        ),
        "",
        "Clients (public demo values):",
    ]
    for client in CLIENTS.values():
        if client.is_public:
            auth = "public client, no secret (PKCE S256 required)"
        elif client.client_secret is None:
            registered = "registered" if server.authority.config.client_jwks else "none given"
            auth = f"{' or '.join(client.token_endpoint_auth_methods)} (public JWKS: {registered})"
        else:
            methods = " or ".join(client.token_endpoint_auth_methods)
            auth = f"secret: {client.client_secret}  ({methods})"
        lines += [
            f"  {client.client_id}",
            f"      {auth}",
            f"      grants: {', '.join(client.grant_types)}",
        ]
    hosts = ", ".join(
        f"http://{_url_host(h)}:<any port>{REDIRECT_PATH}" for h in sorted(LOOPBACK_HOSTS)
    )
    lines += [
        f"  redirect URIs (RFC 8252 loopback, any port): {hosts}",
        f"  scopes: {' '.join(SCOPES)}",
        "",
        "Users (public demo values):",
    ]
    width = max(len(u.username) for u in USERS.values())
    for user in USERS.values():
        lines.append(
            f"  {user.username:<{width}}  password: {user.password:<16} {user.name} <{user.email}>"
        )
    lines += ["", "Endpoints:"]
    paths = config.endpoint_paths
    width = max(len(name) for name in paths)
    lines += [f"  {name:<{width}}  {server.url(name)}" for name in paths]
    apis = api_urls(server.issuer)
    lines += [
        "",
        "Demo APIs (resource servers: call them with `workbench call URL --token-env VAR`):",
        f"  {apis['local']}/me         verifies the JWT itself: a revoked token still passes",
        f"  {apis['introspected']}/me  asks the server's records: a revoked token fails",
        f"  …/write needs scope {WRITE_SCOPE}; metadata (RFC 9728) at "
        f"{server.issuer}/.well-known/oauth-protected-resource/api/<local|introspected>",
    ]
    warning = server.exposure_warning
    if warning:
        lines += ["", warning]
    return "\n".join(lines)
