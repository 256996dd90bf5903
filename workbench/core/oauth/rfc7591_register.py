"""Dynamic client registration (RFC 7591) and its management protocol (RFC 7592).

:func:`register` posts the client's metadata (a JSON object, RFC 7591 §3.1) to the
``registration_endpoint`` the server's discovery document names, with an initial access token
as a Bearer credential when the server wants one, and reads the client information response
(§3.2.1) into a :class:`Registration`: the new ``client_id``, its ``client_secret`` and when that
expires, and, where the server offers RFC 7592, the ``registration_access_token`` and
``registration_client_uri`` that :func:`read_registration` and :func:`delete_registration` use.
A refusal (§3.2.2: ``invalid_redirect_uri``, ``invalid_client_metadata``…) is an
:class:`~workbench.core.errors.OAuthError` with the server's words and ours.

The client secret, the registration access token and the initial access token are secrets: the
exchange log masks them (by field name and, once known, wherever they appear), and
:meth:`Registration.shown` gives the response as it may be printed without an explicit request
to show secrets.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from workbench.core.errors import ConfigError, OAuthError, TransportError
from workbench.core.hints import as_phrase
from workbench.core.oauth.client_auth import AUTH_METHODS, AuthMethod, ClientConfig
from workbench.core.oauth.discovery import ServerMetadata
from workbench.core.oauth.token_endpoint import parse_json_object
from workbench.core.profiles import REGISTRATION_TOKEN, Profile, ProfileStore
from workbench.core.secrets import SecretStore
from workbench.core.transport.exchange import HttpRequest, HttpResponse
from workbench.core.transport.http import HttpClient
from workbench.core.transport.masking import MASK, mask_token

#: Members of a JWK that only a private (or symmetric) key has (RFC 7518 §6.2.2, §6.3.2,
#: §6.4.1; OKP keys use ``d`` too): a JWKS sent for registration must hold none of them.
PRIVATE_JWK_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
#: The largest JWKS file read for registration (a set of a few public keys is a few KiB).
MAX_JWKS_BYTES = 64 * 1024

#: The registration answers that are secret, by member name.
SECRET_MEMBERS = ("client_secret", "registration_access_token")

#: What each RFC 7591 §3.2.2 error code means, for the person who sent the request.
REGISTRATION_ERRORS: dict[str, str] = {
    "invalid_redirect_uri": (
        "the server refused one of the redirect URIs (a loopback http:// or an https:// URI"
        " without a fragment is what most servers take)"
    ),
    "invalid_client_metadata": (
        "the server refused a metadata value: a grant type, response type, authentication"
        " method or scope it does not offer, or values that do not fit together"
    ),
    "invalid_software_statement": "the server could not verify the software statement",
    "unapproved_software_statement": "the server does not accept this software statement",
}

_CLIENT_INFO = (
    "client_id",
    "client_secret",
    "client_id_issued_at",
    "client_secret_expires_at",
    "registration_access_token",
    "registration_client_uri",
)


@dataclass(frozen=True)
class ClientMetadata:
    """The metadata of a client to register (RFC 7591 §2); empty values are not sent, so the
    server applies its defaults (``authorization_code`` / ``code`` /
    ``client_secret_basic``)."""

    redirect_uris: tuple[str, ...] = ()
    grant_types: tuple[str, ...] = ()
    response_types: tuple[str, ...] | None = None
    token_endpoint_auth_method: str | None = None
    client_name: str = ""
    scope: str = ""
    jwks: Mapping[str, Any] | None = None
    jwks_uri: str = ""

    def to_json(self) -> dict[str, Any]:
        """The JSON object of the registration request; ``response_types`` follows the grant
        types when not given (``code`` for the code grant, none for the others)."""
        if self.jwks is not None and self.jwks_uri:
            raise ConfigError("Give the client's keys as a JWKS or a jwks_uri, not both.")
        doc: dict[str, Any] = {}
        if self.redirect_uris:
            doc["redirect_uris"] = list(self.redirect_uris)
        if self.grant_types:
            doc["grant_types"] = list(self.grant_types)
        response_types = self.response_types
        if response_types is None and self.grant_types:
            response_types = tuple(
                kind
                for grant, kind in (("authorization_code", "code"), ("implicit", "token"))
                if grant in self.grant_types
            )
        if response_types is not None:
            doc["response_types"] = list(response_types)
        if self.token_endpoint_auth_method:
            doc["token_endpoint_auth_method"] = self.token_endpoint_auth_method
        if self.client_name:
            doc["client_name"] = self.client_name
        if self.scope:
            doc["scope"] = self.scope
        if self.jwks is not None:
            doc["jwks"] = dict(self.jwks)
        if self.jwks_uri:
            doc["jwks_uri"] = self.jwks_uri
        return doc


@dataclass(frozen=True)
class Registration:
    """A client information response (RFC 7591 §3.2.1, RFC 7592 §3)."""

    client_id: str
    #: Secret (as is the registration access token): never in a repr, a traceback or a log.
    client_secret: str | None = field(default=None, repr=False)
    client_id_issued_at: int | None = None
    #: 0 when the secret never expires (RFC 7591 §3.2.1); None when none was given.
    client_secret_expires_at: int | None = None
    registration_access_token: str | None = field(default=None, repr=False)
    registration_client_uri: str | None = None
    #: The client metadata the server registered (it may differ from what was asked).
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def manageable(self) -> bool:
        """Whether RFC 7592 read and delete can be tried (the server gave both values)."""
        return bool(self.registration_access_token and self.registration_client_uri)

    @property
    def auth_method(self) -> AuthMethod | None:
        """The registered token endpoint authentication method, when the workbench has it."""
        method = self.metadata.get("token_endpoint_auth_method")
        return method if method in AUTH_METHODS else None

    def client_config(self) -> ClientConfig:
        """The client as a flow uses it: id, secret and authentication method."""
        return ClientConfig(self.client_id, self.client_secret, self.auth_method)

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.client_secret, self.registration_access_token) if s)

    def to_dict(self) -> dict[str, Any]:
        """The whole response, secrets included (for ``--json`` with secrets shown)."""
        info = {name: getattr(self, name) for name in _CLIENT_INFO}
        return {**dict(self.metadata), **{k: v for k, v in info.items() if v is not None}}

    def shown(self) -> dict[str, Any]:
        """:meth:`to_dict` as it may be printed: the client secret hidden, the registration
        access token by its first characters."""
        doc = self.to_dict()
        if doc.get("client_secret"):
            doc["client_secret"] = MASK
        if doc.get("registration_access_token"):
            doc["registration_access_token"] = mask_token(doc["registration_access_token"])
        return doc


# -- preflight --------------------------------------------------------------------------------
def registration_endpoint(meta: ServerMetadata) -> str:
    """The ``registration_endpoint`` of the server's metadata, or a ConfigError saying that
    the server offers no dynamic registration (RFC 8414 §2, OIDC Discovery §3)."""
    value = meta.raw.get("registration_endpoint")
    if not isinstance(value, str) or not value:
        where = meta.issuer or "this server"
        raise ConfigError(
            f"{where} advertises no registration_endpoint in its discovery document, so it"
            " offers no dynamic client registration (RFC 7591): register the client in the"
            " server's console instead."
        )
    return value


# -- requests and responses -------------------------------------------------------------------
def build_registration_request(
    endpoint: str, metadata: ClientMetadata, initial_access_token: str | None = None
) -> HttpRequest:
    """RFC 7591 §3.1: POST the metadata as JSON, with the initial access token (if any) as a
    Bearer credential (RFC 6750 §2.1)."""
    headers = {"Content-Type": "application/json"}
    if initial_access_token:
        headers["Authorization"] = f"Bearer {initial_access_token}"
    body = json.dumps(metadata.to_json()).encode("utf-8")
    return HttpRequest("POST", endpoint, headers=headers, content=body, purpose="registration")


def _management_request(method: str, uri: str, token: str, purpose: str) -> HttpRequest:
    return HttpRequest(method, uri, headers={"Authorization": f"Bearer {token}"}, purpose=purpose)


def build_read_request(uri: str, registration_access_token: str) -> HttpRequest:
    """RFC 7592 §2.1: GET the client configuration endpoint with the registration token."""
    return _management_request("GET", uri, registration_access_token, "registration read")


def build_delete_request(uri: str, registration_access_token: str) -> HttpRequest:
    """RFC 7592 §2.3: DELETE the client configuration endpoint with the registration token."""
    return _management_request("DELETE", uri, registration_access_token, "registration delete")


def parse_registration_response(resp: HttpResponse) -> Registration:
    """RFC 7591 §3.2: a JSON object with ``client_id`` (201, or 200 from a read), or the
    server's refusal as an OAuthError whose advice says what the code means."""
    try:
        data = parse_json_object(resp)
    except OAuthError as exc:
        meaning = REGISTRATION_ERRORS.get(exc.error)
        if meaning:
            exc.advice = as_phrase(meaning)
        raise
    if resp.status not in (200, 201):
        raise TransportError(
            f"The registration answer was {resp.status} {resp.reason}, not 201 Created"
            " (RFC 7591 §3.2.1).",
            kind="http",
            status=resp.status,
        )
    return registration_of(data)


