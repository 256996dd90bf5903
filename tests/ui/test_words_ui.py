"""The app's words: the invalid_client hint in a tab's banner (against the demo server), the
inspector's chips and its live exp reason."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtWidgets import QFormLayout, QLabel
from pytestqt.qtbot import QtBot

from workbench.core.errors import OAUTH_ADVICE
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.tokens.claims import format_local
from workbench.core.tokens.decode import decode_jwt
from workbench.demo import CONFIDENTIAL_CLIENT_ID, DemoServer
from workbench.ui import metrics
from workbench.ui.flows.client_credentials import ClientCredentialsTab
from workbench.ui.inspector import TokenInspector
from workbench.ui.main_window import MainWindow
from workbench.ui.state import AppState

WAIT_MS = 5000


def test_a_wrong_client_secret_shows_what_to_do(qtbot: QtBot, state: AppState) -> None:
    assert state.provider is not None
    wrong = ClientConfig(CONFIDENTIAL_CLIENT_ID, "not-the-demo-secret")
    state.set_provider(replace(state.provider, client=wrong))
    tab = ClientCredentialsTab(state)
    qtbot.addWidget(tab)
    tab.show()
    tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=WAIT_MS)
    banner = tab.error_banner
    assert banner.isVisible()
    text = banner._label.text()
    assert "<b>invalid_client</b> (HTTP 401)" in text
    assert "<b>What to do:</b> " + OAUTH_ADVICE["invalid_client"].replace("'", "&#x27;") in text
    assert "not-the-demo-secret" not in text


# -- the inspector's words -------------------------------------------------------------------


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _token(claims: dict[str, object], typ: str = "JWT") -> str:
    """A JWT as another system would make it; no provider is chosen, so only the local
    checks (exp among them) run and the signature stays unchecked."""
    return f"{_b64({'alg': 'RS256', 'typ': typ})}.{_b64(claims)}.c2ln"


@pytest.fixture
def bare_inspector(qtbot: QtBot) -> Iterator[TokenInspector]:
    bare = AppState()
    widget = TokenInspector(bare)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    bare.close()


def _chips(inspector: TokenInspector) -> list[str]:
    return [chip.text() for chip in inspector.chips if chip.isVisibleTo(inspector)]


def test_an_id_token_shows_one_jwt_chip(
    qtbot: QtBot, state: AppState, bare_inspector: TokenInspector
) -> None:
    tokens = state.require_session().password("alice", "alice-password", "openid profile")
    assert tokens.id_token is not None and tokens.access_token is not None
    assert decode_jwt(tokens.id_token).header.get("typ") == "JWT"
    bare_inspector.show_token(tokens.id_token)
    assert _chips(bare_inspector) == ["JWT", "RS256"]
    bare_inspector.show_token(tokens.access_token)  # RFC 9068: typ at+jwt says more: kept
    assert _chips(bare_inspector) == ["JWT", "RS256", "at+jwt"]


def test_an_already_expired_token_keeps_counting(
    qtbot: QtBot, bare_inspector: TokenInspector
) -> None:
    exp = int(time.time()) - 118
    bare_inspector.show_token(_token({"sub": "x", "exp": exp}))
    assert bare_inspector.countdown.is_expired()
    assert bare_inspector.findings.outcome("exp") == "fail"
    first = bare_inspector.findings.reason("exp")
    assert re.match(r"expired (1 min 5\d s|2 min( \d+ s)?) ago \(", first), first
    assert "countdown" not in first and "since the check" not in first
    assert "valid when checked" not in first
    qtbot.waitUntil(lambda: bare_inspector.findings.reason("exp") != first, timeout=3000)
    later = bare_inspector.findings.reason("exp")
    assert later.startswith("expired ") and later.endswith(f"({format_local(exp)})")
    assert bare_inspector.verdict.property("outcome") == "fail"


def test_a_token_expiring_on_screen_says_so_and_keeps_counting(
    qtbot: QtBot, bare_inspector: TokenInspector
) -> None:
    exp = time.time() + 1.2
    bare_inspector.show_token(_token({"sub": "x", "exp": int(exp) + 1}))
    assert bare_inspector.findings.outcome("exp") == "pass"
    qtbot.waitUntil(bare_inspector.countdown.is_expired, timeout=5000)
    assert bare_inspector.findings.outcome("exp") == "fail"
    assert bare_inspector.findings.reason("exp").endswith("; it was still valid when checked")
    ago = re.compile(r"expired \d+ s ago \(")
    qtbot.waitUntil(lambda: bool(ago.match(bare_inspector.findings.reason("exp"))), timeout=4000)
    first = bare_inspector.findings.reason("exp")
    qtbot.waitUntil(lambda: bare_inspector.findings.reason("exp") != first, timeout=4000)
    later = bare_inspector.findings.reason("exp")
    assert ago.match(later) and later.endswith("; it was still valid when checked")


# -- one label style -------------------------------------------------------------------------


def test_every_tab_has_one_label_style(qtbot: QtBot, demo: DemoServer) -> None:
    """No colons; the fields of every tab's forms start at one x (a Cognito group box insets
    its form by its frame, a few pixels)."""
    window = MainWindow(remember=False)
    qtbot.addWidget(window)
    window.set_demo_issuer(demo.issuer)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    starts: dict[str, set[int]] = {}
    labels: list[str] = []
    for key, tab in window.flow_tabs.items():
        window.select_tab(key)
        for form in tab.findChildren(QFormLayout):
            for row in range(form.rowCount()):
                label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                if label is not None and isinstance(label.widget(), QLabel):
                    labels.append(label.widget().text())
                field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
                widget = field.widget() if field is not None else None
                if widget is not None and widget.isVisible():
                    x = widget.mapTo(tab, widget.rect().topLeft()).x()
                    starts.setdefault(key, set()).add(x)
    assert labels and not [text for text in labels if text.rstrip().endswith(":")]
    assert set(starts) == set(window.flow_tabs)
    print({key: sorted(xs) for key, xs in starts.items()})
    every = set().union(*starts.values())
    assert max(every) - min(every) <= 2 * metrics.SPACING
