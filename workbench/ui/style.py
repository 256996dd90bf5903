"""Application style: Fusion over the system palette, plus the semantic styles in style.qss."""

from __future__ import annotations

from importlib.resources import files

from PySide6.QtWidgets import QApplication


def stylesheet() -> str:
    return files("workbench").joinpath("resources/style.qss").read_text("utf-8")


def apply_style(app: QApplication) -> None:
    """Keep the platform's palette (light or dark); add only semantic colours and spacing."""
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