def registration_of(data: Mapping[str, Any]) -> Registration:
    """A :class:`Registration` from a client information response, checked member by member."""
    client_id = data.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise TransportError(
            "The registration answer has no client_id (RFC 7591 §3.2.1 requires one).",
            kind="invalid_document",
        )

    def text(name: str) -> str | None:
        value = data.get(name)
        if value is None or (isinstance(value, str) and value):
            return value
        raise TransportError(
            f"The registration answer's {name} is not a string.", kind="invalid_document"
        )

    def number(name: str) -> int | None:
        value = data.get(name)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise TransportError(
            f"The registration answer's {name} is not a number of seconds.",
            kind="invalid_document",
        )

    secret = text("client_secret")
    expires = number("client_secret_expires_at")
    if secret and expires is None:
        raise TransportError(
            "The registration answer has a client_secret but no client_secret_expires_at"
            " (RFC 7591 §3.2.1 requires it with a secret).",
            kind="invalid_document",
        )
    return Registration(
        client_id=client_id,
        client_secret=secret,
        client_id_issued_at=number("client_id_issued_at"),
        client_secret_expires_at=expires,
        registration_access_token=text("registration_access_token"),
        registration_client_uri=text("registration_client_uri"),
        metadata={k: v for k, v in data.items() if k not in _CLIENT_INFO},
    )


