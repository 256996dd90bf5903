"""Every response is bounded (issue 7 §2): size cap, total deadline, nesting limit.

All against real sockets on 127.0.0.1 (tests/hostile.py, tests/peers.py). Memory is judged by
what the hostile server managed to send before the client hung up, and by tracemalloc's peak;
time by the deadline against what the drip would take, with wide margins.
"""

from __future__ import annotations

import io
import json
import threading
import time
import tracemalloc

import pytest

from tests import hostile
from tests.peers import Canned, canned_server
from workbench.cli import main as cli_main
from workbench.core.errors import FlowError, TransportError
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.rfc8628_device import (
    build_device_authorization_request,
    parse_device_authorization,
    poll_device_token,
)
from workbench.core.session import OAuthSession
from workbench.core.transport.exchange import HttpRequest, HttpResponse
from workbench.core.transport.http import HttpClient
from workbench.core.transport.limits import DEFAULT_MAX_BYTES
from workbench.core.transport.masking import mask_body

MiB = 1024 * 1024
# The client's kernel receive buffer on loopback grows to a few MB (tcp_rmem); what the server
# sends past the cap is at most that plus its own small send buffer. 16 MiB is a wide margin,
# still far below the 512 MiB (or endless) the server offers.
SLACK = 16 * MiB
CLIENT = ClientConfig("cid", "csecret")


def _get(client: HttpClient, url: str, **kw: int) -> TransportError:
    with pytest.raises(TransportError) as info:
        client.send(HttpRequest("GET", url + "/token", purpose="test", **kw))
    return info.value


def test_announced_huge_body_is_refused_unread() -> None:
    client = HttpClient()
    with hostile.hostile_server(hostile.huge_with_length(512 * MiB)) as server:
        error = _get(client, server.url)
        client.close()
        assert server.client_hung_up.wait(5)
    assert error.kind == "too_large" and error.status == 200
    assert "announced a response of 512 MiB (Content-Length)" in str(error)
    assert "more than the 4 MiB size limit" in str(error)
    assert server.sent < SLACK
    [exchange] = client.log.items()
    assert exchange.status == 200 and exchange.error == str(error)
    assert "body cut off" in exchange.response_body


def test_endless_chunked_stream_stops_at_the_cap_with_little_memory() -> None:
    client = HttpClient(max_bytes=1 * MiB)
    with hostile.hostile_server(hostile.endless_chunked()) as server:
        tracemalloc.start()
        try:
            error = _get(client, server.url)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        client.close()
        assert server.client_hung_up.wait(5)  # the connection was closed, not pooled
    assert error.kind == "too_large"
    assert "larger than the 1 MiB size limit" in str(error)
    assert "stopped after 1 MiB" in str(error)
    assert 1 * MiB < server.sent < 1 * MiB + SLACK
    assert peak < 12 * MiB  # the cut-off body and its copies, not the stream
    exchange = client.log.items()[0]
    assert exchange.error == str(error)
    assert len(exchange.response_body) < 100_000  # the log keeps a prefix of the body


def test_body_without_length_or_chunks_stops_at_the_cap() -> None:
    client = HttpClient(max_bytes=256 * 1024)
    with hostile.hostile_server(hostile.endless_until_close()) as server:
        error = _get(client, server.url)
        client.close()
        assert server.client_hung_up.wait(5)
    assert error.kind == "too_large" and "256 KiB size limit" in str(error)
    assert server.sent < 256 * 1024 + SLACK


def test_gzip_bomb_is_counted_after_inflating() -> None:
    client = HttpClient(max_bytes=1 * MiB)
    with hostile.hostile_server(hostile.gzip_bomb(64 * MiB)) as server:
        tracemalloc.start()
        try:
            error = _get(client, server.url)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        client.close()
    assert error.kind == "too_large" and "1 MiB size limit" in str(error)
    assert peak < 16 * MiB  # not the 64 MiB it inflates to


