"""Every stylesheet of the app in one place, and the semantic colours they use.

The rules live in ``workbench/resources/*.qss`` (inside the package, so an installed wheel
carries them); this module loads them and fills their ``$placeholders``
(:class:`string.Template`, so a placeholder left unfilled is an error, not a silent rule):

- ``style.qss``: the application's sheet (:func:`apply_app_style`): banners, warnings, device
  and presenter status, refresh rotation, the demo label. Fixed translucent colours that read on
  light and dark palettes alike.
- ``inspector.qss``: the token inspector's sheet (:func:`inspector_stylesheet`), rendered with
  :func:`semantic_colours` of the current palette (lighter hues on a dark window) and scoped
  under ``$root``; the inspector re-applies it when the palette changes.
- ``insight.qss``: the Cognito pool insight's sheet (:func:`insight_stylesheet`).

Placeholders: the sizes in :data:`SIZES` (from :mod:`workbench.ui.metrics`); for the inspector
also ``$root``, each colour of :meth:`SemanticColours.as_dict` plus ``base`` and ``highlight``
by name (``$pass``), and each of those at each alpha of :data:`TINTS` (``$pass_chip``).

Widgets select rules through dynamic properties; :func:`set_property` (and
:func:`set_outcome`) change one and :func:`repolish` the widget so the change shows. The
presenter's type sizes follow the window, so they are inline rules built by :func:`set_type`.
The log dock colours HTTP status classes with :func:`status_colour`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from string import Template
from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from workbench.ui import metrics

#: Sizes (pixels) every sheet may use, by placeholder name.
SIZES: dict[str, int] = {
    "card_border": metrics.INSPECTOR_CARD_BORDER,
    "card_radius": metrics.INSPECTOR_CARD_RADIUS,
    "chip_radius": metrics.INSPECTOR_CHIP_RADIUS,
    "chip_padding_v": metrics.INSPECTOR_CHIP_PADDING[0],
    "chip_padding_h": metrics.INSPECTOR_CHIP_PADDING[1],
}

#: Translucent variants of each inspector colour, by placeholder suffix: ``$fail_row`` is the
#: fail colour at alpha 0.08.
TINTS: dict[str, float] = {"chip": 0.16, "card": 0.07, "row": 0.08, "flash": 0.10}

#: Hue (degrees) of each HTTP status class; lightness comes from the palette (light or dark).
STATUS_HUES = {"2xx": 130, "3xx": 210, "4xx": 30, "5xx": 0, "failed": 340}


def render(name: str, values: dict[str, object] | None = None) -> str:
    """``resources/<name>.qss`` with its ``$placeholders`` filled (KeyError if one is missing)."""
    text = files("workbench").joinpath(f"resources/{name}.qss").read_text("utf-8")
    return Template(text).substitute({**SIZES, **(values or {})})


# -- the application's sheet


def app_stylesheet() -> str:
    return render("style")


#: ``system`` follows the desktop; ``light`` and ``dark`` override it (``--color-scheme``).
ColorScheme = Literal["system", "light", "dark"]
COLOR_SCHEMES: tuple[ColorScheme, ...] = ("system", "light", "dark")


def apply_app_style(app: QApplication, scheme: ColorScheme = "system") -> None:
    """Keep the platform's palette (light or dark) unless ``scheme`` overrides it; add only
    semantic colours and spacing."""
    app.setStyle("Fusion")
    if scheme != "system":
        wanted = Qt.ColorScheme.Dark if scheme == "dark" else Qt.ColorScheme.Light
        app.styleHints().setColorScheme(wanted)
        if is_dark(app.palette()) != (scheme == "dark"):
            # The platform does not switch (offscreen, some desktops): Fusion's own colours.
            app.setPalette(fusion_palette(scheme == "dark"))
    app.setStyleSheet(app_stylesheet())


def fusion_palette(dark: bool) -> QPalette:
    """Fusion's light palette, or a dark one in the same spirit (for a scheme the platform
    does not apply itself)."""
    if not dark:
        return QPalette(QColor("#efefef"), QColor("#efefef"))
    roles = QPalette.ColorRole
    colours = {
        roles.Window: "#2d2d2d",
        roles.WindowText: "#e6e6e6",
        roles.Base: "#1e1e1e",
        roles.AlternateBase: "#262626",
        roles.ToolTipBase: "#3a3a3a",
        roles.ToolTipText: "#e6e6e6",
        roles.PlaceholderText: "#8c8c8c",
        roles.Text: "#e6e6e6",
        roles.Button: "#353535",
        roles.ButtonText: "#e6e6e6",
        roles.BrightText: "#ff6b6b",
        roles.Light: "#4a4a4a",
        roles.Midlight: "#3f3f3f",
        roles.Mid: "#5c5c5c",
        roles.Dark: "#1a1a1a",
        roles.Shadow: "#000000",
        roles.Highlight: "#3d7fd6",
        roles.HighlightedText: "#ffffff",
        roles.Link: "#6ab0ff",
        roles.LinkVisited: "#b58cff",
    }
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        palette.setColor(disabled, role, QColor("#7a7a7a"))
    return palette


# -- semantic colours and the inspector's sheet


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


def colour_values(palette: QPalette) -> dict[str, object]:
    """The inspector's colour placeholders for ``palette``: each colour and its tints."""
    colours = dict(semantic_colours(palette).as_dict)
    colours["base"] = palette.color(QPalette.ColorRole.Base)
    colours["highlight"] = palette.color(QPalette.ColorRole.Highlight)
    values: dict[str, object] = {}
    for name, colour in colours.items():
        values[name] = colour.name()
        for tint, alpha in TINTS.items():
            values[f"{name}_{tint}"] = _rgba(colour, alpha)
    return values


