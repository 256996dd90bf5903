"""A painted sequence diagram of one :class:`~workbench.core.report.sequence.SequenceModel`.

Lanes are columns with their titles on top; each arrow is a row, labelled in words with its
status, a reply dashed, a failure in the theme's failure colour (light and dark both read).
Every word is drawn as plain text (it comes masked from the log). Clicking an arrow that stands
for an exchange emits :attr:`SequenceView.sig_exchange_clicked` with its id.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from workbench.core.display import printable
from workbench.core.report.sequence import LANE_TITLES, Arrow, SequenceModel
from workbench.core.transport.flows import Actor
from workbench.ui.theme import semantic_colours

LANE_WIDTH = 200  # at least; wider when an arrow's words need it
MAX_LANE_WIDTH = 460
MARGIN = 16
HEADER = 44
ROW = 34
HEAD = 7  # arrow head size


class SequenceView(QWidget):
    """Draws a model's lanes and arrows; only the model it was given (one flow)."""

    sig_exchange_clicked = Signal(int)
    """The exchange an arrow stands for (the last of collapsed polls)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sequenceView")
        self.setAccessibleName("Sequence diagram")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.model: SequenceModel | None = None
        self.lane_width = LANE_WIDTH

    def set_model(self, model: SequenceModel | None) -> None:
        self.model = model
        self.lane_width = self._lane_width()
        self.setAccessibleDescription(self.describe())
        self.updateGeometry()
        self.resize(self.sizeHint())
        self.update()

    def _lane_width(self) -> int:
        """Wide enough for the longest words between neighbouring lanes (within limits)."""
        if self.model is None:
            return LANE_WIDTH
        metrics = self.fontMetrics()
        widest = LANE_WIDTH
        for arrow in self.model.arrows:
            span = abs(self.model.lanes.index(arrow.source) - self.model.lanes.index(arrow.target))
            needed = metrics.horizontalAdvance(printable(arrow.label)) + 24
            widest = max(widest, needed // max(span, 1))
        return min(widest, MAX_LANE_WIDTH)

    def describe(self) -> str:
        """The arrows in words, one a line (the accessible description)."""
        if self.model is None:
            return "No flow"
        return "\n".join(
            f"{LANE_TITLES[a.source]} to {LANE_TITLES[a.target]}: {printable(a.label)}"
            for a in self.model.arrows
        )

    def sizeHint(self) -> QSize:
        lanes = len(self.model.lanes) if self.model else 1
        rows = len(self.model.arrows) if self.model else 0
        return QSize(2 * MARGIN + lanes * self.lane_width, HEADER + rows * ROW + 2 * MARGIN)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    # -- geometry ---------------------------------------------------------------------------
    def lane_x(self, lane: Actor) -> int:
        assert self.model is not None
        return MARGIN + self.model.lanes.index(lane) * self.lane_width + self.lane_width // 2

    def arrow_y(self, row: int) -> int:
        return MARGIN + HEADER + row * ROW + ROW * 2 // 3

    def arrow_rect(self, row: int) -> QRect:
        """Where arrow ``row`` (its line and label) is drawn: what a click hits."""
        assert self.model is not None
        arrow = self.model.arrows[row]
        x1, x2 = self.lane_x(arrow.source), self.lane_x(arrow.target)
        left, right = min(x1, x2), max(x1, x2)
        if left == right:
            right = left + self.lane_width // 2
        return QRect(left, MARGIN + HEADER + row * ROW, right - left, ROW)

    def arrow_at(self, x: int, y: int) -> Arrow | None:
        if self.model is None:
            return None
        for row, arrow in enumerate(self.model.arrows):
            if self.arrow_rect(row).contains(x, y):
                return arrow
        return None

    # -- events -----------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        point = event.position().toPoint()
        arrow = self.arrow_at(point.x(), point.y())
        if arrow is not None and arrow.exchange_id is not None:
            self.sig_exchange_clicked.emit(arrow.exchange_id)
            return
        super().mousePressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(palette.ColorRole.WindowText)
        colours = semantic_colours(palette)
        if self.model is None:
            painter.setPen(colours.secondary)
            painter.drawText(MARGIN, MARGIN + 16, "No flow yet: run one from a tab.")
            return
        bottom = self.height() - MARGIN
        for lane in self.model.lanes:
            x = self.lane_x(lane)
            painter.setPen(QPen(colours.border, 1, Qt.PenStyle.DotLine))
            painter.drawLine(x, MARGIN + HEADER - 8, x, bottom)
            box = QRect(x - self.lane_width // 2 + 8, MARGIN, self.lane_width - 16, HEADER - 12)
            painter.setPen(QPen(colours.border, 1))
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(text)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, LANE_TITLES[lane])
        for row, arrow in enumerate(self.model.arrows):
            self._draw_arrow(painter, row, arrow, colours.failed if arrow.failed else text)
        painter.end()

    def _draw_arrow(self, painter: QPainter, row: int, arrow: Arrow, colour: QColor) -> None:
        y = self.arrow_y(row)
        x1, x2 = self.lane_x(arrow.source), self.lane_x(arrow.target)
        style = Qt.PenStyle.DashLine if arrow.reply else Qt.PenStyle.SolidLine
        painter.setPen(QPen(colour, 1.5, style))
        if x1 == x2:  # to itself: a small loop to the right
            corners = [(x1, y - 10), (x1 + 30, y - 10), (x1 + 30, y), (x1, y)]
            painter.drawPolyline(QPolygonF([QPointF(px, py) for px, py in corners]))
            x1, x2 = x1 + 30, x1
        else:
            painter.drawLine(x1, y, x2, y)
        direction = 1 if x2 > x1 else -1
        painter.setPen(QPen(colour, 1.5))
        painter.setBrush(colour)
        painter.drawPolygon(
            QPolygonF(
                [
                    QPointF(x2, y),
                    QPointF(x2 - direction * HEAD * 1.6, y - HEAD / 1.4),
                    QPointF(x2 - direction * HEAD * 1.6, y + HEAD / 1.4),
                ]
            )
        )
        rect = self.arrow_rect(row)
        label = QRect(rect.left() + 4, rect.top(), max(rect.width() - 8, 60), ROW * 2 // 3 - 2)
        words = printable(arrow.label)
        shown = painter.fontMetrics().elidedText(
            words, Qt.TextElideMode.ElideRight, max(rect.width() - 8, 60)
        )
        painter.drawText(label, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, shown)
