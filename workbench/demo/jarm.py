"""JARM (JWT Secured Authorization Response Mode) for the demo server's authorization
responses, on Authlib's output: the redirect Authlib made is taken apart and its parameters
(``code``, ``state``, ``iss`` or ``error``…) sent again as the claims of one signed
``response`` JWT with ``iss``, ``aud`` (the client) and ``exp`` (:attr:`DemoConfig.jarm_ttl`).

``query.jwt`` and ``fragment.jwt`` redirect; ``form_post.jwt`` answers a page whose form
posts ``response`` to the redirect URI (its one script allowed by a nonce). ``jwt`` is
``query.jwt`` for the code flow, ``fragment.jwt`` for the others (JARM §2.3.4).
"""

from __future__ import annotations

import html
import secrets
import time
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Response
from joserfc import jwt

from .authority import SIGNING_ALG, DemoAuthority

__all__ = ["JARM_MODES", "RESPONSE_MODES_SUPPORTED", "jarm_response"]

JARM_MODES = ("jwt", "query.jwt", "fragment.jwt", "form_post.jwt")
RESPONSE_MODES_SUPPORTED = ("query", "fragment", *JARM_MODES)

_FORM_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Submitting…</title>
</head><body><form method="post" action="{action}">
<input type="hidden" name="response" value="{response}">
<noscript><button type="submit">Continue</button></noscript></form>
<script nonce="{nonce}">document.forms[0].submit();</script></body></html>"""


def jarm_response(
    response: Response, authority: DemoAuthority, params: Mapping[str, str]
) -> Response:
    """``response`` (an authorization redirect) as JARM when ``params`` (the authorization
    request's) ask for a JARM ``response_mode``; any other response as it is."""
    mode = params.get("response_mode")
    location = response.headers.get("Location")
    if mode not in JARM_MODES or not location or not 300 <= response.status_code < 400:
        return response
    if mode == "jwt":
        mode = "query.jwt" if params.get("response_type") == "code" else "fragment.jwt"
    parts = urlsplit(location)
    carried = dict(parse_qsl(parts.fragment or parts.query, keep_blank_values=True))
    now = int(time.time())
    claims = {
        **carried,
        "iss": authority.issuer,
        "aud": params.get("client_id", ""),
        "iat": now,
        "exp": now + authority.config.jarm_ttl,
    }
    header = {"alg": SIGNING_ALG, "kid": authority.kid}
    token = jwt.encode(header, claims, authority.keys, algorithms=[SIGNING_ALG])
    base = urlunsplit(parts._replace(query="", fragment=""))
    if mode == "form_post.jwt":
        return _form_post(base, token)
    encoded = urlencode({"response": token})
    target = f"{base}#{encoded}" if mode == "fragment.jwt" else f"{base}?{encoded}"
    redirect = Response(status=302, headers={"Location": target})
    redirect.headers["Cache-Control"] = "no-store"
    return redirect


def _form_post(action: str, token: str) -> Response:
    nonce = secrets.token_urlsafe(16)
    page = _FORM_PAGE.format(
        action=html.escape(action, quote=True), response=html.escape(token), nonce=nonce
    )
    answer = Response(page, status=200, content_type="text/html; charset=utf-8")
    answer.headers["Cache-Control"] = "no-store"
    answer.headers["Content-Security-Policy"] = (
        f"default-src 'none'; script-src 'nonce-{nonce}'; form-action {_origin(action)};"
        " frame-ancestors 'none'"
    )
    return answer


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
