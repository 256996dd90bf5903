"""Calling an API with a token, against the demo server's two APIs (a real HTTP peer):
the request as typed, the answer with its challenge read, the token masked in the log and in
the curl twin, a raw body recorded."""

from __future__ import annotations

import json
import shlex

import pytest
import requests

from workbench.core.errors import ConfigError
from workbench.core.oauth.api_call import (
    ApiCall,
    build_api_request,
    call_api,
    parse_header_line,
)
from workbench.core.oauth.rfc6750_bearer import NextStep
from workbench.core.transport.http import HttpClient
from workbench.demo import CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET, DemoServer
from workbench.demo.api import api_urls


def token_for(demo: DemoServer, scope: str) -> str:
    response = requests.post(
        demo.url("token"),
        data={"grant_type": "client_credentials", "scope": scope},
        auth=(CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET),
        timeout=5,
    )
    token: str = response.json()["access_token"]
    return token


def test_a_call_with_a_token_and_its_masked_record(demo: DemoServer) -> None:
    token = token_for(demo, "api:read")
    http = HttpClient()
    result = call_api(http, ApiCall(api_urls(demo.issuer)["local"] + "/me", token=token))
    assert result.ok and result.status == 200
    assert result.body_value()["claims"]["client_id"] == CONFIDENTIAL_CLIENT_ID
    assert result.challenge is None and result.step is NextStep.NONE
    (exchange,) = http.log.items()
    assert exchange.purpose == "API call"
    assert token not in json.dumps(exchange.to_dict())
    assert token not in exchange.curl
    assert "Authorization: Bearer ${ACCESS_TOKEN}" in exchange.curl


def test_a_refusal_is_a_result_with_its_challenge(demo: DemoServer) -> None:
    token = token_for(demo, "api:read")
    url = api_urls(demo.issuer)["introspected"] + "/items/write"
    result = call_api(HttpClient(), ApiCall(url, method="post", token=token))
    assert result.status == 403 and not result.ok
    assert result.challenge is not None and result.challenge.scope == "api:write"
    assert result.step is NextStep.REQUEST_SCOPE
    assert "api:write" in result.explanation
    as_json = result.to_dict()
    assert as_json["challenge"]["params"]["error"] == "insufficient_scope"
    assert as_json["body"]["error"] == "insufficient_scope"

    anonymous = call_api(HttpClient(), ApiCall(url))
    assert anonymous.status == 401 and anonymous.step is NextStep.GET_TOKEN
    assert anonymous.challenge is not None and anonymous.challenge.resource_metadata


def test_a_json_body_is_sent_recorded_masked_and_in_the_curl_twin(demo: DemoServer) -> None:
    token = token_for(demo, "api:read api:write")
    body = json.dumps({"name": "widget", "echo": token}).encode()
    http = HttpClient()
    url = api_urls(demo.issuer)["local"] + "/items/write"
    result = call_api(http, ApiCall(url, method="PUT", body=body, token=token))
    assert result.status == 200, result.body
    (exchange,) = http.log.items()
    assert exchange.method == "PUT"
    assert exchange.request_headers["Content-Type"] == "application/json"
    assert '"widget"' in exchange.request_body
    assert token not in exchange.request_body and token not in exchange.curl
    words = shlex.split(exchange.curl)
    assert "--data-raw" in words and "-X" in words and "PUT" in words
    sent = json.loads(words[words.index("--data-raw") + 1])
    assert sent["name"] == "widget" and sent["echo"] != token


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (ApiCall("ftp://x/y"), "http:// or https://"),
        (ApiCall("https://api.example/x", method="GE T"), "not an HTTP method"),
        (ApiCall("https://api.example/x", headers=[("X-A", "1\r\nX-B: 2")]), "line break"),
        (ApiCall("https://api.example/x", headers=[("Bad Name", "1")]), "not a valid header"),
        (ApiCall("https://api.example/x", headers=[("A", "1"), ("a", "2")]), "given twice"),
        (
            ApiCall("https://api.example/x", headers=[("Authorization", "Basic x")], token="t"),
            "sent twice",
        ),
        (ApiCall("https://api.example/x", token="a b"), "space or a line break"),
    ],
)
def test_what_cannot_be_sent_as_typed_is_refused(call: ApiCall, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_api_request(call)


def test_header_lines_and_content_type_guess() -> None:
    assert parse_header_line("X-Trace:  abc: d ") == ("X-Trace", "abc: d")
    with pytest.raises(ConfigError, match="Name: value"):
        parse_header_line("no colon")
    text = build_api_request(ApiCall("https://a.example/x", method="POST", body=b"hello"))
    assert text.headers["Content-Type"].startswith("text/plain")
    assert text.body() == b"hello"


def test_an_answer_is_shown_with_secret_members_and_known_secrets_masked() -> None:
    from workbench.core.transport.masking import MASK, mask_value

    secret = "s3cr3t-token-value"
    answer = {"echo": f"you sent {secret}", "access_token": "eyJhbGciOi.abc.def", "n": [1, secret]}
    shown = mask_value(answer, {secret})
    assert secret not in json.dumps(shown)
    assert shown["echo"] == f"you sent {MASK}" and shown["n"] == [1, MASK]
    assert shown["access_token"] != "eyJhbGciOi.abc.def"
    assert mask_value(f"text {secret}", {secret}) == f"text {MASK}"
    assert mask_value(42, {secret}) == 42
