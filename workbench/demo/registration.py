"""Dynamic client registration on the demo server: RFC 7591 (Authlib's
``ClientRegistrationEndpoint``) and RFC 7592 read and delete (Authlib's
``ClientConfigurationEndpoint``), over the clients :class:`~workbench.demo.store.DemoStore`
keeps.

The policy:

* Registration is open unless :attr:`DemoConfig.initial_access_token` is set; then the request
  must carry it as a Bearer token (RFC 7591 §3), else 401 ``invalid_token``.
* A redirect URI is an ``https`` URI, an ``http`` URI on a loopback host (RFC 8252 §7.3: the
  port is not compared when the client uses it), or a private-use scheme with a dot in it
  (RFC 8252 §7.1); none has a fragment. Anything else is ``invalid_redirect_uri``, and so is a
  client of a redirect-based grant (code, implicit) with no redirect URI.
* The grant types, response types, scopes and authentication methods are those of the
  server's metadata (Authlib checks them: ``invalid_client_metadata``).
* A registered client can be used at once (its tokens are like the built-in clients'); it gets
  a registration access token and a client configuration URI
  (``<registration_endpoint>/<client_id>``) for RFC 7592 GET and DELETE. Deleting it revokes
  every token it was issued. Updating (PUT) is not offered (405).
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from authlib.oauth2.rfc6750 import InvalidTokenError
from authlib.oauth2.rfc7591 import (
    ClientRegistrationEndpoint,
    InvalidClientMetadataError,
    InvalidRedirectURIError,
)
from authlib.oauth2.rfc7592 import ClientConfigurationEndpoint
from flask import Flask, Response, request

from .accounts import API_SCOPES, LOOPBACK_HOSTS, SCOPES, DemoClient
from .authority import DemoAuthority

__all__ = ["RegisteredClient", "check_redirect_uris", "register_registration"]

_REALM = "workbench-demo-registration"
_REDIRECT_GRANTS = ("authorization_code", "implicit")


@dataclass(frozen=True)
class RegisteredClient(DemoClient):
    """A client registered at run time, with its own redirect URIs and registration token."""

    redirect_uris: tuple[str, ...] = ()
    registration_access_token: str = ""
    client_id_issued_at: int = 0
    metadata: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def client_info(self) -> dict[str, Any]:
        """RFC 7591 §3.2.1's client information (Authlib's RFC 7592 read reads it)."""
        info: dict[str, Any] = {
            "client_id": self.client_id,
            "client_id_issued_at": self.client_id_issued_at,
        }
        if self.client_secret is not None:
            info.update(client_secret=self.client_secret, client_secret_expires_at=0)
        return info

    @property
    def client_metadata(self) -> dict[str, Any]:
        return dict(self.metadata)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """A registered URI, exactly; for a loopback one, on any port (RFC 8252 §7.3)."""
        return any(_same_redirect(uri, redirect_uri) for uri in self.redirect_uris)

    def check_post_logout_redirect_uri(self, uri: str) -> bool:
        return False  # none are registered through RFC 7591 here

    def check_registration_token(self, token: str) -> bool:
        return hmac.compare_digest(self.registration_access_token.encode(), token.encode())


def _same_redirect(registered: str, given: str) -> bool:
    if registered == given:
        return True
    try:
        a, b = urlsplit(registered), urlsplit(given)
        _ = a.port, b.port
    except ValueError:
        return False
    return (
        a.scheme == b.scheme == "http"
        and a.hostname in LOOPBACK_HOSTS
        and a.hostname == b.hostname
        and (a.path, a.query) == (b.path, b.query)
        and not b.fragment
        and "@" not in b.netloc
    )


def check_redirect_uris(uris: list[str], grant_types: list[str]) -> None:
    """The demo's redirect URI policy (see the module docstring)."""
    if not uris and any(g in _REDIRECT_GRANTS for g in grant_types):
        raise InvalidRedirectURIError(
            "A client of the authorization code or implicit grant must register its"
            " redirect URIs (RFC 7591 section 2)."
        )
    for uri in uris:
        problem = _redirect_problem(uri)
        if problem:
            raise InvalidRedirectURIError(f"{uri[:200]}: {problem}")


