"""The pool insight's pre-token trigger view in the Cognito tab, against moto's real server.

moto returns the LambdaConfig and UserPoolTier it was given (it never invokes the function, and
does not check the feature plan a version needs): the flags are the workbench's own reading.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from tests.cognito_peer import MotoPool
from workbench.ui import workers
from workbench.ui.cognito.tab import CognitoTab
from workbench.ui.state import AppState

TIMEOUT_MS = 10_000
ARN = "arn:aws:lambda:us-east-1:123456789012:function:pre-token"


@pytest.fixture
def tab(qtbot: QtBot) -> Iterator[CognitoTab]:
    state = AppState()
    widget = CognitoTab(state)
    qtbot.addWidget(widget)
    yield widget
    qtbot.waitUntil(lambda: not workers.active(), timeout=TIMEOUT_MS)
    state.close()


def test_a_v1_trigger_is_flagged_for_custom_scopes_through_the_api_door(
    qtbot: QtBot, tab: CognitoTab, make_pool: Callable[..., MotoPool]
) -> None:
    moto = make_pool()
    moto.admin.update_user_pool(
        UserPoolId=moto.pool_id,
        UserPoolTier="ESSENTIALS",
        LambdaConfig={
            "PreTokenGeneration": ARN,
            "PreTokenGenerationConfig": {"LambdaVersion": "V1_0", "LambdaArn": ARN},
        },
    )
    tab.set_pool(moto.describe())
    tab.hosted.scope_edit.setText("openid api/read")
    view = tab.insight.trigger_view
    tab.insight.toggle.click()
    assert not view.summary.isVisibleTo(tab)
    view.button.click()
    qtbot.waitUntil(lambda: view.config is not None and not tab.busy, timeout=TIMEOUT_MS)
    summary = view.summary.text()
    assert summary.startswith(f"V1_0 trigger: {ARN}\nV1_0 changes the ID token only")
    assert summary.endswith("Feature plan: Essentials.")
    assert view.summary.isVisibleTo(tab)
    (problem,) = view.problems
    assert problem.severity == "error"
    assert view.flags.text().startswith(
        "error: USER_PASSWORD_AUTH tokens carry only aws.cognito.signin.user.admin: custom "
        "scopes (api/read) come from a V2_0 or V3_0 trigger's scopesToAdd"
    )
    assert view.flags.property("severity") == "error"
    # The flags follow the flow: client credentials with V1_0 is a warning of its own.
    tab.insight.set_check_flow("client_credentials")
    assert [p.severity for p in view.problems] == ["warning"]
    assert "use V3_0" in view.flags.text()
    # Another app client of the pool keeps the pool's trigger; another pool forgets it.
    tab.pool_form.client_id_edit.setText("another-client")
    assert view.config is not None
    tab.pool_form.pool_id_edit.setText("us-east-1_Other")
    assert view.config is None and not view.flags.isVisibleTo(tab)
    assert not view.summary.isVisibleTo(tab)
