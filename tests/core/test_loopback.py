"""The RFC 8252 loopback listener against misbehaving clients (issue 7 §4): real sockets."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import requests

from tests.demo_driver import sign_in_and_decide
from workbench.core.errors import FlowError
from workbench.core.model import Provider
from workbench.core.oauth import loopback
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.loopback import (
    IDLE_CONNECTION_TIMEOUT,
    ConnectionLimits,
    LoopbackListener,
)
from workbench.core.session import OAuthSession
from workbench.demo import NATIVE_CLIENT_ID, DemoServer

STATE = "the-state-this-sign-in-sent"


@pytest.fixture
def make_listener() -> Iterator[Callable[..., LoopbackListener]]:
    """Started listeners expecting STATE, all closed after the test."""
    made: list[LoopbackListener] = []

    def make(**kwargs: object) -> LoopbackListener:
        listener = LoopbackListener(state=STATE, **kwargs).start()  # type: ignore[arg-type]
        made.append(listener)
        return listener

    yield make
    for listener in made:
        listener.close()


@pytest.fixture
def sockets() -> Iterator[list[socket.socket]]:
    """Raw client sockets, all closed after the test."""
    opened: list[socket.socket] = []
    yield opened
    for sock in opened:
        sock.close()


def connect(listener: LoopbackListener, opened: list[socket.socket]) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", listener.port), timeout=10)
    opened.append(sock)
    return sock


def exchange(listener: LoopbackListener, raw: bytes) -> tuple[int, bytes]:
    """Send ``raw`` on a new connection; the status code and the whole answer."""
    with socket.create_connection(("127.0.0.1", listener.port), timeout=10) as sock:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1]), answer


def closed_by_server(sock: socket.socket) -> bool:
    """True once the server closed ``sock`` (EOF or reset), waiting at most its timeout."""
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def in_thread(target: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=target, name="test-client")
    thread.start()
    return thread


# -- the right state wins ----------------------------------------------------------------------
def test_a_wrong_state_is_refused_and_the_real_callback_still_wins(
    make_listener: Callable[..., LoopbackListener],
) -> None:
    listener = make_listener()
    stray = requests.get(listener.redirect_uri, params={"code": "evil", "state": "x"}, timeout=10)
    assert stray.status_code == 400
    assert "state is not the one this sign-in sent" in stray.text
    assert "still waiting" in stray.text
    real = requests.get(listener.redirect_uri, params={"code": "c", "state": STATE}, timeout=10)
    assert real.status_code == 200 and "You can close this tab" in real.text
    assert listener.wait(timeout=10) == {"code": "c", "state": STATE}
    (rejected,) = listener.rejected
    assert rejected.params == {"code": "evil", "state": "x"}
    assert "RFC 6749 §10.12" in rejected.reason and listener.rejected_count == 1


def test_a_missing_state_is_refused_and_the_page_says_what_was_wrong(
    make_listener: Callable[..., LoopbackListener],
) -> None:
    listener = make_listener()
    answer = requests.get(
        listener.redirect_uri,
        params={"error": "invalid_request", "error_description": "<b>bad</b> request"},
        timeout=10,
    )
    assert answer.status_code == 400
    assert "carries no state" in answer.text
    assert "invalid_request: &lt;b&gt;bad&lt;/b&gt; request" in answer.text  # escaped
    assert "<b>bad</b>" not in answer.text
    assert listener.rejected[0].params["error"] == "invalid_request"
    # An error response with the right state ends the wait like a success does.
    error = {"error": "access_denied", "state": STATE}
    assert requests.get(listener.redirect_uri, params=error, timeout=10).status_code == 200
    assert listener.wait(timeout=10) == error


def test_only_the_first_right_callback_is_accepted(
    make_listener: Callable[..., LoopbackListener],
) -> None:
    listener = make_listener()
    first = requests.get(listener.redirect_uri, params={"code": "1", "state": STATE}, timeout=10)
    second = requests.get(listener.redirect_uri, params={"code": "2", "state": STATE}, timeout=10)
    assert (first.status_code, second.status_code) == (200, 409)
    assert listener.wait(timeout=10)["code"] == "1"


def test_fragment_mode_refuses_a_posted_wrong_state(
    make_listener: Callable[..., LoopbackListener],
) -> None:
    listener = make_listener(mode="fragment")
    assert "location.hash" in requests.get(listener.redirect_uri, timeout=10).text
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    stray = requests.post(listener.redirect_uri, data="access_token=a&state=no", headers=form)
    assert stray.status_code == 400
    real = requests.post(listener.redirect_uri, data=f"access_token=b&state={STATE}", headers=form)
    assert real.status_code == 200
    assert listener.wait(timeout=10) == {"access_token": "b", "state": STATE}
    assert [r.params["access_token"] for r in listener.rejected] == ["a"]


def test_a_timeout_names_the_refused_callbacks(
    make_listener: Callable[..., LoopbackListener],
) -> None:
    listener = make_listener()
    for _ in range(2):
        requests.get(listener.redirect_uri, params={"code": "c", "state": "other"}, timeout=10)
    with pytest.raises(FlowError) as info:
        listener.wait(timeout=0.3)
    assert info.value.kind == "timeout"
    assert "refused 2 times" in info.value.message and "not the one" in info.value.message


def test_the_listener_needs_a_state() -> None:
    with pytest.raises(ValueError, match="state"):
        LoopbackListener(state="")


# -- silent, slow and too many connections ----------------------------------------------------
def test_an_idle_connection_does_not_block_the_redirect(
    make_listener: Callable[..., LoopbackListener], sockets: list[socket.socket]
) -> None:
    """A browser preconnect or a port scan that sends nothing must not eat the callback."""
    listener = make_listener()
    connect(listener, sockets)
    url = f"{listener.redirect_uri}?code=c&state={STATE}"
    client = in_thread(lambda: requests.get(url, timeout=10))
    params = listener.wait(timeout=IDLE_CONNECTION_TIMEOUT + 5)
    client.join()
    assert params == {"code": "c", "state": STATE}


def test_silent_and_slowloris_connections_do_not_delay_the_real_callback(
    make_listener: Callable[..., LoopbackListener], sockets: list[socket.socket]
) -> None:
    # Long per-connection timeouts: the callback can only get through by being served beside
    # the hostile connections, not after they time out.
    listener = make_listener(limits=ConnectionLimits(idle_timeout=30, deadline=60))
    for _ in range(10):
        connect(listener, sockets)
    drip = connect(listener, sockets)
    stop = threading.Event()

    def slowloris() -> None:
        for byte in b"GET /callback?code=slow&state=x HTTP/1.1\r\nHost: a\r\n":
            if stop.wait(0.05):
                return
            try:
                drip.send(bytes([byte]))
            except OSError:  # cut off when the listener closed
                return

    dripping = in_thread(slowloris)
    time.sleep(0.3)  # the slowloris is under way
    started = time.monotonic()
    real = requests.get(listener.redirect_uri, params={"code": "c", "state": STATE}, timeout=10)
    params = listener.wait(timeout=30)
    elapsed = time.monotonic() - started
    stop.set()
    dripping.join()
    assert real.status_code == 200 and params["code"] == "c"
    assert elapsed < 10  # far sooner than any of the hostile connections would time out


def test_a_slowloris_loses_its_connection_at_the_deadline(
    make_listener: Callable[..., LoopbackListener], sockets: list[socket.socket]
) -> None:
    """A byte every 0.1 s never trips the idle timeout; the deadline still ends it."""
    listener = make_listener(limits=ConnectionLimits(idle_timeout=1, deadline=1.5))
    drip = connect(listener, sockets)
    request = b"GET /callback?code=slow&state=x HTTP/1.0\r\n" + b"X-Pad: " + b"a" * 400
    started = time.monotonic()
    cut = False
    for byte in request:  # 450 bytes: 45 s if the server let it run
        try:
            drip.send(bytes([byte]))
        except OSError:
            cut = True
            break
        time.sleep(0.1)
        if time.monotonic() - started > 15:
            break
    assert cut or closed_by_server(drip)
    assert time.monotonic() - started < 15


def test_more_idle_connections_than_the_cap_cannot_block_the_callback_for_ever(
    make_listener: Callable[..., LoopbackListener], sockets: list[socket.socket]
) -> None:
    limits = ConnectionLimits(idle_timeout=0.5, deadline=1.0, max_connections=4)
    listener = make_listener(limits=limits)
    idle = [connect(listener, sockets) for _ in range(10)]
    # Beyond the cap a connection is closed at once; all are closed once they time out.
    for sock in idle:
        sock.settimeout(10)
        assert closed_by_server(sock)
    accepted: list[requests.Response] = []

    def browser() -> None:
        # Retry like a person reloading the page, until the listener answers.
        until = time.monotonic() + 20
        while not accepted and time.monotonic() < until:
            try:
                accepted.append(
                    requests.get(
                        listener.redirect_uri, params={"code": "c", "state": STATE}, timeout=5
                    )
                )
            except requests.ConnectionError:
                time.sleep(0.1)

    client = in_thread(browser)
    params = listener.wait(timeout=20)
    client.join()
    assert params["code"] == "c" and accepted[0].status_code == 200


def test_connections_over_the_cap_are_closed_at_once(
    make_listener: Callable[..., LoopbackListener], sockets: list[socket.socket]
) -> None:
    limits = ConnectionLimits(idle_timeout=30, deadline=60, max_connections=3)
    listener = make_listener(limits=limits)
    held = [connect(listener, sockets) for _ in range(3)]
    time.sleep(0.3)  # the three are accepted and hold their slots
    extra = connect(listener, sockets)
    extra.settimeout(10)  # far less than the 30 s the held ones may stay silent
    assert closed_by_server(extra)
    for sock in held:  # still open: their timeouts are far away
        sock.settimeout(0.2)
        with pytest.raises(TimeoutError):
            sock.recv(1)


# -- malformed input: 400, never a traceback --------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"POST /callback HTTP/1.0\r\nContent-Length: abc\r\n\r\nstate=x", 400),
        (b"POST /callback HTTP/1.0\r\nContent-Length: -5\r\n\r\nstate=x", 400),
        (b"POST /callback HTTP/1.0\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
        (b"POST /callback HTTP/1.0\r\nContent-Length: 99999999\r\n\r\n", 413),
        (b"POST /callback HTTP/1.0\r\nContent-Length: 50\r\n\r\nshort", 400),
        (b"POST /callback HTTP/1.0\r\n\r\nstate=x", 411),
        (b"\xff\xfe garbage \x00\x01\r\n\r\n", 400),
        (b"GET /callback?state=%ff%fe&code=\xff HTTP/1.0\r\n\r\n", 400),
        (b"POST /callback HTTP/1.0\r\nContent-Length: 9\r\n\r\nstate=\xff\xfe\x80", 400),
        (b"GET http://[oops/callback?state=x HTTP/1.0\r\n\r\n", 400),
        (b"GET /callback HTTP/1.0\r\n" + b"X-Big: " + b"a" * 70_000 + b"\r\n\r\n", 431),
        (b"GET /callback HTTP/1.0\r\n" + b"X: a\r\n" * 101 + b"\r\n", 431),
        (  # request line and headers each under the standard library's caps, too much in all
            b"GET /callback?"
            + b"a" * 60_000
            + b" HTTP/1.0\r\n"
            + (b"X: " + b"a" * 60_000 + b"\r\n") * 2
            + b"\r\n",
            413,
        ),
    ],
)
def test_malformed_requests_are_answered_without_a_traceback(
    make_listener: Callable[..., LoopbackListener],
    capfd: pytest.CaptureFixture[str],
    raw: bytes,
    status: int,
) -> None:
    listener = make_listener(mode="fragment")
    assert exchange(listener, raw)[0] == status
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    real = requests.post(listener.redirect_uri, data=f"access_token=t&state={STATE}", headers=form)
    assert real.status_code == 200 and listener.wait(timeout=10)["access_token"] == "t"
    assert capfd.readouterr().err == ""


def test_a_failing_handler_stays_off_stderr(
    make_listener: Callable[..., LoopbackListener],
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An exception in a connection's thread drops that connection, and says nothing."""
    listener = make_listener()

    def broken(*args: object, **kwargs: object) -> list[tuple[str, str]]:
        raise RuntimeError("a bug in the handler")

    monkeypatch.setattr(loopback, "parse_qsl", broken)
    with pytest.raises(requests.ConnectionError):
        requests.get(listener.redirect_uri, params={"state": STATE}, timeout=10)
    monkeypatch.undo()
    real = requests.get(listener.redirect_uri, params={"code": "c", "state": STATE}, timeout=10)
    assert real.status_code == 200 and listener.wait(timeout=10)["code"] == "c"
    assert capfd.readouterr().err == ""


