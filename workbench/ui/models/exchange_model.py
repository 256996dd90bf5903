"""The exchange log as a table model: one row per recorded request/response, append-only.

Rows are appended with ``beginInsertRows`` (never a reset per exchange), and each row's display
strings are computed once when it arrives, so thousands of rows stay cheap to paint and filter.

URLs, headers, reason phrases, errors and bodies come from servers: every cell, tooltip and the
detail text show them through :func:`~workbench.core.display.printable` (a body keeps its line
breaks, nothing else does) and tooltips reach Qt as escaped rich text.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QGuiApplication, QPalette

from workbench.core.display import printable
from workbench.core.transport.exchange import Exchange
from workbench.ui.safe_text import tooltip
from workbench.ui.theme import status_colour

ModelIndex = QModelIndex | QPersistentModelIndex

EXCHANGE_ROLE = Qt.ItemDataRole.UserRole + 1
"""data() role returning the row's Exchange."""
STATUS_CLASS_ROLE = Qt.ItemDataRole.UserRole + 2
"""data() role returning "2xx", "3xx", "4xx", "5xx" or "failed" (also a QSS property value)."""
FILTER_ROLE = Qt.ItemDataRole.UserRole + 3
"""data() role returning the text the filter box searches (purpose, method, URL, status)."""

#: Longest body the detail pane shows; the export always holds all of it.
DETAIL_BODY_LIMIT = 200_000


def status_class(exchange: Exchange) -> str:
    """``failed`` when no HTTP answer came back, else the status class such as ``4xx``."""
    if exchange.status is None:
        return "failed"
    return f"{exchange.status // 100}xx"


def status_text(exchange: Exchange) -> str:
    """``200 OK`` style status line, or ``failed``."""
    if exchange.status is None:
        return "failed"
    return f"{exchange.status} {exchange.reason}".strip()


def format_duration(ms: float) -> str:
    """``4.2 ms``, ``215 ms``, ``30.0 s``, ``2 min 5 s``: short enough for its column."""
    if ms < 10:
        return f"{ms:.1f} ms"
    if ms < 999.5:
        return f"{ms:.0f} ms"
    if ms < 59_950:
        return f"{ms / 1000:.1f} s"
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"


def format_clock(timestamp: float) -> str:
    """Local wall-clock time, hh:mm:ss."""
    return time.strftime("%H:%M:%S", time.localtime(timestamp))


def format_timestamp(timestamp: float) -> str:
    """Local date and time with milliseconds, for tooltips and the detail pane."""
    millis = int((timestamp % 1) * 1000)
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp)) + f".{millis:03d}"


