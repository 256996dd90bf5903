"""The per-check findings of a token: pass, fail or not checked, each with its reason.

Reasons quote the token and the provider (a claim's value, a fetch error): they are plain-text
labels fed through :func:`~workbench.core.display.printable`.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from workbench.core.display import printable
from workbench.core.tokens.checks import CHECKS
from workbench.core.tokens.findings import Finding
from workbench.ui import metrics
from workbench.ui.theme import set_outcome, set_property

CHECK_LABELS: dict[str, str] = {
    "signature": "Signature",
    "iss": "Issuer (iss)",
    "aud": "Audience (aud / client_id)",
    "exp": "Expiry (exp)",
    "nbf": "Not before (nbf)",
    "typ": "Type (typ)",
    "token_use": "Token use (token_use)",
    "nonce": "Nonce (nonce)",
    "at_hash": "Access token hash (at_hash)",
    "c_hash": "Code hash (c_hash)",
    "dpop": "DPoP binding (cnf.jkt)",
    "x5t#S256": "Certificate binding (cnf x5t#S256)",
}

OUTCOME_ICONS: dict[str, str] = {
    "pass": "✓",
    "fail": "✗",
    "not_checked": "–",
    "checking": "…",
}
OUTCOME_WORDS: dict[str, str] = {
    "pass": "pass",
    "fail": "fail",
    "not_checked": "not checked",
    "checking": "checking…",
}


class FindingRow(QFrame):
    """One check: icon, name, outcome word, and the reason below."""

    def __init__(self, check: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = check
        self.setObjectName("findingRow")
        self.setAccessibleName(f"Check {check}")
        self.icon = QLabel(self)
        self.icon.setObjectName(f"finding_{check}_icon")
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        bold = QFont(self.font())
        bold.setBold(True)
        self.icon.setFont(bold)
        self.icon.setMinimumWidth(metrics.text_width(self, metrics.INSPECTOR_FINDING_ICON_CHARS))
        self.name = QLabel(CHECK_LABELS.get(check, check), self)
        self.name.setObjectName(f"finding_{check}_name")
        self.name.setFont(bold)
        self.word = QLabel(self)
        self.word.setObjectName(f"finding_{check}_outcome")
        self.word.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.reason = QLabel(self)
        self.reason.setObjectName(f"finding_{check}_reason")
        self.reason.setWordWrap(True)
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid = QGridLayout(self)
        half = metrics.SPACING // 2
        grid.setContentsMargins(half, half, half, half)
        grid.setHorizontalSpacing(metrics.SPACING)
        grid.setVerticalSpacing(0)
        grid.addWidget(self.icon, 0, 0)
        grid.addWidget(self.name, 0, 1)
        grid.addWidget(self.word, 0, 2)
        grid.addWidget(self.reason, 1, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        self.outcome = ""
        self.set_state("not_checked", "")

    def set_state(self, outcome: str, reason: str) -> None:
        self.outcome = outcome
        self.icon.setText(OUTCOME_ICONS.get(outcome, "?"))
        self.word.setText(OUTCOME_WORDS.get(outcome, outcome))
        reason = printable(reason)
        self.reason.setText(reason)
        self.reason.setVisible(bool(reason))
        for widget in (self, self.icon, self.word):
            set_outcome(widget, outcome)
        set_property(self.reason, "role", "secondary" if outcome != "fail" else "")
        self.setAccessibleDescription(f"{OUTCOME_WORDS.get(outcome, outcome)}: {reason}")


class FindingsView(QWidget):
    """Every check of :data:`CHECKS` as a row; ``checking…`` while the worker runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectorFindings")
        self.setAccessibleName("Checks")
        self.note = QLabel(self)
        self.note.setObjectName("inspectorFindingsNote")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setProperty("role", "secondary")
        holder = QWidget(self)
        rows = QVBoxLayout(holder)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(metrics.SPACING // 2)
        rows.addWidget(self.note)
        self.rows: dict[str, FindingRow] = {}
        for check in CHECKS:
            row = FindingRow(check, holder)
            self.rows[check] = row
            rows.addWidget(row)
        rows.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setObjectName("inspectorFindingsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(holder)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._state = "empty"
        self.clear()

    # -- states ---------------------------------------------------------------------------
    @property
    def state(self) -> str:
        """``empty``, ``checking`` or ``done``."""
        return self._state

    def clear(self, message: str = "No token to check.") -> None:
        self._state = "empty"
        self.note.setText(printable(message))
        self.note.setVisible(True)
        for row in self.rows.values():
            row.set_state("not_checked", "")

    def set_checking(self, note: str = "") -> None:
        self._state = "checking"
        self.note.setText(printable(note or "Checking the token against the provider…"))
        self.note.setVisible(True)
        for row in self.rows.values():
            row.set_state("checking", "")

    def set_findings(self, findings: Sequence[Finding], note: str = "") -> None:
        self._state = "done"
        self.note.setText(printable(note))
        self.note.setVisible(bool(note))
        given = {finding.check: finding for finding in findings}
        for check, row in self.rows.items():
            finding = given.get(check)
            if finding is None:  # a check the inspection did not report was not checked
                row.set_state("not_checked", "")
            else:
                row.set_state(finding.outcome.value, finding.reason)

    def mark(self, check: str, outcome: str, reason: str) -> None:
        """Change one row after the fact (the countdown reaching zero fails ``exp``)."""
        self.rows[check].set_state(outcome, reason)

    # -- reading --------------------------------------------------------------------------
    def outcome(self, check: str) -> str:
        return self.rows[check].outcome

    def reason(self, check: str) -> str:
        return self.rows[check].reason.text()

    def counts(self) -> dict[str, int]:
        result = {"pass": 0, "fail": 0, "not_checked": 0, "checking": 0}
        for row in self.rows.values():
            result[row.outcome] = result.get(row.outcome, 0) + 1
        return result

    def summary(self) -> str:
        """``4 passed · 1 failed · 4 not checked`` (the Checks tab title uses it)."""
        if self._state == "checking":
            return "checking…"
        if self._state == "empty":
            return ""
        counts = self.counts()
        parts = [f"{counts['pass']} passed"]
        if counts["fail"]:
            parts.append(f"{counts['fail']} failed")
        if counts["not_checked"]:
            parts.append(f"{counts['not_checked']} not checked")
        return " · ".join(parts)
