"""Pushed authorization requests (RFC 9126) for the demo server, on Authlib's primitives
(Authlib has no PAR endpoint).

* ``POST /par``: the client authenticates as at the token endpoint; the form is checked like
  an authorization request (syntax, a known client, its redirect URI, no ``request_uri``);
  the answer is 201 with a ``urn:ietf:params:oauth:request_uri:…`` and its ``expires_in``
  (:attr:`DemoConfig.par_ttl`).
* The authorization endpoint takes ``client_id`` + ``request_uri`` in place of the
  parameters: one hook before Authlib picks the grant swaps the stored parameters in. A
  request_uri is single-use (RFC 9126 section 7.3): the authorization response that answers it
  (approved or denied) uses it up; the sign-in pages before it may show it again. A reused,
  expired, unknown or another client's request_uri gets an error page, never a redirect.
* With :attr:`DemoConfig.require_par` the server says ``require_pushed_authorization_requests``
  and refuses an authorization request that was not pushed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from authlib.oauth2.rfc6749 import InvalidRequestError, OAuth2Error, OAuth2Request
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc9101.errors import InvalidRequestUriError
from flask import Response, g, jsonify
from flask import request as flask_request

from .accounts import DemoClient
from .authority import ENDPOINT_AUTH_METHODS, DemoAuthority
from .pushed import REQUEST_URI_PREFIX
from .syntax import bad_parameter

#: What the authorization response needs to know of the request (JARM): kept in ``g``.
_RESPONSE = frozenset({"client_id", "response_type", "response_mode"})
#: What the client authenticated with: never stored with the pushed parameters.
_CLIENT_CREDENTIALS = frozenset({"client_secret", "client_assertion", "client_assertion_type"})

__all__ = ["par_endpoint", "resolve_authorization_request", "use_up_request_uri"]


def resolve_authorization_request(
    authority: DemoAuthority, server: Any, request: OAuth2Request
) -> None:
    """Before Authlib reads the authorization request: swap a pushed request's parameters
    in for ``client_id`` + ``request_uri`` (refusing a request not pushed when PAR is
    required), then a signed request object's claims for ``request`` (RFC 9101). The
    request_uri is kept in ``g`` for :func:`use_up_request_uri`."""
    data = request.payload.data
    uri = data.get("request_uri")
    if uri is not None:
        _swap_pushed(authority, request, str(uri))
    elif authority.config.require_par:
        raise InvalidRequestError(
            "This server requires pushed authorization requests (RFC 9126): push the"
            " parameters first and send only client_id and request_uri."
        )
    server.request_objects.resolve(server, request)
    g.authorization_params = {k: v for k, v in request.payload.data.items() if k in _RESPONSE}


def _swap_pushed(authority: DemoAuthority, request: OAuth2Request, uri: str) -> None:
    data = request.payload.data
    if not uri.startswith(REQUEST_URI_PREFIX):
        raise InvalidRequestUriError("Only request_uri values this server gave out are taken.")
    extra = set(data) - {"client_id", "request_uri"}
    if extra - {"username", "password", "decision", "action", "csrf_token"}:
        raise InvalidRequestError(
            "With a request_uri only client_id may be sent beside it (RFC 9126 section 4)."
        )
    params = authority.pushed.resolve(uri, str(data.get("client_id", "")))
    request.payload = BasicOAuth2Payload(params)
    g.pushed_request_uri = uri


def use_up_request_uri(authority: DemoAuthority) -> None:
    """The authorization response was made: its request_uri answers nothing more."""
    uri = g.get("pushed_request_uri")
    if uri:
        authority.pushed.use_up(uri)


def par_endpoint(server: Any, authority: DemoAuthority) -> Response:
    """RFC 9126 §2: authenticate the client, check the parameters, store them."""
    form = flask_request.form.to_dict()
    bad = bad_parameter(form)
    try:
        if bad is not None:
            raise InvalidRequestError(f"The {bad} parameter is malformed (RFC 6749 Appendix A).")
        oauth_request = server.create_oauth2_request(flask_request)
        client = server.authenticate_client(oauth_request, ENDPOINT_AUTH_METHODS, "par")
        if "request_uri" in form:
            raise InvalidRequestError(
                "A pushed request must not carry a request_uri (RFC 9126 section 2.1)."
            )
        # A request object is verified now (RFC 9126 section 3); its claims are stored.
        server.request_objects.resolve(server, oauth_request)
        kept = {
            k: v
            for k, v in oauth_request.payload.data.items()
            if isinstance(v, str) and k not in _CLIENT_CREDENTIALS
        }
        _check_pushed(kept, client)
    except OAuth2Error as error:
        refused: Response = server.handle_response(*error())
        return refused
    uri = authority.pushed.add(client.client_id, kept, authority.config.par_ttl)
    answer = jsonify({"request_uri": uri, "expires_in": authority.config.par_ttl})
    answer.status_code = 201
    answer.headers["Cache-Control"] = "no-store"
    return answer


def _check_pushed(form: Mapping[str, str], client: DemoClient) -> None:
    client_id = client.client_id
    if "request_uri" in form:
        raise InvalidRequestError(
            "A pushed request must not carry a request_uri (RFC 9126 section 2.1)."
        )
    if form.get("client_id", client_id) != client_id:
        raise InvalidRequestError("The client_id is not the authenticated client's.")
    if not form.get("response_type"):
        raise InvalidRequestError("The pushed request has no response_type.")
    redirect_uri = form.get("redirect_uri")
    if redirect_uri and not client.check_redirect_uri(redirect_uri):
        raise InvalidRequestError("The redirect_uri is not registered for this client.")