def test_endless_chunk_size_line_is_refused() -> None:
    """urllib3's own chunk reader would buffer this line forever; http.client caps lines."""
    client = HttpClient()
    with hostile.hostile_server(hostile.endless_chunk_size_line()) as server:
        error = _get(client, server.url)
        client.close()
        assert server.client_hung_up.wait(5)
    assert error.kind == "network" and "broke after 0 bytes of the response body" in str(error)
    assert server.sent < SLACK


def test_lying_content_length_longer_body_reads_only_what_was_announced() -> None:
    client = HttpClient()
    with hostile.hostile_server(hostile.lying_length(100, 64 * MiB)) as server:
        resp = client.send(HttpRequest("GET", server.url + "/doc"))
        client.close()
        assert server.client_hung_up.wait(5)
    assert resp.status == 200 and resp.body == b"x" * 100
    assert server.sent < SLACK


def test_lying_content_length_then_silence_ends_at_the_deadline() -> None:
    """The body stalls with a 30 s read timeout; the 1.5 s deadline cuts that single wait."""
    client = HttpClient(timeout=(5.0, 30.0), deadline=1.5)
    with hostile.hostile_server(hostile.lying_length(1000, 10)) as server:
        began = time.monotonic()
        error = _get(client, server.url)
        elapsed = time.monotonic() - began
        client.close()
    assert error.kind == "deadline"
    assert "within the 1.5 s limit for a whole exchange (total deadline)" in str(error)
    assert "10 bytes of body had arrived" in str(error)
    assert elapsed < 10  # well before the 30 s read timeout


def test_drip_ends_at_the_deadline() -> None:
    client = HttpClient(timeout=(5.0, 30.0), deadline=1.5)
    body = json.dumps({"access_token": "x" * 990}).encode()
    with hostile.hostile_server(hostile.drip(body, every=0.2)) as server:
        began = time.monotonic()
        error = _get(client, server.url)
        elapsed = time.monotonic() - began
        client.close()
        assert server.client_hung_up.wait(5)
    assert error.kind == "deadline" and error.status == 200
    assert "did not finish its response within the 1.5 s limit" in str(error)
    assert elapsed < 10  # the drip would take 200 s
    exchange = client.log.items()[0]
    assert exchange.error == str(error) and "body cut off" in exchange.response_body
    assert "x" * 20 not in exchange.response_body  # the cut-off access_token is masked


def test_header_drip_ends_at_the_deadline() -> None:
    client = HttpClient(timeout=(5.0, 30.0), deadline=1.5)
    with hostile.hostile_server(hostile.header_drip(every=0.2)) as server:
        began = time.monotonic()
        error = _get(client, server.url)
        elapsed = time.monotonic() - began
        client.close()
    assert error.kind == "deadline" and error.status is None
    assert "did not answer within the 1.5 s limit" in str(error)
    assert "No response headers had arrived." in str(error)
    assert elapsed < 10  # the header drip would take about 20 s
    assert client.log.items()[0].error == str(error)


def test_per_request_cap_overrides_the_clients() -> None:
    client = HttpClient(max_bytes=1024)
    with canned_server() as server:
        server.routes["/big"] = Canned(200, b"y" * 100_000, "application/octet-stream")
        resp = client.send(HttpRequest("GET", server.url + "/big", max_bytes=200_000))
        with pytest.raises(TransportError) as info:
            client.send(HttpRequest("GET", server.url + "/big"))
        client.close()
    assert len(resp.body) == 100_000
    assert info.value.kind == "too_large" and "1 KiB size limit" in str(info.value)


