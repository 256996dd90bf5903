"""The inspection and server-verdict functions of core/reality.py, without a server: the
provider's metadata and the introspection/UserInfo calls are given as plain callables."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from workbench.core.errors import OAuthError, TransportError
from workbench.core.model import Provider, ServerVerdict
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.discovery import ServerMetadata
from workbench.core.oauth.rfc7009_revoke import TokenTypeHint
from workbench.core.reality import (
    guess_kind,
    inspect_for_provider,
    metadata_for_keys,
    verdict_from_endpoints,
)
from workbench.core.tokens.findings import Outcome
from workbench.core.tokens.jwks import JwksCache

PROVIDER = Provider(
    client=ClientConfig("the-client"),
    issuer="https://issuer.example",
    endpoints={"token_endpoint": "https://issuer.example/token"},
)


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def jwt(claims: dict[str, Any], typ: str = "JWT") -> str:
    return f"{b64({'alg': 'RS256', 'typ': typ, 'kid': 'k1'})}.{b64(claims)}.c2ln"


@pytest.mark.parametrize(
    ("claims", "typ", "kind"),
    [
        ({"scope": "read"}, "JWT", "access"),
        ({"nonce": "n"}, "JWT", "id"),
        ({"at_hash": "h"}, "JWT", "id"),
        ({"token_use": "id"}, "JWT", "id"),
        ({"token_use": "access", "nonce": "n"}, "JWT", "access"),
        ({"nonce": "n"}, "at+jwt", "access"),
        ({"sub": "alice"}, "JWT", "access"),
    ],
)
def test_guess_kind_reads_the_claims_and_the_type(
    claims: dict[str, Any], typ: str, kind: str
) -> None:
    assert guess_kind(jwt(claims, typ)) == kind


def test_guess_kind_of_an_undecodable_token_is_access() -> None:
    assert guess_kind("not-a-jwt") == "access"


def test_metadata_for_keys_falls_back_to_the_profile_when_discovery_fails() -> None:
    def failing() -> ServerMetadata:
        raise TransportError("issuer.example answered 404", kind="http")

    meta, why = metadata_for_keys(PROVIDER, failing)
    assert meta.issuer == "https://issuer.example"
    assert meta.token_endpoint == "https://issuer.example/token"
    assert why == "issuer.example answered 404"


def test_metadata_for_keys_names_a_missing_jwks_uri() -> None:
    meta, why = metadata_for_keys(PROVIDER, lambda: ServerMetadata(issuer="https://i"))
    assert meta.issuer == "https://i"
    assert why == "the provider names no jwks_uri; enter one in the provider profile"
    with_keys = ServerMetadata(issuer="https://i", jwks_uri="https://i/jwks")
    assert metadata_for_keys(PROVIDER, lambda: with_keys) == (with_keys, None)


def test_inspect_for_provider_fails_the_signature_with_the_reason_keys_are_missing() -> None:
    def no_fetch(url: str) -> Any:
        raise AssertionError(f"no keys should be fetched, asked for {url}")

    token = jwt({"iss": "https://i", "aud": "the-client", "nonce": "n"})
    no_keys = lambda: ServerMetadata(issuer="https://i")  # noqa: E731
    inspection = inspect_for_provider(token, PROVIDER, no_keys, JwksCache(no_fetch))
    signature = inspection.finding("signature")
    assert signature.outcome is Outcome.FAIL
    assert "the provider names no jwks_uri" in signature.reason
    assert inspection.finding("iss").outcome is Outcome.PASS
    assert inspection.finding("aud").reason == "aud contains 'the-client'"


def test_inspect_for_provider_gives_the_access_token_only_for_an_id_token() -> None:
    token = jwt({"iss": "https://i", "aud": "the-client", "nonce": "n"})
    meta = lambda: ServerMetadata(issuer="https://i")  # noqa: E731
    cache = JwksCache(lambda url: {"keys": []})
    as_id = inspect_for_provider(token, PROVIDER, meta, cache, access_token="at")
    as_access = inspect_for_provider(token, PROVIDER, meta, cache, kind="access", access_token="at")
    no_access_token = "no access token given to compare with"
    assert as_id.finding("at_hash").reason != no_access_token
    assert as_access.finding("at_hash").reason == no_access_token


def calls(
    introspection: dict[str, Any] | OAuthError | None = None,
    claims: dict[str, Any] | OAuthError | None = None,
) -> dict[str, Any]:
    def introspect(token: str, hint: TokenTypeHint) -> dict[str, Any]:
        assert isinstance(introspection, dict | OAuthError), "introspection was not expected"
        if isinstance(introspection, OAuthError):
            raise introspection
        return introspection

    def userinfo(token: str) -> dict[str, Any]:
        assert isinstance(claims, dict | OAuthError), "UserInfo was not expected"
        if isinstance(claims, OAuthError):
            raise claims
        return claims

    return {"introspect": introspect, "userinfo": userinfo}


BOTH = ServerMetadata(
    issuer="https://i",
    introspection_endpoint="https://i/introspect",
    userinfo_endpoint="https://i/me",
)


def test_verdict_from_introspection() -> None:
    alive = verdict_from_endpoints(BOTH, "t", "access_token", **calls({"active": True}))
    assert alive == ServerVerdict(True, "introspection", "active", {"active": True})
    dead = verdict_from_endpoints(BOTH, "t", "access_token", **calls({"active": False}))
    assert (dead.active, dead.detail) == (False, "inactive (active: false)")


def test_a_refused_public_client_falls_back_to_userinfo() -> None:
    refused = OAuthError("invalid_client", status=401)
    verdict = verdict_from_endpoints(
        BOTH, "t", "access_token", **calls(refused, OAuthError("invalid_token", status=401))
    )
    assert verdict == ServerVerdict(
        False, "userinfo", "introspection refused this client (invalid_client); 401 invalid_token"
    )
    accepted = verdict_from_endpoints(BOTH, "t", "access_token", **calls(refused, {"sub": "a"}))
    assert accepted.active is True
    assert (
        accepted.detail == "introspection refused this client (invalid_client); 200: token accepted"
    )


def test_other_errors_are_raised() -> None:
    with pytest.raises(OAuthError, match="invalid_request"):
        verdict_from_endpoints(BOTH, "t", "access_token", **calls(OAuthError("invalid_request")))
    # A refresh token cannot be asked of UserInfo, so a refused introspection is the answer.
    with pytest.raises(OAuthError, match="invalid_client"):
        verdict_from_endpoints(BOTH, "t", "refresh_token", **calls(OAuthError("invalid_client")))
    with pytest.raises(OAuthError, match="server_error"):
        userinfo_only = ServerMetadata(issuer="https://i", userinfo_endpoint="https://i/me")
        verdict_from_endpoints(
            userinfo_only,
            "t",
            "access_token",
            **calls(claims=OAuthError("server_error", status=500)),
        )


def test_no_endpoint_no_verdict() -> None:
    none = ServerVerdict(None, "none", "the provider has neither introspection nor UserInfo")
    assert verdict_from_endpoints(ServerMetadata(), "t", "access_token", **calls()) == none
    userinfo_only = ServerMetadata(issuer="https://i", userinfo_endpoint="https://i/me")
    assert verdict_from_endpoints(userinfo_only, "t", "refresh_token", **calls()) == none
