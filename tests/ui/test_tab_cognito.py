"""CognitoTab against moto's real Cognito server (``ThreadedMotoServer`` on 127.0.0.1).

moto serves the cognito-idp API and each pool's JWKS. What it does not do: enforce
an app client's ExplicitAuthFlows, so the "flow not enabled" answer comes from botocore's Stubber
here, the only mocked call in this file; RevokeToken, so it is not exercised against moto.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from PySide6.QtWidgets import QComboBox, QLineEdit, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from tests.cognito_peer import (
    PASSWORD,
    REGION,
    TEMP_PASSWORD,
    MotoPool,
)
from workbench.core.cognito.auth import CognitoAuth
from workbench.core.cognito.door import CognitoTokenActions
from workbench.core.cognito.pool import CognitoPool
from workbench.core.errors import ConfigError
from workbench.core.hints import worded
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.transport.exchange import ExchangeLog
from workbench.ui import workers
from workbench.ui.cognito.challenge_dialog import CognitoChallengeDialog
from workbench.ui.cognito.tab import CognitoTab
from workbench.ui.cognito.token_panel import NOT_ROTATED
from workbench.ui.inspector import TokenInspector
from workbench.ui.main_window import MainWindow
from workbench.ui.state import AppState

TIMEOUT_MS = 10_000


@pytest.fixture(autouse=True)
def settled(qtbot: QtBot) -> Iterator[None]:
    """Let the inspector's checks started by the last step finish before the worker check."""
    yield
    qtbot.waitUntil(lambda: not workers.active(), timeout=TIMEOUT_MS)


@pytest.fixture
def app_state() -> Iterator[AppState]:
    state = AppState()
    yield state
    state.close()


@pytest.fixture
def tab(qtbot: QtBot, app_state: AppState) -> CognitoTab:
    widget = CognitoTab(app_state)
    qtbot.addWidget(widget)
    return widget


def fill(tab: CognitoTab, moto: MotoPool, password: str, flow: str = "USER_PASSWORD_AUTH") -> None:
    tab.set_pool(moto.describe(name="Moto pool"))
    tab.sign_in.flow_combo.setCurrentIndex(tab.sign_in.flow_combo.findData(flow))
    tab.sign_in.username_edit.setText(moto.username)
    tab.sign_in.password_edit.setText(password)


def open_challenge(qtbot: QtBot, tab: CognitoTab, start: Callable[[], None]) -> Any:
    with qtbot.waitSignal(tab.sig_challenge_opened, timeout=TIMEOUT_MS) as opened:
        start()
    dialog = opened.args[0]
    assert isinstance(dialog, CognitoChallengeDialog) and dialog.isVisible()
    assert not tab.busy  # the dialog opens once the sign-in worker is done
    return dialog


def purposes(log: ExchangeLog) -> list[str]:
    return [e.purpose for e in log.items()]


# -- sign-in -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "flow", ["USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_SRP_AUTH"]
)
def test_sign_in_lands_in_the_inspector_verified_with_the_pool_keys(
    qtbot: QtBot,
    app_state: AppState,
    tab: CognitoTab,
    make_pool: Callable[..., MotoPool],
    flow: str,
) -> None:
    moto = make_pool(confirmed=True)
    pool = moto.describe()
    inspector = TokenInspector(app_state)
    qtbot.addWidget(inspector)
    fill(tab, moto, PASSWORD, flow)
    assert f"msg='alice' + {moto.client_id!r}" in tab.sign_in.secret_hash_label.text()

    def access_checked(inspection: Any) -> bool:
        return bool(inspection.decoded.claims.get("token_use") == "access")

    with qtbot.waitSignal(
        inspector.sig_checked, timeout=TIMEOUT_MS, check_params_cb=access_checked
    ) as checked:
        tab.run_button.click()
    tokens, context = app_state.tokens, app_state.context
    assert isinstance(tokens, TokenSet) and tokens.access_token and tokens.refresh_token
    assert context is not None and context.origin == "cognito"
    assert context.extra["flow"] == flow and context.extra["username"] == "alice"
    assert context.extra["user_pool_id"] == moto.pool_id
    # The inspector verified against the pool: moto's JWKS, the AWS issuer, the client id.
    provider = app_state.provider
    assert provider is not None and provider.issuer == pool.issuer and not provider.discover
    inspection = checked.args[0]
    outcome = {f.check: f.outcome.value for f in inspection.findings}
    assert outcome["signature"] == outcome["iss"] == outcome["aud"] == outcome["exp"] == "pass"
    assert pool.jwks_url in inspection.finding("signature").reason
    assert inspection.finding("aud").reason == f"client_id is {moto.client_id!r}"
    assert tab.step_label.text() == f"Signed in with {flow}: the tokens are in the inspector."
    assert "(sent)" in tab.sign_in.secret_hash_label.text()
    text = tab.sign_in.secret_hash_label.text() + json.dumps(
        [e.to_dict() for e in app_state.log.items()]
    )
    assert (moto.client_secret or "-") not in text and PASSWORD not in text
    kind = "AdminInitiateAuth" if flow.startswith("ADMIN") else "InitiateAuth"
    assert f"cognito-idp {kind} ({flow})" in purposes(app_state.log)