def test_connection_is_reused_after_a_whole_body_and_not_after_a_cut() -> None:
    """A body read to its end returns its connection to the pool; a cut one is closed."""
    client = HttpClient(max_bytes=1024)
    with canned_server(keep_alive=True) as server:
        server.routes["/ok"] = Canned(200, b"{}")
        server.routes["/big"] = Canned(200, b"z" * 100_000)
        for _ in range(2):
            assert client.send(HttpRequest("GET", server.url + "/ok")).body == b"{}"
        with pytest.raises(TransportError):
            client.send(HttpRequest("GET", server.url + "/big"))
        assert client.send(HttpRequest("GET", server.url + "/ok")).body == b"{}"
        client.close()
    assert [r[1] for r in server.requests] == ["/ok", "/ok", "/big", "/ok"]
    first, second, cut, after = server.clients
    assert first == second == cut  # kept alive across whole bodies
    assert after != cut  # the cut-off connection was closed, not reused half-read


DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize("status", [200, 400])
def test_deeply_nested_token_response_is_an_invalid_document(status: int) -> None:
    with canned_server() as server:
        server.routes["/token"] = Canned(status, DEEP)
        http = HttpClient()
        provider = Provider(client=CLIENT, endpoints={"token_endpoint": server.url + "/token"})
        session = OAuthSession(provider, http)
        with pytest.raises(TransportError) as info:
            session.client_credentials()
        session.close()
    assert info.value.kind == "invalid_document"
    assert "nested more than 64 levels deep" in str(info.value)
    [exchange] = http.log.items()
    assert exchange.response_body.startswith("[[[[")  # shown raw, no RecursionError


def test_deeply_nested_body_is_masked_in_the_log() -> None:
    token = "SECRETTOKEN-" + "q" * 40
    body = b'{"access_token": "' + token.encode() + b'", "x": ' + DEEP + b"}"
    with canned_server() as server:
        server.routes["/token"] = Canned(200, body)
        http = HttpClient()
        with pytest.raises(TransportError) as info:
            http.send(HttpRequest("GET", server.url + "/token")).json()
        http.close()
    assert info.value.kind == "invalid_document"
    logged = http.log.items()[0].response_body
    assert token not in logged and '"access_token": "SECRETTO…' in logged


def test_deeply_nested_discovery_and_jwks() -> None:
    with canned_server() as server:
        server.routes["/.well-known/openid-configuration"] = Canned(200, DEEP)
        server.routes["/.well-known/oauth-authorization-server"] = Canned(200, b"{" * 5000)
        session = OAuthSession(Provider(client=CLIENT, issuer=server.url), HttpClient())
        with pytest.raises(TransportError) as info:
            session.metadata()
        session.close()
    assert info.value.kind == "invalid_document"
    assert str(info.value).count("nested more than 64 levels deep") == 2


def test_cli_reports_a_huge_token_response_with_exit_3() -> None:
    assert 4 * MiB == DEFAULT_MAX_BYTES  # the limit the message below names
    with hostile.hostile_server(hostile.huge_with_length(512 * MiB)) as server:
        stdout, stderr = io.StringIO(), io.StringIO()
        argv = ["token", "--client-id", "x", "--grant", "client_credentials"]
        rc = cli_main([*argv, "--endpoint", f"token_endpoint={server.url}/token"], stdout, stderr)
    err = stderr.getvalue()
    assert rc == 3
    assert "error: too_large:" in err and "more than the 4 MiB size limit" in err
    assert "Traceback" not in err


# -- device flow: the server's interval and expires_in ---------------------------------------


