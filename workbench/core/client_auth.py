"""Client identity and authentication at the token endpoint (RFC 6749 §2.3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workbench.core.errors import ConfigError

AuthMethod = Literal["client_secret_basic", "client_secret_post", "none"]
AUTH_METHODS: tuple[AuthMethod, ...] = ("client_secret_basic", "client_secret_post", "none")


@dataclass(frozen=True)
class ClientConfig:
    client_id: str
    client_secret: str | None = None
    auth_method: AuthMethod | None = None

    @property
    def method(self) -> AuthMethod:
        """The explicit method, else Basic when there is a secret (RFC 6749 §2.3.1), else none."""
        if self.auth_method is not None:
            return self.auth_method
        return "client_secret_basic" if self.client_secret else "none"

    def __repr__(self) -> str:  # never print the secret
        secret = "set" if self.client_secret else "none"
        return f"ClientConfig(client_id={self.client_id!r}, secret={secret}, method={self.method})"


def authenticate(
    client: ClientConfig, form: dict[str, str]
) -> tuple[dict[str, str], tuple[str, str] | None]:
    """Add client authentication to a token-endpoint form; returns (form, basic_auth)."""
    if not client.client_id:
        raise ConfigError("No client id: set one in the provider profile or with --client-id.")
    method = client.method
    if method == "none":
        return {**form, "client_id": client.client_id}, None
    if not client.client_secret:
        raise ConfigError(f"Authentication method {method} needs a client secret, and none is set.")
    if method == "client_secret_post":
        return {
            **form,
            "client_id": client.client_id,
            "client_secret": client.client_secret,
        }, None
    return dict(form), (client.client_id, client.client_secret)
