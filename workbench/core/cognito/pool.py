"""Amazon Cognito user pools: the provider description and the knowledge derived from it.

A :class:`CognitoPool` names a pool (region, pool id), an app client (id, optional secret) and,
optionally, the pool's domain, an AWS profile and an endpoint override (a local emulator such as
moto). From it come the issuer, the JWKS URL, the hosted OAuth 2.0 endpoints and a generic
:class:`~workbench.core.model.Provider`, so the hosted door runs through the same flow code as
every other provider.

The API door lives in :mod:`workbench.core.cognito.auth` (sign-in, challenges, refresh, revoke,
sign-out, GetUser) and :mod:`workbench.core.cognito.admin` (app client insight, resource servers);
:mod:`workbench.core.cognito.api` makes the boto3 client whose every call lands in the exchange
log (:mod:`workbench.core.cognito.recorder`), with errors mapped by
:mod:`workbench.core.cognito.errors`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from workbench.core.errors import ConfigError
from workbench.core.hints import Setting
from workbench.core.json_store import NamedJsonStore
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.profiles import config_dir
from workbench.core.secrets import SecretStore

__all__ = [
    "HOSTED_PATHS",
    "CognitoPool",
    "CognitoPoolStore",
    "SecretHash",
    "compute_secret_hash",
    "is_loopback_url",
]

#: The hosted OAuth 2.0 endpoints of a pool's domain, by generic endpoint name.
HOSTED_PATHS: dict[str, str] = {
    "authorization_endpoint": "/oauth2/authorize",
    "token_endpoint": "/oauth2/token",
    "revocation_endpoint": "/oauth2/revoke",
    "userinfo_endpoint": "/oauth2/userInfo",
    "end_session_endpoint": "/logout",
}

_REGION = re.compile(r"^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$")
_POOL_ID = re.compile(r"^([a-z]{2,4}(?:-[a-z]+)+-\d{1,2})_([0-9A-Za-z]+)$")
_DOMAIN_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_NAME = re.compile(r"^[\w .@-]{1,64}$")


def is_loopback_url(url: str) -> bool:
    """True for a URL whose host is this machine (localhost, 127.0.0.0/8, ::1)."""
    host = (urlsplit(url).hostname or "").strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def compute_secret_hash(client_secret: str, username: str, client_id: str) -> str:
    """``Base64(HMAC_SHA256(key=client_secret, msg=username + client_id))``."""
    digest = hmac.new(
        client_secret.encode("utf-8"), (username + client_id).encode("utf-8"), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class SecretHash:
    """A SECRET_HASH and the inputs it was computed from (never the client secret itself).

    ``value`` is what is sent; :meth:`explain` is what the UI and CLI show.
    """

    value: str = field(repr=False)
    username: str
    client_id: str

    @property
    def message(self) -> str:
        """The HMAC message: the user name followed by the app client id."""
        return self.username + self.client_id

    def explain(self) -> str:
        return (
            f"SECRET_HASH = Base64(HMAC_SHA256(key=<client secret>, "
            f"msg={self.username!r} + {self.client_id!r}))"
        )

    def to_dict(self) -> dict[str, str]:
        """The inputs and the formula, for display (the value and the secret are left out)."""
        return {
            "username": self.username,
            "client_id": self.client_id,
            "formula": self.explain(),
        }


@dataclass(frozen=True)
class CognitoPool:
    """A Cognito user pool and one of its app clients, as the workbench talks to them.

    ``region`` may be left empty when ``user_pool_id`` is given: a pool id starts with its
    region (``eu-west-1_AbC123``). ``domain`` is a domain prefix (``myapp`` →
    ``https://myapp.auth.<region>.amazoncognito.com``), a host name, or a full custom-domain URL
    (``http://`` only for loopback stand-ins). ``aws_profile`` picks a profile of the standard
    boto3 credential chain (empty: the default chain). ``endpoint_url`` points the ``cognito-idp``
    API at a local emulator; the issuer expectation stays the AWS one (tokens name it).

    The client secret is never part of :meth:`to_dict`: persisted pools keep it in the keyring
    (:class:`CognitoPoolStore`).
    """

    region: str = ""
    user_pool_id: str = ""
    client_id: str = ""
    client_secret: str | None = field(default=None, repr=False, compare=False)
    domain: str = ""
    aws_profile: str = ""
    endpoint_url: str = ""
    name: str = ""
    verify_tls: bool = True

    def __post_init__(self) -> None:
        pool_id = self.user_pool_id.strip()
        region = self.region.strip()
        if pool_id:
            match = _POOL_ID.match(pool_id)
            if match is None:
                raise ConfigError(
                    f"{pool_id!r} is not a user pool id: it looks like <region>_<id>, "
                    "for example us-east-1_AbCdEf123 (Cognito console, 'User pool ID')."
                )
            if region and region != match.group(1):
                raise ConfigError(
                    f"The user pool {pool_id} lives in {match.group(1)}, not in {region}: "
                    "fix the region or leave it out.",
                    fix=(Setting.REGION,),
                )
            region = match.group(1)
        if region and not _REGION.match(region):
            raise ConfigError(f"{region!r} is not an AWS region name (like us-east-1).")
        object.__setattr__(self, "user_pool_id", pool_id)
        object.__setattr__(self, "region", region)
        object.__setattr__(self, "client_id", self.client_id.strip())
        object.__setattr__(self, "domain", self.domain.strip())
        object.__setattr__(self, "endpoint_url", self.endpoint_url.strip().rstrip("/"))
        if self.endpoint_url:
            parts = urlsplit(self.endpoint_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ConfigError(f"The endpoint URL {self.endpoint_url!r} is not an http(s) URL.")
        if self.domain:
            self.hosted_base  # noqa: B018 - validates the domain now, not at first use

    # -- what must be there -------------------------------------------------------------------
    def require_region(self) -> str:
        if not self.region:
            raise ConfigError(
                "Say which AWS region the pool is in.", fix=(Setting.REGION, Setting.USER_POOL_ID)
            )
        return self.region

    def require_pool(self) -> str:
        if not self.user_pool_id:
            raise ConfigError(
                "This needs the user pool id (like us-east-1_AbC).", fix=(Setting.USER_POOL_ID,)
            )
        return self.user_pool_id

    def require_client(self) -> str:
        if not self.client_id:
            raise ConfigError("This needs the app client id.", fix=(Setting.CLIENT_ID,))
        return self.client_id

    @property
    def has_secret(self) -> bool:
        return bool(self.client_secret)

    def with_secret(self, client_secret: str | None) -> CognitoPool:
        return replace(self, client_secret=client_secret or None)

    # -- derived URLs ---------------------------------------------------------------------------
    @property
    def issuer(self) -> str:
        """``https://cognito-idp.<region>.amazonaws.com/<poolId>``: the ``iss`` of its tokens."""
        pool = self.require_pool()
        return f"https://cognito-idp.{self.require_region()}.amazonaws.com/{pool}"

    @property
    def api_endpoint(self) -> str:
        """Where ``cognito-idp`` API calls go: the override, else the regional AWS endpoint."""
        if self.endpoint_url:
            return self.endpoint_url
        return f"https://cognito-idp.{self.require_region()}.amazonaws.com"

    @property
    def jwks_url(self) -> str:
        """The pool's keys: ``<issuer>/.well-known/jwks.json``.

        Under an endpoint override the same path hangs off the emulator's URL (moto serves
        ``<endpoint>/<poolId>/.well-known/jwks.json``, ``moto/cognitoidp/urls.py``).
        """
        if self.endpoint_url:
            return f"{self.endpoint_url}/{self.require_pool()}/.well-known/jwks.json"
        return f"{self.issuer}/.well-known/jwks.json"

    @property
    def discovery_url(self) -> str:
        """``<issuer>/.well-known/openid-configuration`` (AWS; moto 5.2 does not serve it)."""
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def hosted_base(self) -> str | None:
        """The base URL of the pool's domain, or None when no domain is set."""
        domain = self.domain
        if not domain:
            return None
        if "://" in domain:
            parts = urlsplit(domain)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ConfigError(f"The domain {domain!r} is not an http(s) URL.")
            if parts.scheme == "http" and not is_loopback_url(domain):
                raise ConfigError(
                    f"The domain {domain!r} uses plain http: Cognito domains are https "
                    "(http is accepted for a stand-in on this machine only)."
                )
            if parts.query or parts.fragment:
                raise ConfigError(f"The domain {domain!r} must not have a query or fragment.")
            return domain.rstrip("/")
        if "." in domain:
            if "/" in domain:
                raise ConfigError(f"The domain {domain!r} is neither a prefix, a host nor a URL.")
            return f"https://{domain.rstrip('.')}"
        if not _DOMAIN_PREFIX.match(domain):
            raise ConfigError(
                f"{domain!r} is not a Cognito domain prefix (lowercase letters, digits and '-')."
            )
        return f"https://{domain}.auth.{self.require_region()}.amazoncognito.com"

    def hosted_endpoints(self) -> dict[str, str]:
        """The hosted OAuth 2.0 endpoints plus ``jwks_uri``; ConfigError without a domain."""
        base = self.hosted_base
        if base is None:
            raise ConfigError(
                "The hosted OAuth 2.0 endpoints (/oauth2/authorize, /oauth2/token, ...) exist "
                "only once the pool has a domain: set its domain prefix or custom domain "
                "(Cognito console: App integration, Domain)."
            )
        endpoints = {name: base + path for name, path in HOSTED_PATHS.items()}
        endpoints["jwks_uri"] = self.jwks_url
        return endpoints

    def to_provider(self, scope: str = "") -> Provider:
        """The generic provider for the hosted door: manual endpoints in Cognito's layout and
        ``client_secret_basic`` (``none`` for a public client). Cognito has no introspection
        endpoint, so the server verdict of a hosted token comes from userInfo."""
        client = ClientConfig(
            self.require_client(),
            self.client_secret,
            "client_secret_basic" if self.client_secret else "none",
        )
        return Provider(
            client=client,
            issuer=self.issuer,
            endpoints=self.hosted_endpoints(),
            scope=scope,
            verify_tls=self.verify_tls,
            name=self.name or f"Cognito {self.user_pool_id}",
            end_session_style="cognito",
        )

    # -- SECRET_HASH ----------------------------------------------------------------------------
    def secret_hash(self, username: str) -> SecretHash | None:
        """The SECRET_HASH for ``username``, or None when the app client has no secret."""
        if not self.client_secret:
            return None
        client_id = self.require_client()
        value = compute_secret_hash(self.client_secret, username, client_id)
        return SecretHash(value, username, client_id)

    # -- persistence ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Everything but the client secret (which belongs in the keyring)."""
        data = asdict(self)
        data.pop("client_secret", None)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CognitoPool:
        known = {f.name for f in fields(cls)} - {"client_secret"}
        return cls(**{k: v for k, v in data.items() if k in known})

    def __repr__(self) -> str:  # the secret never goes to a repr
        secret = "set" if self.client_secret else "none"
        return (
            f"CognitoPool(region={self.region!r}, user_pool_id={self.user_pool_id!r}, "
            f"client_id={self.client_id!r}, secret={secret}, domain={self.domain!r}, "
            f"endpoint_url={self.endpoint_url!r})"
        )


class CognitoPoolStore:
    """Named Cognito pools as JSON (``cognito_pools.json``), secrets in :class:`SecretStore`."""

    SECRET_NAME = "cognito_client_secret"

    def __init__(self, directory: Path | None = None, secrets: SecretStore | None = None) -> None:
        self.directory = directory or config_dir()
        self.path = self.directory / "cognito_pools.json"
        self.secrets = secrets if secrets is not None else SecretStore()
        self._store: NamedJsonStore[CognitoPool] = NamedJsonStore(
            self.path,
            "pools",
            what="Cognito pool",
            decode=CognitoPool.from_dict,
            encode=CognitoPool.to_dict,
            name_of=lambda p: p.name,
        )

    @staticmethod
    def _secret_key(name: str) -> str:
        return f"cognito/{name}"

    def load_all(self) -> dict[str, CognitoPool]:
        """Every saved pool, with its secret from the keyring (or memory) when there is one."""
        return {
            name: pool.with_secret(self.secrets.get(self._secret_key(name), self.SECRET_NAME))
            for name, pool in self._store.load_all().items()
        }

    def get(self, name: str) -> CognitoPool:
        pool = self._store.get(name)
        return pool.with_secret(self.secrets.get(self._secret_key(name), self.SECRET_NAME))

    def save(self, pool: CognitoPool) -> None:
        """Write the pool (without secret) and put its secret, if any, in the secret store."""
        if not _NAME.match(pool.name):
            raise ConfigError("A pool name is 1-64 letters, digits, spaces or . _ @ - characters.")
        self._store.put(pool)
        key = self._secret_key(pool.name)
        if pool.client_secret:
            self.secrets.set(key, pool.client_secret, self.SECRET_NAME)
        else:
            self.secrets.delete(key, self.SECRET_NAME)

    def delete(self, name: str) -> None:
        self._store.remove(name)
        self.secrets.delete(self._secret_key(name), self.SECRET_NAME)