def test_zero_interval_from_the_server_does_not_hammer_it() -> None:
    """interval 0 once gave 137 polls in 6 s; now the first poll waits the 5 s default."""
    with canned_server() as server:
        server.json(
            "/device",
            {
                "device_code": "dc",
                "user_code": "UC",
                "verification_uri": "https://example.test/device",
                "expires_in": 600,
                "interval": 0,
            },
        )
        server.json("/token", {"error": "authorization_pending"}, status=400)
        http = HttpClient()
        auth = parse_device_authorization(
            http.send(build_device_authorization_request(server.url + "/device", CLIENT))
        )
        cancel = threading.Event()
        timer = threading.Timer(1.0, cancel.set)
        timer.start()
        with pytest.raises(FlowError) as info:
            list(poll_device_token(http.send, server.url + "/token", CLIENT, auth, cancel))
        timer.join()
        http.close()
    assert info.value.kind == "cancelled"
    assert auth.interval == 5.0
    assert auth.notes == (
        "The server's polling interval 0 is under 1 s; polling every 5 s instead, "
        "the RFC 8628 §3.2 default.",
    )
    assert [r[1] for r in server.requests] == ["/device"]  # no poll within the first second


def _device_response(**fields: object) -> HttpResponse:
    doc = {"device_code": "dc", "user_code": "UC", "verification_uri": "https://as.test/d"}
    doc.update(fields)
    body = json.dumps(doc, allow_nan=True).encode()
    return HttpResponse(200, "OK", {"Content-Type": "application/json"}, body)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (0, "0 is under 1 s"),
        (-3, "-3 is under 1 s"),
        (0.01, "0.01 is under 1 s"),
        (float("nan"), "nan is not a finite number"),
        (float("inf"), "inf is not a finite number"),
        (10**400, "is not a finite number"),
        (86_400 * 365, "31536000 is over 300 s"),
        ("fast", "'fast' is not a number"),
        (True, "True is not a number"),
        ([5], "[5] is not a number"),
    ],
)
def test_unusable_interval_becomes_the_rfc_default_with_a_note(raw: object, words: str) -> None:
    auth = parse_device_authorization(_device_response(interval=raw, expires_in=900))
    assert auth.interval == 5.0 and auth.expires_in == 900
    [note] = auth.notes
    assert words in note and "polling every 5 s instead, the RFC 8628 §3.2 default" in note


def test_sound_interval_is_kept_and_text_numbers_are_noted() -> None:
    plain = parse_device_authorization(_device_response(interval=7, expires_in=900))
    assert (plain.interval, plain.notes) == (7.0, ())
    absent = parse_device_authorization(_device_response(expires_in=900))
    assert (absent.interval, absent.notes) == (5.0, ())  # absent: the default, nothing to say
    text = parse_device_authorization(_device_response(interval="10", expires_in="1800"))
    assert (text.interval, text.expires_in) == (10.0, 1800.0)
    assert text.notes == (
        "The server sent the polling interval as text ('10') instead of a number; "
        "polling every 10 s.",
        "The server sent expires_in as text ('1800') instead of a number; the code lives 1800 s.",
    )


@pytest.mark.parametrize(
    ("raw", "expected", "words"),
    [
        (None, 600.0, "did not say how long the code lives"),
        (-5, 600.0, "-5 is zero or negative"),
        (0, 600.0, "0 is zero or negative"),
        (float("nan"), 600.0, "nan is not a finite number"),
        (float("-inf"), 600.0, "-inf is not a finite number"),
        ("soon", 600.0, "'soon' is not a number"),
        (10**9, 86_400.0, "lives 1e+09 s; counting down from 86400 s (one day)"),
    ],
)
def test_unusable_expires_in_is_made_sane_with_a_note(
    raw: object, expected: float, words: str
) -> None:
    fields = {"interval": 5} if raw is None else {"interval": 5, "expires_in": raw}
    auth = parse_device_authorization(_device_response(**fields))
    assert auth.expires_in == expected
    [note] = auth.notes
    assert words in note


def test_unparsable_json_is_masked_member_by_member() -> None:
    """A body cut off mid-token cannot be parsed; its secret members are still masked."""
    cut = b'{"refresh_token": "rt-0123456789", "password": "hunter22", "access_token": "at-0123'
    shown = mask_body(cut, "application/json", set())
    assert shown == (
        '{"refresh_token": "rt-01234…••••••", "password": "••••••", "access_token": "••••••'
    )
