"""The demo server's end-session endpoint (OpenID Connect RP-Initiated Logout 1.0).

``GET`` or ``POST`` the endpoint with ``id_token_hint`` (required here), optionally
``client_id``, ``post_logout_redirect_uri`` and ``state``:

* ``id_token_hint`` must be an ID token this server signed, for one of its clients (an expired
  one is accepted, §2: it only names the session). Without it the server cannot tell that
  the relying party asked, and it refuses rather than log anybody out.
* ``client_id``, when sent, must be the token's audience (§2).
* ``post_logout_redirect_uri`` must be registered for that client: the loopback rules of
  redirect URIs on ``/logged-out`` (:meth:`DemoClient.check_post_logout_redirect_uri`).

Every refusal is an HTML error page, never a redirect: a redirect to an unchecked URI would
make the endpoint an open redirector (§3, §6). A valid request ends the browser session (the
session cookie is cleared, so the next authorization request asks for the password again) and
redirects to the post-logout redirect URI with ``state``, or shows a "signed out" page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from joserfc.errors import JoseError

from .authority import DemoAuthority

__all__ = ["LogoutRefused", "LogoutTarget", "check_end_session"]


class LogoutRefused(Exception):
    """The end-session request cannot be honoured: ``str(self)`` says why (shown on a page)."""


@dataclass(frozen=True)
class LogoutTarget:
    """Where a valid end-session request goes next: the redirect URL, or None for the page."""

    redirect: str | None


def check_end_session(authority: DemoAuthority, args: Mapping[str, str]) -> LogoutTarget:
    """Check an end-session request; :class:`LogoutRefused` when it must not be honoured."""
    hint = args.get("id_token_hint", "")
    if not hint:
        raise LogoutRefused(
            "id_token_hint is required: this server logs out only on a relying party's request "
            "that names the session with its ID token."
        )
    try:
        claims = authority.decode_jwt(hint)
    except (JoseError, ValueError) as exc:
        raise LogoutRefused(
            "id_token_hint is not an ID token signed by this server "
            f"({type(exc).__name__}): it may come from another server or an earlier run."
        ) from exc
    if claims.get("iss") != authority.issuer:
        raise LogoutRefused("id_token_hint was issued by another issuer.")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else list(audience or [])
    client_id = args.get("client_id") or (audiences[0] if len(audiences) == 1 else "")
    if client_id not in audiences:
        raise LogoutRefused("client_id is not the audience of id_token_hint.")
    client = authority.store.client(str(client_id))
    if client is None:
        raise LogoutRefused("id_token_hint names no client of this server.")
    target = args.get("post_logout_redirect_uri", "")
    if not target:
        return LogoutTarget(None)
    if not client.check_post_logout_redirect_uri(target):
        raise LogoutRefused(
            "post_logout_redirect_uri is not registered for this client (registered: "
            "http://127.0.0.1:<any port>/logged-out and its [::1] and localhost twins)."
        )
    state = args.get("state")
    return LogoutTarget(target + ("?" + urlencode({"state": state}) if state else ""))
