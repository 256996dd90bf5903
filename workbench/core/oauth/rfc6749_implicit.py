"""Implicit grant (RFC 6749 §4.2) — legacy, deprecated by RFC 9700 §2.1.2.

The token comes back in the URL fragment; the loopback listener's page posts it back to us.
With ``id_token`` in the response type (OIDC Core §3.2, §3.3) the ID token arrives through the
browser too, so it is validated before anything from the response is used: signature against
the issuer's keys, ``iss``, ``aud``, ``exp``, ``nonce``, and ``at_hash`` / ``c_hash`` for an
access token or a code issued beside it (OIDC Core §3.2.2.11, §3.3.2.12; RFC 9207 §2.4 when
the response omits ``iss``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from workbench.core.errors import ConfigError, FlowError, TokenError
from workbench.core.oauth.rfc6749_code import AuthorizationRequest, check_authorization_response
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.tokens.findings import Inspection, Outcome
from workbench.core.tokens.signature import c_hash

LEGACY_WARNING = (
    "The implicit grant is deprecated by the OAuth 2.0 Security BCP (RFC 9700 §2.1.2): tokens "
    "travel in the browser URL. Use authorization code + PKCE in new work."
)

#: What the implicit tab and ``--grant implicit`` can ask for, in order of preference.
IMPLICIT_RESPONSE_TYPES: tuple[str, ...] = ("token", "id_token token")

#: The checks an ID token from the authorization endpoint must pass before it is used.
FRONT_CHANNEL_CHECKS: tuple[str, ...] = ("signature", "iss", "aud", "exp", "nonce")


def same_response_type(a: str, b: str) -> bool:
    """Response types are space-separated sets: ``token id_token`` is ``id_token token``
    (RFC 6749 §3.1.1)."""
    return set(a.split()) == set(b.split())


def choose_implicit_response_type(supported: Sequence[str], requested: str | None = None) -> str:
    """The implicit response type to send, from the server's ``response_types_supported``.

    ``requested`` (the user's explicit choice) wins when the server offers it. Without a choice,
    ``token`` if offered, else ``id_token token``. A server that lists no response types says
    nothing, so the choice (or ``token``) is sent as it is. ``ConfigError`` — before any
    browser opens — names what the server offers when nothing fits.
    """
    offered = [s for s in supported if s.strip()]
    listed = ", ".join(repr(s) for s in offered)
    if requested:
        if offered and not any(same_response_type(requested, s) for s in offered):
            raise ConfigError(
                f"The provider does not offer response_type {requested!r}: its discovery lists"
                f" {listed} (response_types_supported). Choose one of those, or the"
                " authorization code flow."
            )
        return requested
    if not offered:
        return IMPLICIT_RESPONSE_TYPES[0]
    for candidate in IMPLICIT_RESPONSE_TYPES:
        if any(same_response_type(candidate, s) for s in offered):
            return candidate
    wanted = " or ".join(repr(t) for t in IMPLICIT_RESPONSE_TYPES)
    raise ConfigError(
        f"The provider offers no implicit response type ({wanted}): its discovery lists"
        f" {listed} (response_types_supported). Use the authorization code flow."
    )


def parse_implicit_response(params: Mapping[str, str], request: AuthorizationRequest) -> TokenSet:
    """Fragment parameters → TokenSet (RFC 6749 §4.2.2), after state and iss checks.

    An ID token in it is not yet validated: see :func:`front_channel_id_token_problems`.
    """
    check_authorization_response(params, request)
    wants_access = "token" in request.response_type.split()
    if wants_access and not params.get("access_token"):
        raise FlowError("The redirect fragment carries no access_token.", kind="no_token")
    if "id_token" in request.response_type.split() and not params.get("id_token"):
        raise FlowError("The redirect fragment carries no id_token.", kind="no_token")
    data = {k: v for k, v in params.items() if k not in ("state", "iss")}
    return TokenSet.from_response(data)


def front_channel_id_token_problems(
    inspection: Inspection, params: Mapping[str, str], request: AuthorizationRequest
) -> list[str]:
    """Why the ID token of an authorization response must not be trusted (empty: it passes).

    ``inspection`` is the ID token checked against the issuer's keys, the expected issuer, the
    client id as audience, the request's nonce and the response's access token. No check may
    fail, and every one of :data:`FRONT_CHANNEL_CHECKS` must pass (one that could not be made
    is a problem too). An access token beside it needs a matching ``at_hash``, a code a
    matching ``c_hash`` (OIDC Core §3.2.2.10, §3.3.2.11: both REQUIRED then).
    """
    problems: list[str] = []
    for finding in inspection.findings:
        required = finding.check in FRONT_CHANNEL_CHECKS
        if finding.outcome is Outcome.FAIL or (required and finding.outcome is not Outcome.PASS):
            problems.append(f"{finding.check}: {finding.reason}")
    if params.get("access_token"):
        finding = inspection.finding("at_hash")
        if "at_hash" not in inspection.decoded.claims:
            problems.append("at_hash: the ID token has no at_hash, required beside an access token")
        elif finding.outcome is Outcome.NOT_CHECKED:
            problems.append(f"at_hash: {finding.reason}")
    code = params.get("code")
    if code and "code" in request.response_type.split():
        checked = [f for f in inspection.findings if f.check == "c_hash"]
        if not checked or checked[0].outcome is Outcome.NOT_CHECKED:  # else listed above
            problems.extend(_c_hash_problems(inspection, code))
    return problems


def _c_hash_problems(inspection: Inspection, code: str) -> list[str]:
    value = inspection.decoded.claims.get("c_hash")
    if value is None:
        return ["c_hash: the ID token has no c_hash, required beside a code"]
    alg = inspection.decoded.alg or ""
    expected = c_hash(code, alg) if code.isascii() else None
    if expected is None:
        return [f"c_hash: cannot compute the code's hash (alg {alg!r})"]
    if value != expected:
        return ["c_hash: the code does not match the ID token's c_hash: not issued together"]
    return []


def check_front_channel_id_token(
    inspection: Inspection, params: Mapping[str, str], request: AuthorizationRequest
) -> None:
    """Raise ``FlowError`` (``id_token_invalid``) unless the ID token passes every check."""
    problems = front_channel_id_token_problems(inspection, params, request)
    if problems:
        raise FlowError(
            "The ID token in the redirect failed validation, so nothing from this response was"
            " used (OIDC Core §3.2.2.11): " + "; ".join(problems),
            kind="id_token_invalid",
        )


#: Inspect an ID token: (token, nonce, access_token, code) -> its inspection.
Inspect = Callable[[str, str | None, str | None, str | None], Inspection]


def complete_implicit(
    params: Mapping[str, str], request: AuthorizationRequest, *, inspect: Inspect
) -> TokenSet:
    """The tokens of an implicit response, its ID token (if any) validated first."""
    tokens = parse_implicit_response(params, request)
    if tokens.id_token:
        try:
            inspection = inspect(tokens.id_token, request.nonce, tokens.access_token, None)
        except TokenError as exc:
            raise FlowError(
                f"The ID token in the redirect cannot be decoded: {exc}",
                kind="id_token_invalid",
            ) from exc
        check_front_channel_id_token(inspection, params, request)
    return tokens
