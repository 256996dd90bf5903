"""The bounds of one exchange and their wording: timeouts, the total deadline, the size cap.

A socket timeout (:data:`DEFAULT_TIMEOUT`) bounds one wait on the socket; the total deadline
(:data:`DEFAULT_DEADLINE`) bounds a whole exchange, enforced by
:mod:`workbench.core.transport.watchdog`; the size cap (:data:`DEFAULT_MAX_BYTES`) bounds one
response body, announced (Content-Length) or counted as it streams. The messages a person reads
when a bound is passed are written here, sizes in words (:func:`size_in_words`).
"""

from __future__ import annotations

from collections.abc import Mapping

from workbench.core.errors import TransportError
from workbench.core.transport.exchange import host_of

DEFAULT_TIMEOUT = (5.0, 30.0)  # connect, read (seconds): each bounds one wait on the socket
DEFAULT_MAX_BYTES = 4 * 1024 * 1024  # the largest response body read (JSON documents are small)
DEFAULT_DEADLINE = 60.0  # seconds for a whole exchange: connect, headers and body together
READ_CHUNK = 16 * 1024  # bytes asked of the connection per read while streaming a body
RECORDED_PARTIAL = 64 * 1024  # how much of a cut-off body the exchange log keeps


def content_length(headers: Mapping[str, str]) -> int | None:
    """The announced body size, or None when absent or unreadable (then bytes are counted)."""
    for key, value in headers.items():
        if key.lower() == "content-length":
            # "10, 10" (a repeated header) counts as its largest value.
            sizes = [v.strip() for v in value.split(",")]
            if sizes and all(v.isdigit() for v in sizes):
                return max(int(v) for v in sizes)
            return None
    return None


def size_in_words(n: int) -> str:
    """A byte count in words: '512 bytes', '64 KiB', '4 MiB', '1.5 GiB'."""
    if n < 1024:
        return f"{n} byte" if n == 1 else f"{n} bytes"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            break
    return f"{value:.1f} {unit}".replace(".0 ", " ")


def announced_too_large(url: str, announced: int, limit: int, status: int) -> TransportError:
    """A Content-Length past the size cap: the body is not read at all."""
    return TransportError(
        f"{host_of(url)} announced a response of {size_in_words(announced)} "
        f"(Content-Length), more than the {size_in_words(limit)} size limit for one "
        "response; it was not read.",
        kind="too_large",
        status=status,
    )


def sent_too_large(url: str, limit: int, received: int, status: int) -> TransportError:
    """A body that grew past the size cap while it streamed: the transfer was stopped."""
    return TransportError(
        f"{host_of(url)} sent a response larger than the {size_in_words(limit)} "
        f"size limit for one response; the transfer was stopped after "
        f"{size_in_words(received)}.",
        kind="too_large",
        status=status,
    )


def deadline_error(
    url: str, deadline: float, received: int | None, status: int | None = None
) -> TransportError:
    """The total deadline passed: before any headers (``received`` None) or during the body."""
    if received is None:
        what = "did not answer"
        tail = "no response headers had arrived."
    else:
        what = "did not finish its response"
        tail = f"{size_in_words(received)} of body had arrived."
    return TransportError(
        f"{host_of(url)} {what} within the {deadline:g} s limit for a whole exchange "
        f"(total deadline); the connection was closed. {tail[0].upper()}{tail[1:]}",
        kind="deadline",
        status=status,
    )
