"""The Flask application of the demo server: routes, sign-in session, pages.

Routes come from :attr:`DemoConfig.endpoint_paths`. The sign-in state is Flask's signed
session cookie (a random secret per run, ``SameSite=Lax`` so a cross-site form cannot
approve anything); a ``requests.Session`` and a browser both keep it.

Driving the pages over HTTP (what a test does):

* authorization endpoint: ``GET <authorize URL>`` shows the sign-in page; ``POST`` the same
  URL with ``username`` and ``password`` shows the consent page; ``POST`` it with
  ``decision=approve`` (or ``deny``) answers with the 302 redirect to the client. The three
  steps can be collapsed: one ``POST`` with ``username``, ``password`` and ``decision``.
* device verification: ``POST <verification_uri>`` with ``user_code``, ``username``,
  ``password`` and ``decision=approve`` (or ``deny``); without ``decision`` the confirmation
  page is shown first.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Mapping
from typing import Any

from authlib.oauth2.rfc6749 import OAuth2Error
from flask import Flask, Response, jsonify, request, session

from . import pages
from .accounts import CLIENTS, USERS, Subject
from .config import DemoConfig
from .oauth import DemoAuthority, add_issuer_parameter, create_authorization_server
from .store import DeviceDecision, DeviceStatus, normalize_user_code

__all__ = ["authority_of", "create_app"]

_EXTENSION_KEY = "workbench_demo"
_HTML_HEADERS: Mapping[str, str] = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'",
}


def authority_of(app: Flask) -> DemoAuthority:
    """The :class:`DemoAuthority` (keys, state, URLs) of an app made by :func:`create_app`."""
    authority = app.extensions[_EXTENSION_KEY]
    assert isinstance(authority, DemoAuthority)
    return authority


def _html(body: str, status: int = 200) -> Response:
    return Response(body, status=status, headers=dict(_HTML_HEADERS))


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
    session.clear()
    session["username"] = user.username
    session["auth_time"] = subject.auth_time
    return subject


def create_app(
    config: DemoConfig, issuer: str, *, stopping: threading.Event | None = None
) -> Flask:
    """Build the Flask app for a server reachable at ``issuer``.

    ``stopping``, when given, interrupts the ``token_delay`` sleep once set (so a server
    can shut down without waiting for slow requests).
    """
    authority = DemoAuthority(config, issuer)
    stop_event = stopping or threading.Event()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),
        SESSION_COOKIE_NAME=f"workbench_demo_{_cookie_suffix(issuer)}",
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
    )
    app.extensions[_EXTENSION_KEY] = authority
    server = create_authorization_server(app, authority)
    store = authority.store
    paths = authority.paths

    def metadata() -> Response:
        return jsonify(authority.metadata())

    def jwks() -> Response:
        return jsonify(authority.public_jwks())

    def home() -> Response:
        links = [(name, authority.url(name)) for name in paths if name != "home"]
        return _html(pages.home_page(authority.issuer, links))

    def authorization_error(error: OAuth2Error) -> Response:
        if error.redirect_uri:  # the redirect URI was verified: tell the client
            response: Response = server.handle_error_response(None, error)
            add_issuer_parameter(response, authority.issuer)
            return response
        return _html(pages.error_page(error.error, error.get_error_description()), 400)

    def authorize() -> Response:
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

        if decision == "deny":
            denied: Response = server.create_authorization_response(grant_user=None, grant=grant)
            return denied
        # OIDC Core §3.1.2.1: prompt=login asks for a new sign-in even with a session.
        if subject is None or (grant.prompt == "login" and not fresh_login):
            return _html(
                pages.login_page(client, login_error, form.get("username", "")),
                400 if login_error else 200,
            )
        if decision == "approve" or grant.request.payload.data.get("prompt") == "none":
            approved: Response = server.create_authorization_response(
                grant_user=subject, grant=grant
            )
            return approved
        return _html(pages.consent_page(client, grant.request.scope or "", subject))

    def token() -> Response:
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
            return _html(pages.device_entry_page(user_code, subject))
        if form.get("action") == "switch_user":
            session.clear()
            return _html(pages.device_entry_page(user_code, None))

        def again(message: str) -> Response:
            return _html(pages.device_entry_page(user_code, subject, message), 400)

        if "username" in form:
            subject = _sign_in(form)
            if subject is None:
                return again("Wrong username or password.")
        grant = store.find_device_grant_by_user_code(user_code) if user_code else None
        if grant is None:
            return again("Unknown code. Check the code shown on your device.")
        if grant.is_expired():
            return again("This code has expired. Start again on your device.")
        if grant.status is not DeviceStatus.PENDING:
            return again("This code was already used.")
        if subject is None:
            return again("Sign in to continue.")

        decision = form.get("decision")
        if decision in ("approve", "deny"):
            outcome = store.decide_device_grant(user_code, subject, decision == "approve")
            if outcome is not DeviceDecision.RECORDED:
                return again(f"The code could not be used ({outcome.value}).")
            return _html(pages.device_result_page(decision == "approve"))
        client = CLIENTS[grant.client_id]
        return _html(pages.device_confirm_page(client, grant.scope, grant.user_code, subject))

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
    ]
    for name, view, methods in routes:
        app.add_url_rule(paths[name], endpoint=name, view_func=view, methods=methods)
    return app


def _cookie_suffix(issuer: str) -> str:
    """A cookie-name-safe tag for ``issuer``: cookies ignore the port, so two demo servers
    on one host would otherwise overwrite each other's session."""
    return "".join(c if c.isalnum() else "_" for c in issuer.split("://", 1)[-1])