def parse_delete_response(resp: HttpResponse) -> None:
    """RFC 7592 §2.3: 204 No Content (200 taken too); a 405 means the server does not let a
    client delete itself; anything else is the server's error."""
    if resp.status in (200, 204):
        return
    if resp.status == 405:
        raise OAuthError(
            "unsupported_operation",
            "The server does not let a client delete its own registration (405, RFC 7592 §2.3).",
            status=405,
        )
    parse_json_object(resp)
    raise TransportError(
        f"The delete answer was {resp.status} {resp.reason}, not 204 (RFC 7592 §2.3).",
        kind="http",
        status=resp.status,
    )


# -- the client's keys ------------------------------------------------------------------------
def load_public_jwks(path: str | Path) -> dict[str, Any]:
    """A public JWK Set read from ``path`` for the ``jwks`` member, or a ConfigError saying
    what is wrong: missing, too large, not JSON, no ``keys``, a key without ``kty``, or a key
    with private members (a JWKS that gives the private key away is never sent)."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_JWKS_BYTES:
            raise ConfigError(
                f"{file} is {size:,} bytes: a client's public JWKS is a few KiB, not that."
            )
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"The JWKS file {file} does not exist.") from None
    except OSError as exc:
        raise ConfigError(f"The JWKS file {file} cannot be read: {exc.strerror}.") from None
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError):
        raise ConfigError(f'{file} is not JSON: a JWKS looks like {{"keys": [...]}}.') from None
    return public_jwks(doc, str(file))


def public_jwks(doc: Any, where: str = "the JWKS") -> dict[str, Any]:
    """``doc`` if it is a public JWK Set (RFC 7517 §5), else a ConfigError."""
    keys = doc.get("keys") if isinstance(doc, dict) else None
    if not isinstance(keys, list) or not keys:
        raise ConfigError(f'{where} is not a JWK Set: it needs a non-empty "keys" list.')
    for index, key in enumerate(keys):
        if not isinstance(key, dict) or not isinstance(key.get("kty"), str):
            raise ConfigError(f'Key {index + 1} of {where} is not a JWK (no "kty").')
        private = [m for m in PRIVATE_JWK_MEMBERS if m in key]
        if private:
            raise ConfigError(
                f"Key {index + 1} of {where} holds private members ({', '.join(private)}):"
                " registration sends only public keys. Export the public JWKS of the key"
                " and give that file instead."
            )
    return dict(doc)


# -- profiles ---------------------------------------------------------------------------------
def save_registration(
    name: str,
    issuer: str,
    registration: Registration,
    *,
    profiles: ProfileStore,
    secrets: SecretStore,
    scope: str = "",
    verify_tls: bool = True,
) -> Profile:
    """Save the registered client as profile ``name``: the client id, its authentication
    method, the loopback port of its redirect URI and the RFC 7592 URI in the profile file;
    the client secret and the registration access token in the keyring (never in the file)."""
    uris = registration.metadata.get("redirect_uris")
    profile = Profile(
        name=name,
        issuer=issuer,
        client_id=registration.client_id,
        auth_method=registration.auth_method,
        scope=scope or str(registration.metadata.get("scope") or ""),
        redirect_port=_loopback_port(uris if isinstance(uris, list) else []),
        verify_tls=verify_tls,
        registration_client_uri=registration.registration_client_uri or "",
    )
    profiles.save(profile)
    for value, what in (
        (registration.client_secret, "client_secret"),
        (registration.registration_access_token, REGISTRATION_TOKEN),
    ):
        if value:
            secrets.set(name, value, what)
        else:
            secrets.delete(name, what)
    return profile


def _loopback_port(uris: list[Any]) -> int:
    for uri in uris:
        try:
            parts = urlsplit(str(uri))
            port = parts.port
        except ValueError:
            continue
        if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1"):
            return port or 0
    return 0


def profile_registration(
    name: str, *, profiles: ProfileStore, secrets: SecretStore
) -> tuple[str, str]:
    """The client configuration URI and registration access token a profile keeps, or a
    ConfigError saying which is missing."""
    profile = profiles.get(name)
    token = secrets.get(name, REGISTRATION_TOKEN)
    if not profile.registration_client_uri or not token:
        missing = "registration client URI" if token else "registration access token"
        raise ConfigError(
            f"The profile {name!r} keeps no {missing}: it was not registered through the"
            " workbench, the server offered no RFC 7592 management, or the keyring lost it."
        )
    return profile.registration_client_uri, token


# -- the three operations ---------------------------------------------------------------------
def _known(http: HttpClient, registration: Registration) -> Registration:
    """Every secret of ``registration`` masked in the log from now on."""
    for value in registration.secrets():
        http.log.add_secret(value)
    return registration


def register(
    http: HttpClient,
    endpoint: str,
    metadata: ClientMetadata,
    initial_access_token: str | None = None,
) -> Registration:
    """Register a client at ``endpoint`` (see :func:`registration_endpoint`)."""
    http.log.add_secret(initial_access_token)
    resp = http.send(build_registration_request(endpoint, metadata, initial_access_token))
    return _known(http, parse_registration_response(resp))


def read_registration(http: HttpClient, uri: str, registration_access_token: str) -> Registration:
    """RFC 7592 §2.1: the client's current registration. A server may hand out a new
    registration access token here; without one, the token sent stays the one to keep."""
    http.log.add_secret(registration_access_token)
    resp = http.send(build_read_request(uri, registration_access_token))
    read = parse_registration_response(resp)
    read = replace(
        read,
        registration_access_token=read.registration_access_token or registration_access_token,
        registration_client_uri=read.registration_client_uri or uri,
    )
    return _known(http, read)


def delete_registration(http: HttpClient, uri: str, registration_access_token: str) -> None:
    """RFC 7592 §2.3: delete the client; its credentials stop working."""
    http.log.add_secret(registration_access_token)
    parse_delete_response(http.send(build_delete_request(uri, registration_access_token)))


__all__ = [
    "PRIVATE_JWK_MEMBERS",
    "REGISTRATION_ERRORS",
    "ClientMetadata",
    "Registration",
    "build_delete_request",
    "build_read_request",
    "build_registration_request",
    "delete_registration",
    "load_public_jwks",
    "parse_delete_response",
    "parse_registration_response",
    "profile_registration",
    "public_jwks",
    "read_registration",
    "register",
    "registration_endpoint",
    "registration_of",
    "save_registration",
]
