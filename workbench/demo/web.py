"""The Flask application of the demo server: routes, sign-in session, pages.

Routes come from :attr:`DemoConfig.endpoint_paths`. The sign-in state is Flask's signed
session cookie (a random secret per run, ``HttpOnly``, ``SameSite=Lax``). ``SameSite`` alone
does not stop a page on another port of the same host (cookies ignore ports, and such a
page is same-site), so every form also carries a per-session anti-CSRF token that a POST
must echo (compared in constant time) and a POST whose ``Origin`` is another origin is
refused: both answer 403 and change nothing.

Driving the pages over HTTP (what a test does; :mod:`tests.demo_driver` does it):

* authorization endpoint: ``GET <authorize URL>`` shows the sign-in page; ``POST`` the same
  URL with ``csrf_token`` (from the page), ``username`` and ``password`` shows the consent
  page; ``POST`` it with ``csrf_token`` and ``decision=approve`` (or ``deny``) answers with
  the 302 redirect to the client. The steps can be collapsed: one ``POST`` with
  ``csrf_token``, ``username``, ``password`` and ``decision``.
* device verification: ``GET <verification_uri>`` for the token, then ``POST`` it with
  ``csrf_token``, ``user_code``, ``username``, ``password`` and ``decision=approve`` (or
  ``deny``); without ``decision`` the confirmation page is shown first. A user code is only
  looked at once the visitor is signed in, and wrong codes are rate limited (RFC 8628 §5.1).

Hardening of every request: the ``Host`` header must name this server (a loopback alias or
the issuer's host, on the issuer's port), request bodies are capped
(:attr:`DemoConfig.max_request_body`, HTTP 413), OAuth parameters must follow their
RFC 6749 Appendix A syntax (:mod:`workbench.demo.syntax`), and an unexpected exception is
a generic JSON ``server_error`` without details.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749 import InvalidRequestError, OAuth2Error
from authlib.oidc.core.errors import ConsentRequiredError, LoginRequiredError
from flask import Flask, Response, g, jsonify, request, session
from werkzeug.exceptions import HTTPException

from . import pages
from .accounts import LOOPBACK_HOSTS, USERS, Subject
from .api import api_urls, register_demo_apis
from .authority import DemoAuthority
from .ciba import client_name
from .config import DemoConfig
from .dpop import check_token_request_proof
from .jarm import jarm_response
from .logout import LogoutRefused, check_end_session
from .mtls import DemoMtls
from .oauth import add_issuer_parameter, create_authorization_server, server_metadata
from .par import par_endpoint, use_up_request_uri
from .rar import InvalidAuthorizationDetailsError, parse_details, remember_details
from .registration import register_registration
from .store import AttemptThrottle, DeviceDecision, DeviceStatus, normalize_user_code
from .syntax import bad_parameter

__all__ = ["authority_of", "create_app"]

_log = logging.getLogger(__name__)

_EXTENSION_KEY = "workbench_demo"
_HTML_HEADERS: Mapping[str, str] = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    # Not no-referrer: with it a browser sends "Origin: null" on our own form posts, and
    # the Origin check below could not tell them from a sandboxed attacker's.
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'",
}
#: Endpoints a person sees in a browser: their errors are HTML pages, not JSON.
_HTML_ENDPOINTS: Final = frozenset(
    {"home", "authorize", "device_verification", "end_session", "ciba_approval"}
)
#: Endpoints whose parameters are OAuth protocol parameters (checked by syntax).
_PROTOCOL_ENDPOINTS: Final = frozenset(
    {
        "authorize",
        "token",
        "device_authorization",
        "revocation",
        "introspection",
        "userinfo",
        "backchannel_authentication",
    }
)  # and par, which checks its form itself
#: What the authorization endpoint checks: the login form's username/password are not
#: protocol parameters there.
_AUTHORIZE_PARAMETERS: Final = frozenset(
    {
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
        "response_mode",
        "prompt",
        "nonce",
        "dpop_jkt",
        "request_uri",
        "authorization_details",
    }
)
_CSRF_FIELD: Final = "csrf_token"
_CSRF_KEY: Final = "csrf"


def authority_of(app: Flask) -> DemoAuthority:
    """The :class:`DemoAuthority` (keys, state, URLs) of an app made by :func:`create_app`."""
    authority = app.extensions[_EXTENSION_KEY]
    assert isinstance(authority, DemoAuthority)
    return authority


def _html(body: str, status: int = 200) -> Response:
    return Response(body, status=status, headers=dict(_HTML_HEADERS))


def _json_error(status: int, error: str, description: str) -> Response:
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _current_subject() -> Subject | None:
    user = USERS.get(str(session.get("username", "")))
    auth_time = session.get("auth_time")
    if user is None or not isinstance(auth_time, int):
        return None
    return Subject(user, auth_time)


def _sign_in(form: Mapping[str, str]) -> Subject | None:
    user = USERS.get(form.get("username", "").strip())
    if user is None or not user.check_password(form.get("password", "")):
        return None
    subject = Subject(user, int(time.time()))
    session.clear()  # a new session (and a new anti-CSRF token) on every sign-in
    session["username"] = user.username
    session["auth_time"] = subject.auth_time
    return subject


def _csrf_token() -> str:
    """This browser session's anti-CSRF token, made on first use."""
    token = session.get(_CSRF_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[_CSRF_KEY] = token
    return token


def _csrf_ok() -> bool:
    """True when the POSTed form echoes this session's anti-CSRF token."""
    expected = session.get(_CSRF_KEY)
    sent = request.form.get(_CSRF_FIELD, "")
    if not isinstance(expected, str) or not expected:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())


