"""One discovery per provider at a time, shared by whoever waits for it (single-flight).

The peer is a real local server serving both well-known documents; ``hold`` keeps its answers
in flight until the test has every caller waiting, so the callers really are concurrent. The
test looks at the session's private flight to know when a caller is waiting: no peer can tell.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.peers import CannedServer, canned_server
from workbench.core.errors import Cancelled, TransportError
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.discovery import ServerMetadata
from workbench.core.session import OAuthSession
from workbench.core.transport.cancel import CancelToken, cancel_scope
from workbench.core.transport.http import HttpClient

OIDC = "/.well-known/openid-configuration"
RFC8414 = "/.well-known/oauth-authorization-server"


@pytest.fixture
def issuer() -> Iterator[CannedServer]:
    with canned_server() as server:
        for path in (OIDC, RFC8414):
            server.json(path, {"issuer": server.url, "token_endpoint": server.url + "/token"})
        server.hold = threading.Event()
        yield server
        server.hold.set()


def _session(server: CannedServer) -> OAuthSession:
    provider = Provider(client=ClientConfig("cid", "csecret"), issuer=server.url)
    return OAuthSession(provider, HttpClient(timeout=(5.0, 20.0)))


class Caller:
    """session.metadata() on its own thread, in the scope of its own cancel token."""

    def __init__(self, call: Callable[[], ServerMetadata]) -> None:
        self.token = CancelToken()
        self.result: ServerMetadata | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(call,), name="metadata-caller")
        self._thread.start()

    def _run(self, call: Callable[[], ServerMetadata]) -> None:
        with cancel_scope(self.token):
            try:
                self.result = call()
            except BaseException as exc:
                self.error = exc

    def join(self) -> None:
        self._thread.join(30)
        assert not self._thread.is_alive()


def _until(condition: Callable[[], Any], timeout: float = 10.0) -> None:
    ends = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < ends, "timed out"
        time.sleep(0.01)


def _waiting(session: OAuthSession) -> int:
    return session._metadata.waiters()


def _paths(server: CannedServer) -> list[str]:
    return [path for _, path, _ in server.requests]


def test_two_concurrent_discoveries_make_one_request_pair(issuer: CannedServer) -> None:
    session = _session(issuer)
    first = Caller(session.metadata)
    _until(lambda: len(issuer.requests) == 1)  # the first caller's request is in flight
    second = Caller(lambda: session.metadata(refresh=True))  # even a refresh joins the flight
    _until(lambda: _waiting(session) == 1)
    assert issuer.hold is not None
    issuer.hold.set()
    first.join()
    second.join()
    session.close()
    assert first.error is None and second.error is None
    assert first.result is not None and first.result is second.result
    assert _paths(issuer) == [OIDC, RFC8414]
    assert [e.purpose for e in session.log.items()] == ["discovery", "discovery (RFC 8414)"]


def test_a_shared_failure_is_not_fetched_again_by_the_waiting_caller(
    issuer: CannedServer,
) -> None:
    issuer.json(OIDC, {"error": "temporarily_unavailable"}, status=503)
    issuer.json(RFC8414, {"error": "temporarily_unavailable"}, status=503)
    session = _session(issuer)
    first = Caller(session.metadata)
    _until(lambda: len(issuer.requests) == 1)
    second = Caller(session.metadata)
    _until(lambda: _waiting(session) == 1)
    assert issuer.hold is not None
    issuer.hold.set()
    first.join()
    second.join()
    session.close()
    assert isinstance(first.error, TransportError) and second.error is first.error
    assert _paths(issuer) == [OIDC, RFC8414]  # one pair, not one per caller


def test_a_waiting_callers_cancel_ends_its_wait_only(issuer: CannedServer) -> None:
    session = _session(issuer)
    first = Caller(session.metadata)
    _until(lambda: len(issuer.requests) == 1)
    second = Caller(session.metadata)
    _until(lambda: _waiting(session) == 1)
    cancelled_at = time.perf_counter()
    second.token.cancel()
    second.join()
    seconds = time.perf_counter() - cancelled_at
    print(f"\nwaiting caller: Cancel to Cancelled: {seconds:.3f} s")
    assert isinstance(second.error, Cancelled) and seconds < 2.0
    assert issuer.hold is not None
    issuer.hold.set()
    first.join()
    session.close()
    assert first.error is None and first.result is not None
    assert _paths(issuer) == [OIDC, RFC8414]


def test_when_the_fetching_caller_is_cancelled_a_waiting_one_fetches_itself(
    issuer: CannedServer,
) -> None:
    session = _session(issuer)
    first = Caller(session.metadata)
    _until(lambda: len(issuer.requests) == 1)
    second = Caller(session.metadata)
    _until(lambda: _waiting(session) == 1)
    first.token.cancel()
    first.join()
    assert isinstance(first.error, Cancelled)
    _until(lambda: len(issuer.requests) == 2)  # the second caller's own fetch, held
    assert issuer.hold is not None
    issuer.hold.set()
    second.join()
    session.close()
    assert second.error is None and second.result is not None
    assert _paths(issuer) == [OIDC, OIDC, RFC8414]
