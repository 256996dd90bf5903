"""Server metadata: OpenID Connect Discovery 1.0 and RFC 8414, with manual endpoints as fallback.

Discovery reads both well-known documents and merges them: the OpenID configuration first, and
what it lacks from the RFC 8414 document (django-oauth-toolkit, for one, names its revocation
and introspection endpoints only there). Each document must declare exactly the issuer asked
for; one that declares another is refused for the merge, with the reason. The result says
where each value came from (:attr:`ServerMetadata.sources`, :func:`describe_sources`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from workbench.core.errors import ConfigError, TransportError
from workbench.core.hints import Endpoint
from workbench.core.transport.http import HttpClient

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

OIDC_LABEL = "OpenID configuration"
RFC8414_LABEL = "RFC 8414 metadata"
MANUAL_SOURCE = "manual"  # a value of ServerMetadata.sources: entered by hand, not discovered
#: A value of ServerMetadata.sources: the document's ``mtls_endpoint_aliases`` (RFC 8705 §5),
#: used in place of the plain endpoint because the client presents a certificate.
MTLS_ALIAS_SOURCE = "mtls_endpoint_aliases"
#: The endpoints a client with a certificate calls at their mTLS alias when there is one (the
#: authorization and end-session endpoints are the browser's, JWKS anyone's: never aliased).
MTLS_ALIASED = (
    "token_endpoint",
    "revocation_endpoint",
    "introspection_endpoint",
    "userinfo_endpoint",
    "device_authorization_endpoint",
    "pushed_authorization_request_endpoint",
    "backchannel_authentication_endpoint",
)
#: Failures that say the host cannot be talked to at all: the other document, on the same host,
#: is not tried after one of these.
UNREACHABLE = ("refused", "timeout", "deadline", "tls", "network", "invalid_url")


@dataclass(frozen=True)
class MetadataDocument:
    """What discovery made of one well-known document: used, absent (and why) or refused."""

    label: str
    url: str
    status: Literal["used", "absent", "refused"]
    detail: str = ""


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
    #: Where each value of ``raw`` (and each manual endpoint) came from: a document's URL, or
    #: :data:`MANUAL_SOURCE`.
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)
    #: The well-known documents discovery tried, in the order of precedence.
    documents: tuple[MetadataDocument, ...] = field(default=(), compare=False)

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> ServerMetadata:
        # Strings and the one flag; the lists are read below; what discovery itself records
        # (raw, sources, documents) is never taken from a document.
        own = {"raw", "sources", "documents", "scopes_supported", "grant_types_supported"}
        known = {f.name for f in fields(cls)} - own
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
        if not changes:
            return self
        sources = {**self.sources, **dict.fromkeys(changes, MANUAL_SOURCE)}
        return replace(self, **changes, sources=sources)

    def with_mtls_aliases(self) -> ServerMetadata:
        """The endpoints of :data:`MTLS_ALIASED` replaced by their ``mtls_endpoint_aliases``
        (RFC 8705 §5), for a client that presents a certificate; each one's source is then
        :data:`MTLS_ALIAS_SOURCE`. Unchanged when the document has no aliases."""
        aliases = self.raw.get("mtls_endpoint_aliases")
        if not isinstance(aliases, Mapping):
            return self
        used = {
            name: value
            for name in MTLS_ALIASED
            if isinstance(value := aliases.get(name), str) and value
        }
        if not used:
            return self
        own = {f.name for f in fields(self)}
        changes: dict[str, Any] = {k: v for k, v in used.items() if k in own}
        return replace(
            self,
            **changes,
            raw={**self.raw, **used},
            sources={**self.sources, **dict.fromkeys(used, MTLS_ALIAS_SOURCE)},
        )

    def require(self, name: str) -> str:
        """The endpoint ``name`` or a ConfigError that says how to provide it."""
        value = getattr(self, name, None)
        if not value:
            label = name.replace("_", " ")
            raise ConfigError(
                f"The provider has no {label}: its discovery documents do not name one. Give it"
                " by hand.",
                fix=(Endpoint(name),),
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
    """Fetch both metadata documents of ``issuer`` and merge them (OIDC first, then RFC 8414).

    Each document is validated on its own (:func:`parse_metadata`: the same issuer, character
    for character); one that fails is left out of the merge and reported in
    :attr:`ServerMetadata.documents`. When the first cannot be reached at all the second is
    not tried; when neither is usable, a TransportError names what each was.
    """
    urls = discovery_urls(issuer)
    labels = (OIDC_LABEL, RFC8414_LABEL) if len(urls) == 2 else (OIDC_LABEL,)
    documents: list[MetadataDocument] = []
    usable: list[tuple[str, dict[str, Any]]] = []
    errors: list[TransportError] = []
    for index, (url, label) in enumerate(zip(urls, labels, strict=True)):
        purpose = "discovery" if index == 0 else "discovery (RFC 8414)"
        try:
            doc = http.get_json(url, purpose=purpose)
            parse_metadata(doc, issuer, url)
        except TransportError as exc:
            if index == 0 and exc.kind in UNREACHABLE:
                raise
            errors.append(exc)
            refused = exc.kind == "invalid_document" and exc.status is None
            documents.append(
                MetadataDocument(label, url, "refused" if refused else "absent", str(exc))
            )
            continue
        usable.append((url, doc))
        documents.append(MetadataDocument(label, url, "used"))
    if not usable:
        detail = "; ".join(str(e) for e in errors)
        # The first document answered (an unreachable host raised above): the server is
        # there, its documents are not usable.
        raise TransportError(
            f"No discovery document found for {issuer}: {detail}", kind="invalid_document"
        )
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for url, doc in usable:
        for key, value in doc.items():
            if key not in merged and value is not None:
                merged[key] = value
                sources[key] = url
    meta = ServerMetadata.from_document(merged)
    return replace(meta, sources=sources, documents=tuple(documents))


def describe_sources(meta: ServerMetadata) -> list[str]:
    """Where the metadata came from, one line per document (and one for manual endpoints)."""
    lines: list[str] = []
    first: MetadataDocument | None = None
    for document in meta.documents:
        where = f"{document.label} ({document.url})"
        if document.status != "used":
            verdict = "refused for the merge" if document.status == "refused" else "not used"
            lines.append(f"{where}: {verdict}: {document.detail}")
            continue
        names = [k for k, url in meta.sources.items() if url == document.url]
        if first is None:
            first = document
            lines.append(f"{where}: {len(names)} values")
        elif names:
            listed = ", ".join(sorted(names))
            lines.append(f"{where}: {listed} (missing from the {first.label})")
        else:
            lines.append(f"{where}: read; it adds nothing the {first.label} lacks")
    aliased = sorted(k for k, src in meta.sources.items() if src == MTLS_ALIAS_SOURCE)
    if aliased:
        lines.append(
            f"mtls_endpoint_aliases, used with the client certificate: {', '.join(aliased)}"
        )
    manual = sorted(k for k, src in meta.sources.items() if src == MANUAL_SOURCE)
    if manual:
        lines.append(f"entered by hand (taking precedence): {', '.join(manual)}")
    return lines
