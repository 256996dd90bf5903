"""PySide6 only here: the desktop workbench over the Qt-free core."""
