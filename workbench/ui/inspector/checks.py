"""The checks of the shown token: which provider judges it, the verification in a worker, the
verdict on the card and the Checks tab, and ``exp`` failing live once the token expired.

Verification was asked for, so a provider that cannot be reached fails the signature check
("not verified: …") rather than leaving it merely unchecked: fail closed. The verdict says
"valid" with the pass colour only when the signature check passed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Literal

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from workbench.core.display import printable
from workbench.core.errors import (
    ConfigError,
    OAuthError,
    TokenError,
    TransportError,
    WorkbenchError,
)
from workbench.core.hints import Setting
from workbench.core.session import OAuthSession
from workbench.core.tokens.checks import inspect_token
from workbench.core.tokens.claims import format_local, format_relative
from workbench.core.tokens.decode import DecodedJwt, decode_jwt
from workbench.core.tokens.findings import Finding, Inspection
from workbench.core.transport.masking import mask_text
from workbench.ui.dialogs.exception_dialog import show_exception
from workbench.ui.inspector.card import TokenCard
from workbench.ui.inspector.details import TokenDetails
from workbench.ui.inspector.entries import ShownToken, TokenEntry
from workbench.ui.inspector.reality import signature_fail_headline
from workbench.ui.safe_text import html_text
from workbench.ui.state import AppState

StartWorker = Callable[..., None]
"""``start(fn, *args, on_returned=…, on_errored=…, on_finished=…)``: the panel's worker start."""

# What the inspector offers for each setting a finding says would let its check be made.
_UI_FIX = {
    Setting.ISSUER: "choose a provider, whose JWKS verifies the signature",
    Setting.JWKS_URI: "choose a provider, whose JWKS verifies the signature",
    Setting.AUDIENCE: "choose a provider to compare with its client",
    Setting.CLIENT_ID: "choose a provider to compare with its client",
}


# -- work done off the GUI thread ----------------------------------------------------------


def _verify(
    session: OAuthSession,
    token: str,
    kind: Literal["access", "id", "auto"],
    nonce: str | None,
    access_token: str | None,
) -> tuple[Inspection, str]:
    """Full inspection against the provider; local checks only when the provider is away."""
    try:
        return session.inspect(token, kind=kind, nonce=nonce, access_token=access_token), ""
    except (TransportError, OAuthError, ConfigError) as exc:
        message = mask_text(str(exc), session.log.secrets())
        note = f"Could not reach the provider ({message}): only the local checks ran."
        unreachable = f"the provider could not be reached: {message}"
        return inspect_token(token, keys_unavailable=unreachable, verify=True), note


# -- which provider answers for a token ----------------------------------------------------


def provider_words(session: OAuthSession | None) -> str:
    """A provider as the inspector names it: its name, else its issuer."""
    if session is None:
        return "no provider"
    provider = session.provider
    return printable(f"“{provider.name or provider.issuer or 'the provider'}”")


def _claimed_issuer(token: str) -> str | None:
    """The ``iss`` a JWT claims (unverified: it only picks whose keys to check it with)."""
    try:
        iss = decode_jwt(token).claims.get("iss")
    except TokenError:
        return None
    return iss if isinstance(iss, str) and iss else None


def resolve(state: AppState, token: str) -> tuple[OAuthSession | None, str]:
    """The session that answers for ``token``, and a note when it is not the chosen one.

    The current tokens go to the provider that issued them, whichever is chosen now; any
    other token to the provider whose issuer is its ``iss``, else to the chosen provider,
    saying so plainly.
    """
    own = state.session_for(token)
    if own is not None and own is not state.session:
        return own, (
            f"Checked against {provider_words(own)}, the provider that issued it (the"
            f" chosen provider is now {provider_words(state.session)})."
        )
    if state.tokens is not None and token in (
        state.tokens.access_token,
        state.tokens.id_token,
        state.tokens.refresh_token,
    ):
        return own, ""
    iss = _claimed_issuer(token)
    match = state.session_for_issuer(iss)
    if match is not None:
        if match is state.session:
            return match, ""
        return match, (
            f"Checked against {provider_words(match)}, whose issuer is the token's iss"
            f" (the chosen provider is {provider_words(state.session)})."
        )
    if state.session is None:
        return None, ""
    if iss is None:
        why = "the token names no issuer (iss)"
    else:
        why = f"no provider in use has the token's issuer {iss!r}"
    return state.session, f"Checked against {provider_words(state.session)}: {why}."


def ui_reason(finding: Finding) -> str:
    """A finding's reason with what the inspector offers to let the check be made."""
    if not finding.fix:
        return finding.reason
    offers = dict.fromkeys(_UI_FIX[s] for s in finding.fix)  # each offer once, in order
    return f"{finding.reason}: {' or '.join(offers)}"