def test_new_password_required_is_asked_in_a_dialog_and_cancel_ends_cleanly(
    qtbot: QtBot, app_state: AppState, tab: CognitoTab, make_pool: Callable[..., MotoPool]
) -> None:
    moto = make_pool()  # created by an administrator: a temporary password
    fill(tab, moto, TEMP_PASSWORD)
    dialog = open_challenge(qtbot, tab, tab.start)
    assert dialog.challenge.name == "NEW_PASSWORD_REQUIRED"
    assert "NEW_PASSWORD_REQUIRED" in dialog.prompt_label.text()
    dialog.cancel_button.click()
    assert tab.challenge_dialog is None and app_state.tokens is None
    assert (
        tab.step_label.text() == "Cancelled at the NEW_PASSWORD_REQUIRED challenge: not signed in."
    )
    assert tab.run_button.isEnabled() and not tab.error_banner.isVisibleTo(tab)

    dialog = open_challenge(qtbot, tab, tab.start)
    new, again = dialog.field("new_password"), dialog.confirm_field("new_password")
    assert again is not None and dialog.ok_button is not None
    assert new.echoMode() == again.echoMode() == new.EchoMode.Password
    new.setText(PASSWORD)
    assert not dialog.ok_button.isEnabled()
    again.setText(PASSWORD + "?")
    assert not dialog.ok_button.isEnabled()
    assert dialog.mismatch_label.isVisibleTo(dialog)
    assert dialog.mismatch_label.text() == "The two passwords differ."
    again.setText(PASSWORD)
    assert dialog.ok_button.isEnabled() and dialog.mismatch_label.isHidden()
    assert dialog.show_password is not None
    dialog.show_password.setChecked(True)
    assert new.echoMode() == again.echoMode() == new.EchoMode.Normal
    with qtbot.waitSignal(app_state.sig_tokens_changed, timeout=TIMEOUT_MS) as got:
        dialog.ok_button.click()
    tokens, context = got.args
    assert tokens.access_token and context.origin == "cognito"
    answered = "cognito-idp RespondToAuthChallenge (NEW_PASSWORD_REQUIRED)"
    assert answered in purposes(app_state.log)
    assert PASSWORD not in json.dumps([e.to_dict() for e in app_state.log.items()])


def test_mfa_setup_shows_the_key_as_a_qr_code(
    qtbot: QtBot, app_state: AppState, tab: CognitoTab, make_pool: Callable[..., MotoPool]
) -> None:
    """A pool that requires MFA: NEW_PASSWORD_REQUIRED, then MFA_SETUP with the authenticator
    key (moto accepts any six digits)."""
    moto = make_pool(mfa=True)
    fill(tab, moto, TEMP_PASSWORD)
    first = open_challenge(qtbot, tab, tab.start)
    first.field("new_password").setText(PASSWORD)
    first.confirm_field("new_password").setText(PASSWORD)
    setup = open_challenge(qtbot, tab, first.ok_button.click)
    challenge = setup.challenge
    assert challenge.name == "MFA_SETUP" and challenge.totp_secret and challenge.totp_uri
    assert setup.qr_view is not None and setup.qr_view.data() == challenge.totp_uri
    assert setup.qr_view.matrix() and setup.qr_view.isVisibleTo(setup)
    assert setup.totp_field is not None and setup.totp_field.text() == challenge.totp_secret
    code = setup.field("mfa_code")
    assert not setup.ok_button.isEnabled()
    code.setText(" 123456 ")
    assert setup.answers() == {"mfa_code": "123456"}
    with qtbot.waitSignal(app_state.sig_tokens_changed, timeout=TIMEOUT_MS):
        setup.ok_button.click()
    assert "cognito-idp VerifySoftwareToken" in "".join(purposes(app_state.log))
    assert challenge.totp_secret not in json.dumps([e.to_dict() for e in app_state.log.items()])


