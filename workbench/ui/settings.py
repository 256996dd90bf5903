"""Window state through QSettings, in one helper (geometry, dock layout, splitter, last tab)."""

from __future__ import annotations

import os

from PySide6.QtCore import QByteArray, QSettings

ORG, APP = "TokenWorkbench", "Token Workbench"


def settings() -> QSettings:
    """QSettings in the platform's place, or an INI file under WORKBENCH_CONFIG_DIR (tests)."""
    override = os.environ.get("WORKBENCH_CONFIG_DIR")
    if override:
        return QSettings(os.path.join(override, "window.ini"), QSettings.Format.IniFormat)
    return QSettings(ORG, APP)


def load_bytes(key: str) -> QByteArray | None:
    value = settings().value(key)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def load_int(key: str, default: int = 0) -> int:
    value = settings().value(key, default)
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def save(**values: object) -> None:
    store = settings()
    for key, value in values.items():
        store.setValue(key, value)
    store.sync()
