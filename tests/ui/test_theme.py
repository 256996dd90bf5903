"""ui/theme.py: every stylesheet rendered from resources/*.qss, for light and dark palettes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from workbench.demo import DemoServer
from workbench.ui import theme
from workbench.ui.cognito.insight import PoolInsightPanel
from workbench.ui.dialogs.presenter import PresenterView
from workbench.ui.inspector.findings import FindingRow
from workbench.ui.inspector.inspector import TokenInspector
from workbench.ui.main_window import MainWindow
from workbench.ui.state import AppState

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "workbench" / "ui"
RESOURCES = ROOT / "workbench" / "resources"


def palette(window: str, base: str) -> QPalette:
    result = QPalette(QColor(window))
    result.setColor(QPalette.ColorRole.Base, QColor(base))
    return result


LIGHT = palette("#efefef", "#ffffff")
DARK = palette("#2b2b2b", "#1e1e1e")


def rendered() -> dict[str, str]:
    """Every sheet the app applies, by a name for messages."""
    return {
        "style.qss": theme.app_stylesheet(),
        "insight.qss": theme.insight_stylesheet(),
        "inspector.qss (light)": theme.inspector_stylesheet(LIGHT),
        "inspector.qss (dark)": theme.inspector_stylesheet(DARK),
    }


def ui_source() -> str:
    return "\n".join(path.read_text("utf-8") for path in sorted(UI.rglob("*.py")))


def test_every_placeholder_is_filled() -> None:
    for name, sheet in rendered().items():
        assert sheet.strip(), name
        assert "$" not in sheet, f"{name} keeps a placeholder: {sheet}"


def test_every_sheet_in_resources_is_rendered_and_shipped() -> None:
    sheets = {path.name for path in RESOURCES.glob("*.qss")}
    assert sheets == {"style.qss", "inspector.qss", "insight.qss"}
    assert {name.split(" ")[0] for name in rendered()} == sheets
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    shipped = pyproject["tool"]["setuptools"]["package-data"]["workbench"]
    for sheet in sheets:
        assert any(Path(f"resources/{sheet}").match(pattern) for pattern in shipped), sheet


def test_a_missing_value_is_an_error_not_a_silent_rule() -> None:
    with pytest.raises(KeyError):
        theme.render("inspector", {"root": "#x"})  # no palette colours


def test_light_and_dark_palettes_give_different_semantic_colours() -> None:
    light, dark = theme.semantic_colours(LIGHT), theme.semantic_colours(DARK)
    assert not theme.is_dark(LIGHT) and theme.is_dark(DARK)
    for name in ("pass", "fail", "warn"):
        assert light.as_dict[name] != dark.as_dict[name], name
        # Lighter hues on a dark window, darker ones on a light window.
        assert dark.as_dict[name].lightnessF() > light.as_dict[name].lightnessF(), name
    light_sheet, dark_sheet = theme.inspector_stylesheet(LIGHT), theme.inspector_stylesheet(DARK)
    assert light.passed.name() in light_sheet and light.passed.name() not in dark_sheet
    assert dark.failed.name() in dark_sheet and dark.failed.name() not in light_sheet
    for kind in ("2xx", "3xx", "4xx", "5xx", "failed"):
        on_light, on_dark = theme.status_colour(kind, LIGHT), theme.status_colour(kind, DARK)
        assert on_light is not None and on_dark is not None
        assert on_light.lightnessF() < 0.5 < on_dark.lightnessF(), kind
    assert theme.status_colour("", LIGHT) is None


def test_inspector_sheet_is_scoped_under_its_root() -> None:
    sheet = theme.inspector_stylesheet(LIGHT, root="#elsewhere")
    rules = [line for line in sheet.splitlines() if "{" in line]
    assert rules and all(rule.startswith("#elsewhere ") for rule in rules)


def selectors() -> list[str]:
    """The selector of every rule of every sheet, comments left out."""
    found: list[str] = []
    for sheet in rendered().values():
        without_comments = re.sub(r"/\*.*?\*/", "", sheet, flags=re.S)
        found += re.findall(r"([^{}]+)\{", without_comments)
    return found


def selected_object_names() -> set[str]:
    return {name for selector in selectors() for name in re.findall(r"#(\w+)", selector)}


def selected_properties() -> set[str]:
    return {name for selector in selectors() for name in re.findall(r"\[(\w+)=", selector)}


def test_every_object_name_the_sheets_select_exists(
    qtbot: Any, demo: DemoServer, state: AppState
) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.set_demo_issuer(demo.issuer)
    extra: list[QWidget] = [PresenterView(), FindingRow("exp"), PoolInsightPanel()]
    for widget in extra:
        qtbot.addWidget(widget)
    present = {
        child.objectName()
        for top in [window, *extra]
        for child in [top, *top.findChildren(QWidget)]
    }
    selected = selected_object_names()
    assert {"tokenInspector", "flowTabs", "findingRow", "presenterStatus"} <= selected
    assert selected <= present, f"selected but never named: {selected - present}"


def test_every_property_the_sheets_select_is_set_by_some_widget() -> None:
    source = ui_source()
    set_names = set(re.findall(r"(?:setProperty|set_property)\([^,()]*,\s*\"(\w+)\"", source))
    set_names |= set(re.findall(r"\.setProperty\(\"(\w+)\"", source))
    if "set_outcome(" in source:
        set_names.add("outcome")
    if "set_property(widget, FLASH_PROPERTY" in source:
        set_names.add(re.findall(r'FLASH_PROPERTY = "(\w+)"', source)[0])
    selected = selected_properties()
    assert {"role", "outcome", "kind", "severity", "status", "flash"} <= selected
    assert selected <= set_names, f"selected but never set: {selected - set_names}"


def test_every_custom_widget_class_the_sheets_select_exists() -> None:
    source = ui_source()
    classes = {
        name
        for selector in selectors()
        for name in re.findall(r"(?:^|[\s,])([A-Z]\w+)", selector)
        if not name.startswith("Q")
    }
    assert classes == {"MessageBanner", "CountdownBar"}
    for name in classes:
        assert f"class {name}(" in source, name


def test_set_outcome_repolishes_so_the_colour_follows(qtbot: Any) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    root.setObjectName("tokenInspector")
    root.setPalette(LIGHT)
    root.setStyleSheet(theme.inspector_stylesheet(LIGHT))
    label = QLabel("verdict", root)
    root.show()
    colours = theme.semantic_colours(LIGHT)

    def shown() -> str:
        return label.palette().color(QPalette.ColorRole.WindowText).name()

    theme.set_outcome(label, "fail")
    assert label.property("outcome") == "fail"
    assert shown() == colours.failed.name()
    theme.set_outcome(label, "pass")
    assert shown() == colours.passed.name()
    theme.set_property(label, "outcome", "warn")
    assert shown() == colours.warned.name()


def test_the_panels_and_the_app_apply_the_theme_sheets(qtbot: Any, state: AppState) -> None:
    inspector = TokenInspector(state)
    qtbot.addWidget(inspector)
    assert inspector.styleSheet() == theme.inspector_stylesheet(inspector.palette())
    insight = PoolInsightPanel()
    qtbot.addWidget(insight)
    assert insight.styleSheet() == theme.insight_stylesheet()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before, style = app.styleSheet(), app.style().name()
    try:
        theme.apply_app_style(app)
        assert app.styleSheet() == theme.app_stylesheet()
        assert 'MessageBanner[kind="error"]' in app.styleSheet()
    finally:
        app.setStyleSheet(before)
        app.setStyle(style)


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_a_chosen_color_scheme_wins_over_the_platform(qtbot: Any, scheme: str) -> None:
    """--color-scheme: the offscreen platform switches nothing itself, so the app's palette is
    Fusion's own light one or the dark one; the semantic colours follow it."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before, sheet, style = QPalette(app.palette()), app.styleSheet(), app.style().name()
    try:
        theme.apply_app_style(app, scheme)  # type: ignore[arg-type]
        assert theme.is_dark(app.palette()) is (scheme == "dark")
        label = QLabel("text")
        qtbot.addWidget(label)
        text = label.palette().color(QPalette.ColorRole.WindowText)
        assert theme.is_dark(label.palette()) is (scheme == "dark")
        # Text contrasts with the window in both.
        window = label.palette().color(QPalette.ColorRole.Window)
        assert abs(text.lightnessF() - window.lightnessF()) > 0.6
    finally:
        app.styleHints().unsetColorScheme()
        app.setPalette(before)
        app.setStyleSheet(sheet)
        app.setStyle(style)
