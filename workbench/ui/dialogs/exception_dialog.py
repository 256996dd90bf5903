"""An unexpected exception is a bug: show it in a dialog instead of letting the app die."""

from __future__ import annotations

import traceback

from PySide6.QtWidgets import QMessageBox, QWidget

from workbench import __version__


def format_exception(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def show_exception(parent: QWidget | None, exc: BaseException) -> QMessageBox:
    """Non-modal box with the traceback under "Show Details…"; returns it (tests close it)."""
    box = QMessageBox(parent)
    box.setObjectName("exceptionDialog")
    box.setAccessibleName("Unexpected error")
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Unexpected error")
    box.setText(f"Something went wrong inside Token Workbench: {type(exc).__name__}: {exc}")
    box.setInformativeText(
        "This is a bug. The application is still usable; the details below help to fix it "
        f"(version {__version__})."
    )
    box.setDetailedText(format_exception(exc))
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.open()
    return box
