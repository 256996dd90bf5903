"""The provider's metadata as :class:`~workbench.core.session.OAuthSession` fetches it:
discovery with the manual endpoints on top, the manual endpoints alone when the server has no
usable document (kept out of the session class, which is at its size limit)."""

from __future__ import annotations

from collections.abc import Mapping

from workbench.core.errors import TransportError
from workbench.core.model import Provider
from workbench.core.oauth.discovery import ServerMetadata, discover
from workbench.core.transport.http import HttpClient


def provider_metadata(http: HttpClient, provider: Provider) -> ServerMetadata:
    """Discovered metadata with the provider's manual endpoints applied on top; the manual
    endpoints are the fallback when the server has no usable document."""
    base = ServerMetadata(issuer=provider.issuer or "")
    manual = provider.endpoints
    issuer = provider.issuer if provider.discover else None
    if issuer and not _has_all_endpoints(manual):
        try:
            base = discover(http, issuer)
        except TransportError as exc:
            reachable = exc.kind in ("invalid_document", "http", "not_json")
            if not (reachable and _has_any_endpoint(manual)):
                raise
    return base.with_overrides(provider.endpoints)


def _has_all_endpoints(endpoints: Mapping[str, str]) -> bool:
    return bool(endpoints.get("token_endpoint")) and bool(endpoints.get("jwks_uri"))


def _has_any_endpoint(endpoints: Mapping[str, str]) -> bool:
    return bool(endpoints.get("token_endpoint") or endpoints.get("authorization_endpoint"))
