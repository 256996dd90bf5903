"""The checks of a token's claims and header against what was expected: ``iss``, ``aud`` (with
the client), ``typ``, Cognito's ``token_use`` and ``nonce``.

Each takes the expectation, ``None`` when none was given; then the check is not made and says
so (with what the token says, if anything).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.core.hints import Setting
from workbench.core.tokens.findings import Finding, failing, passing, shown, unchecked

__all__ = [
    "check_aud",
    "check_dpop_binding",
    "check_iss",
    "check_nonce",
    "check_token_use",
    "check_typ",
]


def check_iss(claims: Mapping[str, Any], issuer: str | None) -> Finding:
    check = "iss"
    value = claims.get("iss")
    if issuer is None:
        said = f" (the token says {shown(value)})" if value is not None else ""
        return unchecked(check, f"no expected issuer given{said}")
    if value is None:
        return failing(check, f"the token has no iss claim (expected {issuer!r})")
    if value != issuer:
        hint = ""
        if isinstance(value, str) and value.rstrip("/") == issuer.rstrip("/"):
            hint = "; they differ only by a trailing '/', which makes them different issuers"
        return failing(check, f"iss is {shown(value)}, expected {issuer!r}{hint}")
    return passing(check, f"iss is {issuer!r}")


def _audience_checks(
    claims: Mapping[str, Any], aud: Any, auds: list[str] | None, audience: str
) -> tuple[list[str], list[str]]:
    """(passes, fails) of the expected ``audience`` against the token's aud."""
    if auds is None:
        hint = (
            " (it carries client_id instead: pass --client-id to check that)"
            if "client_id" in claims
            else ""
        )
        return [], [f"the token has no aud claim (expected {audience!r}){hint}"]
    if audience in auds:
        return [f"aud contains {audience!r}"], []
    return [], [f"aud is {shown(aud)}, which does not contain {audience!r}"]


def _client_checks(
    claims: Mapping[str, Any], aud: Any, auds: list[str] | None, client_id: str
) -> tuple[list[str], list[str]]:
    """(passes, fails) of the expected ``client_id``: RFC 9068 §2.2 and Cognito: client_id
    claim; OIDC Core §3.1.3.7: azp, else aud."""
    passes: list[str] = []
    fails: list[str] = []
    cid = claims.get("client_id")
    azp = claims.get("azp")
    if cid is not None:
        if cid == client_id:
            passes.append(f"client_id is {client_id!r}")
        else:
            fails.append(f"client_id is {shown(cid)}, expected {client_id!r}")
    if azp is not None:
        if azp == client_id:
            passes.append(f"azp is {client_id!r}")
        else:
            fails.append(f"azp is {shown(azp)}, expected the client {client_id!r}")
    if cid is None and azp is None:
        if auds is None:
            fails.append(f"the token has neither aud nor client_id (expected {client_id!r})")
        elif client_id in auds:
            passes.append(f"aud contains the client {client_id!r}")
        else:
            fails.append(f"aud is {shown(aud)}, which does not contain the client {client_id!r}")
    return passes, fails


def check_aud(claims: Mapping[str, Any], audience: str | None, client_id: str | None) -> Finding:
    check = "aud"
    if audience is None and client_id is None:
        return unchecked(check, "no expected audience", (Setting.AUDIENCE, Setting.CLIENT_ID))
    aud = claims.get("aud")
    auds: list[str] | None
    if aud is None:
        auds = None
    elif isinstance(aud, str):
        auds = [aud]
    elif isinstance(aud, list) and all(isinstance(a, str) for a in aud):
        auds = aud
    else:
        return failing(check, f"aud is neither a string nor a list of strings: {shown(aud)}")
    passes: list[str] = []
    fails: list[str] = []
    if audience is not None:
        more_passes, more_fails = _audience_checks(claims, aud, auds, audience)
        passes += more_passes
        fails += more_fails
    if client_id is not None:
        more_passes, more_fails = _client_checks(claims, aud, auds, client_id)
        passes += more_passes
        fails += more_fails
    if fails:
        return failing(check, "; ".join(fails))
    return passing(check, "; ".join(passes))


def _media_type(value: str) -> str:
    lowered = value.strip().lower()
    return lowered.removeprefix("application/")


def check_typ(header: Mapping[str, Any], expected: str | None) -> Finding:
    check = "typ"
    typ = header.get("typ")
    if expected is None:
        said = f" (the header says {shown(typ)})" if typ is not None else ""
        return unchecked(check, f"no expected typ given{said}")
    if typ is None:
        return failing(check, f"the header has no typ (expected {expected!r})")
    if not isinstance(typ, str) or _media_type(typ) != _media_type(expected):
        hint = ""
        if _media_type(expected) == "at+jwt":
            hint = " (RFC 9068 §2.1: this is what tells an access token from an ID token)"
        return failing(check, f"typ is {shown(typ)}, expected {expected!r}{hint}")
    return passing(check, f"typ is {typ!r}")


def check_token_use(claims: Mapping[str, Any], expected: str | None) -> Finding:
    check = "token_use"
    value = claims.get("token_use")
    if expected is None:
        said = f" (the token says {shown(value)})" if value is not None else ""
        return unchecked(check, f"no expected token_use given{said}")
    if value is None:
        return failing(
            check, f"the token has no token_use claim (expected {expected!r}, as Cognito sets)"
        )
    if value != expected:
        return failing(check, f"token_use is {shown(value)}, expected {expected!r}")
    return passing(check, f"token_use is {expected!r}")


def check_nonce(claims: Mapping[str, Any], expected: str | None) -> Finding:
    check = "nonce"
    value = claims.get("nonce")
    if expected is None:
        if value is not None:
            return unchecked(check, "the token has a nonce but no expected nonce was given")
        return unchecked(check, "no expected nonce given")
    if value is None:
        return failing(check, f"the token has no nonce claim (expected {expected!r})")
    if value != expected:
        return failing(
            check,
            f"nonce is {shown(value)}, expected {expected!r}: the ID token does not belong to"
            " this authorization request (replay?)",
        )
    return passing(check, "nonce matches the one sent in the authorization request")


def check_dpop_binding(claims: Mapping[str, Any], dpop_jkt: str | None) -> Finding:
    """RFC 9449 §6.1: a DPoP-bound token names its key's thumbprint in ``cnf.jkt``; it must be
    the key in use (``dpop_jkt``). No key at hand: not checked, whatever the token says."""
    check = "dpop"
    cnf = claims.get("cnf")
    jkt = cnf.get("jkt") if isinstance(cnf, Mapping) else None
    if jkt is None:
        if dpop_jkt is None:
            return unchecked(check, "not DPoP-bound: the token carries no cnf.jkt")
        return unchecked(
            check,
            "not DPoP-bound: the token carries no cnf.jkt although DPoP was used (the server"
            " issued a bearer token)",
        )
    if not isinstance(jkt, str):
        return failing(check, f"cnf.jkt is {shown(jkt)}, not a thumbprint string")
    if dpop_jkt is None:
        return unchecked(
            check,
            f"DPoP-bound (cnf.jkt {jkt}), not checked: no DPoP key at hand to compare with",
        )
    if jkt != dpop_jkt:
        return failing(
            check,
            f"DPoP-bound to another key: cnf.jkt is {jkt}, the key in use is {dpop_jkt}",
        )
    return passing(check, f"DPoP-bound to the key in use (cnf.jkt {jkt})")
