"""What :class:`~workbench.core.session.OAuthSession` does besides sending its requests: the
provider's metadata (discovery with manual endpoints on top), and the steps of a flow that are
no requests of ours, recorded in the exchange log (the browser opened, the redirect received,
the device code shown)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from workbench.core.errors import TransportError
from workbench.core.model import Provider
from workbench.core.oauth.discovery import ServerMetadata, discover
from workbench.core.oauth.rfc8628_device import DeviceAuthorization
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
    return base.with_overrides(provider.endpoints)


def _has_all_endpoints(endpoints: Mapping[str, str]) -> bool:
    return bool(endpoints.get("token_endpoint")) and bool(endpoints.get("jwks_uri"))


def _has_any_endpoint(endpoints: Mapping[str, str]) -> bool:
    return bool(endpoints.get("token_endpoint") or endpoints.get("authorization_endpoint"))


# -- the steps of a flow that are no requests of ours (recorded in the exchange log) -----------
def record_browser_opened(log: ExchangeLog, url: str) -> None:
    """The browser is sent to the authorize URL ``url`` (the face opens it next)."""
    log.step(
        "browser_opened",
        "authorization request (browser opened with the authorize URL)",
        source="client",
        target="user",
        url=url,
    )


def record_redirect(
    log: ExchangeLog, redirect_uri: str, response_type: str, params: Mapping[str, str]
) -> None:
    """The redirect that reached the listener at ``redirect_uri``: where, and the names of
    what it carried (the values stay out of the step: a code is a secret until redeemed)."""
    target = urlsplit(redirect_uri)
    names = sorted(params)
    carried = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    log.step(
        "redirect_received",
        f"302 to {target.netloc}{target.path} with {carried or 'nothing'}",
        source="user",
        target="client",
        parameters=", ".join(names),
        carried_in="query" if response_type == "code" else "fragment",
    )


def record_device_code_shown(log: ExchangeLog, authorization: DeviceAuthorization) -> None:
    """The user code is shown and the user sent to the verification page."""
    log.step(
        "device_code_shown",
        "device code shown: the user is sent to the verification page",
        source="client",
        target="user",
        url=authorization.verification_uri,
    )
