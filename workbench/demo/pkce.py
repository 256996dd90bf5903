"""PKCE (RFC 7636) as the demo server checks it: S256 only, required for public clients at the
authorization endpoint, and on the device flow (RFC 8628) when sent or required."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from authlib.oauth2.rfc6749 import InvalidGrantError, InvalidRequestError
from authlib.oauth2.rfc7636 import CodeChallenge, create_s256_code_challenge

from .accounts import DemoClient
from .store import DeviceGrant

__all__ = ["S256CodeChallenge", "check_device_verifier", "device_code_challenge"]


class S256CodeChallenge(CodeChallenge):  # type: ignore[misc]
    """PKCE (RFC 7636), S256 only, and required for public clients at the authorization
    endpoint already (RFC 9700 §2.1.1), not only at the token endpoint."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ("S256",)

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        super().validate_code_challenge(grant, redirect_uri)
        data = grant.request.payload.data
        challenge = data.get("code_challenge")
        client: DemoClient = grant.request.client
        if not challenge and client.is_public:
            raise InvalidRequestError(
                "PKCE is required for public clients: send code_challenge with "
                "code_challenge_method=S256 (RFC 7636)."
            )
        if challenge and data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Only code_challenge_method=S256 is supported.")


#: RFC 7636 §4.1-4.2: a verifier or an S256 challenge is 43-128 unreserved characters.
_PKCE_VALUE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def device_code_challenge(data: Mapping[str, Any], required: bool) -> tuple[str | None, str | None]:
    """The PKCE challenge and method of a device authorization request, checked the way
    Keycloak checks them for a client that requires PKCE (its error texts); without
    ``required``, a request without a challenge is accepted and one with it still checked."""
    challenge = data.get("code_challenge") or None
    method = data.get("code_challenge_method") or None
    if not required and challenge is None and method is None:
        return None, None
    if method is None:
        raise InvalidRequestError("Missing parameter: code_challenge_method")
    if method != "S256":
        raise InvalidRequestError(
            "Invalid parameter: code challenge method is not matching the configured one"
        )
    if challenge is None:
        raise InvalidRequestError("Missing parameter: code_challenge")
    if not _PKCE_VALUE.fullmatch(challenge):
        raise InvalidRequestError("Invalid parameter: code_challenge")
    return challenge, method


def check_device_verifier(grant: DeviceGrant, verifier: str | None) -> None:
    """RFC 7636 §4.6 at the token endpoint for a device code issued with a challenge."""
    if grant.code_challenge is None:
        return
    if not verifier:
        raise InvalidGrantError("PKCE code verifier not specified")
    if not _PKCE_VALUE.fullmatch(verifier):
        raise InvalidGrantError("PKCE invalid code verifier")
    expected = create_s256_code_challenge(verifier)
    if not secrets.compare_digest(expected, grant.code_challenge):
        raise InvalidGrantError("PKCE verification failed: code_verifier does not match")
