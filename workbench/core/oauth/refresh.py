"""Refresh (RFC 6749 §6) and what it did to the refresh token (rotation, RFC 9700 §4.14.2)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.token_endpoint import build_token_request
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.transport.exchange import HttpRequest

Rotation = Literal["rotated", "unchanged", "not_returned"]


def build_refresh_request(
    token_endpoint: str,
    client: ClientConfig,
    refresh_token: str,
    scope: str = "",
    extra: Mapping[str, str] | None = None,
) -> HttpRequest:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    if scope:
        form["scope"] = scope
    form.update({k: v for k, v in (extra or {}).items() if v})
    return build_token_request(token_endpoint, client, form, "token (refresh_token)")


def rotation(old_refresh_token: str, new: TokenSet) -> Rotation:
    """Whether the server rotated the refresh token, kept it, or returned none (keep the old)."""
    if not new.refresh_token:
        return "not_returned"
    return "unchanged" if new.refresh_token == old_refresh_token else "rotated"


ROTATION_TEXT: dict[Rotation, str] = {
    "rotated": (
        "rotated: a new refresh token was issued; whether the old one still works is the"
        " server's policy (RFC 9700 §4.14.2 asks it to refuse a reused one): try it to find out"
    ),
    "unchanged": "not rotated: the same refresh token came back",
    "not_returned": "no refresh token returned: keep using the previous one",
}