def stubbed_auth(responses: list[tuple[str, dict[str, Any]]]) -> tuple[Any, Stubber]:
    client = boto3.session.Session(region_name=REGION).client("cognito-idp")
    stubber = Stubber(client)
    for kind, spec in responses:
        if kind == "error":
            stubber.add_client_error("initiate_auth", **spec)
        else:
            stubber.add_response("initiate_auth", spec)
    stubber.activate()
    return client, stubber


def test_flow_not_enabled_shows_the_advice_naming_the_setting(
    qtbot: QtBot, app_state: AppState, tab: CognitoTab
) -> None:
    """moto does not enforce ExplicitAuthFlows: Cognito's answer comes from botocore's Stubber."""
    client, stubber = stubbed_auth(
        [
            (
                "error",
                {
                    "service_error_code": "InvalidParameterException",
                    "service_message": "USER_PASSWORD_AUTH flow not enabled for this client",
                    "http_status_code": 400,
                },
            )
        ]
    )

    def make_auth(pool: CognitoPool, log: ExchangeLog) -> CognitoAuth:
        return CognitoAuth(pool, log, client=client)

    tab.make_auth = make_auth
    tab.set_pool(CognitoPool(user_pool_id="us-east-1_Stubbed", client_id="stubbed-client"))
    tab.sign_in.username_edit.setText("alice")
    tab.sign_in.password_edit.setText("a password")
    tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    stubber.assert_no_pending_responses()
    assert tab.error_banner.isVisibleTo(tab)
    text = tab.error_banner.text()
    assert text.startswith("Cognito refused\nInvalidParameterException (HTTP 400)")
    assert (
        "What to do: The app client does not allow USER_PASSWORD_AUTH: enable "
        "ALLOW_USER_PASSWORD_AUTH in its ExplicitAuthFlows"
    ) in text
    assert tab.step_label.text() == "Failed." and app_state.tokens is None
    # The error is about the pool, not the provider bar's choice: another provider keeps it.
    app_state.set_provider(Provider(client=ClientConfig("other"), issuer="https://other.test"))
    assert tab.error_banner.isVisibleTo(tab) and tab.step_label.text() == "Failed."


def test_unanswerable_challenge_is_shown_plainly(
    qtbot: QtBot, app_state: AppState, tab: CognitoTab
) -> None:
    """A CUSTOM_CHALLENGE (a Lambda-defined challenge) through the Stubber: moto has none."""
    client, stubber = stubbed_auth(
        [
            (
                "ok",
                {
                    "ChallengeName": "CUSTOM_CHALLENGE",
                    "Session": "s" * 20,
                    "ChallengeParameters": {},
                },
            )
        ]
    )
    tab.make_auth = lambda pool, log: CognitoAuth(pool, log, client=client)
    tab.set_pool(CognitoPool(user_pool_id="us-east-1_Stubbed", client_id="stubbed-client"))
    tab.sign_in.username_edit.setText("alice")
    tab.sign_in.password_edit.setText("a password")
    dialog = open_challenge(qtbot, tab, tab.start)
    stubber.assert_no_pending_responses()
    assert dialog.ok_button is None and dialog.cancel_button.text() == "Close"
    assert "does not answer" in dialog.prompt_label.text()
    assert tab.step_label.text().startswith("Stopped: Cognito asks for CUSTOM_CHALLENGE")
    dialog.cancel_button.click()
    assert tab.challenge_dialog is None and app_state.tokens is None and tab.run_button.isEnabled()


# -- token actions -----------------------------------------------------------------------------
def signed_in(qtbot: QtBot, tab: CognitoTab, moto: MotoPool) -> TokenSet:
    fill(tab, moto, PASSWORD)
    with qtbot.waitSignal(tab.state.sig_tokens_changed, timeout=TIMEOUT_MS) as got:
        tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    tokens = got.args[0]
    assert isinstance(tokens, TokenSet)
    return tokens


