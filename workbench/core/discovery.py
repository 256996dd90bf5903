"""Server metadata: OpenID Connect Discovery 1.0 and RFC 8414, with manual endpoints as fallback."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from workbench.core.errors import ConfigError, TransportError
from workbench.core.http import HttpClient

ENDPOINT_NAMES = (
    "authorization_endpoint",
    "token_endpoint",
    "device_authorization_endpoint",
    "revocation_endpoint",
    "introspection_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "end_session_endpoint",
)


@dataclass(frozen=True)
class ServerMetadata:
    issuer: str = ""
    authorization_endpoint: str | None = None
    token_endpoint: str | None = None
    device_authorization_endpoint: str | None = None
    revocation_endpoint: str | None = None
    introspection_endpoint: str | None = None
    userinfo_endpoint: str | None = None
    jwks_uri: str | None = None
    end_session_endpoint: str | None = None
    authorization_response_iss_parameter_supported: bool = False
    scopes_supported: tuple[str, ...] = ()
    grant_types_supported: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> ServerMetadata:
        known = {f.name for f in fields(cls)} - {"raw", "scopes_supported", "grant_types_supported"}
        values: dict[str, Any] = {}
        for name in known:
            value = doc.get(name)
            if name == "authorization_response_iss_parameter_supported":
                values[name] = value is True
            elif isinstance(value, str) and value:
                values[name] = value
        return cls(
            **values,
            scopes_supported=_str_tuple(doc.get("scopes_supported")),
            grant_types_supported=_str_tuple(doc.get("grant_types_supported")),
            raw=dict(doc),
        )

    def with_overrides(self, endpoints: Mapping[str, str]) -> ServerMetadata:
        """Manual endpoints take precedence over discovered ones (empty values are ignored)."""
        changes: dict[str, Any] = {k: v for k, v in endpoints.items() if k in ENDPOINT_NAMES and v}
        return replace(self, **changes)

    def require(self, name: str) -> str:
        """The endpoint ``name`` or a ConfigError that says how to provide it."""
        value = getattr(self, name, None)
        if not value:
            label = name.replace("_", " ")
            raise ConfigError(
                f"The provider has no {label}: its discovery documents do not name one. Give it"
                f" by hand: --endpoint {name}=URL on the command line, or the endpoint fields"
                " of the provider profile in the app."
            )
        return str(value)

    def endpoints(self) -> dict[str, str]:
        return {n: str(getattr(self, n)) for n in ENDPOINT_NAMES if getattr(self, n)}

    @property
    def response_types_supported(self) -> tuple[str, ...]:
        """What the document lists (OIDC Discovery §3, RFC 8414 §2); empty when it says nothing."""
        return _str_tuple(self.raw.get("response_types_supported"))


def _str_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, str))
    return ()


def discovery_urls(issuer: str) -> list[str]:
    """Candidate metadata URLs: OIDC Discovery §4 first, then RFC 8414 §3 (path inserted)."""
    issuer = issuer.rstrip("/")
    try:
        parts = urlsplit(issuer)
    except ValueError as exc:
        raise ConfigError(f"The issuer {issuer!r} is not a valid URL: {exc}.") from exc
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"The issuer {issuer!r} is not an http(s) URL.")
    oidc = issuer + "/.well-known/openid-configuration"
    path = parts.path.rstrip("/")
    rfc8414 = urlunsplit(
        (parts.scheme, parts.netloc, "/.well-known/oauth-authorization-server" + path, "", "")
    )
    return [oidc, rfc8414] if oidc != rfc8414 else [oidc]


def parse_metadata(doc: Any, issuer: str, url: str) -> ServerMetadata:
    """Validate a metadata document (OIDC Discovery §4.3, RFC 8414 §3.3) and read it."""
    if not isinstance(doc, dict):
        raise TransportError(
            f"{url} is not a discovery document (expected a JSON object).",
            kind="invalid_document",
        )
    declared = doc.get("issuer")
    if not isinstance(declared, str) or not declared:
        raise TransportError(
            f"The discovery document at {url} has no issuer; it is not valid metadata.",
            kind="invalid_document",
        )
    if declared != issuer:
        # OIDC Discovery §4.3, RFC 8414 §3.3: identical, character for character. The issuer is
        # what every token's iss must equal, so "close enough" here would accept tokens later.
        hint = (
            " They differ only by a trailing '/', which makes them different issuers: use"
            f" exactly {declared!r} as the issuer."
            if declared.rstrip("/") == issuer.rstrip("/")
            else " A mismatch means the document belongs to another server; check the issuer URL."
        )
        raise TransportError(
            f"The discovery document at {url} declares issuer {declared!r}, not {issuer!r}.{hint}",
            kind="invalid_document",
        )
    if not isinstance(doc.get("token_endpoint"), str) and not isinstance(
        doc.get("authorization_endpoint"), str
    ):
        raise TransportError(
            f"The discovery document at {url} names neither a token nor an authorization endpoint.",
            kind="invalid_document",
        )
    return ServerMetadata.from_document(doc)


def discover(http: HttpClient, issuer: str) -> ServerMetadata:
    """Fetch and validate metadata for ``issuer``, trying OIDC then RFC 8414."""
    errors: list[TransportError] = []
    for url in discovery_urls(issuer):
        try:
            doc = http.get_json(url, purpose="discovery")
        except TransportError as exc:
            if exc.kind in ("refused", "timeout", "deadline", "tls", "network", "invalid_url"):
                raise
            errors.append(exc)
            continue
        return parse_metadata(doc, issuer, url)
    detail = "; ".join(str(e) for e in errors)
    raise TransportError(
        f"No discovery document found for {issuer}: {detail}", kind="invalid_document"
    )
