"""The token's details under the card: Claims, Checks, Header and JSON tabs."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QAction, QFontDatabase, QFontMetrics, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.display import printable
from workbench.core.oauth.rfc9396_rar import details_text, granted_details
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.tokens.decode import DecodedJwt
from workbench.ui import metrics
from workbench.ui.inspector.claims_model import (
    ClaimNameRole,
    ClaimsTableModel,
    RawValueRole,
    name_font,
)
from workbench.ui.inspector.findings import FindingsView
from workbench.ui.inspector.results import pretty_json
from workbench.ui.theme import SemanticColours


class TokenDetails(QTabWidget):
    """Claims (filterable, with their meanings), the checks, the JOSE header, the raw JSON."""

    sig_copied = Signal()
    """A cell was copied from a table's context menu."""

    def __init__(self, copy_claims_button: QToolButton, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectorTabs")
        self.setAccessibleName("Token details")
        self.setDocumentMode(True)
        self._decoded: DecodedJwt | None = None
        self._json_dirty = False

        self.claims_model = ClaimsTableModel("claims", self)
        self.claims_proxy = QSortFilterProxyModel(self)
        self.claims_proxy.setSourceModel(self.claims_model)
        self.claims_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.claims_proxy.setFilterKeyColumn(-1)
        self.claims_filter = QLineEdit(self)
        self.claims_filter.setObjectName("inspectorClaimsFilter")
        self.claims_filter.setAccessibleName("Filter claims")
        self.claims_filter.setPlaceholderText("Filter claims, values and meanings…")
        self.claims_filter.setClearButtonEnabled(True)
        self.claims_filter.textChanged.connect(self.claims_proxy.setFilterFixedString)
        self.claims_table = self._table("inspectorClaimsTable", "Claims", self.claims_proxy)
        claims_page = QWidget(self)
        claims_layout = QVBoxLayout(claims_page)
        claims_layout.setContentsMargins(0, metrics.SPACING // 2, 0, 0)
        claims_layout.setSpacing(metrics.SPACING // 2)
        filter_row = QHBoxLayout()
        filter_row.setSpacing(metrics.SPACING // 2)
        filter_row.addWidget(self.claims_filter, 1)
        filter_row.addWidget(copy_claims_button)
        claims_layout.addLayout(filter_row)
        claims_layout.addWidget(self.claims_table, 1)

        self.header_model = ClaimsTableModel("header", self)
        self.header_table = self._table("inspectorHeaderTable", "JOSE header", self.header_model)
        self.findings = FindingsView(self)
        self.raw_json = QPlainTextEdit(self)
        self.raw_json.setObjectName("inspectorRawJson")
        self.raw_json.setAccessibleName("Decoded header and claims as JSON")
        self.raw_json.setReadOnly(True)
        self.raw_json.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.raw_json.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)

        self.tab_claims = self.addTab(claims_page, "Claims")
        self.tab_checks = self.addTab(self.findings, "Checks")
        self.tab_header = self.addTab(self.header_table, "Header")
        self.tab_json = self.addTab(self.raw_json, "JSON")
        self.authorization_details = QPlainTextEdit(self)
        self.authorization_details.setObjectName("inspectorAuthorizationDetails")
        self.authorization_details.setAccessibleName("Granted authorization details (RFC 9396)")
        self.authorization_details.setReadOnly(True)
        self.tab_details = self.addTab(self.authorization_details, "Authorization details")
        self.setTabVisible(self.tab_details, False)
        self.currentChanged.connect(self._on_tab_changed)
        self.setMinimumHeight(metrics.line_height(self, metrics.INSPECTOR_TABS_MIN_LINES))
        for table in (self.claims_table, self.header_table):
            table.installEventFilter(self)

    def _table(self, name: str, label: str, model: Any) -> QTableView:
        table = QTableView(self)
        table.setObjectName(name)
        table.setAccessibleName(label)
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setCornerButtonEnabled(False)
        table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = table.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(
            metrics.line_height(table, metrics.INSPECTOR_ROW_HEIGHT_LINES)
        )
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ClaimsTableModel.VALUE, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for key, text, column, shortcut in (
            ("CopyValue", "Copy value", ClaimsTableModel.VALUE, "Ctrl+C"),
            ("CopyName", "Copy name", ClaimsTableModel.CLAIM, None),
            ("CopyJson", "Copy value as JSON", -1, None),
        ):
            action = QAction(text, table)
            action.setObjectName(f"{name}{key}")
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(lambda _=False, t=table, c=column: self._copy_cell(t, c))
            table.addAction(action)
        return table

    # -- contents
    def show_authorization_details(
        self, tokens: TokenSet | None, token: str, decoded: DecodedJwt
    ) -> None:
        """The details granted (RFC 9396), from the token response (when ``token`` is one of
        ``tokens``) or the token's claims: a tab of their own, hidden when there are none."""
        own = tokens is not None and token in (tokens.access_token, tokens.id_token)
        response: Mapping[str, Any] = tokens.raw if own and tokens is not None else {}
        found = granted_details(response, decoded.claims)
        self.setTabVisible(self.tab_details, found is not None)
        text = details_text(*found) if found is not None else ""
        self.authorization_details.setPlainText(printable(text, keep_newlines=True))

    def show_decoded(self, decoded: DecodedJwt) -> None:
        """Fill the tables from a decoded JWT; the JSON tab is written when it is opened."""
        header, claims = decoded.header, decoded.claims
        self._decoded = decoded
        self.claims_model.set_claims(claims, time.time())
        self.header_model.set_header(header)
        self.fit_columns(names_changed=True)
        self.setTabText(self.tab_claims, f"Claims ({len(claims)})")
        self.setTabText(self.tab_header, f"Header ({len(header)})")
        self._json_dirty = True
        if self.currentIndex() == self.tab_json:
            self._fill_json()

    def clear_decoded(self) -> None:
        self._decoded = None
        self.claims_model.clear()
        self.header_model.clear()
        self.raw_json.clear()

    def set_checks_text(self, text: str) -> None:
        self.setTabText(self.tab_checks, text)

    def show_checks_tab(self) -> None:
        self.setCurrentIndex(self.tab_checks)

    def set_colours(self, colours: SemanticColours) -> None:
        self.claims_model.set_colours(colours.failed, colours.secondary)
        self.header_model.set_colours(colours.failed, colours.secondary)

    def _on_tab_changed(self, index: int) -> None:
        if index == self.tab_json and self._json_dirty:
            self._fill_json()

    def _fill_json(self) -> None:
        decoded = self._decoded
        if decoded is None:
            self.raw_json.clear()
        else:
            document = {"header": decoded.header, "claims": decoded.claims}
            self.raw_json.setPlainText(printable(pretty_json(document), keep_newlines=True))
        self._json_dirty = False

    def fit_columns(self, names_changed: bool = False) -> None:
        """Claim column as wide as the longest name (capped), Meaning a share of the rest.

        The names are drawn in a fixed-pitch font, so the longest name is the one with the most
        characters: one ``len`` per claim instead of a font measurement per claim.
        """
        font_metrics = QFontMetrics(name_font())
        char = font_metrics.horizontalAdvance("M")
        pad = metrics.SPACING * 3
        for table, model in (
            (self.claims_table, self.claims_model),
            (self.header_table, self.header_model),
        ):
            header = table.horizontalHeader()
            if names_changed:
                chars = max((len(n) for n in model.names()), default=len("Claim"))
                chars = min(max(chars, len("Parameter")), metrics.INSPECTOR_CLAIM_COLUMN_MAX_CHARS)
                header.resizeSection(ClaimsTableModel.CLAIM, chars * char + pad)
            # The table's own width: its viewport is resized only after the event filter runs.
            width = table.width() - 2 * table.frameWidth()
            header.resizeSection(
                ClaimsTableModel.MEANING,
                max(int(width * metrics.INSPECTOR_MEANING_COLUMN_SHARE), pad * 4),
            )

    def _copy_cell(self, table: QTableView, column: int) -> None:
        """Copy the current row's name, value (strings as they are), or value as JSON (-1)."""
        index = table.currentIndex()
        if not index.isValid():
            return
        raw = index.siblingAtColumn(ClaimsTableModel.VALUE).data(RawValueRole)
        if column == ClaimsTableModel.CLAIM:
            text = str(index.siblingAtColumn(column).data(ClaimNameRole))  # exact, not escaped
        elif column == ClaimsTableModel.VALUE and isinstance(raw, str):
            text = raw
        else:
            text = json.dumps(raw, indent=2 if column < 0 else None, ensure_ascii=False)
        QGuiApplication.clipboard().setText(text)
        self.sig_copied.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched in (
            self.claims_table,
            self.header_table,
        ):
            self.fit_columns()
        return super().eventFilter(watched, event)
