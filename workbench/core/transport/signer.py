"""The request-signer seam of :class:`~workbench.core.transport.http.HttpClient`.

A :class:`RequestSigner` is called by ``HttpClient.send`` for every request, at send time, with
the method, URL, headers and body exactly as they go out (:class:`OutgoingRequest`), and may
add headers: a DPoP proof (RFC 9449 §4) is signed over the final method and URL. It then sees
the response (:meth:`RequestSigner.observe`), which is where a server's ``DPoP-Nonce`` (§8)
arrives. The headers it names in :attr:`RequestSigner.secret_headers` are masked in the exchange
log and every message, and become environment variables in the curl twin.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbench.core.transport.masking import MASK

if TYPE_CHECKING:
    from workbench.core.transport.exchange import HttpResponse


@dataclass(frozen=True)
class OutgoingRequest:
    """A request as it is about to be sent: what a :class:`RequestSigner` signs."""

    method: str
    url: str
    #: Every header sent (Accept, Content-Type, Authorization…), before the signer's own.
    headers: Mapping[str, str]
    body: bytes | None
    purpose: str


class RequestSigner:
    """A per-request hook of ``HttpClient``; this base class adds nothing and looks at
    nothing. A signer is called from whatever thread sends, so it must be thread-safe."""

    #: Names (any case) of the headers this signer adds whose values are secret.
    secret_headers: frozenset[str] = frozenset()

    def sign(self, request: OutgoingRequest) -> Mapping[str, str]:
        """Headers to add to ``request`` (each replaces a header of the same name, any case)."""
        return {}

    def observe(self, request: OutgoingRequest, response: HttpResponse) -> None:
        """See the response to a signed request (also an error status or a cut-off body)."""
        return None

    def retry(self, request: OutgoingRequest, response: HttpResponse) -> bool:
        """Whether ``request`` should be sent once more, newly signed, after ``response``
        (a DPoP nonce asked for, RFC 9449 §8). ``HttpClient`` retries a request once at most."""
        return False


#: The default: requests go out as built.
NO_SIGNER = RequestSigner()


@dataclass(frozen=True)
class SignedHeaders:
    """The headers of one request after its signer: all of them, the ones the signer added,
    and those of the added ones that are secret."""

    headers: dict[str, str]
    added: dict[str, str]
    secret: dict[str, str]

    def mask(self, masked: Mapping[str, str]) -> dict[str, str]:
        """``masked`` (headers masked by name) with the signer's secret headers masked too."""
        return {k: MASK if k in self.secret else v for k, v in masked.items()}


def sign(signer: RequestSigner, request: OutgoingRequest) -> SignedHeaders:
    """Call ``signer`` on ``request``: the headers to send, and what it added."""
    added = dict(signer.sign(request))
    replaced = {name.lower() for name in added}
    headers = {k: v for k, v in request.headers.items() if k.lower() not in replaced}
    headers.update(added)
    secret_names = {name.lower() for name in signer.secret_headers}
    secret = {k: v for k, v in added.items() if k.lower() in secret_names}
    return SignedHeaders(headers, added, secret)
