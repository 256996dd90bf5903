"""Semantic colours of the inspector (pass / fail / not checked / expired), from the palette.

The rules select on the dynamic property ``outcome`` (``pass``, ``fail``, ``not_checked``,
``checking``) and on ``role`` (``card``, ``chip``, ``badge``), so the shared
``resources/style.qss`` can take them over as they are. Until it does, :func:`stylesheet`
renders them with colours picked for the current palette (lighter hues on a dark window), and
:class:`~workbench.ui.inspector.inspector.TokenInspector` applies them to itself only.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

from workbench.ui import metrics


@dataclass(frozen=True)
class SemanticColours:
    """Foreground colours readable on the palette's window and base colours."""

    passed: QColor
    failed: QColor
    warned: QColor
    muted: QColor
    secondary: QColor
    border: QColor

    @property
    def as_dict(self) -> dict[str, QColor]:
        return {
            "pass": self.passed,
            "fail": self.failed,
            "warn": self.warned,
            "muted": self.muted,
            "secondary": self.secondary,
            "border": self.border,
        }


def is_dark(palette: QPalette) -> bool:
    """True when the window colour is dark (a dark theme)."""
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def semantic_colours(palette: QPalette) -> SemanticColours:
    """Green / red / amber tuned for contrast on the palette's background."""
    dark = is_dark(palette)
    muted = palette.color(QPalette.ColorRole.PlaceholderText)
    if muted.alpha() < 255 or not muted.isValid():
        muted = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    border = palette.color(QPalette.ColorRole.Mid)
    secondary = _blend(
        palette.color(QPalette.ColorRole.WindowText), palette.color(QPalette.ColorRole.Window), 0.72
    )
    if dark:
        return SemanticColours(
            QColor.fromHsl(135, 130, 130),  # green, light enough on a dark window
            QColor.fromHsl(2, 200, 150),
            QColor.fromHsl(40, 190, 120),
            muted,
            secondary,
            border,
        )
    return SemanticColours(
        QColor.fromHsl(135, 165, 70),  # green, dark enough on a light window
        QColor.fromHsl(356, 175, 100),
        QColor.fromHsl(36, 220, 70),
        muted,
        secondary,
        border,
    )


def _blend(front: QColor, back: QColor, share: float) -> QColor:
    """``share`` of ``front`` over ``back``: secondary text that still reads well."""
    return QColor.fromRgbF(
        front.redF() * share + back.redF() * (1 - share),
        front.greenF() * share + back.greenF() * (1 - share),
        front.blueF() * share + back.blueF() * (1 - share),
    )


def _rgba(colour: QColor, alpha: float) -> str:
    return f"rgba({colour.red()}, {colour.green()}, {colour.blue()}, {alpha:.2f})"


def stylesheet(palette: QPalette, root: str = "#tokenInspector") -> str:
    """The inspector's QSS for ``palette``, scoped under the ``root`` selector."""
    c = semantic_colours(palette)
    base = palette.color(QPalette.ColorRole.Base).name()
    outcome_colours = {"pass": c.passed, "fail": c.failed, "not_checked": c.secondary}
    rules: list[str] = [
        f"{root} QFrame[role='card'] {{ border: {metrics.INSPECTOR_CARD_BORDER}px solid"
        f" {c.border.name()};"
        f" border-radius: {metrics.INSPECTOR_CARD_RADIUS}px; background: {base}; }}",
        f"{root} QLabel[role='chip'] {{ border-radius: {metrics.INSPECTOR_CHIP_RADIUS}px;"
        f" padding: {metrics.INSPECTOR_CHIP_PADDING[0]}px {metrics.INSPECTOR_CHIP_PADDING[1]}px;"
        f" background: {_rgba(c.muted, 0.16)}; }}",
        f"{root} QLabel[role='muted'] {{ color: {c.muted.name()}; }}",
        f"{root} QLabel[role='secondary'] {{ color: {c.secondary.name()}; }}",
        f"{root} QLabel[outcome='checking'] {{ color: {c.muted.name()}; }}",
        f"{root} QLabel[outcome='warn'] {{ color: {c.warned.name()}; }}",
        f"{root} QLabel[role='chip'][outcome='warn'] {{ background: {_rgba(c.warned, 0.16)}; }}",
        f"{root} QFrame[role='card'][outcome='warn'] {{ border-color: {c.warned.name()};"
        f" background: {_rgba(c.warned, 0.07)}; }}",
    ]
    for outcome, colour in outcome_colours.items():
        rules += [
            f"{root} QLabel[outcome='{outcome}'] {{ color: {colour.name()}; }}",
            f"{root} QLabel[role='chip'][outcome='{outcome}'] {{"
            f" background: {_rgba(colour, 0.16)}; }}",
        ]
    for outcome in ("pass", "fail"):
        colour = outcome_colours[outcome]
        rules.append(
            f"{root} QFrame[role='card'][outcome='{outcome}'] {{ border-color: {colour.name()};"
            f" background: {_rgba(colour, 0.07)}; }}"
        )
    rules += [
        f"{root} QFrame#findingRow[outcome='fail'] {{ background: {_rgba(c.failed, 0.08)};"
        f" border-radius: {metrics.INSPECTOR_CARD_RADIUS}px; }}",
        f"{root} QFrame#findingRow[outcome='pass'] {{ background: transparent; }}",
    ]
    # A new answer, for a moment (ui/reveal.py): last, so it wins over the outcome colours.
    highlight = palette.color(QPalette.ColorRole.Highlight)
    rules.append(
        f"{root} QFrame[role='card'][flash='true'] {{ border-color: {highlight.name()};"
        f" background: {_rgba(highlight, 0.10)}; }}"
    )
    return "\n".join(rules)


def set_property(widget: QWidget, name: str, value: str) -> None:
    """Set a dynamic property the QSS selects on, and re-polish so the change shows."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def set_outcome(widget: QWidget, outcome: str) -> None:
    """``pass``, ``fail``, ``not_checked``, ``checking`` or ``warn`` (QSS ``outcome``)."""
    set_property(widget, "outcome", outcome)
