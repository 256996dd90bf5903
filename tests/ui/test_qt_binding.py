"""The Qt binding must not leak or drop references to None/True (PySide6 6.12.0 on 3.11 did)."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QPushButton


class _Emitter(QObject):
    sig_flag = Signal(bool)
    """A flag."""


def test_void_calls_and_emits_keep_singleton_refcounts(qtbot: Any) -> None:
    button = QPushButton()
    qtbot.addWidget(button)
    emitter = _Emitter()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(500):
        button.setEnabled(True)
        emitter.sig_flag.emit(True)
    # Other threads may take or release a few references meanwhile; 500 lost ones is the bug.
    assert sys.getrefcount(None) > none_before - 50
    assert sys.getrefcount(True) > true_before - 50
