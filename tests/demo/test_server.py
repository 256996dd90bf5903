"""Running the server: lifecycle, threads, token_delay, quiet logs, description, LAN
exposure, endpoint path overrides."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest
import requests

from workbench.demo import (
    CLIENTS,
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    THREAD_NAME_PREFIX,
    USERS,
    DemoConfig,
    DemoServer,
    create_app,
    describe,
    exposure_warning,
)

BASIC = (CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET)


def demo_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(THREAD_NAME_PREFIX)]


def client_credentials(server: DemoServer) -> requests.Response:
    return requests.post(
        server.url("token"), data={"grant_type": "client_credentials"}, auth=BASIC, timeout=10
    )


def test_start_stop_leaves_no_thread_even_with_idle_connections() -> None:
    server = DemoServer(DemoConfig()).start()
    idle = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    try:
        assert server.running
        assert server.issuer == f"http://127.0.0.1:{server.port}"
        assert server.port != 0
        assert requests.get(server.discovery_url, timeout=5).status_code == 200
        # A connection that never sends a request (a browser's preconnect) holds a thread.
        deadline = time.monotonic() + 5
        while not any(t.name.endswith("request") for t in demo_threads()):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 2
        assert demo_threads() == []
        assert not server.running
        server.stop()  # idempotent
        with pytest.raises(RuntimeError):
            server.start()
        with pytest.raises(requests.ConnectionError):
            requests.get(server.discovery_url, timeout=2)
    finally:
        server.stop()
        idle.close()


def test_context_manager() -> None:
    with DemoServer() as server:
        assert requests.get(server.discovery_url, timeout=5).status_code == 200
    assert demo_threads() == []


def test_issuer_is_unknown_before_binding() -> None:
    server = DemoServer()
    with pytest.raises(RuntimeError):
        _ = server.issuer
    server.bind()
    try:
        assert server.issuer.startswith("http://127.0.0.1:")
        assert server.bind() is server  # idempotent
    finally:
        server.stop()  # never served: just closes the socket
    assert demo_threads() == []


def test_port_in_use_raises_oserror() -> None:
    with DemoServer() as first, pytest.raises(OSError):
        DemoServer(DemoConfig(port=first.port)).bind()


def test_serve_forever_in_the_foreground_stops_from_another_thread() -> None:
    server = DemoServer().bind()
    runner = threading.Thread(target=server.serve_forever, name="test-foreground")
    runner.start()
    try:
        assert client_credentials(server).status_code == 200
    finally:
        server.stop()
        runner.join(5)
    assert not runner.is_alive()


def test_token_delay(make_demo_server: Any) -> None:
    server: DemoServer = make_demo_server(token_delay=0.5)
    started = time.monotonic()
    response = client_credentials(server)
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.5
    # Other endpoints are not delayed.
    started = time.monotonic()
    requests.get(server.discovery_url, timeout=5)
    assert time.monotonic() - started < 0.5


def test_stop_does_not_wait_for_a_delayed_token_request() -> None:
    server = DemoServer(DemoConfig(token_delay=30)).start()
    outcome: list[object] = []

    def call() -> None:
        try:
            outcome.append(client_credentials(server).status_code)
        except requests.RequestException as error:
            outcome.append(error)

    caller = threading.Thread(target=call, name="test-delayed-call")
    caller.start()
    time.sleep(0.3)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 3
    caller.join(5)
    assert outcome  # answered (or cut off), not hanging
    assert demo_threads() == []


def test_requests_are_not_logged_to_stderr(
    demo_server: DemoServer, capfd: pytest.CaptureFixture[str]
) -> None:
    requests.get(demo_server.discovery_url, timeout=5)
    requests.get(demo_server.issuer + "/missing", timeout=5)
    client_credentials(demo_server)
    captured = capfd.readouterr()
    assert captured.err == ""
    assert captured.out == ""


def test_describe(demo_server: DemoServer) -> None:
    text = describe(demo_server)
    assert f"{demo_server.issuer}/api/local/me" in text
    assert f"{demo_server.issuer}/api/introspected/me" in text
    assert demo_server.issuer in text
    assert demo_server.discovery_url in text
    for client in CLIENTS.values():
        assert client.client_id in text
        for grant in client.grant_types:
            assert grant in text
    assert CONFIDENTIAL_CLIENT_SECRET in text
    for user in USERS.values():
        assert user.username in text and user.password in text
    assert "WARNING" not in text


def test_exposure_warning() -> None:
    assert exposure_warning(DemoConfig()) is None
    assert exposure_warning(DemoConfig(host="localhost")) is None
    assert exposure_warning(DemoConfig(host="::1")) is None
    warning = exposure_warning(DemoConfig(host="0.0.0.0"), "http://192.168.1.20:8000")
    assert warning is not None
    assert "local network" in warning and "http://192.168.1.20:8000" in warning


def test_exposed_server_uses_the_public_host_in_its_issuer() -> None:
    server = DemoServer(DemoConfig(host="0.0.0.0", public_host="127.0.0.1")).start()
    try:
        assert server.issuer == f"http://127.0.0.1:{server.port}"
        assert server.exposure_warning is not None
        assert "WARNING" in describe(server)
        assert client_credentials(server).status_code == 200
    finally:
        server.stop()


def test_lan_issuer_is_accepted_by_the_oauth_endpoints() -> None:
    """Authlib refuses plain-http non-loopback URLs; an exposed demo server must not.
    (Flask's test client stands in for a phone on the LAN: no real network needed.)"""
    issuer = "http://192.0.2.10:8080"
    app = create_app(DemoConfig(host="0.0.0.0"), issuer)
    client = app.test_client()
    response = client.post(
        "/token",
        base_url=issuer,
        data={
            "grant_type": "client_credentials",
            "client_id": CONFIDENTIAL_CLIENT_ID,
            "client_secret": CONFIDENTIAL_CLIENT_SECRET,
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    device = client.post(
        "/device_authorization", base_url=issuer, data={"client_id": "workbench-native"}
    ).get_json()
    assert device["verification_uri"] == issuer + "/device"


def test_cognito_like_paths() -> None:
    paths = {
        "authorize": "/oauth2/authorize",
        "token": "/oauth2/token",
        "revocation": "/oauth2/revoke",
        "userinfo": "/oauth2/userInfo",
    }
    with DemoServer(DemoConfig(paths=paths)) as server:
        metadata = requests.get(server.discovery_url, timeout=5).json()
        assert metadata["authorization_endpoint"] == server.issuer + "/oauth2/authorize"
        assert metadata["token_endpoint"] == server.issuer + "/oauth2/token"
        assert metadata["revocation_endpoint"] == server.issuer + "/oauth2/revoke"
        assert metadata["userinfo_endpoint"] == server.issuer + "/oauth2/userInfo"
        assert client_credentials(server).status_code == 200
        assert requests.post(server.issuer + "/token", timeout=5).status_code == 404


@pytest.mark.parametrize(
    "fields",
    [
        {"paths": {"nope": "/x"}},
        {"paths": {"token": "token"}},
        {"paths": {"token": "/authorize"}},
        {"access_token_ttl": 0},
        {"token_delay": -1},
        {"port": 70000},
    ],
)
def test_invalid_config(fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        DemoConfig(**fields)


def test_ipv6_loopback() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        server = DemoServer(DemoConfig(host="::1")).start()
    except OSError:
        pytest.skip("IPv6 loopback unavailable")
    try:
        assert server.issuer == f"http://[::1]:{server.port}"
        assert requests.get(server.discovery_url, timeout=5).json()["issuer"] == server.issuer
    finally:
        server.stop()
