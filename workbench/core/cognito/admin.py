"""Pool insight with AWS credentials: the app client's settings, what will make a flow fail,
resource servers and their custom scopes.

:class:`CognitoPoolAdmin` describes an app client (:class:`AppClientInfo`); :func:`check_flow`
(pure) lists the :class:`Problem` s that will make a chosen flow fail, each naming the setting to
change. Adding custom scopes is split into :meth:`CognitoPoolAdmin.plan_custom_scopes` (reads,
changes nothing, says what would change) and :meth:`CognitoPoolAdmin.apply` (needs
``confirm=True``), because UpdateUserPoolClient resets every setting it is not sent: the plan
carries the full update built from the client's current description.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from workbench.core.cognito.api import CognitoApi
from workbench.core.cognito.errors import FLOW_SETTINGS
from workbench.core.errors import ConfigError
from workbench.core.hints import Endpoint, Phrase, Setting, as_phrase, plain_word, worded

__all__ = [
    "FLOW_CHECKS",
    "AppClientInfo",
    "CognitoPoolAdmin",
    "Problem",
    "ResourceServer",
    "ScopePlan",
    "check_flow",
    "effective_auth_flows",
]

#: Flows :func:`check_flow` knows: API auth flows, API operations, hosted OAuth grants.
FLOW_CHECKS: tuple[str, ...] = (
    "USER_PASSWORD_AUTH",
    "ADMIN_USER_PASSWORD_AUTH",
    "USER_SRP_AUTH",
    "REFRESH_TOKEN_AUTH",
    "REVOKE_TOKEN",
    "authorization_code",
    "implicit",
    "client_credentials",
    "refresh_token",
)

#: Cognito's default ExplicitAuthFlows when none are set.
DEFAULT_AUTH_FLOWS = frozenset(
    {"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}
)
_LEGACY_FLOWS = {
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH",
}
_IDENTIFIER = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]{1,256}$")
_SCOPE_NAME = re.compile(r"^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$")


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


@dataclass(frozen=True)
class AppClientInfo:
    """What an app client allows (DescribeUserPoolClient), without its secret."""

    user_pool_id: str
    client_id: str
    client_name: str
    has_secret: bool
    explicit_auth_flows: tuple[str, ...]
    allowed_oauth_flows: tuple[str, ...]
    allowed_oauth_scopes: tuple[str, ...]
    oauth_enabled: bool
    callback_urls: tuple[str, ...]
    logout_urls: tuple[str, ...]
    identity_providers: tuple[str, ...]
    enable_token_revocation: bool
    access_token_validity: str
    id_token_validity: str
    refresh_token_validity: str
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_description(cls, data: Mapping[str, Any]) -> AppClientInfo:
        units = data.get("TokenValidityUnits") or {}

        def validity(name: str, unit_key: str, default: str) -> str:
            value = data.get(name)
            if value is None:
                return f"default ({default})"
            return f"{value} {units.get(unit_key) or ('days' if 'Refresh' in name else 'hours')}"

        return cls(
            user_pool_id=str(data.get("UserPoolId") or ""),
            client_id=str(data.get("ClientId") or ""),
            client_name=str(data.get("ClientName") or ""),
            has_secret=bool(data.get("ClientSecret")),
            explicit_auth_flows=_strings(data.get("ExplicitAuthFlows")),
            allowed_oauth_flows=_strings(data.get("AllowedOAuthFlows")),
            allowed_oauth_scopes=_strings(data.get("AllowedOAuthScopes")),
            oauth_enabled=bool(data.get("AllowedOAuthFlowsUserPoolClient")),
            callback_urls=_strings(data.get("CallbackURLs")),
            logout_urls=_strings(data.get("LogoutURLs")),
            identity_providers=_strings(data.get("SupportedIdentityProviders")),
            # Cognito's default for new clients is on; moto reports it explicitly.
            enable_token_revocation=data.get("EnableTokenRevocation") is not False,
            access_token_validity=validity("AccessTokenValidity", "AccessToken", "60 minutes"),
            id_token_validity=validity("IdTokenValidity", "IdToken", "60 minutes"),
            refresh_token_validity=validity("RefreshTokenValidity", "RefreshToken", "30 days"),
            raw={k: v for k, v in data.items() if k != "ClientSecret"},
        )

    @property
    def custom_scopes(self) -> tuple[str, ...]:
        """AllowedOAuthScopes of resource servers (``<identifier>/<scope>``)."""
        return tuple(s for s in self.allowed_oauth_scopes if "/" in s)

    def to_dict(self) -> dict[str, Any]:
        return {
            "user_pool_id": self.user_pool_id,
            "client_id": self.client_id,
            "client_name": self.client_name,
            "has_secret": self.has_secret,
            "explicit_auth_flows": list(self.explicit_auth_flows),
            "allowed_oauth_flows": list(self.allowed_oauth_flows),
            "allowed_oauth_scopes": list(self.allowed_oauth_scopes),
            "allowed_oauth_flows_user_pool_client": self.oauth_enabled,
            "callback_urls": list(self.callback_urls),
            "logout_urls": list(self.logout_urls),
            "supported_identity_providers": list(self.identity_providers),
            "enable_token_revocation": self.enable_token_revocation,
            "access_token_validity": self.access_token_validity,
            "id_token_validity": self.id_token_validity,
            "refresh_token_validity": self.refresh_token_validity,
        }


def effective_auth_flows(explicit: Sequence[str]) -> frozenset[str]:
    """The ALLOW_* flows in force: Cognito's defaults when none are set; legacy names mapped
    (with the legacy meaning that SRP and refresh were always on)."""
    if not explicit:
        return DEFAULT_AUTH_FLOWS
    flows = {_LEGACY_FLOWS.get(f, f) for f in explicit}
    if any(f in _LEGACY_FLOWS for f in explicit):
        flows |= {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    return frozenset(flows)


@dataclass(frozen=True)
class Problem:
    """Something that will make a flow fail (``error``) or surprise (``warning``): the app
    client's ``setting`` to look at and the ``advice`` (a phrase: a workbench setting it names
    is worded by each face, :mod:`workbench.core.hints`)."""

    severity: Literal["error", "warning"]
    setting: str
    advice: Phrase

    def __str__(self) -> str:
        return f"{self.severity}: {self.setting}: {worded(self.advice)}"

    def to_dict(self, word: Callable[[Setting | Endpoint], str] = plain_word) -> dict[str, str]:
        """As JSON, the settings the advice names in ``word``'s words (a face's)."""
        advice = worded(self.advice, word)
        return {"severity": self.severity, "setting": self.setting, "advice": advice}


#: The InitiateAuth flow each API flow of :data:`FLOW_CHECKS` is checked as.
_API_FLOWS: dict[str, str] = {
    "USER_PASSWORD_AUTH": "USER_PASSWORD_AUTH",
    "ADMIN_USER_PASSWORD_AUTH": "ADMIN_USER_PASSWORD_AUTH",
    "USER_SRP_AUTH": "USER_SRP_AUTH",
    "REFRESH_TOKEN_AUTH": "REFRESH_TOKEN_AUTH",
    "refresh_token": "REFRESH_TOKEN_AUTH",
}


def _error(setting: str, advice: str | Phrase) -> Problem:
    return Problem("error", setting, as_phrase(advice))


def _warning(setting: str, advice: str | Phrase) -> Problem:
    return Problem("warning", setting, as_phrase(advice))


def _api_problems(info: AppClientInfo, flow: str, secret: bool | None) -> Iterator[Problem]:
    """ExplicitAuthFlows, the client secret and token revocation."""
    allowed = effective_auth_flows(info.explicit_auth_flows)
    needed = FLOW_SETTINGS.get(_API_FLOWS.get(flow, ""))
    if needed is not None and needed not in allowed:
        yield _error(
            "ExplicitAuthFlows",
            f"{flow} needs {needed} in the app client's ExplicitAuthFlows (it allows "
            f"{', '.join(sorted(allowed)) or 'none'}). Cognito would answer "
            "InvalidParameterException.",
        )
    if secret is not None and flow != "REVOKE_TOKEN" and info.has_secret and not secret:
        yield _error(
            "ClientSecret",
            "The app client has a client secret: every call needs a SECRET_HASH (API) or "
            "client authentication (hosted), so supply the secret.",
        )
    if secret is not None and flow != "REVOKE_TOKEN" and not info.has_secret and secret:
        yield _warning(
            "ClientSecret",
            "The app client has no secret, but one was supplied: leave it out (Cognito "
            "refuses a SECRET_HASH for a client without secret).",
        )
    if flow == "REVOKE_TOKEN" and not info.enable_token_revocation:
        yield _error(
            "EnableTokenRevocation",
            "RevokeToken needs EnableTokenRevocation on the app client (UpdateUserPoolClient); "
            "without it, only GlobalSignOut ends sessions.",
        )


def _hosted_problems(
    info: AppClientInfo, flow: str, scopes: Sequence[str], has_domain: bool | None
) -> Iterator[Problem]:
    """The hosted endpoints: domain, OAuth enabled, the grant, the scopes."""
    grant = {"authorization_code": "code"}.get(flow, flow)
    if has_domain is False:
        yield _error(
            "Domain",
            "The hosted OAuth endpoints exist only once the pool has a domain (prefix or "
            "custom domain).",
        )
    if not info.oauth_enabled:
        yield _error(
            "AllowedOAuthFlowsUserPoolClient",
            "The app client is not enabled for OAuth 2.0 (AllowedOAuthFlowsUserPoolClient "
            "is false): the /oauth2 endpoints refuse it.",
        )
    if grant not in info.allowed_oauth_flows:
        shown = ", ".join(info.allowed_oauth_flows) or "none"
        yield _error(
            "AllowedOAuthFlows", f"{flow} needs '{grant}' in AllowedOAuthFlows (it has {shown})."
        )
    missing = [s for s in scopes if s not in info.allowed_oauth_scopes]
    if missing:
        yield _error(
            "AllowedOAuthScopes",
            f"The app client does not allow the scope(s) {', '.join(missing)} "
            f"(AllowedOAuthScopes: {', '.join(info.allowed_oauth_scopes) or 'none'}).",
        )


def _client_credentials_problems(info: AppClientInfo) -> Iterator[Problem]:
    if not info.has_secret:
        yield _error(
            "GenerateSecret",
            "Client credentials needs an app client with a secret; a secret cannot be added "
            "to an existing client, so create a new one with GenerateSecret.",
        )
    if not info.custom_scopes:
        yield _error(
            "AllowedOAuthScopes",
            "Client credentials only grants custom scopes (<resource-server-id>/<scope>) "
            "and the app client allows none: create a resource server and add its scopes "
            "to the client.",
        )
    others = [f for f in info.allowed_oauth_flows if f != "client_credentials"]
    if others and "client_credentials" in info.allowed_oauth_flows:
        yield _warning(
            "AllowedOAuthFlows",
            f"Cognito does not allow client_credentials together with {', '.join(others)} "
            "on one app client.",
        )


def _browser_problems(
    info: AppClientInfo, flow: str, redirect_uri: str | None
) -> Iterator[Problem]:
    if not info.callback_urls:
        yield _error("CallbackURLs", "The app client has no callback URL to redirect to.")
    elif redirect_uri is not None and redirect_uri not in info.callback_urls:
        yield _error(
            "CallbackURLs",
            (
                f"{redirect_uri} is not among the client's callback URLs "
                f"({', '.join(info.callback_urls)}). Cognito compares them exactly, port "
                "included: register a fixed loopback URL and use it (",
                Setting.REDIRECT_URI,
                ").",
            ),
        )
    if not info.identity_providers:
        yield _error(
            "SupportedIdentityProviders",
            "The app client has no identity provider (add COGNITO for the pool's users).",
        )
    if flow == "implicit":
        yield _warning("AllowedOAuthFlows", "The implicit grant is deprecated (RFC 9700 §2.1.2).")


def check_flow(
    info: AppClientInfo,
    flow: str,
    *,
    secret_supplied: bool | None = None,
    scopes: Sequence[str] = (),
    redirect_uri: str | None = None,
    has_domain: bool | None = None,
) -> list[Problem]:
    """What in the app client's settings will make ``flow`` (one of :data:`FLOW_CHECKS`) fail.

    ``secret_supplied`` (None: unknown) compares the client secret the person gave with the
    client's; ``scopes`` are the requested scopes, ``redirect_uri`` the one a browser flow will
    use, ``has_domain`` whether the pool has a domain (None: unknown).
    """
    if flow not in FLOW_CHECKS:
        raise ConfigError(f"Unknown flow {flow!r} to check (one of {', '.join(FLOW_CHECKS)}).")
    problems = list(_api_problems(info, flow, secret_supplied))
    if flow in ("authorization_code", "implicit", "client_credentials"):
        problems += _hosted_problems(info, flow, scopes, has_domain)
    if flow == "client_credentials":
        problems += _client_credentials_problems(info)
    if flow in ("authorization_code", "implicit"):
        problems += _browser_problems(info, flow, redirect_uri)
    if flow == "refresh_token" and not info.oauth_enabled:
        problems.append(
            _warning(
                "AllowedOAuthFlowsUserPoolClient",
                "Refreshing at /oauth2/token needs an OAuth-enabled app client.",
            )
        )
    return problems


@dataclass(frozen=True)
class ResourceServer:
    """A pool's resource server: its identifier and scopes (name, description)."""

    identifier: str
    name: str
    scopes: tuple[tuple[str, str], ...]

    @property
    def scope_names(self) -> tuple[str, ...]:
        """Full scope names as tokens carry them: ``<identifier>/<scope>``."""
        return tuple(f"{self.identifier}/{name}" for name, _ in self.scopes)

    @classmethod
    def from_description(cls, data: Mapping[str, Any]) -> ResourceServer:
        scopes = tuple(
            (str(s.get("ScopeName", "")), str(s.get("ScopeDescription", "")))
            for s in data.get("Scopes") or []
            if isinstance(s, Mapping)
        )
        return cls(str(data.get("Identifier", "")), str(data.get("Name", "")), scopes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "identifier": self.identifier,
            "name": self.name,
            "scopes": [{"name": n, "description": d} for n, d in self.scopes],
        }


