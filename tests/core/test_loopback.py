"""The RFC 8252 loopback listener against misbehaving clients."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from workbench.core.loopback import IDLE_CONNECTION_TIMEOUT, LoopbackListener


def test_an_idle_connection_does_not_block_the_redirect() -> None:
    """A browser preconnect or a port scan that sends nothing must not eat the one callback."""
    listener = LoopbackListener().start()
    idle = socket.create_connection(("127.0.0.1", listener.port))
    try:
        threading.Timer(
            0.2, lambda: requests.get(listener.redirect_uri + "?code=c&state=s", timeout=10)
        ).start()
        started = time.monotonic()
        params = listener.wait(timeout=IDLE_CONNECTION_TIMEOUT + 5)
        assert params == {"code": "c", "state": "s"}
        assert time.monotonic() - started < IDLE_CONNECTION_TIMEOUT + 3
    finally:
        idle.close()
        listener.close()
    time.sleep(0.3)  # the timer's request thread ends with its response


def test_listener_binds_loopback_only() -> None:
    listener = LoopbackListener()
    try:
        assert listener._server.server_address[0] == "127.0.0.1"
        assert listener.redirect_uri.startswith("http://127.0.0.1:")
    finally:
        listener.close()


def test_port_in_use_is_a_clear_error() -> None:
    from workbench.core.errors import FlowError

    first = LoopbackListener()
    try:
        with pytest.raises(FlowError, match=r"Cannot listen on 127\.0\.0\.1"):
            LoopbackListener(port=first.port)
    finally:
        first.close()
