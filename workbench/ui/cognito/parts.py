"""Small builders the Cognito sections share: a named line edit, button, note and form group.

Every widget gets an objectName starting with :data:`KEY`, the tab's key, so tests, screenshots
and accessibility tools find it by the same name wherever it lives.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QWidget

from workbench.ui.widgets.note_label import NoteLabel

KEY = "cognito"


def line(
    parent: QWidget,
    form: QFormLayout,
    name: str,
    label: str,
    placeholder: str = "",
    tip: str = "",
) -> QLineEdit:
    """A line edit added to ``form`` under ``label``."""
    edit = QLineEdit(parent)
    edit.setObjectName(f"{KEY}_{name}")
    edit.setAccessibleName(label.replace("&", ""))
    edit.setPlaceholderText(placeholder)
    if tip:
        edit.setToolTip(tip)
    form.addRow(label, edit)
    return edit


def button(parent: QWidget, name: str, text: str, accessible: str, tip: str) -> QPushButton:
    result = QPushButton(text, parent)
    result.setObjectName(f"{KEY}{name}")
    result.setAccessibleName(accessible)
    result.setToolTip(tip)
    return result


def note(parent: QWidget, name: str, text: str = "", *, secondary: bool = True) -> QLabel:
    """A wrapped explanation that takes the form's whole field width."""
    label = NoteLabel(text, parent)
    label.setObjectName(f"{KEY}_{name}")
    if secondary:
        label.setProperty("role", "secondary")
    return label


def form_group(group: QGroupBox, name: str) -> QFormLayout:
    """Name ``group`` and give it a form whose labels go above the fields when narrow."""
    group.setObjectName(f"{KEY}{name}")
    form = QFormLayout(group)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # labels above, if narrow
    return form
