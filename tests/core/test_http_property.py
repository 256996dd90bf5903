"""Property tests, response side: whatever a server sends, only TransportError/OAuthError.

Bodies of arbitrary size (around a small cap), nesting depth, control characters, random bytes
and hostile token/device/discovery documents go through ``HttpResponse.json``, the parsers,
masking, and (over a real socket) ``HttpClient.send`` and ``get_json``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.peers import Canned, CannedServer, canned_server
from workbench.core.errors import OAuthError, TransportError
from workbench.core.oauth.discovery import parse_metadata
from workbench.core.oauth.rfc8628_device import (
    DEFAULT_INTERVAL,
    MAX_EXPIRES_IN,
    MAX_INTERVAL,
    MIN_INTERVAL,
    parse_device_authorization,
)
from workbench.core.oauth.token_endpoint import parse_token_response
from workbench.core.transport import bounded_json
from workbench.core.transport.exchange import HttpRequest, HttpResponse
from workbench.core.transport.http import HttpClient
from workbench.core.transport.masking import MASK, mask_body, mask_json

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOCKET = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
CAP = 2048
SECRET = "client-secret-value"

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats()
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
oauth_names = st.sampled_from(
    [
        "access_token",
        "token_type",
        "expires_in",
        "refresh_token",
        "id_token",
        "error",
        "error_description",
        "device_code",
        "user_code",
        "verification_uri",
        "interval",
        "issuer",
        "token_endpoint",
        "keys",
    ]
)
oauth_documents = st.dictionaries(oauth_names | st.text(max_size=6), json_values, max_size=8)
odd_numbers = json_scalars | st.sampled_from([10**400, -(10**400), 1e308, math.nan, -math.inf])
token_responses = st.fixed_dictionaries(
    {"access_token": st.text(max_size=10) | json_values},
    optional={
        "token_type": json_values,
        "expires_in": odd_numbers | json_values,
        "refresh_token": json_values,
        "id_token": json_values,
        "scope": json_values,
        "error": json_values,
        "error_description": json_values,
    },
)


@st.composite
def nested(draw: st.DrawFn) -> bytes:
    """Arrays/objects nested 0–3000 deep, closed or not, with a payload at the bottom."""
    depth = draw(st.integers(0, 3000))
    opener = draw(st.sampled_from(["[", '{"a":', '{"access_token":"tok-secret-1234567","x":']))
    closer = "]" if opener == "[" else "}"
    bottom = json.dumps(draw(json_scalars), allow_nan=True)
    closed = draw(st.booleans())
    return (opener * depth + bottom + (closer * depth if closed else "")).encode()


def _dumps(value: Any) -> bytes:
    try:
        return json.dumps(value).encode()
    except ValueError:  # an integer past Python's digit limit for str()
        return b"1" * 5000


bodies = (
    st.binary(max_size=3 * CAP)
    | st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=3 * CAP).map(str.encode)
    | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))
    | nested()
    | oauth_documents.map(_dumps)
    | token_responses.map(_dumps)
    | st.integers(0, 3 * CAP).map(lambda n: b'{"access_token":"' + b"a" * n + b'"}')
    | st.sampled_from([b"", b"[" * 100_000, b"{" * 100_000, b"1" * 5000, b"NaN", b"\xff\xfe"])
)
statuses = st.sampled_from([200, 201, 400, 401, 500])
content_types = st.sampled_from(["application/json", "text/html", "text/plain", ""])


def _response(status: int, body: bytes, ctype: str) -> HttpResponse:
    headers = {"Content-Type": ctype} if ctype else {}
    return HttpResponse(status, "Reason", headers, body, "https://as.example/token")


def _only_ours(call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except (TransportError, OAuthError) as exc:
        assert str(exc), "an error must say what is wrong"
        return None


def _check_masking(body: bytes, ctype: str) -> None:
    shown = mask_body(body, ctype, {SECRET})
    assert isinstance(shown, str)
    shown.encode("utf-8")  # printable, storable
    assert "tok-secret-1234567" not in shown  # a token member is masked, parsed or not


@PROPERTY
@given(bodies, statuses, content_types)
@example(b'{"access_token": "x", "expires_in": 1' + b"0" * 400 + b"}", 200, "application/json")
@example(b'{"access_token": "x", "expires_in": NaN}', 200, "application/json")
def test_parsing_and_masking_any_body_raise_only_our_errors(
    body: bytes, status: int, ctype: str
) -> None:
    resp = _response(status, body, ctype)
    try:
        resp.json()
    except TransportError as exc:
        assert exc.kind in ("not_json", "invalid_document") and str(exc)
    _only_ours(parse_token_response, resp)
    _only_ours(parse_device_authorization, resp)
    doc = _only_ours(resp.json)
    if doc is not None:
        _only_ours(parse_metadata, doc, "https://as.example", "https://as.example/.well-known")
    _check_masking(body, ctype)


@PROPERTY
@given(st.integers(1, 5000))
def test_nesting_past_the_limit_is_an_invalid_document_and_within_it_parses(depth: int) -> None:
    body = b"[" * depth + b"]" * depth
    resp = _response(200, body, "application/json")
    if depth <= bounded_json.MAX_DEPTH:
        assert resp.json() is not None
    else:
        with pytest.raises(TransportError) as info:
            resp.json()
        assert info.value.kind == "invalid_document"
        assert f"nested more than {bounded_json.MAX_DEPTH} levels deep" in str(info.value)


@PROPERTY
@given(st.integers(0, 200), st.text(max_size=5))
def test_brackets_inside_strings_do_not_count_as_nesting(depth: int, filler: str) -> None:
    text = json.dumps({"s": "[{" * depth + filler + "]" * depth, "t": ["[", '\\"[']})
    assert not bounded_json.exceeds_depth(text)
    assert bounded_json.loads(text)["t"] == ["[", '\\"[']


@PROPERTY
@given(st.integers(0, 5000))
def test_mask_json_handles_any_depth_without_recursion(depth: int) -> None:
    value: Any = {"access_token": "abcdefghijkl", "client_secret": "s3cret"}
    for _ in range(depth):
        value = [value] if depth % 2 else {"k": value}
    masked = mask_json(value)
    for _ in range(depth):
        masked = masked[0] if depth % 2 else masked["k"]
    assert masked == {"access_token": "abcdefgh…" + MASK, "client_secret": MASK}


def _expected_interval(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return DEFAULT_INTERVAL
    seconds = float(raw) if abs(raw) < 1e300 else math.inf
    ok = math.isfinite(seconds) and MIN_INTERVAL <= seconds <= MAX_INTERVAL
    return seconds if ok else DEFAULT_INTERVAL


@PROPERTY
@given(json_values | st.floats(), json_values | st.floats())
def test_device_interval_and_expiry_are_always_sane(interval: Any, expires_in: Any) -> None:
    doc = {
        "device_code": "dc",
        "user_code": "UC",
        "verification_uri": "https://as.example/device",
        "interval": interval,
        "expires_in": expires_in,
    }
    body = json.dumps(doc, allow_nan=True).encode()
    auth = parse_device_authorization(_response(200, body, "application/json"))
    assert MIN_INTERVAL <= auth.interval <= MAX_INTERVAL
    assert 0 < auth.expires_in <= MAX_EXPIRES_IN and math.isfinite(auth.expires_at)
    if not isinstance(interval, str) and interval is not None:
        assert auth.interval == _expected_interval(interval)
        if auth.interval == DEFAULT_INTERVAL and interval != DEFAULT_INTERVAL:
            assert any("polling interval" in note for note in auth.notes)


# -- over a real socket ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[CannedServer]:
    with canned_server() as running:
        yield running


@pytest.fixture(scope="module")
def client() -> Iterator[HttpClient]:
    http = HttpClient(timeout=(2.0, 5.0), max_bytes=CAP, deadline=20.0)
    http.log.add_secret(SECRET)
    yield http
    http.close()


@SOCKET
@given(bodies, statuses, content_types)
def test_any_body_over_http_raises_only_our_errors(
    server: CannedServer, client: HttpClient, body: bytes, status: int, ctype: str
) -> None:
    server.routes["/doc"] = Canned(status, body, ctype)
    url = server.url + "/doc"
    before = len(client.log)
    try:
        resp = client.send(HttpRequest("POST", url, form={"client_secret": SECRET}))
    except TransportError as exc:
        assert len(body) > CAP and exc.kind == "too_large"
        assert "more than the 2 KiB size limit" in str(exc)
    else:
        assert len(body) <= CAP and resp.body == body and resp.status == status
        _only_ours(parse_token_response, resp)
    _only_ours(client.get_json, url)
    logged = client.log.items()[before:]
    assert len(logged) == 2  # both exchanges recorded, failed or not
    for exchange in logged:
        assert SECRET not in exchange.response_body and "tok-secret-1234567" not in str(
            exchange.to_dict()
        )
