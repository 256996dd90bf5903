"""Inspect a token: every check a recipient should run, one finding per check, from a table.

Inspection runs each check a recipient should run on a decoded token (:mod:`.decode`), one
finding per check: signature (RFC 7515 §5.2, keys from the issuer's JWKS only, RFC 8725 §3.1)
and the key set itself (:mod:`.signature`), ``iss``/``aud`` (RFC 7519 §4.1), ``typ`` (RFC 9068
§4), Cognito's ``token_use`` and ``nonce`` (:mod:`.claim_checks`), ``exp``/``nbf``/``iat``
(:mod:`.time_checks`), ``at_hash`` (OpenID Connect Core §3.1.3.7, §3.2.2.9), ``c_hash``
(§3.3.2.11, the hybrid flow's code) and the DPoP binding ``cnf.jkt`` against the key in use
(RFC 9449 §6.1). A check that cannot run says why.

:data:`CHECK_TABLE` is the list of checks: each row names the check, the function that makes it
and the inputs it reads (the decoded token's parts, the key lookup, the moment, or one of
:func:`inspect_token`'s expectations). :func:`inspect_token` runs the rows in order; adding a
check is adding a row. Order matters once: ``signature`` fetches the keys that ``keys`` reads.

Fail closed: once verification was asked for (keys, an issuer, an audience, any expectation), a
check that could not be made is a failure with its reason, never a silent "not checked" — a
script that runs ``inspect … && deploy`` must not accept a forgery because the issuer's keys
were unreachable. Only when nothing was asked for is "not checked" neutral.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from workbench.core.tokens.binding import CERT_BINDING, check_certificate_binding
from workbench.core.tokens.claim_checks import (
    check_aud,
    check_dpop_binding,
    check_iss,
    check_nonce,
    check_token_use,
    check_typ,
)
from workbench.core.tokens.claims import expiry
from workbench.core.tokens.decode import DecodedJwt, decode_jwt
from workbench.core.tokens.findings import Finding, Inspection
from workbench.core.tokens.jwks import JwksCache, KeySet
from workbench.core.tokens.signature import (
    KeyLookup,
    check_at_hash,
    check_c_hash,
    check_keys,
    check_signature,
)
from workbench.core.tokens.time_checks import check_exp, check_iat, check_nbf

__all__ = ["CHECKS", "CHECK_TABLE", "CheckRow", "inspect_token", "verification_requested"]


@dataclass(frozen=True)
class CheckRow:
    """One check: its name (the finding's ``check``), the function that makes it, and the
    inputs it is called with, in order (names of :data:`INPUTS` and :data:`EXPECTATIONS`)."""

    name: str
    check: Callable[..., Finding]
    needs: tuple[str, ...]


#: What every check may read besides the expectations: the decoded token, its claims and
#: header, the issuer's keys (:class:`KeyLookup`), the moment and the allowed clock skew.
INPUTS: tuple[str, ...] = ("decoded", "claims", "header", "keys", "now", "leeway")

#: The expectations of :func:`inspect_token` a check may need; one not given is ``None``.
EXPECTATIONS: tuple[str, ...] = (
    "issuer",
    "audience",
    "client_id",
    "expected_typ",
    "token_use",
    "nonce",
    "access_token",
    "code",
    "dpop_jkt",
    "client_cert_thumbprint",
)

#: The checks in the order their findings are listed.
CHECK_TABLE: tuple[CheckRow, ...] = (
    CheckRow("signature", check_signature, ("decoded", "keys")),
    CheckRow("keys", check_keys, ("keys",)),
    CheckRow("iss", check_iss, ("claims", "issuer")),
    CheckRow("aud", check_aud, ("claims", "audience", "client_id")),
    CheckRow("exp", check_exp, ("claims", "now", "leeway")),
    CheckRow("nbf", check_nbf, ("claims", "now", "leeway")),
    CheckRow("iat", check_iat, ("claims", "now", "leeway")),
    CheckRow("typ", check_typ, ("header", "expected_typ")),
    CheckRow("token_use", check_token_use, ("claims", "token_use")),
    CheckRow("nonce", check_nonce, ("claims", "nonce")),
    CheckRow("at_hash", check_at_hash, ("decoded", "access_token")),
    CheckRow("c_hash", check_c_hash, ("decoded", "code")),
    CheckRow("dpop", check_dpop_binding, ("claims", "dpop_jkt")),
    CheckRow(CERT_BINDING, check_certificate_binding, ("claims", "client_cert_thumbprint")),
)

#: The check names, in the order of :data:`CHECK_TABLE`.
CHECKS: tuple[str, ...] = tuple(row.name for row in CHECK_TABLE)


def inspect_token(
    token_or_decoded: str | DecodedJwt,
    *,
    jwks: JwksCache | KeySet | Mapping[str, Any] | None = None,
    jwks_uri: str | None = None,
    issuer: str | None = None,
    audience: str | None = None,
    client_id: str | None = None,
    nonce: str | None = None,
    access_token: str | None = None,
    code: str | None = None,
    expected_typ: str | None = None,
    token_use: str | None = None,
    dpop_jkt: str | None = None,
    client_cert_thumbprint: str | None = None,
    keys_unavailable: str | None = None,
    verify: bool | None = None,
    now: float | None = None,
    leeway: int = 30,
) -> Inspection:
    """Run every check on a token; raises only ``TokenError`` (for an undecodable token).

    ``jwks`` is a :class:`JwksCache` (used with ``jwks_uri``), a parsed :class:`KeySet`, or a
    JWKS document given directly. ``keys_unavailable`` says why the caller could not even find
    the keys (discovery failed). A failure to fetch the JWKS does not raise: the signature
    finding carries the transport message and the other checks still run.

    ``verify`` says whether verification was asked for; by default it was when any key source
    or expectation is given. Then a signature that could not be checked is a failure
    ("not verified: …"); otherwise it is ``not_checked``.

    ``client_cert_thumbprint`` is the ``x5t#S256`` of the client certificate in use, for a
    certificate-bound token's ``cnf`` (RFC 8705 §3).
    """
    decoded = (
        token_or_decoded
        if isinstance(token_or_decoded, DecodedJwt)
        else decode_jwt(token_or_decoded)
    )
    requested = (
        verification_requested(
            jwks,
            jwks_uri,
            issuer,
            audience,
            client_id,
            nonce,
            access_token,
            code,
            expected_typ,
            token_use,
            dpop_jkt,
            client_cert_thumbprint,
            keys_unavailable,
        )
        if verify is None
        else verify
    )
    moment = time.time() if now is None else float(now)
    claims = decoded.claims
    keys = KeyLookup(jwks, jwks_uri, keys_unavailable, requested)
    inputs: dict[str, Any] = {
        "decoded": decoded,
        "claims": claims,
        "header": decoded.header,
        "keys": keys,
        "now": moment,
        "leeway": leeway,
        "issuer": issuer,
        "audience": audience,
        "client_id": client_id,
        "expected_typ": expected_typ,
        "token_use": token_use,
        "nonce": nonce,
        "access_token": access_token,
        "code": code,
        "dpop_jkt": dpop_jkt,
        "client_cert_thumbprint": client_cert_thumbprint,
    }
    given = inputs.__getitem__
    findings = tuple([row.check(*map(given, row.needs)) for row in CHECK_TABLE])
    return Inspection(decoded, findings, expiry(claims, moment), moment, requested)


def verification_requested(*expectations: object) -> bool:
    """True when any key source or expectation is given (each ``None`` means not asked)."""
    return any(value is not None and value != "" for value in expectations)
