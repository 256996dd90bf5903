"""The provider's metadata as :class:`~workbench.core.session.OAuthSession` fetches it:
discovery (with the ``mtls_endpoint_aliases`` for a client with a certificate) and the manual
endpoints on top, the manual endpoints alone when the server has no
usable document (kept out of the session class, which is at its size limit)."""

from __future__ import annotations

from collections.abc import Mapping

from workbench.core.errors import TransportError
from workbench.core.model import Provider
from workbench.core.oauth.discovery import ServerMetadata, discover
from workbench.core.oauth.rfc9449_dpop import signer_for
from workbench.core.transport.exchange import ExchangeLog
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
    if provider.client.certificate is not None:
        base = base.with_mtls_aliases()  # RFC 8705 §5: the client presents a certificate
    return base.with_overrides(provider.endpoints)


def provider_http(provider: Provider, log: ExchangeLog | None = None) -> HttpClient:
    """An HTTP client for ``provider``: its TLS verification and CA bundle, its client
    certificate (RFC 8705), DPoP proofs when it has a DPoP key (RFC 9449)."""
    return HttpClient(
        log,
        verify_tls=provider.verify_tls,
        signer=signer_for(provider.dpop_key),
        client_cert=provider.client.certificate,
        ca_bundle=provider.ca_bundle,
    )


def _has_all_endpoints(endpoints: Mapping[str, str]) -> bool:
    return bool(endpoints.get("token_endpoint")) and bool(endpoints.get("jwks_uri"))


def _has_any_endpoint(endpoints: Mapping[str, str]) -> bool:
    return bool(endpoints.get("token_endpoint") or endpoints.get("authorization_endpoint"))
