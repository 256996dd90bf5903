"""Protected resource metadata (RFC 9728): from an API's URL to the server that issues its tokens.

A resource publishes a JSON document at ``/.well-known/oauth-protected-resource`` inserted
between its host and its path (§3.1), and may name that document's URL in the
``resource_metadata`` parameter of its ``WWW-Authenticate`` challenge (§5.1).
:func:`metadata_candidates` lists where to look, in order; :func:`parse_resource_metadata` reads
a document and applies the §3.3 rule: its ``resource`` must be the identifier the client used
— the identifier the well-known path was built from, or for a document named by a challenge,
the URL that was called. :func:`resource_match` also knows the same-origin path-prefix match
that MCP clients accept (an API at ``/v1`` answering for ``/v1/items``); a match of that kind
is reported as such, never silently taken for an identical one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from workbench.core.display import printable
from workbench.core.errors import TransportError
from workbench.core.transport.http import HttpClient

WELL_KNOWN = "/.well-known/oauth-protected-resource"


class MetadataSource(StrEnum):
    CHALLENGE = "challenge"  # the resource_metadata URL of a WWW-Authenticate challenge
    WELL_KNOWN = "well_known"  # built from the API URL (§3.1)


@dataclass(frozen=True)
class MetadataCandidate:
    """A URL to fetch, how it was found, and the resource identifier the document must name."""

    url: str
    source: MetadataSource
    resource: str


class ResourceMatch(StrEnum):
    IDENTICAL = "identical"  # §3.3 as written
    PREFIX = "prefix"  # same origin, the resource's path a segment prefix of the called path


@dataclass(frozen=True)
class ResourceMetadata:
    resource: str
    authorization_servers: tuple[str, ...] = ()
    scopes_supported: tuple[str, ...] = ()
    bearer_methods_supported: tuple[str, ...] = ()
    resource_name: str | None = None
    jwks_uri: str | None = None
    resource_documentation: str | None = None
    dpop_bound_access_tokens_required: bool = False
    match: ResourceMatch = ResourceMatch.IDENTICAL
    raw: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "authorization_servers": list(self.authorization_servers),
            "scopes_supported": list(self.scopes_supported),
            "match": self.match.value,
        }


def resource_identifier(url: str) -> str:
    """The URL without query and fragment: what a resource identifier may hold (§1.2)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def well_known_url(resource: str) -> str:
    """§3.1: the well-known path between the host and the resource's path (a trailing ``/``
    of the path is dropped, so ``https://api.example/`` and ``https://api.example`` agree)."""
    parts = urlsplit(resource)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, WELL_KNOWN + path, "", ""))


def metadata_candidates(api_url: str, challenge_url: str | None) -> list[MetadataCandidate]:
    """Where to look for the resource's metadata, in order, without repeats: the URL the
    challenge names, then the well-known URL for the called path, then for the origin."""
    called = resource_identifier(api_url)
    parts = urlsplit(called)
    origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    found: list[MetadataCandidate] = []
    if challenge_url:
        found.append(MetadataCandidate(challenge_url, MetadataSource.CHALLENGE, called))
    for resource in (called, origin):
        url = well_known_url(resource)
        if all(c.url != url for c in found):
            found.append(MetadataCandidate(url, MetadataSource.WELL_KNOWN, resource))
    return found


def resource_match(declared: str, expected: str) -> ResourceMatch | None:
    """How the ``resource`` a document declares matches the identifier expected (or None)."""
    if declared == expected:
        return ResourceMatch.IDENTICAL
    a, b = urlsplit(declared), urlsplit(expected)
    if (a.scheme.lower(), a.netloc.lower()) != (b.scheme.lower(), b.netloc.lower()):
        return None
    if a.query or a.fragment:
        return None
    prefix = a.path.rstrip("/")
    if prefix == b.path.rstrip("/") or b.path.startswith(prefix + "/"):
        return ResourceMatch.PREFIX
    return None