@dataclass(frozen=True)
class ScopePlan:
    """What :meth:`CognitoPoolAdmin.apply` would do; nothing has been changed yet."""

    user_pool_id: str
    client_id: str
    identifier: str
    name: str
    create_server: bool
    server_scopes: tuple[tuple[str, str], ...]
    new_server_scopes: tuple[str, ...]
    add_to_client: tuple[str, ...]
    client_update: Mapping[str, Any] = field(repr=False)
    warnings: tuple[str, ...] = ()

    @property
    def nothing_to_do(self) -> bool:
        return not (self.create_server or self.new_server_scopes or self.client_update)

    def steps(self) -> list[str]:
        """The changes, one sentence each (what the CLI and UI ask the person to confirm)."""
        steps: list[str] = []
        if self.create_server:
            names = ", ".join(n for n, _ in self.server_scopes)
            steps.append(
                f"create the resource server {self.identifier!r} ({self.name}) in "
                f"{self.user_pool_id} with the scopes {names}"
            )
        elif self.new_server_scopes:
            steps.append(
                f"add the scopes {', '.join(self.new_server_scopes)} to the resource server "
                f"{self.identifier!r} (UpdateResourceServer, sending all its scopes)"
            )
        if self.client_update:
            scopes = ", ".join(self.add_to_client) or "no new scopes"
            flows = self.client_update.get("AllowedOAuthFlows")
            line = (
                f"update the app client {self.client_id}: AllowedOAuthScopes += {scopes} "
                f"(UpdateUserPoolClient, resending every other setting as described now)"
            )
            if flows:
                line += f"; AllowedOAuthFlows = {', '.join(flows)}"
            steps.append(line)
        return steps


