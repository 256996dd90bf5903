"""The grant registry: every way the app gets tokens, by its ``--grant`` name.

A :class:`Grant` says what each face needs to know about one grant without importing either
face: the core functions that build its requests and parse the answer that carries the tokens,
whether a public client may run it, whether it needs a browser, the scope it asks for when the
user names none, the command-line arguments it reads (declared here, added to the parser by the
command line), and the flow tab that runs it in the app (a tab key, not an import of Qt).

The Cognito API door registers its own grants (:mod:`workbench.core.cognito.grants`), so this
generic module never imports Cognito. The command line's ``--grant`` choices are
:func:`grant_names` of both doors; a test checks that every
registered grant has a builder, a parser, its command-line arguments and (for a user flow) a tab.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workbench.core.oauth.ciba import GRANT_TYPE as CIBA_GRANT_TYPE
from workbench.core.oauth.ciba import (
    build_backchannel_authentication_request,
    build_ciba_token_request,
    parse_backchannel_authentication_response,
)
from workbench.core.oauth.refresh import build_refresh_request
from workbench.core.oauth.rfc6749_code import (
    build_authorization_request,
    build_code_token_request,
    parse_authorization_response,
)
from workbench.core.oauth.rfc6749_grants import (
    build_client_credentials_request,
    build_password_request,
    client_credentials_scope,
)
from workbench.core.oauth.rfc6749_implicit import parse_implicit_response
from workbench.core.oauth.rfc7523_bearer import GRANT_TYPE as JWT_BEARER_GRANT_TYPE
from workbench.core.oauth.rfc7523_bearer import build_jwt_bearer_request
from workbench.core.oauth.rfc8628_device import (
    GRANT_TYPE as DEVICE_CODE_GRANT_TYPE,
)
from workbench.core.oauth.rfc8628_device import (
    build_device_authorization_request,
    build_device_token_request,
    parse_device_authorization,
)
from workbench.core.oauth.rfc8693_exchange import (
    GRANT_TYPE as TOKEN_EXCHANGE_GRANT_TYPE,
)
from workbench.core.oauth.rfc8693_exchange import (
    build_token_exchange_request,
    parse_token_exchange_response,
)
from workbench.core.oauth.token_endpoint import parse_token_response


@dataclass(frozen=True)
class CliArgument:
    """A ``token`` command option a grant reads, beyond the provider's (``--issuer``…) and
    the ones every grant shares (``--scope``, ``--param``, ``--json``…)."""

    flag: str
    help: str


def _same_scope(scope: str) -> str:
    return scope


@dataclass(frozen=True)
class Grant:
    """One grant: what the core, the command line and the app need to know about it."""

    #: The ``--grant`` value, and the ``TokenContext.origin`` of the tokens it delivers.
    name: str
    title: str
    #: The token-endpoint ``grant_type`` (RFC 6749 §4), or for the Cognito door the
    #: ``AuthFlow`` of InitiateAuth; ``None`` when the grant never calls the token endpoint
    #: (implicit: the tokens come in the redirect).
    grant_type: str | None
    #: The core functions that build its requests, in the order they are sent (or, for a
    #: front-channel step, opened in the browser).
    builders: tuple[Callable[..., object], ...]
    #: The core functions that read the answer to each step; the last one gives the tokens.
    parsers: tuple[Callable[..., object], ...]
    #: Whether a public client (``none`` client authentication) may run it.
    public_client: bool
    needs_browser: bool
    #: Whether its token response may carry a refresh token (then ``offline_access`` is worth
    #: asking for).
    refresh_token: bool
    #: The scope asked for when the user names none, from the provider's scope.
    default_scope: Callable[[str], str] = _same_scope
    cli_arguments: tuple[CliArgument, ...] = ()
    #: The flow tab that runs it in the app (``FlowTab.key``); ``None`` for a grant that is no
    #: user flow of its own.
    tab: str | None = None
    #: False for a grant the app runs only as a step of another flow.
    user_flow: bool = True
    #: How the tokens are asked for: ``oauth`` (the provider's OAuth endpoints) or ``cognito``
    #: (the Cognito API door, registered by :mod:`workbench.core.cognito.grants`).
    door: str = "oauth"

    @property
    def parser(self) -> Callable[..., object]:
        """The function that reads the tokens out of the last answer."""
        return self.parsers[-1]


_USERNAME = CliArgument("--username", "user name (password grant)")
_PASSWORD_ENV = CliArgument("--password-env", "read the password from $VAR")
_BROWSER = (
    CliArgument("--redirect-uri", "loopback redirect, http://127.0.0.1:PORT/callback"),
    CliArgument("--no-browser", "print the URL, do not open it"),
    CliArgument("--timeout", "seconds to wait for a browser or device login"),
)

#: Every grant by name, in the order of the command line's ``--grant`` choices (the app's
#: tabs keep their own order: workbench/ui/flows/__init__.py).
GRANTS: dict[str, Grant] = {}


def register_grant(grant: Grant) -> Grant:
    """Make ``grant`` known by its name to every face (a name twice is a programming error)."""
    if not grant.name or grant.name in GRANTS:
        raise ValueError(f"grant {grant.name!r} is unnamed or taken")
    GRANTS[grant.name] = grant
    return grant


for _grant in (
    Grant(
        name="authorization_code",
        title="Authorization code with PKCE (RFC 6749 §4.1, RFC 7636)",
        grant_type="authorization_code",
        builders=(build_authorization_request, build_code_token_request),
        parsers=(parse_authorization_response, parse_token_response),
        public_client=True,
        needs_browser=True,
        refresh_token=True,
        cli_arguments=_BROWSER,
        tab="authCode",
    ),
    Grant(
        name="client_credentials",
        title="Client credentials (RFC 6749 §4.4)",
        grant_type="client_credentials",
        builders=(build_client_credentials_request,),
        parsers=(parse_token_response,),
        public_client=False,
        needs_browser=False,
        refresh_token=False,
        default_scope=client_credentials_scope,
        cli_arguments=(
            CliArgument("--audience", "audience parameter (Auth0 and others)"),
            CliArgument("--resource", "resource indicator (RFC 8707)"),
        ),
        tab="clientCredentials",
    ),
    Grant(
        name="password",
        title="Resource owner password (RFC 6749 §4.3, legacy)",
        grant_type="password",
        builders=(build_password_request,),
        parsers=(parse_token_response,),
        public_client=True,
        needs_browser=False,
        refresh_token=True,
        cli_arguments=(_USERNAME, _PASSWORD_ENV),
        tab="password",
    ),
    Grant(
        name="implicit",
        title="Implicit (RFC 6749 §4.2, legacy)",
        grant_type=None,
        builders=(build_authorization_request,),
        parsers=(parse_implicit_response,),
        public_client=True,
        needs_browser=True,
        refresh_token=False,
        cli_arguments=(
            *_BROWSER,
            CliArgument("--response-type", "implicit grant response type"),
        ),
        tab="implicit",
    ),
    Grant(
        name="device_code",
        title="Device authorization (RFC 8628)",
        grant_type=DEVICE_CODE_GRANT_TYPE,
        builders=(build_device_authorization_request, build_device_token_request),
        parsers=(parse_device_authorization, parse_token_response),
        public_client=True,
        needs_browser=False,  # the user's browser, on any device: none is opened here
        refresh_token=True,
        cli_arguments=(
            CliArgument("--pkce", "send a PKCE S256 code_challenge with the device request"),
            CliArgument("--timeout", "seconds to wait for a browser or device login"),
        ),
        tab="device",
    ),
    Grant(
        name="refresh_token",
        title="Refresh (RFC 6749 §6)",
        grant_type="refresh_token",
        builders=(build_refresh_request,),
        parsers=(parse_token_response,),
        public_client=True,
        needs_browser=False,
        refresh_token=True,
        cli_arguments=(
            CliArgument("--refresh-token", "refresh token, or - to read it from standard input"),
            CliArgument("--refresh-token-env", "read the refresh token from $VAR"),
        ),
        tab="refresh",
    ),
    Grant(
        name="token_exchange",
        title="Token exchange (RFC 8693): impersonation, or delegation with an actor",
        grant_type=TOKEN_EXCHANGE_GRANT_TYPE,
        builders=(build_token_exchange_request,),
        parsers=(parse_token_exchange_response,),
        public_client=False,
        needs_browser=False,
        refresh_token=False,
        cli_arguments=(
            CliArgument("--subject-token", "the token to exchange: T, - (stdin) or @FILE"),
            CliArgument("--subject-token-env", "read the subject token from $VAR"),
            CliArgument("--subject-token-type", "access_token, id_token, jwt… or a URN"),
            CliArgument("--actor-token", "the actor's token (delegation): T, - or @FILE"),
            CliArgument("--actor-token-env", "read the actor token from $VAR"),
            CliArgument("--actor-token-type", "the actor token's type"),
            CliArgument("--requested-token-type", "the token type wanted back"),
            CliArgument("--audience", "where the new token will be used (logical name)"),
            CliArgument("--resource", "where the new token will be used (URI, RFC 8707)"),
        ),
        tab="tokenExchange",
    ),
    Grant(
        name="jwt_bearer",
        title="JWT bearer assertion (RFC 7523 §2.1)",
        grant_type=JWT_BEARER_GRANT_TYPE,
        builders=(build_jwt_bearer_request,),
        parsers=(parse_token_response,),
        public_client=True,  # the assertion is the grant; client authentication is optional
        needs_browser=False,
        refresh_token=False,
        cli_arguments=(
            CliArgument("--assertion", "the assertion (a JWT): A, - (stdin) or @FILE"),
            CliArgument("--assertion-env", "read the assertion from $VAR"),
            CliArgument("--assertion-key", "sign one with this private key (PEM)"),
            CliArgument("--assertion-sub", "the signed assertion's sub (the user)"),
            CliArgument("--assertion-aud", "its aud (default: the token endpoint)"),
            CliArgument("--assertion-iss", "its iss (default: the client id)"),
        ),
        tab="tokenExchange",
    ),
    Grant(
        name="ciba",
        title="OpenID CIBA (poll mode)",
        grant_type=CIBA_GRANT_TYPE,
        builders=(build_backchannel_authentication_request, build_ciba_token_request),
        parsers=(parse_backchannel_authentication_response, parse_token_response),
        public_client=False,  # CIBA Core §7.1: the client authenticates
        needs_browser=False,  # the user approves on their own device
        refresh_token=True,
        cli_arguments=(
            CliArgument("--login-hint", "CIBA: the user to authenticate (login_hint)"),
            CliArgument("--binding-message", "CIBA: a short text shown on the user's device"),
            CliArgument("--requested-expiry", "CIBA: seconds the request may wait for the user"),
            CliArgument("--timeout", "seconds to wait for a browser or device login"),
        ),
        tab="ciba",
    ),
):
    register_grant(_grant)


def grant_names(door: str = "oauth") -> tuple[str, ...]:
    """The names of the grants through ``door`` (the ``--grant`` choices), in order."""
    return tuple(name for name, g in GRANTS.items() if g.door == door)


def unadvertised(grant_type: str, advertised: tuple[str, ...]) -> str | None:
    """A note when the server's ``grant_types_supported`` (``advertised``) leaves
    ``grant_type`` out: the grant is likely refused (``unsupported_grant_type``). ``None`` when
    it is listed or the server lists nothing (the member is optional, RFC 8414 §2)."""
    if not advertised or grant_type in advertised:
        return None
    return (
        f"the server's grant_types_supported does not list {grant_type}: it will likely answer"
        " unsupported_grant_type (sent all the same: the list is advisory)."
    )


def grant(name: str) -> Grant:
    """The grant called ``name`` (a KeyError names the known ones)."""
    try:
        return GRANTS[name]
    except KeyError:
        raise KeyError(f"no grant {name!r} (grants: {', '.join(GRANTS)})") from None


__all__ = [
    "GRANTS",
    "CliArgument",
    "Grant",
    "grant",
    "grant_names",
    "register_grant",
    "unadvertised",
]