def _strings(doc: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = doc.get(name)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TransportError(
            f"The resource metadata's {name} is not an array of strings.",
            kind="invalid_document",
        )
    return tuple(value)


def _optional(doc: Mapping[str, Any], name: str) -> str | None:
    value = doc.get(name)
    return value if isinstance(value, str) and value else None


def parse_resource_metadata(
    doc: Any, candidate: MetadataCandidate, allow_prefix: bool = True
) -> ResourceMetadata:
    """The document as ResourceMetadata, or TransportError(kind="invalid_document") saying
    why it cannot be used: not an object, no ``resource``, a ``resource`` that is not the one
    expected (§3.3), or no authorization server to get a token from."""
    if not isinstance(doc, dict):
        raise TransportError("The resource metadata is not a JSON object.", kind="invalid_document")
    declared = doc.get("resource")
    if not isinstance(declared, str) or not declared:
        raise TransportError(
            "The resource metadata has no resource (RFC 9728 §2 requires one).",
            kind="invalid_document",
        )
    match = resource_match(declared, candidate.resource)
    if match is None or (match is ResourceMatch.PREFIX and not allow_prefix):
        raise TransportError(
            f"The resource metadata at {printable(candidate.url)[:300]} is for "
            f"{printable(declared)[:300]}, not for {printable(candidate.resource)[:300]} "
            "(RFC 9728 §3.3: it must name the resource that was asked about); it is not used.",
            kind="invalid_document",
        )
    servers = _strings(doc, "authorization_servers")
    if not servers:
        raise TransportError(
            "The resource metadata names no authorization_servers, so there is no server to "
            "get a token from.",
            kind="invalid_document",
        )
    return ResourceMetadata(
        resource=declared,
        authorization_servers=servers,
        scopes_supported=_strings(doc, "scopes_supported"),
        bearer_methods_supported=_strings(doc, "bearer_methods_supported"),
        resource_name=_optional(doc, "resource_name"),
        jwks_uri=_optional(doc, "jwks_uri"),
        resource_documentation=_optional(doc, "resource_documentation"),
        dpop_bound_access_tokens_required=doc.get("dpop_bound_access_tokens_required") is True,
        match=match,
        raw=doc,
    )


@dataclass(frozen=True)
class MetadataAttempt:
    """One candidate tried: what came of it, in words."""

    candidate: MetadataCandidate
    outcome: str


@dataclass(frozen=True)
class ResourceDiscovery:
    """The metadata found for an API and every candidate tried on the way."""

    metadata: ResourceMetadata
    source: MetadataCandidate
    attempts: tuple[MetadataAttempt, ...]


#: Failures after which the next candidate is worth a try (the host answered, just not this).
_TRY_NEXT = ("http", "not_json", "invalid_document", "too_large")


def discover_resource(
    http: HttpClient, api_url: str, challenge_url: str | None, allow_prefix: bool = True
) -> ResourceDiscovery:
    """The API's metadata: each candidate of :func:`metadata_candidates` in turn, the first
    usable one wins. TransportError when none is, with what each attempt gave."""
    attempts: list[MetadataAttempt] = []
    for candidate in metadata_candidates(api_url, challenge_url):
        try:
            doc = http.get_json(candidate.url, purpose="resource metadata (RFC 9728)")
            found = parse_resource_metadata(doc, candidate, allow_prefix)
        except TransportError as exc:
            if exc.kind not in _TRY_NEXT:
                raise
            attempts.append(MetadataAttempt(candidate, str(exc)))
            continue
        attempts.append(MetadataAttempt(candidate, f"used ({found.match.value} resource match)"))
        return ResourceDiscovery(found, candidate, tuple(attempts))
    tried = "; ".join(f"{a.candidate.url}: {a.outcome}" for a in attempts)
    raise TransportError(
        f"No usable protected resource metadata (RFC 9728) for {printable(api_url)[:300]}. "
        f"Tried {tried}",
        kind="invalid_document",
    )