def test_refresh_keeps_the_refresh_token_and_get_user_shows_attributes(
    qtbot: QtBot, app_state: AppState, tab: CognitoTab, make_pool: Callable[..., MotoPool]
) -> None:
    moto = make_pool(confirmed=True)
    first = signed_in(qtbot, tab, moto)
    assert (
        tab.token_panel.refresh_button.isEnabled() and tab.token_panel.get_user_button.isEnabled()
    )
    with qtbot.waitSignal(app_state.sig_tokens_changed, timeout=TIMEOUT_MS) as got:
        tab.token_panel.refresh_button.click()
    tokens, context = got.args
    assert context.origin == "cognito" and context.rotation == "not_returned"
    assert tokens.refresh_token == first.refresh_token  # the one in use stays
    assert context.refreshed_from == first.refresh_token  # the Refresh tab follows this face too
    assert tokens.access_token and tokens.access_token != first.access_token
    assert (
        "no refresh token returned: keep using the previous one"
        in tab.token_panel.result_label.text()
    )
    assert NOT_ROTATED in tab.token_panel.result_label.text()
    assert "REFRESH_TOKEN_AUTH" in "".join(purposes(app_state.log))

    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    tab.token_panel.get_user_button.click()
    qtbot.waitUntil(lambda: tab.token_panel.attributes_table.isVisibleTo(tab), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    assert "GetUser: alice" in tab.token_panel.result_label.text()
    table = tab.token_panel.attributes_table
    names = [item.text() for r in range(table.rowCount()) if (item := table.item(r, 0))]
    assert "sub" in names


def test_global_sign_out_then_the_inspector_shows_valid_locally_and_revoked_by_cognito(
    qtbot: QtBot, make_pool: Callable[..., MotoPool]
) -> None:
    moto = make_pool(confirmed=True)
    window = MainWindow(AppState(), remember=False)  # closing it closes its state
    qtbot.addWidget(window)
    tab = window.flow_tabs["cognito"]
    assert (
        isinstance(tab, CognitoTab) and window.tabs.tabText(window.tabs.indexOf(tab)) == "Cognito"
    )
    window.select_tab("cognito")
    tokens = signed_in(qtbot, tab, moto)
    inspector = window.inspector
    with qtbot.waitSignal(
        inspector.sig_action_finished,
        timeout=TIMEOUT_MS,
        check_params_cb=lambda name: name == "reality",
    ):
        tab.token_panel.sign_out_button.click()
    assert "GlobalSignOut" in tab.token_panel.result_label.text()
    reality = inspector.reality
    assert reality.isVisibleTo(inspector)
    assert reality.check is not None and reality.check.local.decoded.raw == tokens.access_token
    assert reality.local_text().startswith("Local check: signature valid, expires in")
    assert reality.server_text() == "Server: inactive (Cognito GetUser)"
    assert reality.server.detail.text().startswith(
        "Cognito GetUser: revoked (GetUser: NotAuthorizedException"
    )
    assert reality.sign.text() == "≠"
    assert "Only the server knows it was revoked." in reality.explanation_text()
    signed_out = [e for e in window.state.history.entries() if e.holds(tokens.access_token or "")]
    assert [(e.flow, e.status) for e in signed_out] == [("cognito", "logged out")]  # the history
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)


