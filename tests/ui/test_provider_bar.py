"""The provider bar names the provider a flow tab chose (the Cognito tab's pool) in one entry that
says which tab chose it, and picking that entry again restores the provider with its door."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from workbench.core.cognito.pool import CognitoPool
from workbench.demo import DemoServer
from workbench.ui.cognito.tab import CognitoTab
from workbench.ui.main_window import MainWindow
from workbench.ui.provider_bar import DemoChoice, TabChoice
from workbench.ui.state import AppState

POOL = CognitoPool(
    user_pool_id="eu-west-1_Example1",
    client_id="app-client-1",
    domain="https://example.auth.eu-west-1.amazoncognito.com",
    name="Staff pool",
)


@pytest.fixture
def window(qtbot: Any, demo: DemoServer) -> Iterator[MainWindow]:
    win = MainWindow(AppState(), remember=False)  # closing it closes its state
    qtbot.addWidget(win)
    win.set_demo_issuer(demo.issuer)
    yield win


def cognito(window: MainWindow) -> CognitoTab:
    tab = window.flow_tabs["cognito"]
    assert isinstance(tab, CognitoTab)
    tab.set_pool(POOL)
    tab.sign_in.username_edit.setText("alice")
    return tab


def labels(window: MainWindow) -> list[str]:
    picker = window.provider_bar.picker
    return [picker.itemText(i) for i in range(picker.count())]


def tab_entries(window: MainWindow) -> list[TabChoice]:
    picker = window.provider_bar.picker
    entries = [picker.itemData(i) for i in range(picker.count())]
    return [e for e in entries if isinstance(e, TabChoice)]


def test_the_api_door_pool_is_one_entry_naming_the_cognito_tab(window: MainWindow) -> None:
    tab = cognito(window)
    session = tab.install_pool_session(POOL)
    bar = window.provider_bar
    assert window.state.session is session and session.door is not None
    assert bar.picker.currentText() == "Staff pool — from the Cognito tab"
    assert not any("set by a tab" in label for label in labels(window))
    [entry] = tab_entries(window)
    assert entry.provider == session.provider and entry.door is session.door
    assert entry.by == "Cognito"
    assert not bar.edit_button.isEnabled() and not bar.delete_button.isEnabled()


def test_choosing_again_keeps_a_single_entry_for_the_tab(window: MainWindow) -> None:
    tab = cognito(window)
    first = tab.install_pool_session(POOL)
    tab.sign_in.username_edit.setText("bob")  # another user: a new door for the same pool
    second = tab.install_pool_session(POOL)
    assert second is not first and second.door is not first.door
    [entry] = tab_entries(window)
    assert entry.door is second.door
    tab.hosted.hosted_button.click()  # the hosted endpoints: the same tab, another provider
    assert window.state.session is not None and window.state.session.door is None
    [entry] = tab_entries(window)
    assert entry.label == "Staff pool — from the Cognito tab"
    assert entry.door is None
    assert window.provider_bar.picker.currentText() == entry.label
    assert len(labels(window)) == len(set(labels(window)))


def test_picking_the_entry_again_restores_the_provider_with_its_door(window: MainWindow) -> None:
    tab = cognito(window)
    session = tab.install_pool_session(POOL)
    provider, door = session.provider, session.door
    picker = window.provider_bar.picker
    demo = next(i for i in range(picker.count()) if isinstance(picker.itemData(i), DemoChoice))
    picker.setCurrentIndex(demo)
    assert window.state.provider is not None
    assert window.state.provider.issuer == window.state.demo_issuer
    assert window.state.session is not None and window.state.session.door is None
    assert window.state.provider_by == ""

    picker.setCurrentIndex(picker.findText("Staff pool — from the Cognito tab"))
    restored = window.state.session
    assert restored is not None and restored is not session
    assert restored.provider == provider and restored.door is door
    assert window.state.provider_by == "Cognito"
    assert len(tab_entries(window)) == 1


def test_the_entry_survives_a_reload_of_the_picker(window: MainWindow) -> None:
    tab = cognito(window)
    tab.install_pool_session(POOL)
    bar = window.provider_bar
    bar.reload()
    assert bar.picker.currentText() == "Staff pool — from the Cognito tab"
    assert [e.label for e in tab_entries(window)] == [bar.picker.currentText()]
