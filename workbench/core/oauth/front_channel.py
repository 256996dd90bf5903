"""How an authorization request travels and how its response comes back: pushed first
(PAR, RFC 9126) or in the URL, answered in the query, the fragment or a form POST, plain or
as a signed JWT (JARM). :class:`~workbench.core.session.OAuthSession` runs these around the
authorization code and implicit flows.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass

from workbench.core.display import require_web_url
from workbench.core.errors import ConfigError
from workbench.core.keys import SigningKey
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.discovery import ServerMetadata
from workbench.core.oauth.jarm import (
    JARM_MODES,
    ListenerMode,
    check_jarm_supported,
    listener_mode,
    verify_jarm_response,
)
from workbench.core.oauth.rfc6749_code import AuthorizationRequest, build_authorization_request
from workbench.core.oauth.rfc6749_implicit import choose_implicit_response_type
from workbench.core.oauth.rfc9101_jar import (
    authorize_url,
    check_request_object_alg,
    request_object_params,
    sign_request_object,
)
from workbench.core.oauth.rfc9126_par import (
    build_par_request,
    par_authorize_url,
    par_endpoint,
    par_wanted,
    parse_par_response,
)
from workbench.core.tokens.jwks import JwksCache
from workbench.core.transport.exchange import ExchangeLog
from workbench.core.transport.http import HttpClient
from workbench.core.transport.masking import mask_value

__all__ = [
    "AuthorizeOptions",
    "FrontChannel",
    "authorization_request",
    "plan_front_channel",
    "push",
    "secure",
    "unwrap_response",
]


@dataclass(frozen=True)
class AuthorizeOptions:
    """What a face asks of the authorization request beyond its parameters."""

    #: Push the request first (RFC 9126); the server may require it regardless.
    par: bool = False
    #: ``response_mode`` (``jwt``, ``query.jwt``, ``fragment.jwt``, ``form_post.jwt`` ask for
    #: JARM); None: the response type's default.
    response_mode: str | None = None
    #: Sign the parameters as a request object (RFC 9101) with this key (its ``alg``).
    request_object_key: SigningKey | None = None


@dataclass(frozen=True)
class FrontChannel:
    """The checked plan: where the listener reads the response, and whether to push."""

    listener_mode: ListenerMode
    push: bool
    jarm: bool


def plan_front_channel(
    meta: ServerMetadata, response_type: str, options: AuthorizeOptions
) -> FrontChannel:
    """Preflight the options against the server's metadata (ConfigError before any listener
    or browser starts) and say how the request goes out and comes back."""
    if response_type != "code":
        choose_implicit_response_type(meta.response_types_supported, response_type)
    mode = options.response_mode
    if mode is not None:
        check_jarm_supported(meta, mode)
    if options.request_object_key is not None:
        check_request_object_alg(meta, options.request_object_key)
    return FrontChannel(
        listener_mode(mode, response_type), par_wanted(meta, options.par), mode in JARM_MODES
    )


def authorization_request(
    meta: ServerMetadata,
    client_id: str,
    redirect_uri: str,
    scope: str,
    response_type: str,
    extra: Mapping[str, str],
    state: str,
    options: AuthorizeOptions,
    *,
    dpop_jkt: str | None = None,
) -> AuthorizationRequest:
    """The authorization request (RFC 6749 §4.1.1 / §4.2.1), its parameters signed into a
    request object when ``options`` asks for one. A response type with ``id_token`` asks
    for the ``openid`` scope it needs (OIDC Core §3.2.2.1). ``dpop_jkt`` (RFC 9449 §10) is
    one of the parameters, so it is signed and pushed with the others."""
    endpoint = require_web_url(meta.require("authorization_endpoint"), "authorization endpoint")
    parts = response_type.split()
    needs_openid = "id_token" in parts or ("code" in parts and len(parts) > 1)  # hybrid
    if needs_openid and "openid" not in scope.split():
        scope = " ".join(["openid", *scope.split()])
    request = build_authorization_request(
        endpoint,
        client_id,
        redirect_uri,
        scope,
        response_type=response_type,
        issuer=meta.issuer or None,
        iss_required=meta.authorization_response_iss_parameter_supported,
        extra=extra,
        state=state,
        response_mode=options.response_mode,
        dpop_jkt=dpop_jkt,
    )
    if options.request_object_key is not None:
        request = secure(request, options.request_object_key, meta, client_id)
    return request


def secure(
    request: AuthorizationRequest, key: SigningKey, meta: ServerMetadata, client_id: str
) -> AuthorizationRequest:
    """RFC 9101: the request's parameters signed into a request object; the URL (and what a
    push sends) carries ``request`` and ``client_id``, ``response_type``, ``scope``."""
    if not meta.issuer:
        raise ConfigError("A request object names the issuer as its audience, and none is known.")
    signed = sign_request_object(request.params, key, client_id=client_id, issuer=meta.issuer)
    params = request_object_params(request.params, signed)
    url = authorize_url(meta.require("authorization_endpoint"), params)
    return dataclasses.replace(request, url=url, params=params, request_object=signed)


def push(
    http: HttpClient, meta: ServerMetadata, client: ClientConfig, request: AuthorizationRequest
) -> AuthorizationRequest:
    """RFC 9126: push the request's parameters; the returned request's URL carries only
    ``client_id`` and the ``request_uri`` the server gave."""
    endpoint = par_endpoint(meta)
    if endpoint is None:  # plan_front_channel refused this already
        raise ConfigError("This server advertises no pushed_authorization_request_endpoint.")
    answer = http.send(build_par_request(endpoint, client, request.params))
    pushed = parse_par_response(answer, endpoint)
    authorize = meta.require("authorization_endpoint")
    url = par_authorize_url(authorize, client.client_id, pushed.request_uri)
    return dataclasses.replace(request, url=url, pushed=pushed)


def unwrap_response(
    params: Mapping[str, str],
    request: AuthorizationRequest,
    meta: ServerMetadata,
    jwks: JwksCache,
    client: ClientConfig,
    log: ExchangeLog,
) -> Mapping[str, str]:
    """The authorization response's parameters: as they came, or, for a JARM response mode,
    those of its verified ``response`` JWT (FlowError when a check fails). The decoded JWT
    is recorded as a step of the flow, its code masked."""
    if request.response_mode not in JARM_MODES:
        return params
    jarm = verify_jarm_response(params, meta=meta, jwks=jwks, client_id=client.client_id)
    checks = "; ".join(f"{f.check}: {f.reason}" for f in jarm.findings)
    log.step(
        "jarm_verified",
        "JARM response verified (signature, iss, aud, exp) before its code is used",
        source="client",
        target="client",
        claims=json.dumps(
            mask_value(dict(jarm.claims), log.secrets()), indent=2, ensure_ascii=False
        ),
        checks=checks,
    )
    return jarm.params