# -- pool insight ------------------------------------------------------------------------------
def test_insight_lists_the_flows_and_flags_user_password_auth(
    qtbot: QtBot, tab: CognitoTab, make_pool: Callable[..., MotoPool]
) -> None:
    moto = make_pool(flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    tab.set_pool(moto.describe())
    insight = tab.insight
    assert not insight.content.isVisibleTo(tab)
    insight.toggle.click()
    assert insight.content.isVisibleTo(tab) and insight.is_expanded()
    assert insight.problems_title.text() == (
        "Describe the client to check what would make USER_PASSWORD_AUTH fail."
    )
    insight.describe_button.click()
    qtbot.waitUntil(lambda: insight.info is not None and not tab.busy, timeout=TIMEOUT_MS)
    flows = insight.values["ExplicitAuthFlows"]
    assert flows.text() == "ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH"
    assert insight.values["ClientSecret"].text().startswith("yes")
    assert insight.values["EnableTokenRevocation"].text().startswith("on")
    (problem,) = insight.problems
    assert problem.severity == "error" and problem.setting == "ExplicitAuthFlows"
    assert "needs ALLOW_USER_PASSWORD_AUTH" in worded(problem.advice)
    assert flows.property("severity") == "error"
    assert insight.problems_title.text() == "USER_PASSWORD_AUTH: 1 problem — it will fail"
    (frame,) = insight.problem_frames
    assert frame.property("severity") == "error"
    assert frame.accessibleName() == "ERROR · ExplicitAuthFlows"

    tab.sign_in.flow_combo.setCurrentIndex(tab.sign_in.flow_combo.findData("USER_SRP_AUTH"))
    assert insight.check_flow == "USER_SRP_AUTH" and insight.problems == []
    assert flows.property("severity") == ""
    assert insight.problems_title.text().startswith("USER_SRP_AUTH: no problem found")
    insight.set_check_flow("client_credentials")
    assert {p.setting for p in insight.problems} >= {"Domain", "AllowedOAuthFlows"}
    # Another app client: what was read about this one is forgotten.
    tab.pool_form.client_id_edit.setText("another-client")
    assert insight.info is None and insight.problems == []


def test_create_resource_server_through_the_confirmation(
    qtbot: QtBot, tab: CognitoTab, make_pool: Callable[..., MotoPool]
) -> None:
    moto = make_pool()
    tab.set_pool(moto.describe())
    insight = tab.insight
    insight.toggle.click()

    def ask(scopes: str) -> QMessageBox:
        insight.create_button.click()
        dialog = insight.create_dialog
        assert dialog is not None and dialog.isVisible()
        assert not dialog.plan_button.isEnabled()
        dialog.identifier_edit.setText("https://api.example.com")
        dialog.name_edit.setText("Example API")
        dialog.scopes_edit.setPlainText(scopes)
        assert dialog.plan_button.isEnabled()
        dialog.plan_button.click()
        qtbot.waitUntil(lambda: insight.confirm_box is not None, timeout=TIMEOUT_MS)
        box = insight.confirm_box
        assert box is not None and box.isVisible() and not tab.busy
        return box

    box = ask("read = Read the API\nwrite")
    text = box.text()
    assert "create the resource server &#x27;https://api.example.com&#x27;" in text
    assert "with the scopes read, write" in text
    assert "AllowedOAuthScopes += https://api.example.com/read, https://api.example.com/write" in (
        text
    )
    assert box.informativeText() == "Nothing has changed yet."
    cancel = box.findChild(QPushButton, "cognitoConfirmCancel")
    assert cancel is not None
    cancel.click()
    qtbot.waitUntil(lambda: insight.confirm_box is None)
    listed = moto.admin.list_resource_servers(UserPoolId=moto.pool_id, MaxResults=10)
    assert listed["ResourceServers"] == []  # cancelled: nothing changed

    box = ask("read = Read the API\nwrite")
    apply = box.findChild(QPushButton, "cognitoConfirmApply")
    assert apply is not None
    apply.click()
    qtbot.waitUntil(lambda: insight.servers is not None and not tab.busy, timeout=TIMEOUT_MS)
    assert insight.server_scopes() == [
        "https://api.example.com/read",
        "https://api.example.com/write",
    ]
    assert insight.info is not None
    assert insight.info.allowed_oauth_scopes == (
        "https://api.example.com/read",
        "https://api.example.com/write",
    )
    top = insight.servers_tree.topLevelItem(0)
    assert top is not None and top.text(0) == "https://api.example.com"
    child = top.child(0)
    assert top.text(1) == "Example API" and child is not None
    assert child.text(1) == "Read the API"


# -- the pool fields ---------------------------------------------------------------------------
def test_saved_pool_keeps_its_secret_in_the_keyring_and_derived_values_show(
    qtbot: QtBot, tab: CognitoTab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab.pool_form.pool_id_edit.setText("eu-west-1_AbC123")
    assert (
        tab.pool_form.issuer_field.text()
        == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
    )
    assert tab.pool_form.jwks_field.text().endswith("/eu-west-1_AbC123/.well-known/jwks.json")
    assert tab.hosted.hosted_none.isVisibleTo(tab) and not tab.hosted.hosted_button.isEnabled()
    tab.pool_form.region_edit.setText("us-east-1")
    assert (
        tab.pool_form.pool_problem.isVisibleTo(tab)
        and "lives in eu-west-1" in tab.pool_form.pool_problem.text()
    )
    assert (
        "the Region" in tab.pool_form.pool_problem.text()
        and "--region" not in tab.pool_form.pool_problem.text()
    )
    tab.pool_form.region_edit.clear()
    tab.pool_form.client_id_edit.setText("app-client")
    tab.pool_form.secret_edit.setText("s3cret-value")
    tab.hosted.domain_edit.setText("myapp")
    hosted = tab.hosted.hosted_field.text().splitlines()
    assert hosted[0] == "https://myapp.auth.eu-west-1.amazoncognito.com/oauth2/authorize"
    assert tab.hosted.hosted_button.isEnabled()
    tab.pool_form.name_edit.setText("Work pool")
    tab.pool_form.save_button.click()
    assert tab.pool_form.saved_combo.currentText() == "Work pool"
    files = "".join(p.read_text("utf-8") for p in tmp_path.rglob("*.json"))
    assert "Work pool" in files and "s3cret-value" not in files
    assert tab.store.get("Work pool").client_secret == "s3cret-value"

    tab.hosted.scope_edit.setText("https://api.example.com/read")
    tab.hosted.hosted_button.click()
    provider = tab.state.provider
    assert provider is not None and provider.scope == "https://api.example.com/read"
    assert provider.endpoints["token_endpoint"] == (
        "https://myapp.auth.eu-west-1.amazoncognito.com/oauth2/token"
    )
    assert provider.client.client_secret == "s3cret-value"

    for edit in (
        tab.pool_form.pool_id_edit,
        tab.pool_form.client_id_edit,
        tab.pool_form.secret_edit,
        tab.hosted.domain_edit,
    ):
        edit.clear()
    tab.pool_form.saved_combo.setCurrentIndex(tab.pool_form.saved_combo.findData("Work pool"))
    tab.pool_form.saved_combo.activated.emit(tab.pool_form.saved_combo.currentIndex())
    assert tab.pool() == tab.store.get("Work pool")
    assert tab.pool_form.secret_edit.text() == "s3cret-value"
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    tab.pool_form.delete_button.click()
    assert tab.pool_form.saved_combo.findData("Work pool") == -1 and tab.store.load_all() == {}


def test_challenge_dialog_asks_each_kind_of_question(qtbot: QtBot) -> None:
    """Required attributes with a new password; an MFA type pick; an SMS code (no server)."""
    from workbench.core.cognito.auth import Challenge, Question

    new_password = Challenge(
        "NEW_PASSWORD_REQUIRED",
        "session",
        {},
        (
            Question("new_password", "New password", True),
            Question("userAttributes.email", "Value of the required attribute email"),
        ),
        "Cognito requires a new password for alice.",
        "alice",
        "USER_PASSWORD_AUTH",
    )
    dialog = CognitoChallengeDialog(new_password)
    qtbot.addWidget(dialog)
    email, password = dialog.field("userAttributes.email"), dialog.field("new_password")
    again = dialog.confirm_field("new_password")
    assert isinstance(email, QLineEdit) and isinstance(password, QLineEdit) and again is not None
    assert email.objectName() == "cognitoChallenge_userAttributes_email"
    password.setText(" spaced pw ")
    again.setText(" spaced pw ")
    assert dialog.ok_button is not None and not dialog.ok_button.isEnabled()
    email.setText(" alice@example.com ")
    assert dialog.ok_button.isEnabled()
    assert dialog.answers() == {
        "new_password": " spaced pw ",  # a password is sent exactly as typed
        "userAttributes.email": "alice@example.com",
    }

    pick = Challenge(
        "SELECT_MFA_TYPE",
        "session",
        {},
        (Question("mfa_type", "MFA type", choices=("SMS_MFA", "SOFTWARE_TOKEN_MFA")),),
        "Choose how alice proves the second factor (SELECT_MFA_TYPE).",
        "alice",
        "USER_PASSWORD_AUTH",
    )
    dialog = CognitoChallengeDialog(pick)
    qtbot.addWidget(dialog)
    combo = dialog.field("mfa_type")
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    combo.setCurrentIndex(1)
    assert dialog.ok_button is not None and dialog.ok_button.isEnabled()
    assert dialog.answers() == {"mfa_type": "SOFTWARE_TOKEN_MFA"}
    assert dialog.qr_view is None and dialog.show_password is None


def test_the_inspectors_refresh_and_revoke_go_through_the_api_door(
    qtbot: QtBot, make_pool: Callable[..., MotoPool]
) -> None:
    """A pool without a domain has no token endpoint: the inspector's Refresh becomes
    REFRESH_TOKEN_AUTH, and revoking an access token says what Cognito offers instead."""
    moto = make_pool(confirmed=True)
    window = MainWindow(AppState(), remember=False)
    qtbot.addWidget(window)
    tab = window.flow_tabs["cognito"]
    assert isinstance(tab, CognitoTab)
    window.select_tab("cognito")
    signed_in(qtbot, tab, moto)
    state = window.state
    with qtbot.waitSignal(state.sig_tokens_changed, timeout=TIMEOUT_MS) as refreshed:
        window.inspector.refresh()
    tokens, context = refreshed.args
    assert context.origin == "refresh_token" and tokens.access_token
    assert "cognito-idp InitiateAuth (REFRESH_TOKEN_AUTH)" in purposes(state.log)
    qtbot.waitUntil(lambda: not window.inspector.busy, timeout=TIMEOUT_MS)
    session = state.require_session()
    with pytest.raises(ConfigError, match="Cognito revokes refresh tokens"):
        session.revoke(tokens.access_token or "", "access_token")
    claims = session.userinfo(tokens.access_token or "")  # GetUser, not /oauth2/userInfo
    assert claims["sub"] and claims["username"] == moto.username


def test_no_shared_form_is_built_and_tab_walks_the_sections_in_order(tab: CognitoTab) -> None:
    """``FlowTab.shared_form = False``: the base builds no scope or extra-parameter rows (none
    are torn out afterwards); the hosted door's scope is the hosted panel's own field, and Tab
    moves through the sections' fields in the order they appear."""
    assert tab.findChild(QWidget, "cognito_scope") is None
    assert tab.findChild(QWidget, "cognitoExtraParams") is None
    assert not hasattr(tab, "extra_params")
    assert tab.findChild(QLineEdit, "cognito_hostedScope") is tab.hosted.scope_edit
    expected = [
        "cognito_savedPools",
        "cognitoSavePool",
        "cognitoDeletePool",
        "cognito_name",
        "cognito_userPoolId",
        "cognito_region",
        "cognito_clientId",
        "cognito_clientSecret",
        "cognito_accessToggle",
        "cognito_awsProfile",
        "cognito_endpointUrl",
        "cognito_verifyTls",
        "cognito_flow",
        "cognito_username",
        "cognito_password",
        "cognitoRefresh",
        "cognitoGetUser",
        "cognitoRevoke",
        "cognitoGlobalSignOut",
        "cognitoRealityCheck",
        "cognito_domain",
        "cognito_hostedScope",
        "cognitoUseHosted",
        "cognitoInsightToggle",
    ]
    walked: list[str] = []
    widget: QWidget = tab.pool_form.saved_combo
    for _ in range(4 * len(expected)):
        if widget.objectName() in expected and widget.objectName() not in walked:
            walked.append(widget.objectName())
        widget = widget.nextInFocusChain()
    assert walked == expected


def test_the_pool_session_is_made_with_its_door(
    qtbot: QtBot, app_state: AppState, tab: CognitoTab, make_pool: Callable[..., MotoPool]
) -> None:
    """The tab opens the pool's session with its API door at construction (nothing sets it
    afterwards), and signing in again as the same user keeps that session."""
    moto = make_pool(confirmed=True)
    signed_in(qtbot, tab, moto)
    session = app_state.require_session()
    door = session.door
    assert isinstance(door, CognitoTokenActions)
    assert door.username == moto.username and door.pool == moto.describe(name="Moto pool")
    with pytest.raises(AttributeError):
        session.door = None  # type: ignore[misc]
    signed_in(qtbot, tab, moto)
    assert app_state.require_session() is session and session.door is door