def url_host(url: str) -> str:
    """``host`` or ``host:port`` of a URL (never its user:password@), or ``""``."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        port = None
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}" if host and port is not None else host


def short_url(url: str) -> str:
    """The path (and query) of a URL: what differs between the rows of one provider (the
    model puts a host that is not the provider's in front of it)."""
    parts = urlsplit(url)
    if not parts.netloc:
        return url
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def provider_hosts(issuer: str | None, endpoints: Mapping[str, str]) -> frozenset[str]:
    """The hosts whose URLs the log shows as bare paths: the issuer's, or without an issuer
    the manual endpoints'."""
    if issuer:
        return frozenset({url_host(issuer)} - {""})
    return frozenset(url_host(url) for url in endpoints.values()) - {""}


def pretty_body(body: str) -> str:
    """A JSON body indented; any other body as it came."""
    stripped = body.strip()
    if stripped[:1] in ("{", "["):
        try:
            return json.dumps(json.loads(stripped), indent=2, ensure_ascii=False)
        except ValueError:
            pass
    return body


def shown_body(body: str) -> str:
    """A body for the detail view: line breaks kept (CRLF read as one), every other control
    or invisible character a visible escape."""
    return printable(body.replace("\r\n", "\n"), keep_newlines=True)


def format_exchange(exchange: Exchange) -> str:
    """The plain-text detail of one exchange: request, response (or error), timing.

    Everything in an Exchange is already masked by the core; this lays it out, each single-line
    item (URL, header, form field, status, error) on exactly one line.
    """
    p = printable
    lines = [
        p(f"#{exchange.id} {exchange.purpose or 'request'}"),
        f"started {format_timestamp(exchange.started_at)}, "
        f"took {format_duration(exchange.duration_ms)}",
        "",
        "── Request " + "─" * 40,
        p(f"{exchange.method} {exchange.url}"),
    ]
    lines += [p(f"{name}: {value}") for name, value in exchange.request_headers.items()]
    if exchange.request_form is not None:
        lines.append("")
        lines += [p(f"{name}={value}") for name, value in exchange.request_form.items()]
    for member, decoded in exchange.request_tokens.items():
        lines += ["", p(f"{member}, decoded (header and claims; the signature left out):")]
        lines.append(p(json.dumps(decoded, indent=2, ensure_ascii=False), keep_newlines=True))
    if exchange.request_body:
        lines.append("")
        lines.append(p(exchange.request_body, keep_newlines=True))
    lines.append("")
    if exchange.status is None:
        lines.append("── No response " + "─" * 36)
        lines.append(f"Failed after {format_duration(exchange.duration_ms)}:")
        lines.append(p(exchange.error or "no answer (no error text recorded)"))
        return "\n".join(lines)
    lines.append("── Response " + "─" * 39)
    lines.append(p(f"HTTP {status_text(exchange)}"))
    lines += [p(f"{name}: {value}") for name, value in exchange.response_headers.items()]
    lines.append("")
    body = pretty_body(exchange.response_body)
    if not body.strip():
        lines.append("(empty body)")
    elif len(body) > DETAIL_BODY_LIMIT:
        rest = len(body) - DETAIL_BODY_LIMIT
        lines.append(shown_body(body[:DETAIL_BODY_LIMIT]))
        lines.append(f"… ({rest:,} more characters: use Export… to save the whole body)")
    else:
        lines.append(shown_body(body))
    if exchange.error:
        lines += ["", p(f"Error: {exchange.error}")]
    return "\n".join(lines)


@dataclass(frozen=True)
class _Row:
    """An exchange with its display strings computed once."""

    exchange: Exchange
    clock: str
    when: str
    host: str  # host[:port], "" for a URL without one
    path: str  # path and query
    status: str
    status_tip: str
    kind: str
    duration: str
    haystack: str

    @classmethod
    def of(cls, exchange: Exchange) -> _Row:
        kind = status_class(exchange)
        status = "failed" if exchange.status is None else str(exchange.status)
        tip = exchange.error if exchange.status is None else status_text(exchange)
        haystack = " ".join(
            (
                exchange.purpose,
                exchange.method,
                exchange.url,
                status_text(exchange),
                kind,
                exchange.error or "",
            )
        )
        return cls(
            exchange=exchange,
            clock=format_clock(exchange.started_at),
            when=format_timestamp(exchange.started_at),
            host=url_host(exchange.url),
            path=printable(short_url(exchange.url)),
            status=status,
            status_tip=printable(tip or status),
            kind=kind,
            duration=format_duration(exchange.duration_ms),
            haystack=haystack,
        )


class ExchangeTableModel(QAbstractTableModel):
    """Every recorded Exchange, oldest first; append-only except for :meth:`clear`."""

    COL_ID, COL_TIME, COL_PURPOSE, COL_METHOD, COL_URL, COL_STATUS, COL_DURATION = range(7)
    HEADERS = ("#", "Time", "Purpose", "Method", "URL", "Status", "Duration")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []
        self._ids: set[int] = set()
        self._palette = QGuiApplication.palette()
        self._home: frozenset[str] = frozenset()  # the provider's hosts: shown as paths only

    # -- changes ----------------------------------------------------------------------------
    def append(self, exchange: Exchange) -> bool:
        """Add one exchange at the bottom; False when it is already listed."""
        return self.extend([exchange]) == 1

    def extend(self, exchanges: list[Exchange]) -> int:
        """Add several exchanges in one insertion; returns how many were new."""
        fresh: list[_Row] = []
        for exchange in exchanges:
            if exchange.id not in self._ids:
                self._ids.add(exchange.id)
                fresh.append(_Row.of(exchange))
        if fresh:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._rows.extend(fresh)
            self.endInsertRows()
        return len(fresh)

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self._ids.clear()
        self.endResetModel()

    def set_home_hosts(self, hosts: frozenset[str]) -> None:
        """The provider's hosts (see :func:`provider_hosts`): their URLs show as paths, any
        other host stays in view."""
        if hosts == self._home:
            return
        self._home = hosts
        if self._rows:
            top = self.index(0, self.COL_URL)
            bottom = self.index(len(self._rows) - 1, self.COL_URL)
            self.dataChanged.emit(top, bottom, [Qt.ItemDataRole.DisplayRole])

    def set_palette(self, palette: QPalette) -> None:
        """Recolour the status column for a new (light or dark) palette."""
        self._palette = QPalette(palette)
        if self._rows:
            top = self.index(0, self.COL_STATUS)
            bottom = self.index(len(self._rows) - 1, self.COL_STATUS)
            self.dataChanged.emit(top, bottom, [Qt.ItemDataRole.ForegroundRole])

    # -- reading ----------------------------------------------------------------------------
    def exchange(self, row: int) -> Exchange:
        return self._rows[row].exchange

    def exchanges(self) -> list[Exchange]:
        return [row.exchange for row in self._rows]

    # -- QAbstractTableModel ----------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.HEADERS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section in (
                self.COL_ID,
                self.COL_DURATION,
            ):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(self._tooltip(row, column))
        if role == Qt.ItemDataRole.ForegroundRole and column == self.COL_STATUS:
            return status_colour(row.kind, self._palette)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (self.COL_ID, self.COL_DURATION):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == EXCHANGE_ROLE:
            return row.exchange
        if role == STATUS_CLASS_ROLE:
            return row.kind
        if role == FILTER_ROLE:
            return row.haystack
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._display(row, column)
        return None

    def _display(self, row: _Row, column: int) -> str:
        exchange = row.exchange
        if column == self.COL_URL:
            return self._url_text(row)
        return (
            str(exchange.id),
            row.clock,
            printable(exchange.purpose or "request"),
            printable(exchange.method),
            "",
            row.status,
            row.duration,
        )[column]

    def _url_text(self, row: _Row) -> str:
        if not row.host or row.host in self._home:
            return row.path
        return printable(row.host) + row.path

    def _tooltip(self, row: _Row, column: int) -> str:
        """The tooltip as plain, printable text (``data`` escapes it for Qt)."""
        if column == self.COL_TIME:
            return row.when
        if column == self.COL_URL:
            return printable(row.exchange.url)
        if column == self.COL_STATUS:
            return row.status_tip
        if row.exchange.error:
            return printable(row.exchange.error)
        return printable(f"{row.exchange.method} {row.exchange.url}") + f" → {row.status_tip}"


class ExchangeFilterProxyModel(QSortFilterProxyModel):
    """Hides rows not matching every word typed (in purpose, method, URL, status or error)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setFilterRole(FILTER_ROLE)
        self.setFilterKeyColumn(ExchangeTableModel.COL_ID)
        self._text = ""

    def filter_text(self) -> str:
        return self._text

    def set_filter_text(self, text: str) -> None:
        """Every whitespace-separated word must occur, in any order, ignoring case."""
        self._text = text
        words = text.split()
        pattern = "^" + "".join(f"(?=.*{QRegularExpression.escape(w)})" for w in words)
        options = (
            QRegularExpression.PatternOption.CaseInsensitiveOption
            | QRegularExpression.PatternOption.DotMatchesEverythingOption
        )
        self.setFilterRegularExpression(QRegularExpression(pattern if words else "", options))
