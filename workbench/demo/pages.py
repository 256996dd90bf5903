"""The HTML pages of the demo server: self-contained (inline CSS, no script, no external
asset), every dynamic value escaped.

Stable names for automation (a ``requests`` session or a headless browser):

* sign-in: inputs ``#username`` / ``#password`` (same ``name``), button ``#sign-in``
  (``name="action" value="login"``), and ``#cancel`` (``name="decision" value="deny"``);
* consent: buttons ``#approve`` / ``#deny`` (``name="decision"``, values ``approve`` /
  ``deny``), ``#switch-user`` (``name="action" value="switch_user"``);
* device: input ``#user_code``, button ``#continue`` (``name="action" value="continue"``),
  then ``#approve`` / ``#deny`` as above; the outcome page has ``#result`` with
  ``data-result="approved"`` or ``"denied"``;
* any error message is in ``#error``;
* every form carries the session's anti-CSRF token in a hidden ``csrf_token`` field; a POST
  without it (or with another session's) is refused with 403 and changes nothing.

Forms have no ``action`` attribute: they post back to the page's own URL, so the
authorization request's query string travels with them unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any, Final

from .accounts import USERS, DemoClient, Subject
from .rar import describe

#: One pending CIBA request as the page shows it: its page handle, the client's name and id,
#: the scope, the binding message and the seconds left.
CibaItem = tuple[str, str, str, str, str | None, int]

__all__ = [
    "SCOPE_DESCRIPTIONS",
    "ciba_page",
    "ciba_result_page",
    "consent_page",
    "device_confirm_page",
    "device_entry_page",
    "device_result_page",
    "error_page",
    "home_page",
    "login_page",
]

SCOPE_DESCRIPTIONS: Final[Mapping[str, str]] = {
    "openid": "Sign you in with OpenID Connect (your user id)",
    "profile": "Read your name and username",
    "email": "Read your email address",
    "offline_access": "Keep access while you are away (refresh tokens)",
    "api:read": "Read data from the demo API",
    "api:write": "Change data in the demo API",
}

_CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f3f4f6;color:#111827;font:15px/1.5 system-ui,-apple-system,
"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:12px;
box-shadow:0 1px 3px rgba(0,0,0,.12)}
@media (max-width:30rem){main{margin:0;border-radius:0;min-height:100vh;padding:1.5rem}}
h1{font-size:1.35rem;margin:0 0 1rem}
.brand{font-size:.8rem;letter-spacing:.06em;text-transform:uppercase;color:#6b7280;
margin-bottom:.5rem}
label{display:block;font-weight:600;margin:.8rem 0 .25rem}
input[type=text],input[type=password]{width:100%;padding:.55rem .7rem;font-size:1rem;
border:1px solid #d1d5db;border-radius:8px}
input:focus{outline:2px solid #2563eb;outline-offset:1px}
.code{font:600 1.4rem ui-monospace,Menlo,Consolas,monospace;letter-spacing:.12em;
text-transform:uppercase}
.actions{display:flex;gap:.6rem;margin-top:1.3rem}
button{flex:1;padding:.6rem 1rem;font:inherit;font-size:1rem;border-radius:8px;
border:1px solid #d1d5db;background:#fff;cursor:pointer}
button.primary{background:#2563eb;border-color:#2563eb;color:#fff}
button.link{flex:none;border:none;background:none;color:#2563eb;padding:0;font-size:.9rem}
.error{background:#fef2f2;border:1px solid #fecaca;color:#991b1b;padding:.6rem .8rem;
border-radius:8px;margin-bottom:1rem}
.hint{background:#f0f9ff;border:1px solid #bae6fd;padding:.6rem .8rem;border-radius:8px;
margin-top:1.3rem;font-size:.9rem}
.hint table{border-collapse:collapse}
.hint th{text-align:left;padding-right:.8rem}
.hint td{padding:.1rem .8rem .1rem 0;font-family:ui-monospace,Menlo,Consolas,monospace}
ul.scopes{padding-left:1.2rem}
ul.scopes code{color:#6b7280;font-size:.85rem}
.muted{color:#6b7280;font-size:.9rem}
.ok{color:#166534}
.denied{color:#991b1b}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)} · Token Workbench demo</title>"
        f"<style>{_CSS}</style></head>"
        f'<body><main><div class="brand">Token Workbench · demo server</div>{body}</main>'
        "</body></html>\n"
    )


def _error(message: str | None) -> str:
    return f'<div class="error" id="error" role="alert">{_e(message)}</div>' if message else ""


def _credentials_hint() -> str:
    rows = "".join(
        f"<tr><td>{_e(u.username)}</td><td>{_e(u.password)}</td></tr>" for u in USERS.values()
    )
    return (
        '<div class="hint" id="demo-credentials"><strong>Demo users</strong> '
        "(public demo values)<table><tr><th>username</th><th>password</th></tr>"
        f"{rows}</table></div>"
    )


def _scope_list(scope: str) -> str:
    items = "".join(
        f"<li>{_e(SCOPE_DESCRIPTIONS.get(s, s))} <code>{_e(s)}</code></li>" for s in scope.split()
    )
    return f'<ul class="scopes" id="scopes">{items}</ul>' if items else "<p>No scopes.</p>"


def _csrf_field(csrf: str) -> str:
    return f'<input type="hidden" name="csrf_token" value="{_e(csrf)}">'


def _login_fields(username: str = "") -> str:
    return (
        '<label for="username">Username</label>'
        f'<input type="text" id="username" name="username" value="{_e(username)}" '
        'autocomplete="username" autocapitalize="none" required>'
        '<label for="password">Password</label>'
        '<input type="password" id="password" name="password" '
        'autocomplete="current-password" required>'
    )


def login_page(client: DemoClient, csrf: str, error: str | None = None, username: str = "") -> str:
    """Sign-in step of the authorization endpoint."""
    body = (
        "<h1>Sign in</h1>"
        f"<p>to continue to <strong>{_e(client.client_name)}</strong></p>"
        f"{_error(error)}"
        '<form method="post" id="login-form">'
        f"{_csrf_field(csrf)}"
        f"{_login_fields(username)}"
        '<div class="actions">'
        '<button type="submit" class="primary" id="sign-in" name="action" value="login">'
        "Sign in</button>"
        '<button type="submit" id="cancel" name="decision" value="deny" formnovalidate>'
        "Cancel</button>"
        "</div></form>"
        f"{_credentials_hint()}"
    )
    return _page("Sign in", body)


def _switch_user_form(subject: Subject, csrf: str) -> str:
    return (
        '<form method="post" id="switch-user-form" class="muted">'
        f"{_csrf_field(csrf)}"
        f"Signed in as <strong>{_e(subject.user.name)}</strong> "
        f"({_e(subject.user.username)}). "
        '<button type="submit" class="link" id="switch-user" name="action" '
        'value="switch_user">Not you?</button></form>'
    )


def consent_page(
    client: DemoClient,
    scope: str,
    subject: Subject,
    csrf: str,
    details: Sequence[Mapping[str, Any]] | None = None,
) -> str:
    """Consent step of the authorization endpoint, with the authorization details asked for
    (RFC 9396), one item each."""
    listed = ""
    if details:
        items = "".join(f'<li class="authorization-detail">{_e(describe(d))}</li>' for d in details)
        listed = f'<p>and, in detail (RFC 9396):</p><ul id="authorization-details">{items}</ul>'
    body = (
        "<h1>Allow access?</h1>"
        f"{_switch_user_form(subject, csrf)}"
        f"<p><strong>{_e(client.client_name)}</strong> "
        f"(<code>{_e(client.client_id)}</code>) would like to:</p>"
        f"{_scope_list(scope)}"
        f"{listed}"
        '<form method="post" id="consent-form">'
        f"{_csrf_field(csrf)}"
        '<div class="actions">'
        '<button type="submit" class="primary" id="approve" name="decision" value="approve">'
        "Approve</button>"
        '<button type="submit" id="deny" name="decision" value="deny">Deny</button>'
        "</div></form>"
    )
    return _page("Allow access", body)


def device_entry_page(
    csrf: str, user_code: str = "", subject: Subject | None = None, error: str | None = None
) -> str:
    """RFC 8628 §3.3: the user types (or confirms) the code shown on the device."""
    sign_in = _switch_user_form(subject, csrf) if subject else ""
    fields = "" if subject else _login_fields()
    body = (
        "<h1>Connect a device</h1>"
        f"{sign_in}"
        f"{_error(error)}"
        '<form method="post" id="device-form">'
        f"{_csrf_field(csrf)}"
        '<label for="user_code">Code shown on your device</label>'
        f'<input type="text" class="code" id="user_code" name="user_code" '
        f'value="{_e(user_code)}" autocomplete="off" autocapitalize="characters" '
        'spellcheck="false" required>'
        f"{fields}"
        '<div class="actions">'
        '<button type="submit" class="primary" id="continue" name="action" value="continue">'
        "Continue</button></div></form>"
        f"{'' if subject else _credentials_hint()}"
    )
    return _page("Connect a device", body)


def device_confirm_page(
    client: DemoClient, scope: str, user_code: str, subject: Subject, csrf: str
) -> str:
    """RFC 8628 §5.4: show what is being authorized before the user approves."""
    body = (
        "<h1>Allow this device?</h1>"
        f"{_switch_user_form(subject, csrf)}"
        f'<p>Code <span class="code" id="confirm-code">{_e(user_code)}</span></p>'
        f"<p><strong>{_e(client.client_name)}</strong> "
        f"(<code>{_e(client.client_id)}</code>) would like to:</p>"
        f"{_scope_list(scope)}"
        '<p class="muted">Only approve if you started this on a device you own and the '
        "code matches the one it shows.</p>"
        '<form method="post" id="device-confirm-form">'
        f"{_csrf_field(csrf)}"
        f'<input type="hidden" name="user_code" value="{_e(user_code)}">'
        '<div class="actions">'
        '<button type="submit" class="primary" id="approve" name="decision" value="approve">'
        "Approve</button>"
        '<button type="submit" id="deny" name="decision" value="deny">Deny</button>'
        "</div></form>"
    )
    return _page("Allow this device", body)


def device_result_page(approved: bool) -> str:
    if approved:
        body = (
            '<h1 id="result" data-result="approved" class="ok">Device connected</h1>'
            "<p>You can close this page and return to your device.</p>"
        )
    else:
        body = (
            '<h1 id="result" data-result="denied" class="denied">Request denied</h1>'
            "<p>The device was not given access. You can close this page.</p>"
        )
    return _page("Device", body)


def _ciba_item(item: CibaItem, csrf: str) -> str:
    ref, client_name, client_id, scope, message, seconds_left = item
    shown = (
        f'<p>Binding message: <strong class="code binding-message">{_e(message)}</strong></p>'
        if message
        else '<p class="muted">No binding message was sent.</p>'
    )
    return (
        f'<li class="ciba-request" data-ref="{_e(ref)}">'
        f"<p><strong>{_e(client_name)}</strong> (<code>{_e(client_id)}</code>) asks you to "
        f"sign in, {_e(seconds_left)} s left.</p>{shown}{_scope_list(scope)}"
        '<form method="post">'
        f"{_csrf_field(csrf)}"
        f'<input type="hidden" name="ref" value="{_e(ref)}">'
        '<div class="actions">'
        '<button type="submit" class="primary" name="decision" value="approve">Approve</button>'
        '<button type="submit" name="decision" value="deny">Deny</button>'
        "</div></form></li>"
    )


def ciba_page(
    csrf: str, subject: Subject | None, items: Iterable[CibaItem], error: str | None = None
) -> str:
    """OpenID CIBA: the user's authentication device. Signed in, the user sees the pending
    requests naming them, each with its client, binding message and scopes, and approves or
    denies each one (``#ciba-requests``, one ``li.ciba-request`` per request)."""
    if subject is None:
        body = (
            "<h1>Your sign-in requests</h1>"
            "<p>Sign in to see the requests that applications sent for you.</p>"
            f"{_error(error)}"
            '<form method="post" id="ciba-login-form">'
            f"{_csrf_field(csrf)}{_login_fields()}"
            '<div class="actions"><button type="submit" class="primary" id="sign-in" '
            'name="action" value="login">Sign in</button></div></form>'
            f"{_credentials_hint()}"
        )
        return _page("Sign-in requests", body)
    listed = "".join(_ciba_item(item, csrf) for item in items)
    requests = (
        f'<ul class="scopes" id="ciba-requests">{listed}</ul>'
        if listed
        else '<p id="ciba-none">No request is waiting for you. Reload when one was sent.</p>'
    )
    body = (
        "<h1>Your sign-in requests</h1>"
        f"{_switch_user_form(subject, csrf)}{_error(error)}"
        '<p class="muted">Approve only a request you started, and only when its binding '
        "message matches the one the application shows.</p>"
        f"{requests}"
    )
    return _page("Sign-in requests", body)


def ciba_result_page(approved: bool) -> str:
    if approved:
        body = (
            '<h1 id="result" data-result="approved" class="ok">Request approved</h1>'
            "<p>The application gets its tokens at its next poll.</p>"
        )
    else:
        body = (
            '<h1 id="result" data-result="denied" class="denied">Request denied</h1>'
            "<p>The application is told you denied it.</p>"
        )
    return _page("Sign-in request", body)


def logged_out_page() -> str:
    """The end-session endpoint's answer when no post-logout redirect URI was given."""
    body = (
        '<h1 id="result" data-result="logged-out" class="ok">Signed out</h1>'
        "<p>Your session with the demo server has ended: the next sign-in asks for your "
        "password again. Tokens already issued are not revoked by this.</p>"
    )
    return _page("Signed out", body)


def error_page(error: str, description: str | None, *, not_redirected: bool = True) -> str:
    """An error shown to the user: by default an authorization request error that must not
    be redirected (RFC 6749 §4.1.2.1)."""
    note = (
        '<p class="muted">The client or redirect URI could not be verified, so the '
        "error is shown here instead of being sent back to the application.</p>"
        if not_redirected
        else ""
    )
    body = (
        "<h1>Request rejected</h1>"
        f'<div class="error" id="error" role="alert"><code>{_e(error)}</code>'
        f"{': ' + _e(description) if description else ''}</div>"
        f"{note}"
    )
    return _page("Error", body)


def home_page(issuer: str, links: Iterable[tuple[str, str]]) -> str:
    items = "".join(
        f'<li>{_e(name)}: <a href="{_e(url)}">{_e(url)}</a></li>' for name, url in links
    )
    body = (
        "<h1>Demo authorization server</h1>"
        f'<p>Issuer <code id="issuer">{_e(issuer)}</code></p>'
        f'<ul class="scopes">{items}</ul>'
        f"{_credentials_hint()}"
    )
    return _page("Demo authorization server", body)