def _redirect_problem(uri: object) -> str:
    if not isinstance(uri, str):
        return "a redirect URI is a string"
    try:
        parts = urlsplit(uri)
        _ = parts.port
    except ValueError:
        return "not a URI"
    if parts.fragment or "#" in uri:
        return "a redirect URI must not have a fragment (RFC 6749 section 3.1.2)"
    if parts.scheme == "https" and parts.hostname:
        return ""
    if parts.scheme == "http":
        if parts.hostname in LOOPBACK_HOSTS or parts.hostname == "127.0.0.1":
            return ""
        return "plain http is allowed on a loopback host only (RFC 8252 section 7.3); use https"
    if "." in parts.scheme and not parts.netloc:
        return ""  # a private-use scheme (RFC 8252 §7.1)
    return "use https, a loopback http URI or a private-use scheme such as com.example.app:/cb"


@dataclass(frozen=True)
class _RegistrationToken:
    """The credential of an RFC 7592 request (Authlib asks it ``check_client``)."""

    client_id: str

    def check_client(self, client: DemoClient) -> bool:
        return client.client_id == self.client_id


class _RegistrationEndpoint(ClientRegistrationEndpoint):  # type: ignore[misc]
    def __init__(self, authority: DemoAuthority) -> None:
        super().__init__()
        self.authority = authority

    def authenticate_token(self, request: Any) -> object:
        wanted = self.authority.config.initial_access_token
        if wanted is None:
            return True  # open registration
        given = _bearer(request)
        if given and hmac.compare_digest(given.encode(), wanted.encode()):
            return True
        raise InvalidTokenError(
            "Registration here needs the server's initial access token as a Bearer token.",
            realm=_REALM,
        )

    def get_server_metadata(self) -> dict[str, Any]:
        from .oauth import server_metadata

        return server_metadata(self.authority)

    def extract_client_metadata(self, request: Any) -> dict[str, Any]:
        # The redirect URIs first: a refused one is invalid_redirect_uri (RFC 7591 §3.2.2),
        # not the invalid_client_metadata Authlib's own claim check would answer.
        asked = request.payload.data if isinstance(request.payload.data, dict) else {}
        uris, grants = asked.get("redirect_uris"), asked.get("grant_types")
        check_redirect_uris(
            uris if isinstance(uris, list) else [],
            grants if isinstance(grants, list) else ["authorization_code"],
        )
        metadata: dict[str, Any] = super().extract_client_metadata(request)
        grant_types = metadata.setdefault("grant_types", ["authorization_code"])
        metadata.setdefault(
            "response_types", ["code"] if "authorization_code" in grant_types else []
        )
        if "authorization_code" in grant_types and "code" not in metadata["response_types"]:
            raise InvalidClientMetadataError(
                "The authorization_code grant needs the code response type."
            )
        return metadata

    def generate_client_info(self, request: Any) -> dict[str, Any]:
        info: dict[str, Any] = super().generate_client_info(request)
        if (request.payload.data or {}).get("token_endpoint_auth_method") == "none":
            info.pop("client_secret", None)  # a public client has no secret
            info.pop("client_secret_expires_at", None)
        return info

    def save_client(
        self, client_info: dict[str, Any], client_metadata: dict[str, Any], request: Any
    ) -> RegisteredClient:
        scopes = tuple((client_metadata.get("scope") or "").split()) or SCOPES
        client = RegisteredClient(
            client_id=client_info["client_id"],
            client_name=client_metadata.get("client_name") or client_info["client_id"],
            client_secret=client_info.get("client_secret"),
            token_endpoint_auth_methods=(client_metadata["token_endpoint_auth_method"],),
            grant_types=tuple(client_metadata["grant_types"]),
            response_types=tuple(client_metadata["response_types"]),
            scopes=scopes,
            default_scope=API_SCOPES[0] if API_SCOPES[0] in scopes else scopes[0],
            redirect_uris=tuple(client_metadata.get("redirect_uris") or ()),
            registration_access_token=secrets.token_urlsafe(32),
            client_id_issued_at=client_info.get("client_id_issued_at") or int(time.time()),
            metadata=dict(client_metadata),
        )
        self.authority.store.add_client(client)
        return client

    def generate_client_registration_info(
        self, client: RegisteredClient, request: Any
    ) -> dict[str, str]:
        return _registration_info(self.authority, client)


