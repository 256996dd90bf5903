"""Direct token-endpoint grants: client credentials (RFC 6749 §4.4) and password (§4.3)."""

from __future__ import annotations

from collections.abc import Mapping

from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.token_endpoint import build_token_request
from workbench.core.transport.exchange import HttpRequest

#: Scopes about a user (OIDC Core §5.4, and ``offline_access``, §11). A client-credentials token
#: has no user: servers ignore them there at best, and many refuse them (``invalid_scope``).
USER_SCOPES = frozenset({"openid", "profile", "email", "address", "phone", "offline_access"})


def client_credentials_scope(scope: str) -> str:
    """The scope a client-credentials request asks for unless told otherwise: the provider's
    scope without :data:`USER_SCOPES`. The one default of the command line and the app."""
    return " ".join(s for s in scope.split() if s not in USER_SCOPES)


PASSWORD_WARNING = (
    "The resource owner password grant is deprecated by the OAuth 2.0 Security BCP "
    "(RFC 9700 §2.4): the client sees the user's password. Use it for testing legacy systems only."
)


def _extras(
    scope: str, audience: str | None, resource: str | None, extra: Mapping[str, str] | None
) -> dict[str, str]:
    form: dict[str, str] = {}
    if scope:
        form["scope"] = scope
    if audience:
        form["audience"] = audience
    if resource:
        form["resource"] = resource  # RFC 8707
    form.update({k: v for k, v in (extra or {}).items() if v})
    return form


def build_client_credentials_request(
    token_endpoint: str,
    client: ClientConfig,
    scope: str = "",
    *,
    audience: str | None = None,
    resource: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> HttpRequest:
    form = {"grant_type": "client_credentials", **_extras(scope, audience, resource, extra)}
    return build_token_request(token_endpoint, client, form, "token (client_credentials)")


def build_password_request(
    token_endpoint: str,
    client: ClientConfig,
    username: str,
    password: str,
    scope: str = "",
    *,
    audience: str | None = None,
    resource: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> HttpRequest:
    form = {
        "grant_type": "password",
        "username": username,
        "password": password,
        **_extras(scope, audience, resource, extra),
    }
    return build_token_request(token_endpoint, client, form, "token (password)")
