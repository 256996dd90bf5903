"""Certificate-bound access tokens (RFC 8705 §3): the token's ``cnf`` claim names the SHA-256
thumbprint of the client certificate it was issued to (``x5t#S256``), and only that
certificate's holder may use it. The check compares it with the certificate in use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.core.tokens.findings import Finding, failing, passing, shown, unchecked

__all__ = ["CERT_BINDING", "check_certificate_binding"]

#: The finding's name.
CERT_BINDING = "x5t#S256"


def check_certificate_binding(claims: Mapping[str, Any], thumbprint: str | None) -> Finding:
    """``cnf.x5t#S256`` against ``thumbprint``, the certificate in use (None: none at hand).

    A token bound to a certificate when none is at hand is "not checked", never passed."""
    cnf = claims.get("cnf")
    bound = cnf.get("x5t#S256") if isinstance(cnf, Mapping) else None
    if bound is None:
        return unchecked(CERT_BINDING, "not certificate-bound (no cnf x5t#S256 claim)")
    if not isinstance(bound, str) or not bound:
        return failing(CERT_BINDING, f"cnf x5t#S256 is {shown(bound)}, not a thumbprint")
    if thumbprint is None:
        return unchecked(
            CERT_BINDING,
            f"certificate-bound (x5t#S256 {bound}), but no client certificate is at hand to"
            " compare it with",
        )
    if bound != thumbprint:
        return failing(
            CERT_BINDING,
            f"certificate-bound to another certificate: x5t#S256 {bound}, the client"
            f" certificate in use is {thumbprint}",
        )
    return passing(CERT_BINDING, f"certificate-bound to this client certificate ({bound})")
