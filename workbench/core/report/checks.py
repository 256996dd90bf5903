"""A token's checks in the exchange log and in the report.

Made at the time: :func:`record_inspection` keeps an inspection's findings in the log as a
``token_checked`` :class:`~workbench.core.transport.flows.Step` of the current flow (masked like
every step; exported and read back with the log), with the claims that tell which token it was
(``iss``, ``sub``, ``jti``, ``iat``: already in the log, decoded, beside the exchange that
carried the token) — never the token or its signature. :func:`recorded_checks` reads one back
and :func:`same_token` ties it to the decoded token of an exchange.

Made from the log: :func:`checks_from_log` runs on a logged token's header and claims the checks
that need no signature — ``exp``/``nbf``/``iat`` at the moment the exchange received it, ``iss``
against the issuer of a logged discovery document, ``aud`` against the client the flow named,
``alg`` against the algorithms advertised, ``kid`` against the keys of a logged JWKS — with the
inspector's words. The signature is never in a log, so its finding is always "not checked".
"""

from __future__ import annotations

import itertools
import json
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from workbench.core.tokens.checks import CHECKS
from workbench.core.tokens.claim_checks import check_aud, check_iss
from workbench.core.tokens.decode import fingerprint
from workbench.core.tokens.findings import (
    Finding,
    Inspection,
    Outcome,
    failing,
    passing,
    shown,
    unchecked,
)
from workbench.core.tokens.time_checks import check_exp, check_iat, check_nbf
from workbench.core.transport.exchange import Exchange
from workbench.core.transport.flows import Step

__all__ = [
    "IDENTITY_CLAIMS",
    "LEEWAY",
    "ProviderRecord",
    "RecordedChecks",
    "checks_from_log",
    "record_inspection",
    "recorded_checks",
    "same_token",
]

STEP_KIND = "token_checked"
#: The claims that tell one token from another in a log (all of them public, decoded there).
IDENTITY_CLAIMS = ("iss", "sub", "jti", "iat", "exp")
#: The clock skew the checks from the log allow, as the inspector's default.
LEEWAY = 30
_CHECK_PREFIX = "check "


class StepRecorder(Protocol):
    """What :func:`record_inspection` needs of an exchange log."""

    def step(
        self, kind: str, text: str, *, source: Any, target: Any, url: str | None = None, **d: str
    ) -> Step: ...


def record_inspection(log: StepRecorder, inspection: Inspection, what: str = "token") -> Step:
    """Keep ``inspection``'s findings in ``log`` as a ``token_checked`` step of the current
    flow; ``what`` names the token in words ("access token")."""
    claims = inspection.decoded.claims
    failed = [f.check for f in inspection.failed]
    verdict = f"{len(failed)} failed ({', '.join(failed)})" if failed else "no check failed"
    detail = {
        "token": what,
        "verdict": "fail" if failed else "pass",
        "alg": str(inspection.decoded.header.get("alg", "")),
        "kid": str(inspection.decoded.header.get("kid", "")),
        "fingerprint": fingerprint(inspection.decoded),
    }
    detail.update({name: _claim_text(claims[name]) for name in IDENTITY_CLAIMS if name in claims})
    for finding in inspection.findings:
        detail[_CHECK_PREFIX + finding.check] = json.dumps(
            [finding.outcome.value, finding.reason], ensure_ascii=False
        )
    return log.step(
        STEP_KIND, f"checked the {what}: {verdict}", source="client", target="client", **detail
    )


def _claim_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class RecordedChecks:
    """A ``token_checked`` step read back: the token's identity and its findings."""

    step: Step
    token: str
    identity: Mapping[str, str]
    findings: tuple[Finding, ...]
    fingerprint: str = ""

    @property
    def ok(self) -> bool:
        return all(f.outcome is not Outcome.FAIL for f in self.findings)


def recorded_checks(steps: Iterable[Step]) -> list[RecordedChecks]:
    """The ``token_checked`` steps of ``steps``, read back (a finding that does not read is
    shown as not checked, saying so)."""
    found = []
    for step in steps:
        if step.kind != STEP_KIND:
            continue
        findings = [
            _finding(key[len(_CHECK_PREFIX) :], value)
            for key, value in step.detail.items()
            if key.startswith(_CHECK_PREFIX)
        ]
        identity = {k: step.detail[k] for k in IDENTITY_CLAIMS if k in step.detail}
        what = step.detail.get("token", "token")
        mark = step.detail.get("fingerprint", "")
        found.append(RecordedChecks(step, what, identity, tuple(findings), mark))
    return found


def _finding(check: str, value: str) -> Finding:
    try:
        outcome, reason = json.loads(value)
        return Finding(check, Outcome(outcome), str(reason))
    except (ValueError, TypeError):
        return unchecked(check, "the log's record of this check does not read")


def same_token(recorded: RecordedChecks, decoded: Mapping[str, Any]) -> bool:
    """Whether ``recorded`` was made on the logged token ``decoded`` (its ``header``, ``claims``
    and ``fingerprint``): the same fingerprint when both have one; else (a log written before
    fingerprints) every identity claim the record kept, ``jti`` or ``iat`` among them."""
    mark = decoded.get("fingerprint")
    if recorded.fingerprint and isinstance(mark, str) and mark:
        return recorded.fingerprint == mark
    claims = decoded.get("claims")
    if not isinstance(claims, Mapping) or not ({"jti", "iat"} & recorded.identity.keys()):
        return False
    return all(
        name in claims and _claim_text(claims[name]) == value
        for name, value in recorded.identity.items()
    )


