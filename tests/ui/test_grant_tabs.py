"""Every registered user-flow grant has a tab in the flow-tab registry, every registered tab runs
a registered grant, and the main window shows one tab per registry entry, in its order."""

from __future__ import annotations

from typing import Any

import pytest

import workbench.core.cognito.grants  # noqa: F401  (registers the Cognito door's grants)
from workbench.core.oauth.grants import GRANTS
from workbench.ui.flows import (
    grant_tab_keys,
    register_tab,
    registered_tabs,
    tab_class,
    tab_keys,
)
from workbench.ui.flows.base import FlowTab
from workbench.ui.main_window import MainWindow


def test_each_user_flow_grant_has_a_registered_tab_and_each_tab_runs_a_grant() -> None:
    keys = grant_tab_keys()
    assert set(tab_keys()) - set(keys) == {"api"}  # the one tab that runs no grant
    tabs = {name: g.tab for name, g in GRANTS.items() if g.user_flow}
    assert tabs, "no user-flow grant registered"
    unknown = {name: tab for name, tab in tabs.items() if tab not in keys}
    assert not unknown, f"grants name tabs the registry lacks: {unknown}"
    assert sorted(set(tabs.values())) == sorted(keys)
    # The tab keys as they are on screen today, one per grant (Cognito's tab runs four).
    assert tabs["authorization_code"] == "authCode"
    assert tabs["client_credentials"] == "clientCredentials"
    assert {tabs[n] for n in GRANTS if n.startswith("cognito-")} == {"cognito"}


def test_the_registry_builds_each_tab_by_its_key_in_screen_order() -> None:
    classes = registered_tabs()
    assert [cls.key for cls in classes] == list(tab_keys())
    assert all(issubclass(cls, FlowTab) for cls in classes)
    assert len(set(classes)) == len(classes)
    assert tab_keys() == (
        "authCode",
        "clientCredentials",
        "device",
        "ciba",
        "refresh",
        "tokenExchange",
        "password",
        "implicit",
        "cognito",
        "api",
    )
    assert tab_class("refresh").__name__ == "RefreshTab"


def test_an_unknown_tab_name_raises_lookup_error_naming_the_known_ones() -> None:
    with pytest.raises(LookupError, match=r"no flow tab 'noSuchTab' \(tabs: authCode, "):
        tab_class("noSuchTab")


def test_a_tab_key_registers_once() -> None:
    with pytest.raises(ValueError, match="'device' is unnamed or taken"):
        register_tab("device", "workbench.ui.flows.device:DeviceFlowTab")
    assert tab_keys().count("device") == 1


def test_the_main_window_shows_one_tab_per_registered_entry_in_order(qtbot: Any) -> None:
    window = MainWindow(remember=False)
    qtbot.addWidget(window)
    classes = registered_tabs()
    assert window.tabs.count() == len(classes)
    for index, cls in enumerate(classes):
        widget = window.tabs.widget(index)
        assert type(widget) is cls
        assert window.tabs.tabText(index) == cls.title
        assert window.flow_tabs[cls.key] is widget
    assert list(window.flow_tabs) == list(tab_keys())
    # Ctrl+1… Ctrl+9, then Ctrl+0 follow the same order, each one a single key, none twice.
    flow_menu = [a for a in window.actions() if a.objectName().startswith("actionTab_")]
    assert [a.objectName() for a in flow_menu] == [f"actionTab_{k}" for k in tab_keys()]
    shortcuts = [a.shortcut().toString() for a in flow_menu]
    expected = [f"Ctrl+{(i + 1) % 10}" for i in range(min(len(classes), 10))]
    assert shortcuts[: len(expected)] == expected
    assert all(s == "" for s in shortcuts[len(expected) :])
    assert all(a.shortcut().count() <= 1 for a in flow_menu)  # never a chord such as Ctrl+1, 0
    taken = [a.shortcut().toString() for a in window.actions() if not a.shortcut().isEmpty()]
    assert len(taken) == len(set(taken)), "two actions share a shortcut"
