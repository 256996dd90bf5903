"""Every registered user-flow grant names a flow tab the main window has, and every flow tab
runs at least one registered grant."""

from __future__ import annotations

import workbench.core.cognito.grants  # noqa: F401  (registers the Cognito door's grants)
from workbench.core.oauth.grants import GRANTS
from workbench.ui.main_window import tab_classes


def test_each_grant_tab_is_a_tab_of_the_main_window_and_each_tab_runs_a_grant() -> None:
    keys = [cls.key for cls in tab_classes()]
    tabs = {name: g.tab for name, g in GRANTS.items() if g.user_flow}
    assert tabs, "no user-flow grant registered"
    unknown = {name: tab for name, tab in tabs.items() if tab not in keys}
    assert not unknown, f"grants name tabs the main window lacks: {unknown}"
    assert sorted(set(tabs.values())) == sorted(keys)
    # The tab keys as they are on screen today, one per grant (Cognito's tab runs four).
    assert tabs["authorization_code"] == "authCode"
    assert tabs["client_credentials"] == "clientCredentials"
    assert {tabs[n] for n in GRANTS if n.startswith("cognito-")} == {"cognito"}
