"""ImplicitTab against the demo server: the tokens travel back in the URL fragment.

The scripted browser does what the listener's page script does in a real browser: it loads the
page at the redirect URI, then posts the fragment back to the listener.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from pytestqt.qtbot import QtBot

from tests.peers import canned_server, serve_oidc_configuration
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.rfc6749_implicit import LEGACY_WARNING
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.tokens.decode import decode_jwt
from workbench.demo import DemoServer
from workbench.ui.flows.implicit import ImplicitTab
from workbench.ui.state import AppState

from .conftest import demo_provider
from .test_tab_auth_code import ScriptedBrowser

SIGN_IN_TIMEOUT_MS = 10_000


@pytest.fixture
def fragment_browser() -> Iterator[ScriptedBrowser]:
    scripted = ScriptedBrowser(fragment=True)
    yield scripted
    scripted.join()


@pytest.fixture
def public_state(state: AppState, demo: DemoServer) -> AppState:
    state.set_provider(demo_provider(demo.issuer, public=True, scope="openid profile"))
    return state


def test_id_token_token_delivers_access_and_id_token(
    qtbot: QtBot, public_state: AppState, fragment_browser: ScriptedBrowser
) -> None:
    tab = ImplicitTab(public_state, open_url=fragment_browser.open)
    qtbot.addWidget(tab)
    assert tab.legacy_banner.isVisibleTo(tab) and LEGACY_WARNING in tab.legacy_banner.text()
    tab.response_combo.setCurrentText("id_token token")
    steps: list[str] = []
    tab.sig_step.connect(steps.append)

    with qtbot.waitSignal(public_state.sig_tokens_changed, timeout=SIGN_IN_TIMEOUT_MS) as got:
        tab.start()
    tokens, context = got.args
    assert isinstance(tokens, TokenSet)
    qtbot.waitUntil(lambda: not tab.busy)
    fragment_browser.join()
    assert not fragment_browser.errors

    assert context.origin == "implicit"
    assert public_state.tokens is tokens
    assert tokens.access_token and tokens.id_token and not tokens.refresh_token
    query = parse_qs(urlsplit(tab.url_field.text()).query)
    assert query["response_type"] == ["id_token token"]
    assert "code_challenge" not in query
    assert context.nonce == tab.nonce_field.text() == query["nonce"][0]
    assert decode_jwt(tokens.id_token).claims["nonce"] == context.nonce
    # No PKCE for the implicit grant: those rows are not shown.
    assert not tab.verifier_field.isVisibleTo(tab)
    assert not tab.challenge_field.isVisibleTo(tab)
    assert tab.url_field.isVisibleTo(tab) and tab.state_field.isVisibleTo(tab)
    assert "Checking the tokens from the redirect fragment…" in steps


def test_token_only(
    qtbot: QtBot, public_state: AppState, fragment_browser: ScriptedBrowser
) -> None:
    tab = ImplicitTab(public_state, open_url=fragment_browser.open)
    qtbot.addWidget(tab)
    assert tab.response_type() is None  # automatic: the demo server lists token
    with qtbot.waitSignal(public_state.sig_tokens_changed, timeout=SIGN_IN_TIMEOUT_MS) as got:
        tab.start()
    tokens, context = got.args
    assert isinstance(tokens, TokenSet)
    qtbot.waitUntil(lambda: not tab.busy)
    assert context.origin == "implicit"
    assert tokens.access_token and not tokens.id_token and not tokens.refresh_token
    assert parse_qs(urlsplit(tab.url_field.text()).query)["response_type"] == ["token"]
    assert tab.response_combo.currentText() == "automatic (token)"
    public_state.set_provider(public_state.provider)  # another provider: it chooses afresh
    assert tab.response_combo.currentText() == "automatic"


def test_cancel_while_waiting(qtbot: QtBot, public_state: AppState) -> None:
    tab = ImplicitTab(public_state, open_url=ScriptedBrowser(sign_in=False).open)
    qtbot.addWidget(tab)
    tab.start()
    qtbot.waitUntil(lambda: tab.step_label.text().startswith("Waiting"), timeout=5000)
    tab.cancel()
    qtbot.waitUntil(lambda: not tab.busy, timeout=2000)
    assert tab.step_label.text() == "Cancelled."
    assert public_state.tokens is None


@pytest.fixture
def oidc_only() -> Iterator[str]:
    """A provider (a real socket) that lists ``id_token token`` but not ``token``, as npm
    oidc-provider does; the full flow against that provider itself is in tests/interop/."""
    with canned_server() as server:
        serve_oidc_configuration(server)
        yield server.url


def test_automatic_picks_id_token_token_when_token_is_not_offered(
    qtbot: QtBot, state: AppState, oidc_only: str
) -> None:
    state.set_provider(Provider(client=ClientConfig("app", None, "none"), issuer=oidc_only))
    tab = ImplicitTab(state, open_url=ScriptedBrowser(sign_in=False).open)
    qtbot.addWidget(tab)
    tab.browser_check.setChecked(False)
    tab.start()
    qtbot.waitUntil(lambda: tab.pending is not None, timeout=5000)
    query = parse_qs(urlsplit(tab.url_field.text()).query)
    assert query["response_type"] == ["id_token token"]
    assert query["scope"][0].split()[0] == "openid" and query["nonce"]
    assert tab.response_combo.currentText() == "automatic (id_token token)"
    tab.cancel()
    qtbot.waitUntil(lambda: not tab.busy, timeout=2000)


def test_a_type_the_server_does_not_offer_is_refused_before_the_browser(
    qtbot: QtBot, state: AppState, oidc_only: str
) -> None:
    state.set_provider(Provider(client=ClientConfig("app", None, "none"), issuer=oidc_only))
    opened: list[str] = []
    tab = ImplicitTab(state, open_url=lambda url: opened.append(url.toString()) or True)
    qtbot.addWidget(tab)
    tab.response_combo.setCurrentText("token")
    tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=5000)
    assert tab.error_banner.isVisibleTo(tab)
    text = tab.error_banner.text()
    assert "does not offer response_type 'token'" in text and "'id_token token'" in text
    assert opened == [] and tab.pending is None and not tab.url_field.text()