def _allowed_hosts(issuer: str) -> frozenset[str]:
    """``Host`` header values this server answers to: the issuer's host and the loopback
    aliases, on the issuer's port. Anything else (a DNS rebinding attack's name, a typo)
    is refused before any handler runs."""
    parts = urlsplit(issuer)
    port = parts.port or 80
    names = {parts.hostname or "", *LOOPBACK_HOSTS}
    hosts = {f"[{n}]:{port}" if ":" in n else f"{n}:{port}" for n in names if n}
    if port == 80:
        hosts |= {f"[{n}]" if ":" in n else n for n in names if n}
    return frozenset(h.lower() for h in hosts)


def create_app(
    config: DemoConfig,
    issuer: str,
    *,
    stopping: threading.Event | None = None,
    mtls: DemoMtls | None = None,
) -> Flask:
    """Build the Flask app for a server reachable at ``issuer``.

    ``stopping``, when given, interrupts the ``token_delay`` sleep once set (so a server
    can shut down without waiting for slow requests).
    """
    authority = DemoAuthority(config, issuer, mtls)
    stop_event = stopping or threading.Event()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),
        SESSION_COOKIE_NAME=f"workbench_demo_{_cookie_suffix(issuer)}",
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        MAX_CONTENT_LENGTH=config.max_request_body,
        MAX_FORM_MEMORY_SIZE=config.max_request_body,
    )
    app.extensions[_EXTENSION_KEY] = authority
    server = create_authorization_server(app, authority)
    store = authority.store
    paths = authority.paths
    allowed_hosts = _allowed_hosts(authority.issuer)
    if mtls is not None:
        allowed_hosts |= _allowed_hosts(mtls.base_url)
    api_resources = tuple(api_urls(authority.issuer).values())
    allowed_origins = frozenset("http://" + host for host in allowed_hosts)
    user_code_throttle = AttemptThrottle(
        config.user_code_max_failures,
        config.user_code_max_failures_total,
        config.user_code_failure_window,
    )

    # -- errors -------------------------------------------------------------------------
    def error_response(status: int, error: str, description: str) -> Response:
        if request.endpoint in _HTML_ENDPOINTS:
            page = pages.error_page(error, description, not_redirected=False)
            return _html(page, status)
        return _json_error(status, error, description)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        code = "invalid_request" if status < 500 else "server_error"
        if status == 404:
            code = "not_found"
        response = error_response(status, code, error.description or error.name)
        for name, value in error.get_headers():
            if name in ("Allow", "Retry-After"):  # 405 and 429 carry them
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Response:
        # A bug: log it here, tell the client nothing about it (no traceback, no text).
        _log.error("unexpected error on %s %s", request.method, request.path, exc_info=error)
        return _json_error(500, "server_error", "The server hit an unexpected error.")

    @app.before_request
    def check_request() -> Response | None:
        host = request.environ.get("HTTP_HOST", "").lower()
        if host not in allowed_hosts:
            return error_response(
                400, "invalid_request", f"Unknown Host header; this server is {authority.issuer}."
            )
        if request.endpoint not in _PROTOCOL_ENDPOINTS:
            return None
        names = _AUTHORIZE_PARAMETERS if request.endpoint == "authorize" else None
        bad = bad_parameter(request.values.to_dict(), names)
        if bad is None:
            return None
        description = f"The {bad} parameter is malformed (RFC 6749 Appendix A)."
        if request.endpoint == "authorize":
            return malformed_authorization_request(bad, description)
        return _json_error(400, "invalid_request", description)

    def malformed_authorization_request(bad: str, description: str) -> Response:
        """RFC 6749 §4.1.2.1: redirect the error only to a verified redirect URI."""
        args = request.values
        client = store.client(args.get("client_id", "")) if bad != "client_id" else None
        redirect_uri = args.get("redirect_uri", "") if bad != "redirect_uri" else ""
        if client is None or not redirect_uri or not client.check_redirect_uri(redirect_uri):
            return _html(pages.error_page("invalid_request", description), 400)
        fragment = bad != "response_type" and "token" in args.get("response_type", "").split()
        error = InvalidRequestError(
            description,
            redirect_uri=redirect_uri,
            redirect_fragment=fragment,
            state=args.get("state") if bad != "state" else None,
        )
        return authorization_error(error)

    def forbidden() -> Response:
        return _html(
            pages.error_page(
                "access_denied",
                "This form did not come from this page (missing or wrong anti-CSRF token, "
                "or another origin). Reload the page and try again.",
                not_redirected=False,
            ),
            403,
        )

    def post_allowed() -> bool:
        """A POST to a page: the session's anti-CSRF token, and no foreign Origin."""
        origin = request.headers.get("Origin")
        if origin is not None and origin.lower() not in allowed_origins:
            return False
        return _csrf_ok()

    # -- routes -------------------------------------------------------------------------
    def metadata() -> Response:
        return jsonify(server_metadata(authority))

    def jwks() -> Response:
        return jsonify(authority.public_jwks())

    def home() -> Response:
        links = [(name, authority.url(name)) for name in paths if name != "home"]
        return _html(pages.home_page(authority.issuer, links))

    def authorization_error(error: OAuth2Error) -> Response:
        if error.redirect_uri:  # the redirect URI was verified: tell the client
            response: Response = server.handle_error_response(None, error)
            add_issuer_parameter(response, authority.issuer)
            return jarm_response(response, authority, g.get("authorization_params", {}))
        return _html(pages.error_page(error.error, error.get_error_description()), 400)

    def respond(grant: Any, subject: Subject | None) -> Response:
        """The authorization response (``subject`` None: denied); it uses up a pushed
        request's request_uri, and is a JARM one when the request asked for it."""
        response: Response = server.create_authorization_response(grant_user=subject, grant=grant)
        use_up_request_uri(authority)
        return jarm_response(response, authority, grant.request.payload.data)

    def silent_authorization(grant: Any, subject: Subject | None, scope: str) -> Response:
        """``prompt=none`` (OIDC Core §3.1.2.1, §3.1.2.6): no page is shown; a code only
        for a signed-in user who already approved every requested scope for this client."""
        prompts = str(grant.request.payload.data.get("prompt", "")).split()
        error: OAuth2Error
        if prompts != ["none"]:
            error = InvalidRequestError("prompt=none cannot be combined with other values.")
        elif subject is None:
            error = LoginRequiredError()
        elif not store.has_consent(subject.user.subject, grant.request.client.client_id, scope):
            error = ConsentRequiredError()
        else:
            return respond(grant, subject)
        error.redirect_uri = grant.redirect_uri
        error.redirect_fragment = bool(getattr(grant, "ERROR_RESPONSE_FRAGMENT", False))
        error.state = grant.request.payload.state
        return authorization_error(error)

    def authorize() -> Response:
        if request.method == "POST" and not post_allowed():
            return forbidden()
        form: Mapping[str, str] = request.form if request.method == "POST" else {}
        subject = _current_subject()
        login_error: str | None = None
        fresh_login = False
        if form.get("action") == "switch_user":
            session.clear()
            subject = None
        elif "username" in form:
            subject = _sign_in(form)
            fresh_login = subject is not None
            if subject is None:
                login_error = "Wrong username or password."
        decision = form.get("decision")

        try:
            grant = server.get_consent_grant(end_user=subject)
        except OAuth2Error as error:
            return authorization_error(error)
        client = grant.request.client
        scope = grant.request.scope or ""
        try:  # RFC 9396: checked before any page; refused to the verified redirect URI
            details = parse_details(grant.request.payload.data.get("authorization_details"))
        except InvalidAuthorizationDetailsError as error:
            error.redirect_uri = grant.redirect_uri
            error.redirect_fragment = bool(getattr(grant, "ERROR_RESPONSE_FRAGMENT", False))
            error.state = grant.request.payload.state
            return authorization_error(error)
        remember_details(details)

        if "none" in str(grant.request.payload.data.get("prompt", "")).split():
            return silent_authorization(grant, subject, scope)
        if decision == "deny":
            return respond(grant, None)
        # OIDC Core §3.1.2.1: prompt=login asks for a new sign-in even with a session.
        if subject is None or (grant.prompt == "login" and not fresh_login):
            return _html(
                pages.login_page(client, _csrf_token(), login_error, form.get("username", "")),
                400 if login_error else 200,
            )
        if decision == "approve":
            store.record_consent(subject.user.subject, client.client_id, scope)
            return respond(grant, subject)
        return _html(pages.consent_page(client, scope, subject, _csrf_token(), details))

    def token() -> Response:
        unknown = [r for r in request.form.getlist("resource") if r not in api_resources]
        if unknown:  # RFC 8707 §2: a resource this server issues no tokens for
            return _json_error(
                400,
                "invalid_target",
                f"This server issues tokens for its demo APIs only ({', '.join(api_resources)}), "
                f"not for {unknown[0][:200]}.",
            )
        refused = check_token_request_proof(authority)
        if refused is not None:
            return refused
        if config.token_delay > 0:
            stop_event.wait(config.token_delay)
        with store.lock:  # one token request at a time: rotation and code use are atomic
            response: Response = server.create_token_response()
        return response

    def endpoint(name: str) -> Response:
        with store.lock:
            response: Response = server.create_endpoint_response(name)
        return response

    def device_verification() -> Response:
        form: Mapping[str, str] = request.form if request.method == "POST" else {}
        user_code = normalize_user_code(form.get("user_code") or request.args.get("user_code", ""))
        subject = _current_subject()
        if request.method == "GET":
            return _html(pages.device_entry_page(_csrf_token(), user_code, subject))
        if not post_allowed():
            return forbidden()
        if form.get("action") == "switch_user":
            session.clear()
            return _html(pages.device_entry_page(_csrf_token(), user_code, None))

        def again(message: str, status: int = 400) -> Response:
            page = pages.device_entry_page(_csrf_token(), user_code, subject, message)
            return _html(page, status)

        # Sign-in first: before it, every code (valid or not) gets the same answer, so an
        # anonymous visitor learns nothing about which codes exist.
        if "username" in form:
            subject = _sign_in(form)
            if subject is None:
                return again("Wrong username or password.")
        if subject is None:
            return again("Sign in to continue.")

        # RFC 8628 §5.1: user codes are short; wrong ones are counted per browser session,
        # per user and in total, and past the limit no code is even looked at.
        keys = ("session:" + _session_id(), "user:" + subject.user.username)
        if user_code_throttle.blocked(*keys):
            return again("Too many attempts with wrong codes. Wait a few minutes.", 429)
        grant = store.find_device_grant_by_user_code(user_code) if user_code else None
        problem: str | None = None
        if grant is None:
            problem = "Unknown code. Check the code shown on your device."
        elif grant.is_expired():
            problem = "This code has expired. Start again on your device."
        elif grant.status is not DeviceStatus.PENDING:
            problem = "This code was already used."
        if problem is not None or grant is None:
            user_code_throttle.fail(*keys)
            return again(problem or "Unknown code.")

        decision = form.get("decision")
        if decision in ("approve", "deny"):
            outcome = store.decide_device_grant(user_code, subject, decision == "approve")
            if outcome is not DeviceDecision.RECORDED:
                return again(f"The code could not be used ({outcome.value}).")
            return _html(pages.device_result_page(decision == "approve"))
        client = store.client(grant.client_id)
        if client is None:  # deleted (RFC 7592) since the device flow began
            return again("The device's client is no longer registered.")
        return _html(
            pages.device_confirm_page(client, grant.scope, grant.user_code, subject, _csrf_token())
        )

    def ciba_approval() -> Response:
        """OpenID CIBA: the demo user's authentication device (:func:`pages.ciba_page`)."""
        form: Mapping[str, str] = request.form if request.method == "POST" else {}
        subject = _current_subject()
        error: str | None = None
        if request.method == "POST":
            if not post_allowed():
                return forbidden()
            if form.get("action") == "switch_user":
                session.clear()
                subject = None
            elif "username" in form:
                subject = _sign_in(form)
                error = None if subject else "Wrong username or password."
            elif subject is not None and form.get("decision") in ("approve", "deny"):
                approved = form.get("decision") == "approve"
                outcome = authority.ciba.decide(form.get("ref", ""), subject, approved)
                if outcome == "recorded":
                    return _html(pages.ciba_result_page(approved))
                error = f"The request could not be decided ({outcome.replace('_', ' ')})."
        items = [
            (
                r.ref,
                client_name(r.client_id),
                r.client_id,
                r.scope,
                r.binding_message,
                r.seconds_left(),
            )
            for r in (authority.ciba.pending_for(subject.user.username) if subject else [])
        ]
        page = pages.ciba_page(_csrf_token(), subject, items, error)
        return _html(page, 400 if error else 200)

    def end_session() -> Response:
        """RP-Initiated Logout 1.0 (:mod:`workbench.demo.logout`): refusals are pages."""
        try:
            target = check_end_session(authority, request.values.to_dict())
        except LogoutRefused as refused:
            return _html(pages.error_page("invalid_request", str(refused)), 400)
        session.clear()  # the browser session ends: the next authorize asks for the password
        if target.redirect is None:
            return _html(pages.logged_out_page())
        response = Response(status=302, headers={"Location": target.redirect})
        response.headers["Cache-Control"] = "no-store"
        return response

    routes: list[tuple[str, Any, list[str]]] = [
        ("home", home, ["GET"]),
        ("openid_configuration", metadata, ["GET"]),
        ("oauth_authorization_server", metadata, ["GET"]),
        ("jwks", jwks, ["GET"]),
        ("authorize", authorize, ["GET", "POST"]),
        ("token", token, ["POST"]),
        ("device_authorization", lambda: endpoint("device_authorization"), ["POST"]),
        ("device_verification", device_verification, ["GET", "POST"]),
        ("revocation", lambda: endpoint("revocation"), ["POST"]),
        ("introspection", lambda: endpoint("introspection"), ["POST"]),
        ("userinfo", lambda: endpoint("userinfo"), ["GET", "POST"]),
        ("end_session", end_session, ["GET", "POST"]),
        ("par", lambda: par_endpoint(server, authority), ["POST"]),
        ("backchannel_authentication", lambda: endpoint("backchannel_authentication"), ["POST"]),
        ("ciba_approval", ciba_approval, ["GET", "POST"]),
    ]
    for name, view, methods in routes:
        app.add_url_rule(paths[name], endpoint=name, view_func=view, methods=methods)
    register_demo_apis(app, authority)
    register_registration(app, server, authority)
    return app


def _session_id() -> str:
    """A random id for this browser session (the throttle's per-session key)."""
    sid = session.get("sid")
    if not isinstance(sid, str) or not sid:
        sid = secrets.token_urlsafe(16)
        session["sid"] = sid
    return sid


def _cookie_suffix(issuer: str) -> str:
    """A cookie-name-safe tag for ``issuer``: cookies ignore the port, so two demo servers
    on one host would otherwise overwrite each other's session."""
    return "".join(c if c.isalnum() else "_" for c in issuer.split("://", 1)[-1])