def _wanted_scopes(
    identifier: str, scopes: Sequence[tuple[str, str] | str]
) -> list[tuple[str, str]]:
    """The (name, description) of each scope to plan, once the identifier and every name are
    valid."""
    if not _IDENTIFIER.match(identifier):
        raise ConfigError(
            f"{identifier!r} is not a resource server identifier (1-256 printable "
            "characters without spaces, quotes or backslashes; often the API's URL)."
        )
    wanted: list[tuple[str, str]] = []
    for item in scopes:
        scope, description = (item, item) if isinstance(item, str) else item
        if not _SCOPE_NAME.match(scope):
            raise ConfigError(
                f"{scope!r} is not a scope name (printable, no spaces, quotes, '/' or '\\')."
            )
        wanted.append((scope, description or scope))
    if not wanted:
        raise ConfigError(("Name at least one scope (", Setting.RESOURCE_SCOPE, ")."))
    return wanted


class CognitoPoolAdmin(CognitoApi):
    """Reading and changing pool settings (signed calls: needs AWS credentials)."""

    def describe_client(self) -> AppClientInfo:
        return AppClientInfo.from_description(self._describe_raw())

    def _describe_raw(self) -> dict[str, Any]:
        response = self.call(
            "describe_user_pool_client",
            UserPoolId=self.pool.require_pool(),
            ClientId=self.pool.require_client(),
        )
        data = dict(response.get("UserPoolClient") or {})
        self.log.add_secret(data.get("ClientSecret"))
        return data

    def check(
        self,
        flow: str,
        *,
        scopes: Sequence[str] = (),
        redirect_uri: str | None = None,
    ) -> list[Problem]:
        """:func:`check_flow` for this pool's app client and the secret supplied here."""
        hosted = flow in ("authorization_code", "implicit", "client_credentials")
        has_domain = bool(self.pool.domain) if hosted else None
        return check_flow(
            self.describe_client(),
            flow,
            secret_supplied=self.pool.has_secret,
            scopes=scopes,
            redirect_uri=redirect_uri,
            has_domain=has_domain,
        )

    def list_resource_servers(self) -> list[ResourceServer]:
        servers: list[ResourceServer] = []
        token: str | None = None
        while True:
            extra: dict[str, Any] = {"NextToken": token} if token else {}
            response = self.call(
                "list_resource_servers",
                UserPoolId=self.pool.require_pool(),
                MaxResults=50,
                **extra,
            )
            servers += [
                ResourceServer.from_description(s) for s in response.get("ResourceServers") or []
            ]
            token = response.get("NextToken")
            if not token:
                return servers

    def plan_custom_scopes(
        self,
        identifier: str,
        scopes: Sequence[tuple[str, str] | str],
        *,
        name: str = "",
        enable_client_credentials: bool = False,
    ) -> ScopePlan:
        """Plan a resource server with ``scopes`` and their addition to the app client's
        AllowedOAuthScopes (optionally also making it a client-credentials client). Reads only.
        """
        wanted = _wanted_scopes(identifier, scopes)
        existing = {s.identifier: s for s in self.list_resource_servers()}
        current = existing.get(identifier)
        have = dict(current.scopes) if current else {}
        new_scopes = tuple(s for s, _ in wanted if s not in have)
        server_scopes = tuple({**dict(wanted), **have}.items())
        raw = self._describe_raw()
        info = AppClientInfo.from_description(raw)
        full = [f"{identifier}/{s}" for s, _ in wanted]
        add = tuple(s for s in full if s not in info.allowed_oauth_scopes)
        update, notes = self._plan_client_update(raw, info, add, enable_client_credentials)
        if enable_client_credentials and not info.has_secret:
            notes.append(
                "the app client has no secret, and client credentials needs one: create a new "
                "app client with GenerateSecret"
            )
        return ScopePlan(
            user_pool_id=self.pool.require_pool(),
            client_id=self.pool.require_client(),
            identifier=identifier,
            name=name or (current.name if current else identifier),
            create_server=current is None,
            server_scopes=server_scopes,
            new_server_scopes=new_scopes if current is not None else (),
            add_to_client=add,
            client_update=update,
            warnings=tuple(notes),
        )

    def _plan_client_update(
        self,
        raw: Mapping[str, Any],
        info: AppClientInfo,
        add: tuple[str, ...],
        enable_client_credentials: bool,
    ) -> tuple[dict[str, Any], list[str]]:
        """The UpdateUserPoolClient request adding ``add`` (empty: nothing to update) and the
        notes about what it changes besides."""
        flows_change = enable_client_credentials and (
            info.allowed_oauth_flows != ("client_credentials",) or not info.oauth_enabled
        )
        if not (add or flows_change):
            return {}, []
        notes: list[str] = []
        update = self._client_update(raw)
        update["AllowedOAuthScopes"] = [*info.allowed_oauth_scopes, *add]
        if enable_client_credentials:
            update["AllowedOAuthFlows"] = ["client_credentials"]
            update["AllowedOAuthFlowsUserPoolClient"] = True
            dropped = [f for f in info.allowed_oauth_flows if f != "client_credentials"]
            if dropped:
                notes.append(
                    f"the client's other OAuth flows ({', '.join(dropped)}) are removed: "
                    "Cognito does not combine them with client_credentials"
                )
        elif not info.oauth_enabled or not info.allowed_oauth_flows:
            notes.append(
                "the app client has no OAuth flow enabled: the scopes will not be usable "
                "until it has one (client credentials needs a secret)"
            )
        return update, notes

    def _client_update(self, described: Mapping[str, Any]) -> dict[str, Any]:
        """An UpdateUserPoolClient request resending every setting the description holds
        (Cognito resets any setting the update omits)."""
        operation = self.client.meta.service_model.operation_model("UpdateUserPoolClient")
        members = set(operation.input_shape.members)
        update = {k: v for k, v in described.items() if k in members and v is not None}
        update["UserPoolId"] = self.pool.require_pool()
        update["ClientId"] = self.pool.require_client()
        return update

    def apply(self, plan: ScopePlan, *, confirm: bool = False) -> AppClientInfo:
        """Carry out ``plan`` once the person agreed (``confirm=True``); returns the client as
        described afterwards."""
        if not confirm:
            raise ConfigError(
                "Nothing was changed: these changes need confirmation (confirm=True): "
                + "; ".join(plan.steps())
            )
        scopes = [{"ScopeName": n, "ScopeDescription": d} for n, d in plan.server_scopes]
        if plan.create_server:
            self.call(
                "create_resource_server",
                UserPoolId=plan.user_pool_id,
                Identifier=plan.identifier,
                Name=plan.name,
                Scopes=scopes,
            )
        elif plan.new_server_scopes:
            self.call(
                "update_resource_server",
                UserPoolId=plan.user_pool_id,
                Identifier=plan.identifier,
                Name=plan.name,
                Scopes=scopes,
            )
        if plan.client_update:
            self.call("update_user_pool_client", **plan.client_update)
        return self.describe_client()
