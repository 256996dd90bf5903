"""An unexpected exception is a bug: show it in a dialog instead of letting the app die."""

from __future__ import annotations

import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from workbench import __version__
from workbench.core.display import printable


def format_exception(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def show_exception(parent: QWidget | None, exc: BaseException) -> QMessageBox:
    """Non-modal box with the traceback under "Show Details…"; returns it (tests close it)."""
    box = QMessageBox(parent)
    box.setObjectName("exceptionDialog")
    box.setAccessibleName("Unexpected error")
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Unexpected error")
    box.setTextFormat(Qt.TextFormat.PlainText)  # the message may quote a server or a token
    box.setText(
        printable(f"Something went wrong inside Token Workbench: {type(exc).__name__}: {exc}")
    )
    box.setInformativeText(
        "This is a bug. The application is still usable; the details below help to fix it "
        f"(version {__version__})."
    )
    box.setDetailedText(printable(format_exception(exc), keep_newlines=True))
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.open()
    return box