@dataclass(frozen=True)
class ProviderRecord:
    """What a log shows of a provider: its discovery document and its JWKS, as logged."""

    issuer: str
    metadata: Mapping[str, Any]
    keys: Sequence[Mapping[str, Any]] = ()
    jwks_logged: bool = False


def checks_from_log(
    member: str,
    decoded: Mapping[str, Any],
    received_at: float,
    provider: ProviderRecord | None,
    client_id: str | None,
) -> list[Finding]:
    """The checks of a logged token (``decoded``: its ``header`` and ``claims``) that need no
    signature, in the order of the inspector's, then ``alg`` and ``kid``."""
    header = decoded.get("header") or {}
    claims = decoded.get("claims") or {}
    if not isinstance(header, Mapping) or not isinstance(claims, Mapping):
        return [unchecked("signature", "the log holds no readable header and claims")]
    no_discovery = "no discovery document of the token's issuer in the log"
    findings = [
        unchecked("signature", "the signature is not in the log or the report"),
        check_iss(claims, provider.issuer if provider else None)
        if provider
        else unchecked("iss", f"{no_discovery} (the token says {shown(claims.get('iss'))})"),
        _check_aud(member, claims, client_id),
        check_exp(claims, received_at, LEEWAY),
        check_nbf(claims, received_at, LEEWAY),
        check_iat(claims, received_at, LEEWAY),
        _check_alg(member, header, provider),
        _check_kid(header, provider),
    ]
    order = {name: i for i, name in enumerate((*CHECKS, "alg", "kid"))}
    return sorted(findings, key=lambda f: order.get(f.check, len(order)))


def _check_aud(member: str, claims: Mapping[str, Any], client_id: str | None) -> Finding:
    if client_id is None:
        return unchecked("aud", "the log does not name the client (its id was sent masked)")
    if member == "id_token":
        return check_aud(claims, client_id, None)
    return check_aud(claims, None, client_id)


def _check_alg(member: str, header: Mapping[str, Any], provider: ProviderRecord | None) -> Finding:
    alg = header.get("alg")
    if not isinstance(alg, str) or not alg or alg.lower() == "none":
        return failing("alg", f"alg is {shown(alg)}: the token is not signed")
    if provider is None:
        return unchecked("alg", f"alg is {alg!r}; no discovery document in the log to compare")
    if member == "id_token":
        advertised = provider.metadata.get("id_token_signing_alg_values_supported")
        if isinstance(advertised, list) and advertised:
            if alg in advertised:
                return passing("alg", f"alg {alg!r} is one the provider advertises for ID tokens")
            return failing("alg", f"alg {alg!r} is not among the advertised {shown(advertised)}")
    key_algs = {str(k["alg"]) for k in provider.keys if k.get("alg")}
    if key_algs:
        if alg in key_algs:
            return passing("alg", f"alg {alg!r} is the alg of a key in the provider's JWKS")
        return failing("alg", f"alg {alg!r} is no key's alg in the JWKS {shown(sorted(key_algs))}")
    return unchecked("alg", f"alg is {alg!r}; the provider advertises no algorithm to compare")


def _check_kid(header: Mapping[str, Any], provider: ProviderRecord | None) -> Finding:
    kid = header.get("kid")
    if provider is None or not provider.jwks_logged:
        return unchecked("kid", "no JWKS of the token's issuer in the log")
    kids = [k.get("kid") for k in provider.keys]
    if kid is None:
        if len(kids) == 1:
            return passing("kid", "the token names no kid; the JWKS has one key")
        return failing("kid", f"the token names no kid and the JWKS has {len(kids)} keys")
    if kid in kids:
        return passing("kid", f"kid {shown(kid)} is a key of the logged JWKS")
    return failing("kid", f"kid {shown(kid)} is no key of the logged JWKS")


def providers_in(exchanges: Iterable[Exchange]) -> dict[str, ProviderRecord]:
    """The providers the log's discovery and JWKS exchanges show, by issuer (the discovery
    document's ``issuer``); a JWKS counts for the issuer whose ``jwks_uri`` it was fetched from."""
    exchanges = list(exchanges)
    found: dict[str, ProviderRecord] = {}
    for ex in exchanges:
        doc = _json_body(ex) if ex.purpose.startswith("discovery") else None
        if isinstance(doc, dict) and isinstance(doc.get("issuer"), str):
            known = found.get(doc["issuer"])
            merged = {**doc, **(known.metadata if known else {})}
            found[doc["issuer"]] = ProviderRecord(doc["issuer"], merged)
    for issuer, record in list(found.items()):
        for ex in exchanges:
            body = _json_body(ex) if ex.purpose == "jwks" else None
            if ex.url == record.metadata.get("jwks_uri") and isinstance(body, dict):
                keys = [k for k in body.get("keys") or () if isinstance(k, dict)]
                found[issuer] = ProviderRecord(issuer, record.metadata, keys, True)
    return found


def _json_body(ex: Exchange) -> Any:
    if ex.status != 200:
        return None
    try:
        return json.loads(ex.response_body)
    except ValueError:
        return None


def client_of(ex: Exchange) -> str | None:
    """The client id a logged token request named: its form's ``client_id``, else the user of
    the curl twin's ``--user`` (Basic authentication; its secret is a variable there)."""
    if ex.request_form and ex.request_form.get("client_id"):
        return str(ex.request_form["client_id"])
    try:
        words = shlex.split(ex.curl)
    except ValueError:
        return None
    for flag, value in itertools.pairwise(words):
        if flag == "--user" and value.endswith(":${CLIENT_SECRET}"):
            return value[: -len(":${CLIENT_SECRET}")] or None
    return None
