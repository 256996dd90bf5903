"""Play the user's part against the demo server over plain HTTP (no browser).

For tests and scripts: sign in and approve (or deny) an authorization request, approve
(or deny) a device code or a CIBA request (on the demo's page for it), build a PKCE pair,
read a redirect's parameters. Like a browser, it loads each page before posting its form, so
the form's anti-CSRF token goes along. Uses
``requests``; redirects to the client are never followed (nothing listens there), their
``Location`` is returned instead.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import requests

from workbench.demo.accounts import USERS

__all__ = [
    "DemoDriverError",
    "decide_ciba_request",
    "decide_device_code",
    "form_token",
    "pkce_pair",
    "redirect_params",
    "sign_in_and_decide",
]

_TIMEOUT = 10.0
_ERROR_RE = re.compile(r'id="error"[^>]*>(.*?)</div>', re.S)
_TAG_RE = re.compile(r"<[^>]+>")
_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]*)"')


class DemoDriverError(RuntimeError):
    """A page did not answer as a successful step would (the page's error text, if any)."""


def pkce_pair() -> tuple[str, str]:
    """A random ``code_verifier`` and its ``S256`` ``code_challenge`` (RFC 7636 §4.1-4.2)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


def redirect_params(location: str) -> dict[str, str]:
    """Parameters of an authorization response: query and fragment merged (RFC 6749
    §4.1.2 and §4.2.2)."""
    parts = urlsplit(location)
    return {**dict(parse_qsl(parts.query)), **dict(parse_qsl(parts.fragment))}


def form_token(page: str) -> str:
    """The anti-CSRF token of the form(s) on a demo server page ("" when there is none)."""
    match = _CSRF_RE.search(page)
    return unescape(match.group(1)) if match else ""


def _page_error(response: requests.Response) -> str:
    match = _ERROR_RE.search(response.text)
    text = unescape(_TAG_RE.sub("", match.group(1))).strip() if match else ""
    return f"HTTP {response.status_code}" + (f": {text}" if text else "")


def _password(username: str, password: str | None) -> str:
    if password is not None:
        return password
    user = USERS.get(username)
    return user.password if user else ""


def sign_in_and_decide(
    authorize_url: str,
    *,
    username: str = "alice",
    password: str | None = None,
    decision: str = "approve",
    session: requests.Session | None = None,
) -> str:
    """Open ``authorize_url``, sign in when asked, then approve or deny (``decision``).

    Returns the ``Location`` of the redirect back to the client (code or tokens, or an
    error). ``password`` defaults to the demo user's. A session that is already signed in
    skips the sign-in step, as a browser would.
    """
    http = session or requests.Session()
    response = http.get(authorize_url, allow_redirects=False, timeout=_TIMEOUT)
    if response.is_redirect:  # an error redirect, or prompt=none with a session
        return str(response.headers["Location"])
    if response.status_code != 200:
        raise DemoDriverError(_page_error(response))
    data = {"decision": decision, "csrf_token": form_token(response.text)}
    if 'id="username"' in response.text:
        data.update(username=username, password=_password(username, password))
    response = http.post(authorize_url, data=data, allow_redirects=False, timeout=_TIMEOUT)
    if not response.is_redirect:
        raise DemoDriverError(_page_error(response))
    return str(response.headers["Location"])


def decide_device_code(
    verification_uri: str,
    user_code: str,
    *,
    username: str = "alice",
    password: str | None = None,
    approve: bool = True,
    session: requests.Session | None = None,
) -> None:
    """Enter ``user_code`` on the verification page, sign in, approve or deny
    (RFC 8628 §3.3). Raises :class:`DemoDriverError` if the page refuses."""
    http = session or requests.Session()
    page = http.get(verification_uri, timeout=_TIMEOUT)
    if page.status_code != 200:
        raise DemoDriverError(_page_error(page))
    response = http.post(
        verification_uri,
        data={
            "csrf_token": form_token(page.text),
            "user_code": user_code,
            "username": username,
            "password": _password(username, password),
            "decision": "approve" if approve else "deny",
        },
        timeout=_TIMEOUT,
    )
    if response.status_code != 200 or 'id="result"' not in response.text:
        raise DemoDriverError(_page_error(response))


_CIBA_ITEM_RE = re.compile(r'<li class="ciba-request" data-ref="([^"]*)">(.*?)</li>', re.S)
_BINDING_RE = re.compile(r'class="code binding-message">(.*?)</strong>', re.S)


def ciba_requests(page: str) -> dict[str, str | None]:
    """The pending CIBA requests listed on a ``/ciba`` page: page handle -> binding message."""
    found: dict[str, str | None] = {}
    for ref, item in _CIBA_ITEM_RE.findall(page):
        message = _BINDING_RE.search(item)
        found[unescape(ref)] = unescape(message.group(1)) if message else None
    return found


def decide_ciba_request(
    ciba_url: str,
    *,
    binding_message: str | None = None,
    username: str = "alice",
    password: str | None = None,
    approve: bool = True,
) -> None:
    """Sign in on the demo's CIBA page (OpenID CIBA: the user's authentication device), find
    the one pending request (the one showing ``binding_message`` when given) and approve or
    deny it. Raises :class:`DemoDriverError` when the page refuses or lists no such request."""
    http = requests.Session()
    page = http.get(ciba_url, timeout=_TIMEOUT)
    signed_in = http.post(
        ciba_url,
        data={
            "csrf_token": form_token(page.text),
            "username": username,
            "password": _password(username, password),
        },
        timeout=_TIMEOUT,
    )
    if signed_in.status_code != 200:
        raise DemoDriverError(_page_error(signed_in))
    listed = ciba_requests(signed_in.text)
    refs = [r for r, m in listed.items() if binding_message is None or m == binding_message]
    if len(refs) != 1:
        raise DemoDriverError(f"{len(refs)} matching requests listed for {username}")
    response = http.post(
        ciba_url,
        data={
            "csrf_token": form_token(signed_in.text),
            "ref": refs[0],
            "decision": "approve" if approve else "deny",
        },
        timeout=_TIMEOUT,
    )
    if response.status_code != 200 or 'id="result"' not in response.text:
        raise DemoDriverError(_page_error(response))
