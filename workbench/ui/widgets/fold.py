"""The bold, arrowed button that folds a section of a tab open and shut."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QToolButton, QVBoxLayout, QWidget

from workbench.ui import metrics


class FoldToggle(QToolButton):
    """Checkable; its arrow points down while checked (the section open), right when shut.
    The section shows or hides itself on ``toggled``."""

    def __init__(
        self, parent: QWidget, name: str, accessible_name: str, text: str, tip: str
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(accessible_name)
        self.setText(text)
        self.setToolTip(tip)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setArrowType(Qt.ArrowType.RightArrow)
        self.setCheckable(True)
        self.setAutoRaise(True)
        bold = QFont(self.font())
        bold.setBold(True)
        self.setFont(bold)
        self.toggled.connect(self._point)

    def _point(self, expanded: bool) -> None:
        self.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)


def fold_layout(panel: QWidget, toggle: FoldToggle, content: QWidget) -> QVBoxLayout:
    """Lay out a folding section: its toggle above its content, the content shut at first."""
    content.hide()
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(
        metrics.SPACING, metrics.SPACING // 2, metrics.SPACING, metrics.SPACING
    )
    layout.setSpacing(metrics.SPACING)
    layout.addWidget(toggle, 0, Qt.AlignmentFlag.AlignLeft)
    layout.addWidget(content)
    return layout
