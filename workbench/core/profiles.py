"""Provider profiles: Qt-free dataclasses saved as JSON under the user's config directory.

A profile never holds a secret: the client secret lives in :class:`SecretStore`, and a profile
that would put one in the file (an extra parameter named like a secret, credentials in a URL) is
refused with the reason instead of being written in plain text.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

from workbench.core.errors import ConfigError
from workbench.core.json_store import NamedJsonStore
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import (
    ASSERTION_AUDIENCES,
    AUTH_METHODS,
    AssertionAudience,
    AuthMethod,
    ClientConfig,
    ClientKey,
)
from workbench.core.oauth.rfc9449_dpop import load_or_create_key
from workbench.core.secrets import SecretStore
from workbench.core.transport.masking import SECRET_FIELDS, TOKEN_FIELDS, url_has_credentials

APP_NAME = "token-workbench"
#: The keyring name (beside ``client_secret``) of a profile's private key PEM.
CLIENT_KEY_SECRET = "client_key"
#: The keyring name of a profile's RFC 7592 registration access token.
REGISTRATION_TOKEN = "registration_access_token"
_NAME = re.compile(r"^[\w .@-]{1,64}$")


def config_dir() -> Path:
    """Where profiles live; ``WORKBENCH_CONFIG_DIR`` overrides (tests, portable use)."""
    override = os.environ.get("WORKBENCH_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME))


@dataclass
class Profile:
    name: str
    issuer: str = ""
    endpoints: dict[str, str] = field(default_factory=dict)
    client_id: str = ""
    auth_method: AuthMethod | None = None
    scope: str = ""
    extra_params: dict[str, str] = field(default_factory=dict)
    redirect_port: int = 0
    verify_tls: bool = True
    #: PKCE on device requests (RFC 7636 with RFC 8628): Keycloak requires it for clients
    #: configured for PKCE.
    device_pkce: bool = False
    #: private_key_jwt: the private key's PEM file (empty: none, or the keyring's, below).
    client_key_file: str = ""
    #: private_key_jwt: the private key is kept in the keyring (:data:`CLIENT_KEY_SECRET`).
    client_key_in_keyring: bool = False
    #: The key id the client assertion names (empty: the key's RFC 7638 thumbprint).
    client_key_id: str = ""
    #: The client assertion's algorithm (empty: HS256, or the key's own).
    client_assertion_alg: str = ""
    #: The client assertion's ``aud``: ``endpoint`` (the endpoint's URL) or ``issuer``.
    client_assertion_audience: AssertionAudience = "endpoint"
    #: RFC 7592 client configuration endpoint of a dynamically registered client (its
    #: registration access token is a secret: :data:`REGISTRATION_TOKEN` in the keyring).
    registration_client_uri: str = ""
    #: DPoP (RFC 9449): every request of this provider carries a proof; tokens are bound.
    dpop: bool = False
    #: The DPoP key's PEM file, made (ES256, 0600) when missing; empty: a key per session.
    dpop_key_file: str = ""

    def validate(self) -> None:
        if not _NAME.match(self.name):
            raise ConfigError(
                "A profile name is 1-64 letters, digits, spaces or . _ @ - characters."
            )
        if self.auth_method is not None and self.auth_method not in AUTH_METHODS:
            raise ConfigError(f"Unknown authentication method {self.auth_method!r}.")
        if (
            not self.issuer
            and not self.endpoints.get("token_endpoint")
            and not self.endpoints.get("authorization_endpoint")
        ):
            raise ConfigError("A profile needs an issuer or at least a token endpoint.")
        if self.client_assertion_audience not in ASSERTION_AUDIENCES:
            raise ConfigError(
                f"The client assertion's audience is the endpoint or the issuer, not"
                f" {self.client_assertion_audience!r}."
            )
        if not 0 <= self.redirect_port <= 65535:
            raise ConfigError("The redirect port must be between 0 and 65535.")
        self._refuse_secrets()

    def _refuse_secrets(self) -> None:
        """Nothing secret goes into the plain-text profile file."""
        secret_names = {n.lower() for n in SECRET_FIELDS | TOKEN_FIELDS}
        for key in self.extra_params:
            if key.lower() in secret_names:
                advice = (
                    " Save the client secret with the profile's secret (the keyring) instead."
                    if key.lower() == "client_secret"
                    else " Give it when you run the flow instead."
                )
                raise ConfigError(
                    f"The extra parameter {key!r} holds a secret, and a profile is stored in"
                    f" plain text, so it is not saved.{advice}"
                )
        urls = (("issuer", self.issuer), *self.endpoints.items())
        for name, url in (*urls, ("registration_client_uri", self.registration_client_uri)):
            if url_has_credentials(url):
                raise ConfigError(
                    f"The {name.replace('_', ' ')} carries a user name or password"
                    " (user:password@host), which a profile would store in plain text: remove it"
                    " and use the client secret (kept in the keyring) instead."
                )

    def client_key(self, secrets: SecretStore | None = None) -> ClientKey | None:
        """Where this profile's private key is: its file, or the PEM in the keyring."""
        kid = self.client_key_id or None
        if self.client_key_in_keyring:
            pem = secrets.get(self.name, CLIENT_KEY_SECRET) if secrets is not None else None
            return ClientKey(pem=pem, kid=kid, in_keyring=True)
        if self.client_key_file:
            return ClientKey(path=self.client_key_file, kid=kid)
        return None

    def to_provider(self, secrets: SecretStore | None = None) -> Provider:
        secret = secrets.get(self.name) if secrets is not None else None
        client = ClientConfig(
            self.client_id,
            secret,
            self.auth_method,
            client_key=self.client_key(secrets) if self.auth_method == "private_key_jwt" else None,
            assertion_alg=self.client_assertion_alg or None,
            assertion_audience=self.client_assertion_audience,
        )
        return Provider(
            client=client,
            issuer=self.issuer or None,
            endpoints=dict(self.endpoints),
            scope=self.scope,
            extra=dict(self.extra_params),
            verify_tls=self.verify_tls,
            name=self.name,
            device_pkce=self.device_pkce,
            dpop_key=load_or_create_key(self.dpop_key_file or None)[0] if self.dpop else None,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class ProfileStore:
    """All profiles in one JSON file (``profiles.json``), written atomically."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or config_dir()
        self.path = self.directory / "profiles.json"
        self._store: NamedJsonStore[Profile] = NamedJsonStore(
            self.path,
            "profiles",
            what="profile",
            decode=Profile.from_dict,
            encode=asdict,
            name_of=lambda p: p.name,
        )

    def load_all(self) -> dict[str, Profile]:
        return self._store.load_all()

    def get(self, name: str) -> Profile:
        return self._store.get(name)

    def save(self, profile: Profile) -> None:
        profile.validate()
        self._store.put(profile)

    def delete(self, name: str) -> None:
        self._store.remove(name)
