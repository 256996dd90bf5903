"""RFC 8252 §7.3 loopback redirect listener: 127.0.0.1 only, ephemeral port, one callback.

For the implicit grant the parameters are in the URL fragment, which a browser never sends to a
server: the listener first serves a small page whose script posts ``location.hash`` back to it.
"""

from __future__ import annotations

import html
import queue
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

from workbench.core.errors import FlowError

Mode = Literal["query", "fragment"]
POLL_SLICE = 0.1
IDLE_CONNECTION_TIMEOUT = 2.0

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Token Workbench</title>
<style>body{{font:16px system-ui,sans-serif;margin:15vh auto;max-width:34em;text-align:center;
color:#222}}h1{{font-size:1.4em}}.err{{color:#a40000}}</style></head>
<body><h1 class="{cls}">{title}</h1><p>{text}</p></body></html>"""

_FRAGMENT_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Token Workbench</title>
</head><body><p id="msg">Passing the response to Token Workbench…</p><script>
const form = location.hash.substring(1) || location.search.substring(1);
fetch(location.pathname, {method: "POST", body: form,
  headers: {"Content-Type": "application/x-www-form-urlencoded"}})
.then(r => r.text())
.then(t => { document.open(); document.write(t); document.close(); })
.catch(e => {
  document.getElementById("msg").textContent = "Could not reach Token Workbench: " + e;
});
</script></body></html>"""


def _page(ok: bool, detail: str = "") -> bytes:
    if ok:
        title, text, cls = "Done", "You can close this tab and return to Token Workbench.", ""
    else:
        title, text, cls = "Sign-in failed", html.escape(detail), "err"
    return _PAGE.format(title=title, text=text, cls=cls).encode("utf-8")


class LoopbackListener:
    """Listen on ``http://127.0.0.1:<port>/<path>`` for one authorization response."""

    def __init__(self, port: int = 0, path: str = "/callback", mode: Mode = "query") -> None:
        self.path = "/" + path.lstrip("/")
        self.mode = mode
        self._results: queue.Queue[dict[str, str]] = queue.Queue(maxsize=1)
        handler = self._make_handler()
        try:
            self._server = HTTPServer(("127.0.0.1", port), handler)
        except OSError as exc:
            raise FlowError(
                f"Cannot listen on 127.0.0.1:{port} for the redirect: {exc.strerror or exc}. "
                "Pick another port or 0 for any free one.",
                kind="listen",
            ) from exc
        self._server.timeout = POLL_SLICE
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def start(self) -> LoopbackListener:
        self._thread = threading.Thread(
            target=self._serve, name=f"loopback-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def _serve(self) -> None:
        while not self._stop.is_set():
            self._server.handle_request()

    def wait(self, timeout: float = 300.0, cancel: threading.Event | None = None) -> dict[str, str]:
        """Block until the callback arrives; FlowError on timeout or cancel. Always closes."""
        remaining = timeout
        try:
            while remaining > 0:
                if cancel is not None and cancel.is_set():
                    raise FlowError("Sign-in cancelled.", kind="cancelled")
                try:
                    return self._results.get(timeout=min(POLL_SLICE, remaining))
                except queue.Empty:
                    remaining -= POLL_SLICE
            raise FlowError(
                f"No redirect arrived within {timeout:g} s. Was the sign-in finished in the "
                "browser? Start again to retry.",
                kind="timeout",
            )
        finally:
            self.close()

    def close(self) -> None:
        """Stop listening and release the port; safe to call twice."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
        self._server.server_close()

    def __enter__(self) -> LoopbackListener:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _deliver(self, params: dict[str, str]) -> bool:
        try:
            self._results.put_nowait(params)
        except queue.Full:
            return False
        return True

    def _make_handler(self) -> type[BaseHTTPRequestHandler]:
        listener = self

        class Handler(BaseHTTPRequestHandler):
            # A connection that sends nothing (a browser's preconnect, a port scan) must not
            # hold the one-at-a-time listener: give up on it after this many seconds.
            timeout = IDLE_CONNECTION_TIMEOUT

            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path != listener.path:
                    self._send(404, _page(False, "Not the redirect path."))
                    return
                if listener.mode == "fragment" and not url.query:
                    self._send(200, _FRAGMENT_PAGE.encode("utf-8"))
                    return
                self._finish(dict(parse_qsl(url.query, keep_blank_values=True)))

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                if url.path != listener.path or listener.mode != "fragment" or length > 65536:
                    self._send(404, _page(False, "Not the redirect path."))
                    return
                body = self.rfile.read(length).decode("utf-8", errors="replace")
                self._finish(dict(parse_qsl(body, keep_blank_values=True)))

            def _finish(self, params: dict[str, str]) -> None:
                if not params:
                    self._send(400, _page(False, "The redirect carried no parameters."))
                    return
                if not listener._deliver(params):
                    self._send(409, _page(False, "A response was already received."))
                    return
                if "error" in params:
                    detail = params.get("error_description") or params["error"]
                    self._send(200, _page(False, f"{params['error']}: {detail}"))
                else:
                    self._send(200, _page(True))
                listener._stop.set()

        return Handler
