"""Authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636, RFC 9207, OIDC Core §3.1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from workbench.core.errors import FlowError, OAuthError
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.pkce import Pkce, random_token
from workbench.core.oauth.rfc9126_par import PushedRequest
from workbench.core.oauth.token_endpoint import build_token_request
from workbench.core.transport.exchange import HttpRequest


@dataclass(frozen=True)
class AuthorizationRequest:
    """Everything sent to the authorize endpoint and needed to check what comes back."""

    url: str
    redirect_uri: str
    state: str
    response_type: str
    nonce: str | None = None
    pkce: Pkce | None = None
    expected_issuer: str | None = None
    iss_required: bool = False
    #: The authorization parameters (in ``url``, or pushed first: then ``url`` has only
    #: ``client_id`` and ``request_uri``).
    params: Mapping[str, str] = field(default_factory=dict)
    #: The ``response_mode`` asked for (None: the response type's default).
    response_mode: str | None = None
    #: The server's answer to the pushed request (RFC 9126), when it was pushed.
    pushed: PushedRequest | None = None
    #: The signed request object (RFC 9101) carrying the parameters, when one was made.
    request_object: str | None = None


def build_authorization_request(
    authorization_endpoint: str,
    client_id: str,
    redirect_uri: str,
    scope: str = "",
    *,
    response_type: str = "code",
    use_pkce: bool = True,
    issuer: str | None = None,
    iss_required: bool = False,
    extra: Mapping[str, str] | None = None,
    state: str | None = None,
    dpop_jkt: str | None = None,
    response_mode: str | None = None,
) -> AuthorizationRequest:
    """RFC 6749 §4.1.1 / §4.2.1: the authorize URL with state, nonce (for openid) and PKCE.

    ``state`` is made here unless given (the loopback listener must know it before the
    request exists: it is created first, for its redirect URI). ``dpop_jkt``: the thumbprint
    of the DPoP key the code will be redeemed with (RFC 9449 §10).
    """
    state = state or random_token()
    hybrid = "code" in response_type.split() and response_type != "code"
    openid = "openid" in scope.split() or "id_token" in response_type or hybrid
    nonce = random_token() if openid else None
    pkce = Pkce.generate() if use_pkce and "code" in response_type.split() else None
    params: dict[str, str] = {
        "response_type": response_type,
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": state,
    }
    if scope:
        params["scope"] = scope
    if response_mode:
        params["response_mode"] = response_mode
    if nonce:
        params["nonce"] = nonce
    if pkce:
        params["code_challenge"] = pkce.challenge
        params["code_challenge_method"] = pkce.method
    if dpop_jkt and response_type == "code":  # the code is bound to the DPoP key (RFC 9449 §10)
        params["dpop_jkt"] = dpop_jkt
    for key, value in (extra or {}).items():
        if value:
            params.setdefault(key, value)
    sep = "&" if urlsplit(authorization_endpoint).query else "?"
    return AuthorizationRequest(
        url=authorization_endpoint + sep + urlencode(params),
        redirect_uri=redirect_uri,
        state=state,
        response_type=response_type,
        nonce=nonce,
        pkce=pkce,
        expected_issuer=issuer,
        iss_required=iss_required,
        params=params,
        response_mode=response_mode,
    )


def check_authorization_response(params: Mapping[str, str], request: AuthorizationRequest) -> None:
    """Check ``state`` (RFC 6749 §10.12) and ``iss`` (RFC 9207 §2.4), then surface errors.

    An error response is checked like a success: one with the wrong state or issuer is not
    believed either (RFC 9207 §2.4 applies to error responses too).
    """
    if params.get("state") != request.state:
        raise FlowError(
            "The state in the redirect does not match the one sent: the response may be forged "
            "or belong to another login (RFC 6749 §10.12). Start the flow again.",
            kind="state_mismatch",
        )
    iss = params.get("iss")
    if iss is not None and request.expected_issuer and iss != request.expected_issuer:
        raise FlowError(
            f"The redirect names issuer {iss!r}, not {request.expected_issuer!r}: a mix-up "
            "attack or the wrong provider (RFC 9207). The code was not used.",
            kind="issuer_mismatch",
        )
    if iss is None and request.iss_required and not _id_token_names_issuer(params, request):
        raise FlowError(
            "The server advertises RFC 9207 but sent no iss with the redirect.",
            kind="issuer_missing",
        )
    if "error" in params:
        raise OAuthError(params["error"], params.get("error_description"), params.get("error_uri"))


def _id_token_names_issuer(params: Mapping[str, str], request: AuthorizationRequest) -> bool:
    """RFC 9207 §2.4: a response carrying an ID token may omit ``iss``; the ID token's own
    ``iss`` claim identifies the issuer, and the caller MUST then validate that ID token (OIDC
    Core §3.2.2.11, §3.3.2.12) before anything from the response is used. Only when an ID token
    was asked for: a stray ``id_token`` added to a code response does not excuse the check."""
    return "id_token" in request.response_type.split() and bool(params.get("id_token"))


def parse_authorization_response(params: Mapping[str, str], request: AuthorizationRequest) -> str:
    """The authorization code from the redirect's query, after every check."""
    check_authorization_response(params, request)
    code = params.get("code")
    if not code:
        raise FlowError("The redirect carries no authorization code.", kind="no_code")
    return code


def build_code_token_request(
    token_endpoint: str, client: ClientConfig, code: str, request: AuthorizationRequest
) -> HttpRequest:
    """RFC 6749 §4.1.3 with the PKCE verifier (RFC 7636 §4.5)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": request.redirect_uri,
    }
    if request.pkce:
        form["code_verifier"] = request.pkce.verifier
    return build_token_request(token_endpoint, client, form, "token (authorization_code)")
