"""The claims (or JOSE header) of a token as a three-column table: Claim, Value, Meaning.

Rows come from :func:`workbench.core.tokens.claims.claim_rows` / :func:`header_rows`. Times
(``exp``, ``iat``, ``nbf``, ``auth_time``…) read as local date-time plus relative offset, and
:meth:`ClaimsTableModel.refresh_times` re-renders only those cells each tick so "in 4 min 12 s"
stays true. Invalid values are flagged; the tooltip of a value is its raw JSON.

Names and values come from the token: :meth:`ClaimsTableModel.data` shows them through
:func:`~workbench.core.display.printable` (an ``ESC`` or a bidi override becomes a visible
escape) and hands tooltips to Qt as escaped rich text, so markup in a claim reads as typed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase

from workbench.core.display import printable
from workbench.core.tokens.claims import (
    TIME_CLAIMS,
    ClaimRow,
    claim_rows,
    describe_time,
    header_rows,
)
from workbench.ui.safe_text import tooltip

DISPLAY_LIMIT = 300  # characters of a value drawn in a cell (the tooltip and JSON tab show all)
TOOLTIP_LIMIT = 4000  # characters of raw JSON in a value's tooltip
INVALID_MARK = "⚠ "

RawValueRole = Qt.ItemDataRole.UserRole
"""The claim's value as decoded from the token (any JSON type)."""
ClaimNameRole = Qt.ItemDataRole.UserRole + 1
"""The claim's name, whatever the column."""
InvalidRole = Qt.ItemDataRole.UserRole + 2
"""True when the value is not valid for its claim (a time that is not a NumericDate…)."""

_Index = QModelIndex | QPersistentModelIndex


class ClaimsTableModel(QAbstractTableModel):
    """Read-only rows of :class:`ClaimRow`; ``kind`` is ``claims`` or ``header``."""

    COLUMNS = ("Claim", "Value", "Meaning")
    CLAIM, VALUE, MEANING = range(3)

    def __init__(self, kind: str = "claims", parent: Any = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self._rows: list[ClaimRow] = []
        self._time_rows: list[int] = []
        self._invalid_colour: QColor | None = None
        self._muted_colour: QColor | None = None
        self._name_font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

    # -- filling --------------------------------------------------------------------------
    def set_claims(self, claims: Mapping[str, Any], now: float) -> None:
        """Show a token's claims (payload) at time ``now``."""
        self.set_rows(claim_rows(claims, now))

    def set_header(self, header: Mapping[str, Any]) -> None:
        """Show a token's JOSE header."""
        self.set_rows(header_rows(header))

    def set_rows(self, rows: Sequence[ClaimRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._time_rows = (
            [i for i, row in enumerate(self._rows) if row.name in TIME_CLAIMS]
            if self.kind == "claims"
            else []
        )
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def refresh_times(self, now: float) -> None:
        """Re-render the time claims' relative part ("in 4 min 12 s") for ``now``."""
        if not self._time_rows:
            return
        for i in self._time_rows:
            row = self._rows[i]
            text, invalid = describe_time(row.raw, now)
            self._rows[i] = ClaimRow(row.name, row.raw, text, row.meaning, invalid)
        top = self.index(self._time_rows[0], self.VALUE)
        bottom = self.index(self._time_rows[-1], self.VALUE)
        self.dataChanged.emit(top, bottom, [Qt.ItemDataRole.DisplayRole])

    def set_colours(self, invalid: QColor, muted: QColor) -> None:
        """Colours for invalid values and for the meaning column (from the view's palette)."""
        self._invalid_colour = QColor(invalid)
        self._muted_colour = QColor(muted)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(len(self._rows) - 1, len(self.COLUMNS) - 1),
                [Qt.ItemDataRole.ForegroundRole],
            )

    # -- reading --------------------------------------------------------------------------
    def claim_row(self, row: int) -> ClaimRow:
        return self._rows[row]

    def rows(self) -> list[ClaimRow]:
        return list(self._rows)

    def find(self, name: str) -> int:
        """Row of the claim ``name``, or -1."""
        for i, row in enumerate(self._rows):
            if row.name == name:
                return i
        return -1

    def names(self) -> list[str]:
        return [row.name for row in self._rows]

    # -- QAbstractTableModel --------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if self.kind == "header" and section == self.CLAIM:
                return "Parameter"
            return self.COLUMNS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self._tooltip(row, column)
            return tooltip(tip) if tip else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.invalid and column == self.VALUE:
                return self._invalid_colour
            if column == self.MEANING:
                return self._muted_colour
            return None
        if role == Qt.ItemDataRole.FontRole:
            return self._name_font if column == self.CLAIM else None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = self._display(row, column)
            return f"invalid: {text}" if row.invalid and column == self.VALUE else text
        if role == RawValueRole:
            return row.raw
        if role == ClaimNameRole:
            return row.name
        if role == InvalidRole:
            return row.invalid
        return None

    def _display(self, row: ClaimRow, column: int) -> str:
        if column == self.CLAIM:
            return printable(row.name)
        if column == self.MEANING:
            return row.meaning
        text = printable(row.display)
        if len(text) > DISPLAY_LIMIT:
            text = text[: DISPLAY_LIMIT - 1] + "…"
        return INVALID_MARK + text if row.invalid else text

    def _tooltip(self, row: ClaimRow, column: int) -> str | None:
        """The tooltip as plain text (``data`` escapes it for Qt)."""
        if column == self.MEANING:
            return row.meaning or None
        if column == self.CLAIM:
            name = printable(row.name)
            return f"{name}: {row.meaning}" if row.meaning else name
        raw = _pretty(row.raw)
        if len(raw) > TOOLTIP_LIMIT:
            raw = raw[: TOOLTIP_LIMIT - 1] + "…"
        lines = [f"Raw JSON value:\n{raw}"]
        if row.invalid:
            lines.insert(0, printable(f"Invalid {row.name}: {row.display}"))
        elif row.name in TIME_CLAIMS and self.kind == "claims":
            lines.append(printable(row.display))
        return "\n\n".join(lines)


def _pretty(value: Any) -> str:
    try:
        return json.dumps(value, indent=2, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return repr(value)


def name_font() -> QFont:
    """The monospace font of the Claim column (also used by the views for sizing)."""
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
