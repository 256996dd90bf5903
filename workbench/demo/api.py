"""Two demo APIs (resource servers) beside the demo authorization server.

They answer the same requests and differ in one thing, the caveat of self-contained tokens:

* ``/api/local/…`` verifies the JWT itself (signature with the server's key, ``iss``, ``exp``,
  ``aud``), as most APIs behind Cognito, Auth0 or Entra do. A revoked token keeps working
  here until it expires: nothing tells this API about the revocation.
* ``/api/introspected/…`` asks the authorization server's records (what RFC 7662
  introspection answers), so a revoked token is refused at once.

Both publish RFC 9728 metadata at ``/.well-known/oauth-protected-resource/api/<name>`` and
answer like RFC 6750 §3 resource servers: no token → 401 with a ``Bearer`` challenge naming
``resource_metadata``; a bad, expired or revoked token → 401 ``invalid_token``; a token sent
in more than one way → 400 ``invalid_request``; ``…/write`` without scope ``api:write`` → 403
``insufficient_scope`` with ``scope="api:write"``. ``GET …/me`` returns the caller's claims.

DPoP (RFC 9449 §7.1): a token bound to a key (``cnf.jkt``) is accepted only as
``Authorization: DPoP`` with a valid proof of that key for this method and URL, with ``ath``;
presented as Bearer it is refused (401 with a ``DPoP`` challenge).

Audience policy: a token is for these APIs when its ``aud`` names the API's resource
identifier (what an RFC 8707 ``resource`` request asks for) or one of the demo's own clients
(the demo server's default ``aud`` is the client id, as a Cognito-protected API accepts the
pool's app clients).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Final

from flask import Flask, Response, jsonify, request
from joserfc import jwt
from joserfc.errors import JoseError

from .authority import SIGNING_ALG, DemoAuthority
from .clients import API_NAMES, api_urls
from .dpop import DpopRefused, dpop_challenge, resource_proof

__all__ = ["API_NAMES", "WRITE_SCOPE", "api_urls", "register_demo_apis"]

WRITE_SCOPE: Final = "api:write"
REALM: Final = "workbench-demo"
_LEEWAY: Final = 0  # seconds: the demo API is strict about exp


class _Refusal(Exception):
    """A refused call: its status and the challenge's parameters."""

    def __init__(
        self,
        status: int,
        error: str | None,
        description: str,
        scope: str | None = None,
        *,
        dpop: bool = False,
        nonce: str | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.scope = scope
        #: Answer with a DPoP challenge (RFC 9449 §7.1), and the nonce to retry with (§9).
        self.dpop = dpop
        self.nonce = nonce


def _metadata_path(name: str) -> str:
    return f"/.well-known/oauth-protected-resource/api/{name}"


def register_demo_apis(app: Flask, authority: DemoAuthority) -> None:
    """Add both APIs and their metadata documents to the demo server's app."""
    for name in API_NAMES:
        api = _DemoApi(name, authority)
        app.add_url_rule(
            _metadata_path(name),
            endpoint=f"api_{name}_metadata",
            view_func=api.metadata,
            methods=["GET"],
        )
        for rule in (f"/api/{name}", f"/api/{name}/<path:rest>"):
            app.add_url_rule(
                rule,
                endpoint=f"api_{name}" + ("" if rule.endswith(name) else "_path"),
                view_func=api.handle,
                methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            )


class _DemoApi:
    def __init__(self, name: str, authority: DemoAuthority) -> None:
        self.name = name
        self.authority = authority
        self.resource = api_urls(authority.issuer)[name]
        self.metadata_url = authority.issuer + _metadata_path(name)

    def metadata(self) -> Response:
        response = jsonify(
            {
                "resource": self.resource,
                "authorization_servers": [self.authority.issuer],
                "scopes_supported": ["api:read", WRITE_SCOPE],
                "bearer_methods_supported": ["header"],
                "resource_name": f"Workbench demo API ({self.name})",
                "resource_documentation": self.authority.url("home"),
            }
        )
        response.headers["Cache-Control"] = "max-age=300"
        return response

    def handle(self, rest: str = "") -> Response:
        try:
            scheme, token = _presented_token(request.headers.get("Authorization", ""))
            claims = self.verify(token)
            self.check_binding(scheme, token, claims)
            path = rest.strip("/")
            if path.split("/")[-1] == "write" and WRITE_SCOPE not in _scopes(claims):
                raise _Refusal(
                    403,
                    "insufficient_scope",
                    f"This call needs the {WRITE_SCOPE} scope.",
                    WRITE_SCOPE,
                )
        except _Refusal as refusal:
            return self.refuse(refusal)
        return jsonify(self.answer(path, claims))

    def answer(self, path: str, claims: Mapping[str, Any]) -> dict[str, Any]:
        how = (
            "verified locally: signature, iss, exp, aud (a revoked token still passes)"
            if self.name == "local"
            else "asked the authorization server's records (a revoked token fails)"
        )
        body: dict[str, Any] = {"api": self.name, "path": "/" + path, "checked": how}
        if path == "me":
            body["claims"] = dict(claims)
        elif path.split("/")[-1] == "write":
            body["written"] = True
            body["method"] = request.method
        else:
            body["method"] = request.method
            body["sub"] = claims.get("sub")
        return body

    def refuse(self, refusal: _Refusal) -> Response:
        params = [f'realm="{REALM}"']
        if refusal.error:
            params.append(f'error="{refusal.error}"')
            params.append(f'error_description="{_quoted(refusal.description)}"')
        if refusal.scope:
            params.append(f'scope="{refusal.scope}"')
        params.append(f'resource_metadata="{self.metadata_url}"')
        body: dict[str, Any] = {"error": refusal.error or "unauthorized"}
        body["error_description"] = refusal.description
        response = jsonify(body)
        response.status_code = refusal.status
        response.headers["WWW-Authenticate"] = "Bearer " + ", ".join(params)
        if refusal.dpop:
            challenge = dpop_challenge(refusal.error, refusal.description, REALM)
            response.headers["WWW-Authenticate"] = challenge
        if refusal.nonce:
            response.headers["DPoP-Nonce"] = refusal.nonce
        response.headers["Cache-Control"] = "no-store"
        return response

    # -- verification -----------------------------------------------------------------------
    def verify(self, token: str) -> dict[str, Any]:
        if self.name == "local":
            return self.verify_locally(token)
        return self.verify_by_records(token)

    def verify_locally(self, token: str) -> dict[str, Any]:
        try:
            decoded = jwt.decode(token, self.authority.keys, algorithms=[SIGNING_ALG])
        except (JoseError, ValueError) as exc:
            reason = f"The token's signature does not verify ({type(exc).__name__})."
            raise _invalid(reason) from None
        claims = dict(decoded.claims)
        if claims.get("iss") != self.authority.issuer:
            raise _invalid("The token was not issued by this API's authorization server.")
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp + _LEEWAY <= time.time():
            raise _invalid("The token has expired.")
        self.check_audience(claims.get("aud"))
        return claims

    def verify_by_records(self, token: str) -> dict[str, Any]:
        store = self.authority.store
        with store.lock:
            found = store.find_access_token(token)
            if found is None:
                raise _invalid("The authorization server does not know this token.")
            if found.is_revoked():
                raise _invalid("The token was revoked.")
            if found.is_expired():
                raise _invalid("The token has expired.")
            record = found.record
        self.check_audience(
            record.audience or self.authority.access_token_audience(record.client_id)
        )
        try:
            claims = self.authority.decode_jwt(token)
        except (JoseError, ValueError):
            claims = {"client_id": record.client_id, "scope": record.scope}
        claims["active"] = True
        return claims

    def check_binding(self, scheme: str, token: str, claims: Mapping[str, Any]) -> None:
        """A DPoP-bound token (``cnf.jkt``) comes with the DPoP scheme and a valid proof of
        its key, ``ath`` included (RFC 9449 §7.1); a bearer token with the Bearer scheme."""
        cnf = claims.get("cnf")
        jkt = cnf.get("jkt") if isinstance(cnf, dict) else None
        if not isinstance(jkt, str) or not jkt:
            if scheme == "dpop":
                raise _invalid("This token is not DPoP-bound: present it as a Bearer token.")
            return
        if scheme != "dpop":
            raise _Refusal(
                401,
                "invalid_token",
                "This token is DPoP-bound: present it with Authorization: DPoP and a DPoP proof"
                " (RFC 9449 §7.1), not as a bearer token.",
                dpop=True,
            )
        try:
            resource_proof(self.authority, token, jkt)
        except DpopRefused as refused:
            raise _Refusal(
                401, refused.error, refused.description, dpop=True, nonce=refused.nonce
            ) from None

    def check_audience(self, aud: object) -> None:
        audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
        store = self.authority.store
        if not any(
            isinstance(a, str) and (a == self.resource or store.client(a) is not None)
            for a in audiences
        ):
            raise _invalid(
                f"The token is not for this API (its aud does not name {self.resource})."
            )


def _invalid(description: str) -> _Refusal:
    return _Refusal(401, "invalid_token", description)


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _scopes(claims: Mapping[str, Any]) -> set[str]:
    scope = claims.get("scope")
    return set(scope.split()) if isinstance(scope, str) else set()


def _presented_token(header: str) -> tuple[str, str]:
    """The scheme (``bearer`` or ``dpop``) and token of the ``Authorization`` header (RFC 6750
    §2.1, RFC 9449 §7.1), the one method these APIs accept (``bearer_methods_supported:
    ["header"]``)."""
    if "access_token" in request.form or "access_token" in request.args:
        raise _Refusal(
            400,
            "invalid_request",
            "These APIs take the token only in the Authorization header (RFC 6750 §2.1).",
        )
    if not header:
        raise _Refusal(401, None, "This API needs a bearer token.")
    scheme, _, value = header.partition(" ")
    if scheme.lower() not in ("bearer", "dpop") or not value.strip():
        raise _Refusal(
            401,
            None,
            "This API takes an Authorization: Bearer token (RFC 6750 §2.1), or DPoP for a"
            " DPoP-bound token (RFC 9449 §7.1).",
        )
    return scheme.lower(), value.strip()
