"""A hostile HTTP peer on a real 127.0.0.1 socket: huge, endless, lying and dripping answers.

Each answer is a small script writing raw bytes to the client's socket through :class:`Peer`,
which counts what it managed to send and notices when the client hangs up. Tests use the count
to show that a client stopped reading near its size cap (the rest of a 500 MB body is never
sent because nobody reads it), and the hang-up to show that the connection was closed.

The server's send buffer is kept small so its count follows the client's reading closely; the
client's receive buffer (kernel autotuning, a few MB on loopback) is the remaining slack.
"""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Answer = Callable[["Peer"], None]

PIECE = b"x" * (64 * 1024)
SAFETY_LIMIT = 1 << 30  # an "endless" answer still stops after 1 GiB, should a client not


class Peer:
    """The server's side of one connection, as seen by an answer script."""

    def __init__(self, sock: socket.socket, server: HostileServer) -> None:
        self._sock = sock
        self._server = server

    def send(self, data: bytes) -> bool:
        """Send ``data``; False once the client has gone (or the server is stopping)."""
        view = memoryview(data)
        while view:
            if self._server.stopping.is_set():
                return False
            try:
                n = self._sock.send(view)
            except TimeoutError:  # the client is not reading just now: look at stopping again
                continue
            except OSError:  # BrokenPipe, ConnectionReset: the client closed the connection
                self._server.client_hung_up.set()
                return False
            self._server.count(n)
            view = view[n:]
        return True

    def pause(self, seconds: float) -> bool:
        """Wait ``seconds``; False when the server is stopping."""
        return not self._server.stopping.wait(seconds)

    def watch_for_hang_up(self) -> None:
        """Block until the client closes its end (or the server stops): for silent answers."""
        while not self._server.stopping.is_set():
            try:
                if not self._sock.recv(4096):
                    self._server.client_hung_up.set()
                    return
            except TimeoutError:
                continue
            except OSError:
                self._server.client_hung_up.set()
                return


class HostileServer:
    """Accepts connections; reads each request head, then runs ``answer`` on the connection."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.sent = 0  # bytes written by all answers, headers included
        self.requests = 0
        self.accepted = 0  # connections accepted (a TLS client never completes a request head)
        self.client_hung_up = threading.Event()
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.05)
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, name="hostile-server")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def count(self, n: int) -> None:
        with self._lock:
            self.sent += n

    def start(self) -> HostileServer:
        self._accepting.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._accepting.join()
        for thread in self._threads:
            thread.join()
        self._listener.close()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            with self._lock:
                self.accepted += 1
            thread = threading.Thread(target=self._serve, args=(sock,), name="hostile-conn")
            self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket) -> None:
        with sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 32 * 1024)
            sock.settimeout(5.0)
            try:
                _read_request(sock)
            except OSError:
                return
            with self._lock:
                self.requests += 1
            sock.settimeout(0.2)  # so a blocked send notices when the server stops
            self.answer(Peer(sock, self))


def _read_request(sock: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        more = sock.recv(4096)
        if not more:
            raise ConnectionError("client closed before sending a request")
        data += more
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        more = sock.recv(4096)
        if not more:
            break
        body += more


@contextmanager
def hostile_server(answer: Answer) -> Iterator[HostileServer]:
    server = HostileServer(answer).start()
    try:
        yield server
    finally:
        server.stop()


def _head(*headers: str, status: str = "200 OK") -> bytes:
    lines = [f"HTTP/1.1 {status}", "Content-Type: application/json", *headers, "", ""]
    return "\r\n".join(lines).encode()


# -- answer scripts --------------------------------------------------------------------------


def huge_with_length(size: int) -> Answer:
    """Announces ``size`` bytes in Content-Length and sends them (as long as anyone reads)."""

    def answer(peer: Peer) -> None:
        if not peer.send(_head(f"Content-Length: {size}")):
            return
        left = size
        while left > 0 and peer.send(PIECE[: min(left, len(PIECE))]):
            left -= len(PIECE)

    return answer


def endless_chunked(piece: bytes = PIECE) -> Answer:
    """``Transfer-Encoding: chunked`` with no last chunk: chunks until the client hangs up."""

    def answer(peer: Peer) -> None:
        if not peer.send(_head("Transfer-Encoding: chunked")):
            return
        frame = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        sent = 0
        while sent < SAFETY_LIMIT and peer.send(frame):
            sent += len(frame)

    return answer


def endless_until_close() -> Answer:
    """Neither Content-Length nor chunked: the body runs until the connection closes (never)."""

    def answer(peer: Peer) -> None:
        if not peer.send(_head("Connection: close")):
            return
        sent = 0
        while sent < SAFETY_LIMIT and peer.send(PIECE):
            sent += len(PIECE)

    return answer


def endless_chunk_size_line() -> Answer:
    """Chunked, but the chunk-size line never ends: an endless run of hex digits."""

    def answer(peer: Peer) -> None:
        if not peer.send(_head("Transfer-Encoding: chunked")):
            return
        digits = b"f" * len(PIECE)
        sent = 0
        while sent < SAFETY_LIMIT and peer.send(digits):
            sent += len(digits)

    return answer


def lying_length(declared: int, actual: int) -> Answer:
    """Announces ``declared`` bytes and sends ``actual``; holds the connection open after."""

    def answer(peer: Peer) -> None:
        if not peer.send(_head(f"Content-Length: {declared}")):
            return
        left = actual
        while left > 0 and peer.send(PIECE[: min(left, len(PIECE))]):
            left -= len(PIECE)
        peer.watch_for_hang_up()

    return answer


def drip(body: bytes, every: float) -> Answer:
    """Announces ``body`` whole, then sends it one byte every ``every`` seconds."""

    def answer(peer: Peer) -> None:
        if not peer.send(_head(f"Content-Length: {len(body)}")):
            return
        for i in range(len(body)):
            if not (peer.pause(every) and peer.send(body[i : i + 1])):
                return

    return answer


def header_drip(every: float) -> Answer:
    """Sends the status line and headers one byte every ``every`` seconds."""

    def answer(peer: Peer) -> None:
        head = _head("Content-Length: 2") + b"{}"
        for i in range(len(head)):
            if not (peer.pause(every) and peer.send(head[i : i + 1])):
                return

    return answer


def gzip_bomb(size: int) -> Answer:
    """A small gzip body (Content-Length well under any cap) that inflates to ``size`` bytes."""
    compressed = gzip.compress(b"\0" * size, compresslevel=9)

    def answer(peer: Peer) -> None:
        head = _head(f"Content-Length: {len(compressed)}", "Content-Encoding: gzip")
        if peer.send(head):
            peer.send(compressed)
        peer.watch_for_hang_up()

    return answer


def never_answers() -> Answer:
    """Reads the request and never answers, keeping the connection open until the client goes."""

    def answer(peer: Peer) -> None:
        peer.watch_for_hang_up()

    return answer
