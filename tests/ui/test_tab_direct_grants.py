"""ClientCredentialsTab and PasswordTab against the demo server's token endpoint."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from workbench.core.oauth.rfc6749_grants import PASSWORD_WARNING, client_credentials_scope
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.transport.exchange import Exchange
from workbench.demo.clients import api_urls
from workbench.ui.flows.client_credentials import ClientCredentialsTab
from workbench.ui.flows.password import PasswordTab
from workbench.ui.state import AppState

TOKEN_TIMEOUT_MS = 5000


def _last_token_request(state: AppState, grant: str) -> Exchange:
    found = [e for e in state.log.items() if e.purpose == f"token ({grant})"]
    assert found, f"no {grant} token request in the log"
    return found[-1]


def test_client_credentials_sends_what_it_shows(qtbot: QtBot, state: AppState) -> None:
    tab = ClientCredentialsTab(state)
    qtbot.addWidget(tab)
    # The provider asks for "openid profile email offline_access api:read"; a client has no
    # user, so the tab shows the default the command line sends too (defined once in core).
    assert state.provider is not None and "openid" in state.provider.scope
    assert tab.scope_edit.text() == client_credentials_scope(state.provider.scope) == "api:read"
    assert "workbench-confidential uses client_secret_basic" in tab.auth_note.text()
    tab.audience_edit.setText("https://api.example.test")
    # A resource the demo server serves (RFC 8707: it refuses others with invalid_target).
    resource = api_urls(state.provider.issuer)["local"]
    tab.resource_edit.setText(resource)

    with qtbot.waitSignal(state.sig_tokens_changed, timeout=TOKEN_TIMEOUT_MS) as got:
        tab.start()
    tokens, context = got.args
    assert isinstance(tokens, TokenSet)
    qtbot.waitUntil(lambda: not tab.busy)
    assert context.origin == "client_credentials" and context.nonce is None
    assert state.tokens is tokens and tokens.access_token and not tokens.refresh_token
    sent = _last_token_request(state, "client_credentials")
    assert sent.request_form == {
        "grant_type": "client_credentials",
        "scope": "api:read",
        "audience": "https://api.example.test",
        "resource": resource,
    }
    assert sent.request_headers["Authorization"].startswith("Basic ")
    assert tab.step_label.text() == "Done: the tokens are in the inspector."


def test_a_provider_extra_removed_from_the_table_is_not_sent(qtbot: QtBot, state: AppState) -> None:
    assert state.provider is not None
    state.set_provider(replace(state.provider, extra={"tenant": "blue"}))
    tab = ClientCredentialsTab(state)
    qtbot.addWidget(tab)
    assert tab.extra_params.params() == {"tenant": "blue"}
    with qtbot.waitSignal(state.sig_tokens_changed, timeout=TOKEN_TIMEOUT_MS):
        tab.start()
    qtbot.waitUntil(lambda: not tab.busy)
    form = _last_token_request(state, "client_credentials").request_form
    assert form is not None and form["tenant"] == "blue"

    tab.extra_params.set_params({"prompt_hint": "x"})
    with qtbot.waitSignal(state.sig_tokens_changed, timeout=TOKEN_TIMEOUT_MS):
        tab.start()
    qtbot.waitUntil(lambda: not tab.busy)
    form = _last_token_request(state, "client_credentials").request_form
    assert form is not None and "tenant" not in form and form["prompt_hint"] == "x"


def test_password_grant_delivers_tokens(qtbot: QtBot, state: AppState) -> None:
    tab = PasswordTab(state)
    qtbot.addWidget(tab)
    assert tab.legacy_banner.isVisibleTo(tab)
    assert PASSWORD_WARNING in tab.legacy_banner.text()
    assert tab.password_edit.echoMode() == QLineEdit.EchoMode.Password
    tab.show_password.setChecked(True)
    assert tab.password_edit.echoMode() == QLineEdit.EchoMode.Normal
    tab.username_edit.setText("alice")
    tab.password_edit.setText("alice-password")

    with qtbot.waitSignal(state.sig_tokens_changed, timeout=TOKEN_TIMEOUT_MS) as got:
        tab.start()
    tokens, context = got.args
    assert isinstance(tokens, TokenSet)
    qtbot.waitUntil(lambda: not tab.busy)
    assert context.origin == "password"
    assert state.tokens is tokens
    assert tokens.access_token and tokens.id_token and tokens.refresh_token
    form = _last_token_request(state, "password").request_form
    assert form is not None and form["username"] == "alice"
    assert form["password"] != "alice-password"  # masked in the log


def test_wrong_password_shows_invalid_grant(qtbot: QtBot, state: AppState) -> None:
    tab = PasswordTab(state)
    qtbot.addWidget(tab)
    tab.username_edit.setText("alice")
    tab.password_edit.setText("not-her-password")
    with qtbot.assertNotEmitted(state.sig_tokens_changed, wait=0):
        tab.start()
        qtbot.waitUntil(lambda: not tab.busy, timeout=TOKEN_TIMEOUT_MS)
    assert tab.error_banner.isVisibleTo(tab)
    text = tab.error_banner.text()
    assert text.startswith("The server refused") and "invalid_grant (HTTP 400)" in text
    assert tab.step_label.text() == "Failed."
    assert state.tokens is None and tab.run_button.isEnabled()


def test_a_password_the_server_echoes_is_masked_in_the_banner(qtbot: QtBot) -> None:
    """A hostile server (a real socket) puts the password it received in its error."""
    from tests.peers import canned_server
    from workbench.core.model import Provider
    from workbench.core.oauth.client_auth import ClientConfig

    password = "hunter2-correct-horse"
    with canned_server() as server:
        server.json(
            "/token",
            {
                "error": "invalid_grant",
                "error_description": f"password {password} is wrong for alice",
                "error_uri": "javascript:alert(1)",
            },
            status=400,
        )
        hostile = AppState()
        endpoints = {"token_endpoint": server.url + "/token"}
        client = ClientConfig("app", "app-client-secret-77")
        hostile.set_provider(Provider(client=client, endpoints=endpoints, name="hostile"))
        tab = PasswordTab(hostile)
        qtbot.addWidget(tab)
        tab.username_edit.setText("alice")
        tab.password_edit.setText(password)
        tab.start()
        qtbot.waitUntil(lambda: not tab.busy, timeout=TOKEN_TIMEOUT_MS)
        hostile.close()
    text = tab.error_banner.text()
    assert "invalid_grant" in text and "password •••••• is wrong for alice" in text
    assert password not in text
    assert "<a " not in tab.error_banner._label.text()  # a javascript: error_uri is no link
