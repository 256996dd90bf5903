"""JWT Secured Authorization Response Mode (JARM, OpenID FAPI WG, final).

With ``response_mode`` ``jwt``, ``query.jwt``, ``fragment.jwt`` or ``form_post.jwt`` the
authorization response comes back as one ``response`` parameter: a JWT signed by the server
whose claims are the response's parameters (``code``, ``state`` or ``error``…) beside ``iss``,
``aud`` and ``exp`` (JARM §2.1). It is verified before anything in it is used (§2.4): the
signature against the issuer's JWKS, ``iss`` = the issuer, ``aud`` = the client id, ``exp`` in
the future. A check that fails, or that could not be made, rejects the response with words
saying which check it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from workbench.core.errors import ConfigError, FlowError, TokenError
from workbench.core.oauth.discovery import ServerMetadata
from workbench.core.tokens.checks import inspect_token
from workbench.core.tokens.findings import Finding, Outcome
from workbench.core.tokens.jwks import JwksCache

__all__ = [
    "JARM_MODES",
    "JarmResponse",
    "ListenerMode",
    "check_jarm_supported",
    "concrete_jarm_mode",
    "listener_mode",
    "verify_jarm_response",
]

#: The response modes JARM defines (§2.3).
JARM_MODES = ("jwt", "query.jwt", "fragment.jwt", "form_post.jwt")
#: Every ``response_mode`` the faces offer.
RESPONSE_MODES = ("query", "fragment", "form_post", *JARM_MODES)
#: The checks a JARM response must pass, in the order they are reported.
REQUIRED_CHECKS = ("signature", "iss", "aud", "exp")

ListenerMode = Literal["query", "fragment", "form_post"]


@dataclass(frozen=True)
class JarmResponse:
    """A verified JARM response: its claims and the findings that passed."""

    claims: Mapping[str, Any]
    findings: tuple[Finding, ...]

    @property
    def params(self) -> dict[str, str]:
        """The authorization response parameters the JWT carries (strings only: JARM §2.1
        makes each response parameter a claim of the same name)."""
        skip = {"aud", "exp", "iat", "nbf"}
        return {k: v for k, v in self.claims.items() if isinstance(v, str) and k not in skip}


def concrete_jarm_mode(response_mode: str, response_type: str) -> str:
    """``jwt`` is ``query.jwt`` for ``code`` and ``fragment.jwt`` for the types that carry
    tokens (JARM §2.3.4); any other mode is itself."""
    if response_mode != "jwt":
        return response_mode
    return "query.jwt" if response_type == "code" else "fragment.jwt"


def listener_mode(response_mode: str | None, response_type: str) -> ListenerMode:
    """Where the loopback listener finds the response: the query, the fragment (read by a
    page's script) or a form POST."""
    if response_mode is None:
        return "query" if response_type == "code" else "fragment"
    mode = concrete_jarm_mode(response_mode, response_type).removesuffix(".jwt")
    if mode not in ("query", "fragment", "form_post"):
        raise ConfigError(
            f"Unknown response mode {response_mode!r} (known: {', '.join(RESPONSE_MODES)})."
        )
    if mode == "query" and response_type != "code":
        raise ConfigError(
            f"response_mode {response_mode} would put tokens in a query string; response type"
            f" {response_type!r} needs fragment, form_post or their .jwt forms (OAuth 2.0"
            " Multiple Response Types §2.1)."
        )
    return mode  # type: ignore[return-value]


def check_jarm_supported(meta: ServerMetadata, response_mode: str) -> None:
    """Preflight: the server lists the mode in ``response_modes_supported`` (its absence
    means only ``query`` and ``fragment``, RFC 8414 §2), and a JARM mode needs
    ``authorization_signing_alg_values_supported``."""
    listed = meta.raw.get("response_modes_supported")
    modes = [m for m in listed if isinstance(m, str)] if isinstance(listed, list) else []
    offered = modes or ["query", "fragment"]
    if response_mode not in offered:
        source = "lists" if modes else "lists none, which means"
        raise ConfigError(
            f"This server does not offer response_mode {response_mode}: its"
            f" response_modes_supported {source} {', '.join(offered)}."
        )
    if response_mode in JARM_MODES and not meta.raw.get(
        "authorization_signing_alg_values_supported"
    ):
        raise ConfigError(
            f"response_mode {response_mode} asks for a signed response (JARM), but this server"
            " advertises no authorization_signing_alg_values_supported."
        )


def verify_jarm_response(
    params: Mapping[str, str],
    *,
    meta: ServerMetadata,
    jwks: JwksCache,
    client_id: str,
    now: float | None = None,
) -> JarmResponse:
    """Verify the ``response`` JWT of a JARM redirect (JARM §2.4) and return its claims.
    Anything but four passing checks (signature, iss, aud, exp) raises FlowError naming the
    first check that failed; the code in it is then never used."""
    token = params.get("response")
    if not token:
        named = ", ".join(sorted(params)) or "nothing"
        raise FlowError(
            f"A JARM response was asked for, but the redirect carries no response parameter"
            f" (it carries {named}). Nothing from it was used.",
            kind="jarm_missing",
        )
    try:
        inspection = inspect_token(
            token,
            jwks=jwks,
            jwks_uri=meta.jwks_uri,
            keys_unavailable=None if meta.jwks_uri else "the server names no jwks_uri",
            verify=True,
            issuer=meta.issuer or None,
            audience=client_id,
            now=now,
        )
    except TokenError as exc:
        raise FlowError(
            f"The JARM response cannot be decoded: {exc}. Its code was not used.",
            kind="jarm_invalid",
        ) from exc
    by_name = {f.check: f for f in inspection.findings}
    for name in REQUIRED_CHECKS:
        finding = by_name[name]
        if finding.outcome is not Outcome.PASS:
            reason = (
                finding.reason
                if finding.outcome is Outcome.FAIL
                else (f"could not be checked: {finding.reason}")
            )
            raise FlowError(
                f"The JARM response was rejected, check {name} failed: {reason}. Its code was"
                " not used.",
                kind=f"jarm_{name}",
            )
    return JarmResponse(inspection.decoded.claims, tuple(by_name[name] for name in REQUIRED_CHECKS))
