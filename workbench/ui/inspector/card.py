"""The token card: title and badges, the countdown to ``exp``, the verdict and a note.

Everything a token wrote (alg, typ, reasons) goes through
:func:`~workbench.core.display.printable` into plain-text labels; only the verdict is rich
text (its "details" link), and its callers escape what they put in it.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workbench.core.display import printable
from workbench.core.oauth.rfc8693_exchange import describe_delegation, short_token_type
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.tokens.claims import expiry, format_local
from workbench.core.tokens.decode import DecodedJwt
from workbench.ui import metrics
from workbench.ui.inspector.entries import ShownToken, TokenEntry
from workbench.ui.theme import set_outcome, set_property
from workbench.ui.widgets.countdown import CountdownBar
from workbench.ui.widgets.flow_layout import FlowLayout

CHIP_COUNT = 4


class TokenCard(QFrame):
    """The summary of the shown token at the top of the inspector."""

    sig_details = Signal()
    """The verdict's "details" link was followed."""
    sig_introspect = Signal()
    """The opaque token's Introspect button was pressed."""

    def __init__(self, introspect_tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.setObjectName("inspectorCard")
        self.setAccessibleName("Token summary")
        self.setProperty("role", "card")
        self.title = QLabel(self)
        self.title.setObjectName("inspectorTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        title_font = QFont(self.font())
        title_font.setBold(True)
        title_font.setPointSizeF(title_font.pointSizeF() * metrics.INSPECTOR_TITLE_SCALE)
        self.title.setFont(title_font)
        self.chips: list[QLabel] = []
        for i in range(CHIP_COUNT):
            chip = QLabel(self)
            chip.setObjectName(f"inspectorChip{i}")
            chip.setProperty("role", "chip")
            chip.setTextFormat(Qt.TextFormat.PlainText)  # alg and typ come from the token
            chip.setFont(fixed)
            self.chips.append(chip)
        self.size_label = QLabel(self)
        self.size_label.setObjectName("inspectorSize")
        self.size_label.setProperty("role", "muted")
        self.size_label.setTextFormat(Qt.TextFormat.PlainText)
        self.countdown = CountdownBar(
            self,
            "inspectorCountdown",
            running_text="expires {when}",
            expired_text="expired {when}",
        )
        self.countdown.setAccessibleName("Time until the token expires")
        self.expiry_label = QLabel(self)
        self.expiry_label.setObjectName("inspectorExpiresAt")
        self.expiry_label.setProperty("role", "secondary")
        self.expiry_label.setWordWrap(True)
        self.expiry_label.setTextFormat(Qt.TextFormat.PlainText)
        self.verdict = QLabel(self)
        self.verdict.setObjectName("inspectorVerdict")
        self.verdict.setAccessibleName("Verdict")
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        self.verdict.setWordWrap(True)
        self.verdict.linkActivated.connect(lambda _link: self.sig_details.emit())
        verdict_font = QFont(self.font())
        verdict_font.setBold(True)
        self.verdict.setFont(verdict_font)
        self.note = QLabel(self)
        self.note.setObjectName("inspectorNote")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.delegation = QLabel(self)  # act / may_act and issued_token_type (RFC 8693)
        self.delegation.setObjectName("inspectorDelegation")
        self.delegation.setAccessibleName("Delegation chain")
        self.delegation.setWordWrap(True)
        self.delegation.setTextFormat(Qt.TextFormat.PlainText)
        self.delegation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.delegation.hide()
        self.opaque_introspect = QPushButton("Introspect", self)
        self.opaque_introspect.setObjectName("inspectorOpaqueIntrospect")
        self.opaque_introspect.setAccessibleName("Introspect this opaque token")
        self.opaque_introspect.setToolTip(introspect_tip)
        self.opaque_introspect.clicked.connect(self.sig_introspect)

        head = FlowLayout(None, metrics.SPACING // 2)
        head.addWidget(self.title)
        for chip in self.chips:
            head.addWidget(chip)
        expiry_row = QHBoxLayout()
        expiry_row.setSpacing(metrics.SPACING)
        expiry_row.addWidget(self.expiry_label, 1)
        expiry_row.addWidget(self.size_label)
        note_row = QHBoxLayout()
        note_row.addWidget(self.note, 1)
        note_row.addWidget(self.opaque_introspect, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(metrics.MARGIN, metrics.SPACING, metrics.MARGIN, metrics.MARGIN)
        layout.setSpacing(metrics.SPACING // 2)
        layout.addLayout(head)
        layout.addWidget(self.countdown)
        layout.addLayout(expiry_row)
        layout.addWidget(self.verdict)
        layout.addWidget(self.delegation)
        layout.addLayout(note_row)

    # -- the head: title, badges, size
    def show_head(self, entry: TokenEntry) -> None:
        self.show()
        self.title.setText(printable(entry.label))
        self.size_label.setText(f"{len(entry.token):,} chars")

    def show_chips(self, shown: ShownToken, revoked: bool, token_type: str | None = None) -> None:
        """JWT · alg · typ (or opaque / JWE / malformed), "DPoP-bound" for a token with
        ``cnf.jkt`` or issued with ``token_type`` DPoP (RFC 9449 §5, §6), and "revoked" once it
        was."""
        dpop = "DPoP-bound" if (token_type or "").lower() == "dpop" else ""
        if shown.decoded is not None:
            typ = shown.decoded.header.get("typ")
            # typ "JWT" says what the first chip says: shown once (at+jwt and others stay).
            typ_chip = typ if isinstance(typ, str) and typ.upper() != "JWT" else ""
            cnf = shown.decoded.claims.get("cnf")
            if isinstance(cnf, dict) and "jkt" in cnf:
                dpop = "DPoP-bound"
            self._set_chips("JWT", shown.decoded.alg or "no alg", typ_chip, dpop)
        elif shown.kind == "opaque":
            self._set_chips("opaque", dpop)
        else:
            self._set_chips("JWE" if shown.kind == "jwe" else "malformed", outcome="fail")
        if revoked:
            chip = next((c for c in self.chips if not c.text()), self.chips[-1])
            chip.setText("revoked")
            chip.setVisible(True)
            set_outcome(chip, "fail")

    def _set_chips(self, *texts: str, outcome: str = "") -> None:
        shown = [t for t in texts if t]
        for chip, text in zip(self.chips, (*shown, "", "", "", "", ""), strict=False):
            chip.setText(printable(text))
            chip.setVisible(bool(text))
            set_outcome(chip, outcome)

    # -- the verdict and the note
    def set_verdict(self, outcome: str, text: str, description: str | None = None) -> None:
        """``text`` is rich text: callers escape what came from a token or a server."""
        set_outcome(self.verdict, outcome)
        self.verdict.setText(text)
        if description is not None:
            self.verdict.setAccessibleDescription(description)

    def show_note(self, text: str, role: str = "") -> None:
        self.note.setText(text)
        set_property(self.note, "role", role)
        self.note.show()

    # -- what is shown for each kind of token
    def show_jwt(self, decoded: DecodedJwt, issued_token_type: str | None = None) -> None:
        """A decoded JWT: its expiry from the claims, its delegation chain and the
        ``issued_token_type`` it came with (RFC 8693); the checks fill the verdict."""
        self.note.hide()
        self.opaque_introspect.hide()
        self.show_delegation(decoded, issued_token_type)
        picture = expiry(decoded.claims, time.time())
        if picture.expires_at is None:
            self.countdown.clear()
            self.countdown.hide()
            if picture.problem is not None:
                self.expiry_label.setText(
                    printable(f"Invalid exp ({picture.problem}): see the Checks tab.")
                )
            else:
                self.expiry_label.setText("No exp claim: this token never expires by itself.")
            return
        self.countdown.show()
        self.countdown.set_deadline(picture.expires_at, picture.lifetime)
        self.expiry_label.setText(f"exp {format_local(picture.expires_at)} (local time)")

    def show_delegation(self, decoded: DecodedJwt | None, issued_token_type: str | None) -> None:
        """Who acts for whom (``act``, outermost first; ``may_act``) and what a token exchange
        said it issued; hidden when the token says neither."""
        lines = describe_delegation(decoded.claims) if decoded is not None else []
        if lines:
            lines.insert(0, "Delegation (RFC 8693 act: the first actor acts now):")
        if issued_token_type:
            lines.insert(
                0,
                f"Issued as {short_token_type(issued_token_type)} ({issued_token_type}),"
                " the issued_token_type of the token exchange.",
            )
        self.delegation.setText(printable("\n".join(lines), keep_newlines=True))
        self.delegation.setVisible(bool(lines))

    def show_undecodable(self, shown: ShownToken, tokens: TokenSet | None) -> None:
        """An opaque, encrypted or malformed token: what can be said, and Introspect."""
        entry, kind = shown.entry, shown.kind
        self.delegation.hide()
        self.expiry_label.setText("")
        self.opaque_introspect.show()
        if kind == "opaque":
            who = (
                "Refresh tokens of most servers are opaque handles"
                if entry.role == "refresh"
                else "This token is not a JWT"
            )
            self.show_note(
                f"{who}: there is nothing to decode. Only the server that issued it can say"
                " anything about it: introspect it (Ctrl+I)."
            )
            self.set_verdict("not_checked", "– Opaque token: only the server can check it")
        else:
            self.show_note(printable(shown.problem))
            self.set_verdict(
                "fail" if kind == "malformed" else "not_checked",
                "✗ Not a readable token" if kind == "malformed" else "– Encrypted: cannot be read",
            )
        # An opaque access token's lifetime is known from the token response (expires_in).
        if (
            entry.role == "access"
            and tokens is not None
            and tokens.access_token == entry.token
            and tokens.expires_at is not None
        ):
            self.countdown.show()
            self.countdown.set_deadline(tokens.expires_at, tokens.expires_in)
        else:
            self.countdown.clear()
            self.countdown.hide()