class _ConfigurationEndpoint(ClientConfigurationEndpoint):  # type: ignore[misc]
    def __init__(self, authority: DemoAuthority) -> None:
        super().__init__()
        self.authority = authority

    def _client_id(self, request: Any) -> str:
        return str(urlsplit(request.uri).path.rstrip("/").rsplit("/", 1)[-1])

    def authenticate_token(self, request: Any) -> _RegistrationToken:
        token = _bearer(request)
        client = self.authority.store.client(self._client_id(request))
        if (
            token
            and isinstance(client, RegisteredClient)
            and client.check_registration_token(token)
        ):
            return _RegistrationToken(client.client_id)
        raise InvalidTokenError(
            "The registration access token is missing, wrong, or not this client's.",
            realm=_REALM,
        )

    def authenticate_client(self, request: Any) -> RegisteredClient | None:
        client = self.authority.store.client(self._client_id(request))
        return client if isinstance(client, RegisteredClient) else None

    def revoke_access_token(self, token: object, request: Any) -> None:
        return None  # a token is only ever valid for its own client, which is gone

    def check_permission(self, client: RegisteredClient, request: Any) -> bool:
        return True  # every registered client may read and delete its own registration

    def delete_client(self, client: RegisteredClient, request: Any) -> None:
        self.authority.store.remove_client(client.client_id)

    def generate_client_registration_info(
        self, client: RegisteredClient, request: Any
    ) -> dict[str, str]:
        return _registration_info(self.authority, client)

    def get_server_metadata(self) -> dict[str, Any]:
        from .oauth import server_metadata

        return server_metadata(self.authority)


def _bearer(request: Any) -> str:
    scheme, _, value = (request.headers.get("Authorization") or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _registration_info(authority: DemoAuthority, client: RegisteredClient) -> dict[str, str]:
    return {
        "registration_client_uri": f"{authority.url('registration')}/{client.client_id}",
        "registration_access_token": client.registration_access_token,
    }


def register_registration(app: Flask, server: Any, authority: DemoAuthority) -> None:
    """The registration endpoint and the client configuration endpoint below it."""
    server.register_endpoint(_RegistrationEndpoint(authority))
    server.register_endpoint(_ConfigurationEndpoint(authority))
    store = authority.store

    def registration() -> Response:
        with store.lock:
            response: Response = server.create_endpoint_response("client_registration")
        return response

    def configuration(client_id: str) -> Response:
        if request.method == "PUT":
            return Response(
                '{"error": "invalid_request", "error_description": "Updating a registration'
                ' (RFC 7592 \\u00a72.2) is not offered by the demo server."}',
                status=405,
                headers={"Allow": "GET, DELETE", "Content-Type": "application/json"},
            )
        with store.lock:
            response: Response = server.create_endpoint_response("client_configuration")
        return response

    path = authority.paths["registration"]
    app.add_url_rule(path, endpoint="registration", view_func=registration, methods=["POST"])
    app.add_url_rule(
        path + "/<client_id>",
        endpoint="client_configuration",
        view_func=configuration,
        methods=["GET", "DELETE", "PUT"],
    )
