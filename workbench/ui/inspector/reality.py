"""The revocation reality check: the same token judged locally and by the server, side by side.

A JWT carries its own proof: anything holding the issuer's public keys verifies it without
asking anyone, and keeps accepting it until ``exp``. Only the server knows that it was revoked
(RFC 7009), and only the server can say so (introspection, RFC 7662; a 401 at UserInfo). This
panel puts both verdicts next to each other so the difference cannot be missed. For a token of
the demo server it also offers to send the token to both demo APIs (:mod:`.demo_apis`): the one
that verifies locally answers 200 beside the one that asks the server, which answers 401.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QTextDocumentFragment
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.display import printable
from workbench.core.model import RealityCheck
from workbench.core.tokens.claims import format_local, format_relative
from workbench.ui import metrics
from workbench.ui.inspector.demo_apis import DemoApiRow
from workbench.ui.reveal import reveal
from workbench.ui.safe_text import tooltip
from workbench.ui.theme import set_outcome, set_property

SELF_CONTAINED = (
    "A JWT is self-contained: anything that verifies it locally will keep accepting it until it"
    " expires. Only the server knows it was revoked."
)
SELF_CONTAINED_HTML = (
    "<b>A JWT is self-contained:</b> anything that verifies it locally will keep accepting it"
    " until it expires. <b>Only the server knows it was revoked.</b>"
)

#: The logout reality check (after "Log out"): what a logout does not do, said as "logged out".
LOGGED_OUT_HTML = (
    "<b>Logged out, yet the access token still verifies locally:</b> a logout ends the browser"
    " session at the provider; it does not take back tokens already issued. Anything that"
    " verifies the JWT locally keeps accepting it until it expires."
)
LOGGED_OUT_SERVER_TOO = (
    "Logged out, and the server still says the token is active: this provider keeps the"
    " tokens of an ended session alive until they expire."
)
LOGGED_OUT_SERVER_ENDS = (
    "Logged out, and the server now says the token is inactive: this provider ends the tokens"
    " with the session, but an API that verifies JWTs locally keeps accepting it until it"
    " expires."
)
TITLES = {"revocation": "Revocation reality check", "logout": "Logout reality check"}

SOURCE_WORDS = {
    "introspection": "introspection",
    "userinfo": "UserInfo",
    "cognito": "Cognito GetUser",
    "none": "no server check available",
}


class VerdictCard(QFrame):
    """One side: a small caption, a big verdict line, a detail line, a footnote."""

    def __init__(self, name: str, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(caption)
        self.setProperty("role", "card")
        self.caption = QLabel(caption.upper(), self)
        self.caption.setObjectName(f"{name}Caption")
        self.caption.setProperty("role", "muted")
        small = QFont(self.font())
        small.setBold(True)
        small.setPointSizeF(small.pointSizeF() * metrics.REALITY_CAPTION_SCALE)
        small.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
        self.caption.setFont(small)
        self.headline = QLabel(self)
        self.headline.setObjectName(f"{name}Headline")
        big = QFont(self.font())
        big.setBold(True)
        big.setPointSizeF(big.pointSizeF() * metrics.REALITY_HEADLINE_SCALE)
        self.headline.setFont(big)
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.detail = QLabel(self)
        self.detail.setObjectName(f"{name}Detail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.footnote = QLabel(self)
        self.footnote.setObjectName(f"{name}Footnote")
        self.footnote.setProperty("role", "secondary")
        self.footnote.setWordWrap(True)
        self.footnote.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(metrics.MARGIN, metrics.MARGIN, metrics.MARGIN, metrics.MARGIN)
        layout.setSpacing(metrics.SPACING // 2)
        layout.addWidget(self.caption)
        layout.addWidget(self.headline)
        layout.addWidget(self.detail)
        layout.addStretch(1)
        layout.addWidget(self.footnote)

    def set_verdict(self, outcome: str, headline: str, detail: str, footnote: str = "") -> None:
        """Plain text; ``detail`` often quotes the server or the token, shown printable."""
        headline, detail, footnote = printable(headline), printable(detail), printable(footnote)
        set_outcome(self, outcome)
        set_outcome(self.headline, outcome)
        self.headline.setText(headline)
        self.detail.setText(detail)
        self.footnote.setText(footnote)
        self.footnote.setVisible(bool(footnote))
        self.setAccessibleDescription(f"{headline}. {detail}")


class RealityCheckPanel(QFrame):
    """Local verdict | server verdict, with the one-line explanation; the local side is live."""

    sig_recheck = Signal()
    """The user asked to run the reality check again."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectorReality")
        self.setAccessibleName("Revocation reality check")
        self.setProperty("role", "card")
        self._check: RealityCheck | None = None
        self._label = ""
        self._note = ""
        self._server_summary = ""
        #: ``revocation`` (after Revoke, or Check with server) or ``logout`` (after Log out).
        self.mode = "revocation"

        self.title = title = QLabel(TITLES["revocation"], self)
        title.setObjectName("realityTitle")
        bold = QFont(self.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * metrics.REALITY_TITLE_SCALE)
        title.setFont(bold)
        self.token_label = QLabel(self)
        self.token_label.setObjectName("realityToken")
        self.token_label.setProperty("role", "secondary")
        self.token_label.setTextFormat(Qt.TextFormat.PlainText)
        self.token_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.recheck_button = QPushButton("Check again", self)
        self.recheck_button.setObjectName("realityRecheck")
        self.recheck_button.setAccessibleName("Run the reality check again")
        self.recheck_button.setToolTip("Ask the server again and re-verify locally (Ctrl+K)")
        self.recheck_button.clicked.connect(self.sig_recheck)
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("realityClose")
        self.close_button.setAccessibleName("Close the reality check")
        self.close_button.setToolTip("Close")
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)

        self.local = VerdictCard("realityLocal", "Local check", self)
        self.server = VerdictCard("realityServer", "Server", self)
        self.sign = QLabel("≠", self)
        self.sign.setObjectName("realitySign")
        self.sign.setAccessibleName("Verdicts differ")
        self.sign.setAlignment(Qt.AlignmentFlag.AlignCenter)
        sign_font = QFont(self.font())
        sign_font.setBold(True)
        sign_font.setPointSizeF(sign_font.pointSizeF() * metrics.REALITY_SIGN_SCALE)
        self.sign.setFont(sign_font)
        self.explanation = QLabel(self)
        self.explanation.setObjectName("realityExplanation")
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.demo_apis = DemoApiRow(self)
        self.session_line = QLabel(self)
        self.session_line.setObjectName("realitySession")
        self.session_line.setWordWrap(True)
        self.session_line.setTextFormat(Qt.TextFormat.PlainText)
        self.session_line.hide()

        self.token_label.setWordWrap(True)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(title)
        titles.addWidget(self.token_label)
        head = QHBoxLayout()
        head.setSpacing(metrics.SPACING)
        head.addLayout(titles, 1)
        head.addWidget(self.recheck_button, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        cards = QHBoxLayout()
        cards.setSpacing(metrics.SPACING)
        cards.addWidget(self.local, 1)
        cards.addWidget(self.sign)
        cards.addWidget(self.server, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(metrics.MARGIN, metrics.SPACING, metrics.SPACING, metrics.MARGIN)
        layout.setSpacing(metrics.SPACING)
        layout.addLayout(head)
        layout.addWidget(self.session_line)
        layout.addLayout(cards)
        layout.addWidget(self.explanation)
        layout.addWidget(self.demo_apis)
        self.hide()

    # -- filling --------------------------------------------------------------------------
    @property
    def check(self) -> RealityCheck | None:
        return self._check

    @property
    def note(self) -> str:
        """What happened to the token first ("logged out at 12:03:04"), or ""."""
        return self._note

    def show_checking(
        self, label: str, token: str, note: str = "", *, mode: str = "revocation"
    ) -> None:
        """Both sides are being asked (after a revoke, a logout, or "Check with server").

        ``note`` says what happened to the token first ("revoked at 12:03:04"); ``mode``
        ``logout`` makes it the logout reality check (its title, its words, the session line).
        """
        self._set_mode(mode, note)
        self._check = None
        self._label = label
        self._note = note
        self._server_summary = "asking…"
        self._set_token_label(label, token)
        self.local.set_verdict("checking", "Checking…", "verifying with the issuer's keys")
        self.server.set_verdict("checking", "Asking…", "introspection or UserInfo")
        self.sign.setText("?")
        set_outcome(self.sign, "checking")
        self.explanation.setText("")
        self.demo_apis.clear()
        self.recheck_button.setEnabled(False)
        self.show()
        reveal(self, flash=False)

    def _set_mode(self, mode: str, note: str) -> None:
        self.mode = mode
        self.title.setText(TITLES[mode])
        self.setAccessibleName(TITLES[mode])
        logout = mode == "logout"
        if logout:
            caveat = note.partition("; ")[2]  # "the redirect carried no state (Cognito), …"
            self.session_line.setText(
                "Browser session: ended at the provider, whose next sign-in asks for the"
                " password again" + (f" ({caveat})." if caveat else ".")
            )
        self.session_line.setVisible(logout)

    def _set_token_label(self, label: str, token: str) -> None:
        parts = [label, _preview(token)]
        if self._note:
            parts.append(self._note)
        self.token_label.setText(printable(" · ".join(parts)))
        self.token_label.setToolTip(tooltip(token))

    def show_failed(self, message: str) -> None:
        """The check itself could not run (server unreachable…): say so on the server side."""
        self.server.set_verdict("not_checked", "No answer", message)
        if self._check is None:
            self.local.set_verdict("not_checked", "Not checked", "")
        self._server_summary = "no answer"
        self.sign.setText("?")
        set_outcome(self.sign, "not_checked")
        self.explanation.setText("The server could not be asked, so only it knows.")
        self.recheck_button.setEnabled(True)
        reveal(self)

    def show_result(self, check: RealityCheck, label: str, token: str) -> None:
        self._check = check
        self._label = label
        self._set_token_label(label, token)
        self.recheck_button.setEnabled(True)
        self._show_server(check)
        self.tick()
        self.show()
        reveal(self)

    def tick(self, now: float | None = None) -> None:
        """Re-render the live local side (the countdown to ``exp``) and the explanation."""
        check = self._check
        if check is None:
            return
        moment = time.time() if now is None else now
        local_ok = self._show_local(check, moment)
        server_active = check.server.active
        if server_active is None:
            sign, outcome = "?", "not_checked"
        elif local_ok == server_active:
            # Agreeing on a rejected token is no reason for the pass colour.
            sign, outcome = "=", "pass" if local_ok else "not_checked"
        else:
            sign, outcome = "≠", "fail"
        self.sign.setText(sign)
        self.sign.setAccessibleName(
            {"=": "Verdicts agree", "≠": "Verdicts differ"}.get(sign, "Server verdict unknown")
        )
        set_outcome(self.sign, outcome)
        self.explanation.setText(self._explain(check, local_ok, moment))
        set_property(self.explanation, "role", "" if outcome == "fail" else "secondary")

    # -- pieces ---------------------------------------------------------------------------
    def _show_local(self, check: RealityCheck, now: float) -> bool:
        """Fill the local card for ``now``; True when a local verifier would accept the token."""
        inspection = check.local
        signature = inspection.finding("signature")
        expires_at = inspection.expiry.expires_at
        other_failures = [f for f in inspection.failed if f.check not in ("signature", "exp")]
        footnote = "with the issuer's public keys, no call to the server"
        if not inspection.signature_valid:
            # Anything but a PASS is never shown as accepted: a failed check, keys that could
            # not be fetched ("not verified: …", a FAIL) or no check at all.
            if signature.outcome.value == "fail":
                outcome, headline = "fail", signature_fail_headline(signature.reason)
            else:
                outcome, headline = "not_checked", "– Signature not checked"
            self.local.set_verdict(outcome, headline, signature.reason, footnote)
            return False
        if expires_at is not None and expires_at <= now:
            self.local.set_verdict(
                "fail",
                "✗ Expired",
                f"signature valid, but expired {format_relative(expires_at - now)}"
                f" ({format_local(expires_at)}): local checks reject it now",
                footnote,
            )
            return False
        if other_failures:
            failed = other_failures[0]
            self.local.set_verdict(
                "fail", f"✗ Rejected: {failed.check}", failed.reason, "signature valid; " + footnote
            )
            return False
        if expires_at is None:
            lifetime = "no exp: it never expires"
        else:
            lifetime = f"expires {format_relative(expires_at - now)} (local)"
        self.local.set_verdict("pass", "✓ Signature valid", lifetime, footnote)
        return True

    def _show_server(self, check: RealityCheck) -> None:
        verdict = check.server
        source = SOURCE_WORDS.get(verdict.source, verdict.source)
        asked = f"asked at {time.strftime('%H:%M:%S')}"
        if verdict.active is None:
            self._server_summary = "unknown"
            self.server.set_verdict("not_checked", "? Unknown", verdict.detail, asked)
        elif verdict.active:
            self._server_summary = f"active ({source})"
            self.server.set_verdict("pass", "✓ Active", f"{source}: {verdict.detail}", asked)
        elif verdict.source == "userinfo":
            self._server_summary = "401 at UserInfo"
            self.server.set_verdict(
                "fail", "✗ 401 at UserInfo", f"UserInfo refuses it: {verdict.detail}", asked
            )
        else:
            self._server_summary = f"inactive ({source})"
            detail = "active: false" if verdict.source == "introspection" else verdict.detail
            self.server.set_verdict("fail", "✗ Inactive", f"{source}: {detail}", asked)

    def _explain(self, check: RealityCheck, local_ok: bool, now: float) -> str:
        active = check.server.active
        if self.mode == "logout" and local_ok:
            if active is None:
                return LOGGED_OUT_HTML
            return (
                LOGGED_OUT_HTML
                + " "
                + (LOGGED_OUT_SERVER_TOO if active else LOGGED_OUT_SERVER_ENDS)
            )
        if active is None:
            return (
                "The provider offers neither introspection nor UserInfo, so only the local check"
                " is possible: a revoked JWT would pass it until it expires."
            )
        if local_ok and not active:
            return SELF_CONTAINED_HTML
        if local_ok and active:
            return "Both accept the token: the server has not revoked it."
        if not active:
            return "Both reject the token now."
        return "The server still accepts the token, but a local verifier would reject it."

    # -- reading (tests, accessibility) ---------------------------------------------------
    def local_text(self) -> str:
        """``Local check: signature valid, expires in 4 min 12 s (local)``."""
        return f"Local check: {_strip_icon(self.local.headline.text())}, {self.local.detail.text()}"

    def server_text(self) -> str:
        """``Server: inactive (introspection)`` or ``Server: 401 at UserInfo``."""
        return f"Server: {self._server_summary}"

    def explanation_text(self) -> str:
        return QTextDocumentFragment.fromHtml(self.explanation.text()).toPlainText()


def signature_fail_headline(reason: str) -> str:
    """``✗ Signature not verified`` when the keys were missing, else ``✗ Signature invalid``."""
    if reason.startswith("not verified"):
        return "✗ Signature not verified"
    return "✗ Signature invalid"


def _strip_icon(text: str) -> str:
    return text.lstrip("✓✗?– ").lower()


def _preview(token: str) -> str:
    keep = metrics.TOKEN_PREVIEW_CHARS // 2
    if len(token) <= 2 * keep + 1:
        return token
    return f"{token[:keep]}…{token[-keep:]}"
