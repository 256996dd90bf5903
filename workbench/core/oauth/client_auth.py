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

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from workbench.core.errors import ConfigError
from workbench.core.hints import Setting
from workbench.core.transport.client_cert import ClientCertificate
from workbench.core.transport.exchange import HttpRequest

#: A registered method's name (``client_secret_basic``, ``client_secret_post``, ``none``…).
AuthMethod = str


@dataclass(frozen=True)
class ClientConfig:
    client_id: str
    client_secret: str | None = None
    auth_method: AuthMethod | None = None
    #: The TLS client certificate the client presents (RFC 8705): it authenticates the client
    #: with the ``tls_client_auth`` methods, and binds its tokens whatever the method.
    certificate: ClientCertificate | None = None

    @property
    def method(self) -> AuthMethod:
        """The explicit method, else Basic when there is a secret (RFC 6749 §2.3.1), else none."""
        if self.auth_method is not None:
            return self.auth_method
        return "client_secret_basic" if self.client_secret else "none"

    def __repr__(self) -> str:  # never print the secret
        secret = "set" if self.client_secret else "none"
        cert = f", certificate={self.certificate.subject!r}" if self.certificate else ""
        return (
            f"ClientConfig(client_id={self.client_id!r}, secret={secret}, method={self.method}"
            f"{cert})"
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


class TlsClientAuth(ClientAuthMethod):
    """Mutual TLS with a certificate from a CA the server trusts; the server matches its
    subject (or a SAN) to the client's registration (RFC 8705 §2.1). The form carries only
    ``client_id``: the TLS handshake proves the client."""

    name = "tls_client_auth"
    description = (
        "mutual TLS: client_id in the form, the client certificate (issued by a CA the"
        " server trusts) proves the client (RFC 8705 §2.1)"
    )
    needs_secret = False

    def apply(
        self, client: ClientConfig, form: Mapping[str, str], endpoint: str
    ) -> ClientAuthentication:
        if client.certificate is None:
            raise ConfigError(
                f"Authentication method {self.name} needs a client certificate and its"
                " private key, and none is set."
            )
        if not endpoint.lower().startswith("https://"):
            raise ConfigError(
                f"Authentication method {self.name} needs an https endpoint (the certificate"
                f" goes in the TLS handshake), and {endpoint} is plain http: does the server"
                " advertise mtls_endpoint_aliases?"
            )
        return ClientAuthentication({**form, "client_id": client.client_id})


class SelfSignedTlsClientAuth(TlsClientAuth):
    """Mutual TLS with a self-signed certificate registered with the client (its JWKS's
    ``x5c``); the server compares the certificate presented (RFC 8705 §2.2)."""

    name = "self_signed_tls_client_auth"
    description = (
        "mutual TLS with a self-signed certificate registered in the client's JWKS:"
        " client_id in the form, no secret (RFC 8705 §2.2)"
    )


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
    NoneAuth(),
    TlsClientAuth(),
    SelfSignedTlsClientAuth(),
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
