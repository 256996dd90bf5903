"""The OpenID Connect hybrid flow (OIDC Core §3.3): a code and tokens from the authorization
endpoint at once (``code id_token``, ``code token``, ``code id_token token``), in the fragment
by default.

What comes through the browser is checked before the code is redeemed: ``state`` and ``iss``
(as for any authorization response), then the front-channel ID token — its signature against
the issuer's JWKS, ``iss``, ``aud``, ``exp``, the ``nonce`` (REQUIRED in the hybrid flow,
§3.3.2.11), ``c_hash`` against the code and ``at_hash`` against a front-channel access token
(§3.3.2.11: the left-most half of the hash of the alg's size). A check that fails, or cannot
be made, rejects the flow naming it. The code is then redeemed (with PKCE), and the ID token of
the token response checked too: signature, ``iss``, ``aud``, ``exp``, ``nonce`` and the same
``sub`` as the front one (§3.3.3.6).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from workbench.core.errors import FlowError, TokenError
from workbench.core.oauth.rfc6749_code import AuthorizationRequest, check_authorization_response
from workbench.core.oauth.rfc6749_implicit import Inspect, front_channel_id_token_problems
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.tokens.findings import Inspection, Outcome
from workbench.core.transport.exchange import ExchangeLog

__all__ = [
    "BACK_CHANNEL_CHECKS",
    "HYBRID_RESPONSE_TYPES",
    "complete_hybrid",
    "hybrid_note",
    "is_hybrid",
    "parse_hybrid_response",
]

#: The hybrid response types (OIDC Core §3.3), in the order the faces offer them.
HYBRID_RESPONSE_TYPES: tuple[str, ...] = ("code id_token", "code token", "code id_token token")
#: The checks the token endpoint's ID token must pass in the hybrid flow (§3.3.3.7).
BACK_CHANNEL_CHECKS: tuple[str, ...] = ("signature", "iss", "aud", "exp", "nonce")


def is_hybrid(response_type: str) -> bool:
    """A response type asking for a code and something else (``code id_token`` …)."""
    parts = set(response_type.split())
    return "code" in parts and len(parts) > 1


def parse_hybrid_response(
    params: Mapping[str, str], request: AuthorizationRequest
) -> tuple[str, TokenSet]:
    """The code and the front-channel tokens of a hybrid response (§3.3.2.5), after the state
    and issuer checks; each part the response type asks for must be there."""
    check_authorization_response(params, request)
    wanted = request.response_type.split()
    code = params.get("code")
    if not code:
        raise FlowError("The redirect fragment carries no authorization code.", kind="no_code")
    for name, part in (("access_token", "token"), ("id_token", "id_token")):
        if part in wanted and not params.get(name):
            raise FlowError(
                f"The redirect fragment carries no {name} (response type {request.response_type}).",
                kind="no_token",
            )
    data = {k: v for k, v in params.items() if k not in ("state", "iss", "code")}
    return code, TokenSet.from_response(data)


def complete_hybrid(
    params: Mapping[str, str],
    request: AuthorizationRequest,
    *,
    inspect: Inspect,
    redeem: Callable[[str], TokenSet],
    log: ExchangeLog,
) -> TokenSet:
    """Check the front channel, redeem the code, check the back channel; the tokens of the
    token response (its ID token, or the front one when it sends none)."""
    if not request.nonce:
        raise FlowError(
            "The hybrid flow needs a nonce in the authorization request (OIDC Core §3.3.2.11).",
            kind="nonce_missing",
        )
    code, front = parse_hybrid_response(params, request)
    front_sub: Any = None
    if front.id_token:
        inspection = _inspect(inspect, front.id_token, request.nonce, front.access_token, code)
        problems = front_channel_id_token_problems(inspection, params, request)
        if problems:
            raise FlowError(
                "The ID token in the redirect failed validation, so the code was not redeemed"
                " (OIDC Core §3.3.2.12): " + "; ".join(problems),
                kind="id_token_invalid",
            )
        front_sub = inspection.decoded.claims.get("sub")
        _record(log, "hybrid_front_checked", "front-channel ID token verified", inspection)
    tokens = redeem(code)
    if tokens.id_token:
        back = _inspect(inspect, tokens.id_token, request.nonce, tokens.access_token, None)
        problems = _back_channel_problems(back, front_sub)
        if problems:
            raise FlowError(
                "The ID token from the token endpoint failed validation (OIDC Core §3.3.3.7): "
                + "; ".join(problems),
                kind="id_token_invalid",
            )
        _record(log, "hybrid_back_checked", "token endpoint's ID token verified", back)
    elif front.id_token:
        raw = {**tokens.raw, "id_token": front.id_token}
        tokens = TokenSet.from_response(raw, tokens.received_at)
    return tokens


def _inspect(
    inspect: Inspect, token: str, nonce: str | None, access_token: str | None, code: str | None
) -> Inspection:
    try:
        return inspect(token, nonce, access_token, code)
    except TokenError as exc:
        raise FlowError(
            f"The ID token cannot be decoded: {exc}. The code was not redeemed.",
            kind="id_token_invalid",
        ) from exc


def _back_channel_problems(inspection: Inspection, front_sub: Any) -> list[str]:
    problems: list[str] = []
    for finding in inspection.findings:
        required = finding.check in BACK_CHANNEL_CHECKS
        if finding.outcome is Outcome.FAIL or (required and finding.outcome is not Outcome.PASS):
            problems.append(f"{finding.check}: {finding.reason}")
    sub = inspection.decoded.claims.get("sub")
    if front_sub is not None and sub != front_sub:
        problems.append(
            "sub: the token endpoint's ID token names another subject than the front-channel"
            " one (OIDC Core §3.3.3.6)"
        )
    return problems


def _record(log: ExchangeLog, kind: str, text: str, inspection: Inspection) -> None:
    checks = "; ".join(
        f"{f.check}: {f.reason}" for f in inspection.findings if f.outcome is Outcome.PASS
    )
    log.step(kind, text, source="client", target="client", checks=checks)


def hybrid_note(response_type: str) -> str:
    """What the hybrid flow checked before it redeemed the code (OIDC Core §3.3.2.11)."""
    parts = response_type.split()
    if "id_token" not in parts:
        return (
            "hybrid (code token): no ID token came through the browser; the token endpoint's"
            " ID token was verified (signature, iss, aud, exp, nonce)."
        )
    hashes = "c_hash and at_hash" if "token" in parts else "c_hash"
    return (
        f"hybrid ({response_type}): the front-channel ID token passed signature, iss, aud, exp,"
        f" nonce and {hashes} before the code was redeemed; the token endpoint's ID token names"
        " the same sub."
    )
