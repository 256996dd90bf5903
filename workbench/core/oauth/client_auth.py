"""Client identity and authentication at the token endpoint (RFC 6749 §2.3).

One class per authentication method, each registered by its name (the
``token_endpoint_auth_method`` value of RFC 7591 §2), in :data:`CLIENT_AUTH_METHODS`. A method
is given the form and the URL of the endpoint the request goes to (a signed client assertion,
RFC 7523 §3, names that endpoint as its audience) and answers with what the request carries:
the form it sends, Basic credentials, extra headers. Its :attr:`~ClientAuthMethod.description`
is the one text every face shows for it.

Adding a method is one class here and one :func:`register_client_auth` call; the profile
editor, the ``--auth-method`` choices and the direct-grant tabs read the registry.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol

from workbench.core.errors import ConfigError
from workbench.core.hints import Setting
from workbench.core.keys import HMAC_ALGS, SigningKey, key_from_pem, load_key, sign_with_secret
from workbench.core.transport.exchange import HttpRequest

#: A registered method's name (``client_secret_basic``, ``client_secret_post``, ``none``…).
AuthMethod = str
#: What a client assertion names as its audience: the URL of the endpoint it is sent to, or
#: the issuer (RFC 7523 §3 allows either; OIDC Core §9 asks for the token endpoint).
AssertionAudience = Literal["endpoint", "issuer"]
ASSERTION_AUDIENCES: tuple[AssertionAudience, ...] = ("endpoint", "issuer")
#: ``client_assertion_type`` of a JWT client assertion (RFC 7523 §2.2).
JWT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#: Seconds a client assertion is valid for (its ``exp`` is ``iat`` plus this).
ASSERTION_LIFETIME = 60


@dataclass(frozen=True)
class ClientKey:
    """Where the client's private key is: a PEM file (``path``), or PEM text held in the
    keyring (``pem``); ``kid`` overrides the key id (default: the RFC 7638 thumbprint)."""

    path: str | None = None
    pem: str | None = field(default=None, repr=False)
    kid: str | None = None
    #: The key is meant to be in the keyring (``pem`` is None when the keyring had none).
    in_keyring: bool = False

    def load(self, alg: str | None = None) -> SigningKey:
        """The key, signing with ``alg`` (None: its type's first), or a ConfigError."""
        if self.pem:
            return key_from_pem(self.pem, alg, self.kid or None, source="The key in the keyring")
        if self.in_keyring:
            raise ConfigError(
                "The client's private key is to be in the keyring, and the keyring holds none"
                " for this profile (another machine, or a keyring that was emptied): generate"
                " or choose the key again."
            )
        if self.path:
            return load_key(self.path, alg, self.kid or None)
        raise ConfigError("No client key: give a private key file or keep one in the keyring.")

    def __repr__(self) -> str:  # never the PEM
        where = "keyring" if self.in_keyring or self.pem else repr(self.path)
        return f"ClientKey({where}, kid={self.kid!r})"


@dataclass(frozen=True)
class ClientConfig:
    client_id: str
    client_secret: str | None = None
    auth_method: AuthMethod | None = None
    #: The private key of ``private_key_jwt`` (and of other signatures the client makes).
    client_key: ClientKey | None = None
    #: The algorithm a client assertion is signed with (None: HS256 for client_secret_jwt,
    #: the key's own for private_key_jwt).
    assertion_alg: str | None = None
    #: What a client assertion's ``aud`` is (see :data:`AssertionAudience`).
    assertion_audience: AssertionAudience = "endpoint"
    #: The server's issuer, set by :func:`prepare_client` from its metadata.
    issuer: str = ""
    #: The loaded key, set by :func:`prepare_client` (not compared, never shown).
    signing_key: SigningKey | None = field(default=None, compare=False, repr=False)

    @property
    def method(self) -> AuthMethod:
        """The explicit method, else Basic when there is a secret (RFC 6749 §2.3.1), else none."""
        if self.auth_method is not None:
            return self.auth_method
        return "client_secret_basic" if self.client_secret else "none"

    def key(self) -> SigningKey:
        """The loaded client key (:func:`prepare_client` loads it once), or a ConfigError."""
        if self.signing_key is not None:
            return self.signing_key
        if self.client_key is None:
            raise ConfigError(
                f"Authentication method {self.method} needs the client's private key, and none"
                " is set."
            )
        return self.client_key.load(self.assertion_alg)

    def __repr__(self) -> str:  # never print the secret
        secret = "set" if self.client_secret else "none"
        key = f", key={self.client_key!r}" if self.client_key is not None else ""
        return (
            f"ClientConfig(client_id={self.client_id!r}, secret={secret}, method={self.method}"
            f"{key})"
        )


@dataclass(frozen=True)
class ClientAuthentication:
    """What client authentication adds to one request: the form sent, Basic credentials, and
    headers (all passed to :class:`~workbench.core.transport.exchange.HttpRequest` as they are)."""

    form: dict[str, str]
    basic_auth: tuple[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


class ClientAuthMethod:
    """One client authentication method. Subclasses set :attr:`name`, :attr:`description`
    and :attr:`needs_secret`, and implement :meth:`apply`."""

    name: ClassVar[str] = ""
    #: Shown next to the method wherever a face explains how the client authenticates.
    description: ClassVar[str] = ""
    #: Whether the method cannot work without ``ClientConfig.client_secret``.
    needs_secret: ClassVar[bool] = True
    #: Whether the method needs the client's private key (``ClientConfig.client_key``).
    needs_key: ClassVar[bool] = False
    #: Whether :meth:`prepare` wants the server's metadata (issuer, supported algorithms).
    needs_metadata: ClassVar[bool] = False
    #: The signing algorithms the method can use (the faces offer them), none when it signs
    #: nothing.
    algs: ClassVar[tuple[str, ...]] = ()

    def prepare(
        self, client: ClientConfig, issuer: str, metadata: Mapping[str, Any]
    ) -> ClientConfig:
        """``client`` made ready for this server before a request: checked against what its
        ``metadata`` (the discovery document) says it supports. Nothing to do by default."""
        return client

    def apply(
        self, client: ClientConfig, form: Mapping[str, str], endpoint: str
    ) -> ClientAuthentication:
        raise NotImplementedError

    def secret(self, client: ClientConfig) -> str:
        """The client secret, or a ConfigError saying this method needs one."""
        if not client.client_secret:
            raise ConfigError(
                f"Authentication method {self.name} needs a client secret, and none is set."
            )
        return client.client_secret


class NoneAuth(ClientAuthMethod):
    """A public client: it identifies itself and proves nothing (RFC 6749 §2.1, §3.2.1)."""

    name = "none"
    description = "public client: only client_id is sent, no secret (RFC 6749 §2.1)"
    needs_secret = False

    def apply(
        self, client: ClientConfig, form: Mapping[str, str], endpoint: str
    ) -> ClientAuthentication:
        return ClientAuthentication({**form, "client_id": client.client_id})


class ClientSecretBasic(ClientAuthMethod):
    """The client id and secret as HTTP Basic credentials (RFC 6749 §2.3.1)."""

    name = "client_secret_basic"
    description = "client id and secret in an HTTP Basic Authorization header (RFC 6749 §2.3.1)"

    def apply(
        self, client: ClientConfig, form: Mapping[str, str], endpoint: str
    ) -> ClientAuthentication:
        return ClientAuthentication(dict(form), basic_auth=(client.client_id, self.secret(client)))


class ClientSecretPost(ClientAuthMethod):
    """The client id and secret in the form body (RFC 6749 §2.3.1, not recommended)."""

    name = "client_secret_post"
    description = "client_id and client_secret in the form body (RFC 6749 §2.3.1)"

    def apply(
        self, client: ClientConfig, form: Mapping[str, str], endpoint: str
    ) -> ClientAuthentication:
        secret = self.secret(client)
        return ClientAuthentication(
            {**form, "client_id": client.client_id, "client_secret": secret}
        )


def assertion_claims(client: ClientConfig, endpoint: str) -> dict[str, Any]:
    """The claims of a client assertion for ``endpoint`` (RFC 7523 §3, OIDC Core §9):
    ``iss`` and ``sub`` the client id, ``aud`` the endpoint or the issuer, a fresh ``jti``,
    ``iat`` now and ``exp`` :data:`ASSERTION_LIFETIME` seconds later."""
    if client.assertion_audience == "issuer":
        if not client.issuer:
            raise ConfigError(
                "The client assertion's audience is to be the issuer, and no issuer is known.",
                fix=(Setting.ISSUER,),
            )
        audience = client.issuer
    else:
        audience = endpoint
    now = int(time.time())
    return {
        "iss": client.client_id,
        "sub": client.client_id,
        "aud": audience,
        "jti": str(uuid.uuid4()),
        "iat": now,
        "exp": now + ASSERTION_LIFETIME,
    }


def _check_server_algs(alg: str, metadata: Mapping[str, Any]) -> None:
    """A ConfigError when the server lists the algorithms it accepts for client assertions
    at its token endpoint and ``alg`` is not one of them."""
    listed = metadata.get("token_endpoint_auth_signing_alg_values_supported")
    if not isinstance(listed, list) or not listed:
        return
    algs = [a for a in listed if isinstance(a, str)]
    if alg not in algs:
        raise ConfigError(
            f"The server does not accept client assertions signed with {alg}: its"
            " token_endpoint_auth_signing_alg_values_supported lists only"
            f" {', '.join(algs) or 'nothing usable'}."
        )


class _JwtAssertion(ClientAuthMethod):
    """A signed JWT as the client's credentials (RFC 7523 §2.2): ``client_assertion_type``
    and ``client_assertion`` in the form, beside ``client_id``."""

    needs_metadata = True

    def alg(self, client: ClientConfig) -> str:
        raise NotImplementedError

    def sign(self, client: ClientConfig, claims: Mapping[str, Any]) -> str:
        raise NotImplementedError

    def prepare(
        self, client: ClientConfig, issuer: str, metadata: Mapping[str, Any]
    ) -> ClientConfig:
        _check_server_algs(self.alg(client), metadata)
        return dataclasses.replace(client, issuer=issuer or client.issuer)

    def apply(
        self, client: ClientConfig, form: Mapping[str, str], endpoint: str
    ) -> ClientAuthentication:
        assertion = self.sign(client, assertion_claims(client, endpoint))
        return ClientAuthentication(
            {
                **form,
                "client_id": client.client_id,
                "client_assertion_type": JWT_ASSERTION_TYPE,
                "client_assertion": assertion,
            }
        )


class ClientSecretJwt(_JwtAssertion):
    """A client assertion MACed with the client secret (OIDC Core §9, RFC 7523 §2.2)."""

    name = "client_secret_jwt"
    description = (
        "a JWT signed with the client secret (HS256) as client_assertion; the secret itself"
        " is not sent (RFC 7523 §2.2, OIDC Core §9)"
    )
    algs = HMAC_ALGS

    def alg(self, client: ClientConfig) -> str:
        alg = client.assertion_alg or "HS256"
        if alg not in HMAC_ALGS:
            raise ConfigError(
                f"client_secret_jwt signs with {', '.join(HMAC_ALGS)}, not {alg}: a private"
                " key's algorithm belongs to private_key_jwt."
            )
        return alg

    def sign(self, client: ClientConfig, claims: Mapping[str, Any]) -> str:
        return sign_with_secret(self.secret(client), claims, self.alg(client))


class PrivateKeyJwt(_JwtAssertion):
    """A client assertion signed with the client's private key (OIDC Core §9, RFC 7523
    §2.2); the server knows the public key from the client's registered JWKS."""

    name = "private_key_jwt"
    description = (
        "a JWT signed with the client's private key as client_assertion; the server checks it"
        " with the client's registered public key (RFC 7523 §2.2, OIDC Core §9)"
    )
    needs_secret = False
    needs_key = True
    algs = ("RS256", "PS256", "ES256", "EdDSA")

    def alg(self, client: ClientConfig) -> str:
        return client.key().alg

    def prepare(
        self, client: ClientConfig, issuer: str, metadata: Mapping[str, Any]
    ) -> ClientConfig:
        loaded = dataclasses.replace(client, signing_key=client.key())
        return super().prepare(loaded, issuer, metadata)

    def sign(self, client: ClientConfig, claims: Mapping[str, Any]) -> str:
        return client.key().sign_jwt(claims)


#: Every method by name, in the order the faces offer them.
CLIENT_AUTH_METHODS: dict[AuthMethod, ClientAuthMethod] = {}


def register_client_auth(method: ClientAuthMethod) -> ClientAuthMethod:
    """Make ``method`` known by its name to every face (a name twice is a programming error)."""
    if not method.name or method.name in CLIENT_AUTH_METHODS:
        raise ValueError(f"client authentication method {method.name!r} is unnamed or taken")
    CLIENT_AUTH_METHODS[method.name] = method
    return method


for _method in (
    ClientSecretBasic(),
    ClientSecretPost(),
    ClientSecretJwt(),
    PrivateKeyJwt(),
    NoneAuth(),
):
    register_client_auth(_method)

#: The registered names (``--auth-method`` choices, the profile editor's list).
AUTH_METHODS: tuple[AuthMethod, ...] = tuple(CLIENT_AUTH_METHODS)


def client_auth_method(name: AuthMethod) -> ClientAuthMethod:
    """The registered method called ``name``, or a ConfigError naming the known ones."""
    try:
        return CLIENT_AUTH_METHODS[name]
    except KeyError:
        known = ", ".join(CLIENT_AUTH_METHODS)
        raise ConfigError(
            f"Unknown client authentication method {name!r} (known: {known})."
        ) from None


def describe_client_auth(name: AuthMethod) -> str:
    """The method's description, or words saying it is unknown (never a KeyError)."""
    method = CLIENT_AUTH_METHODS.get(name)
    return method.description if method is not None else "a method this version does not know"


def prepare_client(
    client: ClientConfig, issuer: str = "", metadata: Mapping[str, Any] | None = None
) -> ClientConfig:
    """``client`` ready to authenticate to the server of ``issuer`` and ``metadata``: its key
    loaded, its algorithm checked against the server's list (a ConfigError that says which
    when it is not there). A method that needs nothing of the server returns ``client``."""
    method = CLIENT_AUTH_METHODS.get(client.method)
    if method is None:
        return client  # authenticate() names the unknown method
    return method.prepare(client, issuer, metadata or {})


def needs_metadata(client: ClientConfig) -> bool:
    """Whether :func:`prepare_client` wants the server's metadata for ``client``'s method."""
    method = CLIENT_AUTH_METHODS.get(client.method)
    return method is not None and method.needs_metadata


class ServerFacts(Protocol):
    """What :func:`prepare_for_server` reads of the server's metadata."""

    @property
    def issuer(self) -> str: ...

    @property
    def raw(self) -> Mapping[str, Any]: ...


def prepare_for_server(client: ClientConfig, metadata: Callable[[], ServerFacts]) -> ClientConfig:
    """``client`` ready for the server whose ``metadata()`` is asked for only when the
    client's method needs it (a client assertion's issuer, the algorithms it accepts)."""
    if not needs_metadata(client):
        return client
    meta = metadata()
    return prepare_client(client, meta.issuer, meta.raw)


def authenticate(
    client: ClientConfig, form: Mapping[str, str], endpoint: str
) -> ClientAuthentication:
    """Client authentication for a request with ``form`` to ``endpoint``."""
    if not client.client_id:
        raise ConfigError(
            "No client id: set one in the provider profile.", fix=(Setting.CLIENT_ID,)
        )
    return client_auth_method(client.method).apply(client, form, endpoint)


def authenticated_post(
    endpoint: str, client: ClientConfig, form: Mapping[str, str], purpose: str
) -> HttpRequest:
    """A form POST to ``endpoint`` carrying the client's authentication (token, revocation,
    introspection and device authorization endpoints alike)."""
    auth = authenticate(client, form, endpoint)
    return HttpRequest(
        "POST",
        endpoint,
        headers=auth.headers,
        form=auth.form,
        basic_auth=auth.basic_auth,
        purpose=purpose,
    )