def inspector_stylesheet(palette: QPalette, root: str = "#tokenInspector") -> str:
    """The inspector's QSS for ``palette``, scoped under the ``root`` selector."""
    return render("inspector", {**colour_values(palette), "root": root})


# -- the Cognito pool insight's sheet


def insight_stylesheet() -> str:
    return render("insight")


# -- the log dock's status colours


def status_colour(kind: str, palette: QPalette) -> QColor | None:
    """A semantic colour for a status class that reads well on the palette's base colour."""
    hue = STATUS_HUES.get(kind)
    if hue is None:
        return None
    dark = palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5
    return QColor.fromHslF(hue / 360.0, 0.7, 0.68 if dark else 0.36)


# -- dynamic properties and inline rules


def repolish(*widgets: QWidget) -> None:
    """Re-apply the style sheets to ``widgets`` after a property they select on changed."""
    for widget in widgets:
        style = widget.style()
        style.unpolish(widget)
        style.polish(widget)
        widget.update()


def set_property(widget: QWidget, name: str, value: str | bool) -> None:
    """Set a dynamic property the QSS selects on, and re-polish so the change shows."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    repolish(widget)


def set_outcome(widget: QWidget, outcome: str) -> None:
    """``pass``, ``fail``, ``not_checked``, ``checking`` or ``warn`` (QSS ``outcome``)."""
    set_property(widget, "outcome", outcome)


def set_type(widget: QWidget, pixels: int, bold: bool = False, family: str | None = None) -> None:
    """Size (and weight, family) of a widget's text through its own style sheet: fonts set with
    setFont are dropped when a dynamic property re-polishes the widget under an application
    style sheet; a widget's style sheet stays, and the application's rules still cascade."""
    rules = [f"font-size: {max(1, pixels)}px;", f"font-weight: {'bold' if bold else 'normal'};"]
    if family:
        rules.append(f'font-family: "{family.replace(chr(34), "")}";')
    widget.setStyleSheet(" ".join(rules))