class TokenChecks(QObject):
    """Runs and shows the checks of the shown token on ``card`` and in ``details``."""

    sig_checked = Signal(object)
    """The shown token's checks finished: the Inspection."""

    def __init__(
        self,
        state: AppState,
        card: TokenCard,
        details: TokenDetails,
        start_worker: StartWorker,
        shown: Callable[[], ShownToken | None],
        host: QWidget,
    ) -> None:
        super().__init__(host)
        self._state = state
        self._shown = shown
        self._card = card
        self._details = details
        self._findings = details.findings
        self._start_worker = start_worker
        self._host = host
        self._generation = 0
        self.inspection: Inspection | None = None
        # Once the shown token expired: what the exp reason adds to "expired 2 min ago (…)"
        # (None: not expired since its check, which ran at _checked_at).
        self._exp_note: str | None = None
        self._checked_at = 0.0

    def invalidate(self) -> None:
        """Another token (or none) is shown: answers still on their way are stale."""
        self._generation += 1
        self.inspection = None

    def start(self, entry: TokenEntry, decoded: DecodedJwt) -> None:
        generation = self._generation
        session, where_note = resolve(self._state, entry.token)
        self.inspection = None
        self._exp_note = None
        if session is None:
            inspection = inspect_token(decoded)
            self._on_checked(
                generation,
                (
                    inspection,
                    "No provider chosen: only the local checks ran. Choose a provider to"
                    " verify the signature with its keys.",
                ),
            )
            return
        self._card.set_verdict("checking", "… Checking the signature and claims")
        where = provider_words(session)
        self._findings.set_checking(f"Checking against {where} (its JWKS may be fetched)…")
        self._details.set_checks_text("Checks (checking…)")
        kind: Literal["access", "id", "auto"] = "auto"
        nonce: str | None = None
        access_token: str | None = None
        tokens, context = self._state.tokens, self._state.context
        if entry.role == "access":
            kind = "access"
        elif entry.role == "id":
            kind = "id"
            nonce = context.nonce if context is not None else None
            access_token = tokens.access_token if tokens is not None else None
        self._start_worker(
            _verify,
            session,
            entry.token,
            kind,
            nonce,
            access_token,
            on_returned=lambda result: self._on_checked(generation, result, where_note),
            on_errored=lambda exc: self._on_check_failed(generation, exc),
        )

    def _on_checked(
        self, generation: int, result: tuple[Inspection, str], where_note: str = ""
    ) -> None:
        if generation != self._generation:
            return  # a newer token is shown: this answer is stale
        inspection, note = result
        self.show(inspection, " ".join(n for n in (where_note, note) if n))
        if where_note:
            # Which provider's keys judged the token: on the card too, beside the verdict.
            self._card.show_note(where_note, "secondary")

    def show(self, inspection: Inspection, note: str = "") -> None:
        """Show the checks of the shown token: the Checks tab, the verdict and its colour."""
        findings = tuple(replace(f, reason=ui_reason(f)) for f in inspection.findings)
        inspection = replace(inspection, findings=findings)
        self.inspection = inspection
        self._exp_note = None
        self._checked_at = time.time()
        self._findings.set_findings(findings, note)
        if self._card.countdown.is_expired():
            self.mark_expired()
        self._update_verdict()
        self.sig_checked.emit(inspection)

    def _on_check_failed(self, generation: int, exc: Any) -> None:
        if generation != self._generation:
            return
        if isinstance(exc, WorkbenchError):
            message = mask_text(str(exc), self._state.log.secrets())
            self._findings.clear(f"The checks could not run: {message}")
            self._card.set_verdict("fail", html_text(f"✗ Not verified: {message}"))
        else:
            self._findings.clear("The checks stopped on an unexpected error.")
            show_exception(self._host.window(), exc)

    def _update_verdict(self) -> None:
        if self.inspection is None:
            return
        findings = self._findings
        summary = findings.summary()
        counts = findings.counts()
        failed = [row for row in findings.rows.values() if row.outcome == "fail"]
        signature = findings.outcome("signature")
        # "valid" and the pass colour only for a signature that passed: keys that could not
        # be fetched ("not verified: …") fail, and an unchecked signature is never a pass.
        if signature == "fail":
            outcome = "fail"
            head = signature_fail_headline(findings.reason("signature"))
        elif failed:
            outcome = "fail"
            names = ", ".join(row.check for row in failed)
            head = f"✗ Failed: {names}"
            if signature == "pass":
                head += " (signature valid)"
        elif signature == "pass":
            outcome, head = "pass", "✓ Signature valid"
        else:
            outcome, head = "not_checked", "– Signature not checked"
        self._card.set_verdict(
            outcome, f"{head} · {summary} · <a href='#checks'>details</a>", f"{head}; {summary}"
        )
        marks = f"✓{counts['pass']}"
        if counts["fail"]:
            marks += f" ✗{counts['fail']}"
        self._details.set_checks_text(f"Checks ({marks})")

    def mark_expired(self) -> None:
        """The token is past its exp: the exp check fails, and its reason keeps counting."""
        shown = self._shown()
        if shown is None or shown.decoded is None:
            return
        expires_at = self._card.countdown.expires_at()
        if expires_at is None or self._findings.state != "done":
            return
        if self._exp_note is None:
            if self._findings.outcome("exp") != "pass":
                self._exp_note = ""  # the check itself found it expired
            elif expires_at <= self._checked_at:
                self._exp_note = "; the check let it pass within the clock-skew leeway"
            else:
                self._exp_note = "; it was still valid when checked"
        self.tick(time.time())
        self._update_verdict()

    def tick(self, now: float) -> None:
        """ "expired 2 min ago (…)", recomputed each tick once the token has expired."""
        expires_at = self._card.countdown.expires_at()
        if self._exp_note is None or expires_at is None or self._findings.state != "done":
            return
        when = format_relative(expires_at - now)
        when = "just now" if when == "now" else when
        self._findings.mark(
            "exp", "fail", f"expired {when} ({format_local(expires_at)}){self._exp_note}"
        )