# -- binding and closing ----------------------------------------------------------------------
def test_listener_binds_loopback_only() -> None:
    listener = LoopbackListener(state=STATE)
    try:
        assert listener._server.server_address[0] == "127.0.0.1"
        assert listener.redirect_uri.startswith("http://127.0.0.1:")
    finally:
        listener.close()


def test_port_in_use_is_a_clear_error() -> None:
    first = LoopbackListener(state=STATE)
    try:
        with pytest.raises(FlowError, match=r"Cannot listen on 127\.0\.0\.1"):
            LoopbackListener(port=first.port, state=STATE)
    finally:
        first.close()


def test_close_releases_the_port_and_ends_the_open_connections(
    make_listener: Callable[..., LoopbackListener], sockets: list[socket.socket]
) -> None:
    listener = make_listener(limits=ConnectionLimits(idle_timeout=30, deadline=60))
    port = listener.port
    held = [connect(listener, sockets) for _ in range(5)]
    time.sleep(0.3)  # accepted, each with its own thread
    listener.close()
    for sock in held:
        assert closed_by_server(sock)
    assert not [t for t in threading.enumerate() if t.name.startswith(f"loopback-{port}")]
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/callback", timeout=2)
    again = LoopbackListener(port=port, state=STATE)  # the port is free again
    again.close()


# -- through the session ----------------------------------------------------------------------
def test_session_sign_in_survives_a_forged_callback(demo: DemoServer) -> None:
    session = OAuthSession(
        Provider(client=ClientConfig(NATIVE_CLIENT_ID, None, "none"), issuer=demo.issuer)
    )
    try:
        pending = session.begin_authorization(scope="openid")
        assert pending.listener.state == pending.request.state
        forged = requests.get(
            pending.request.redirect_uri, params={"code": "stolen", "state": "x"}, timeout=10
        )
        assert forged.status_code == 400
        location = sign_in_and_decide(pending.url)
        browser = in_thread(lambda: requests.get(location, timeout=10))
        tokens = session.finish_authorization(pending, timeout=10)
        browser.join()
        assert tokens.access_token and tokens.id_token
        assert [r.params["code"] for r in pending.rejected] == ["stolen"]
    finally:
        session.close()
