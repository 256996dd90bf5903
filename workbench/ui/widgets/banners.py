"""Inline messages: the error banner every tab shows, and the legacy-grant warning.

:func:`describe_error` is where every error of the core reaches the screen (flow tabs, the
inspector, dialogs): its text comes from servers and tokens, so each piece is shown through
:func:`~workbench.ui.safe_text.html_text` and only an http(s) ``error_uri`` becomes a link.
Servers echo secrets back in their errors (the client secret in a 500 page, the password in an
``error_description``), so every piece is first masked with the secrets the session knows.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices, QTextDocumentFragment
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from workbench.core.errors import (
    ConfigError,
    FlowError,
    OAuthError,
    TokenError,
    TransportError,
    WorkbenchError,
)
from workbench.core.hints import Endpoint, Fix, Setting, worded
from workbench.core.transport.masking import mask_text
from workbench.ui.safe_text import UrlOpener, html_text, open_web_url, web_link

#: Where in the app each setting is given, for an error that names it (workbench.core.hints).
APP_PLACES: dict[Setting, str] = {
    Setting.ISSUER: "the issuer of the provider profile",
    Setting.JWKS_URI: "the JWKS URI of the provider profile",
    Setting.AUDIENCE: "the audience of the provider profile",
    Setting.CLIENT_ID: "the client ID of the provider profile",
    Setting.REGION: "the Region on the Cognito tab",
    Setting.USER_POOL_ID: "the User pool ID on the Cognito tab",
    Setting.USERNAME: "the Username",
    Setting.AWS_PROFILE: "the AWS profile on the Cognito tab",
    Setting.CLIENT_SECRET: "the client secret of the provider profile",
    Setting.ENDPOINT_URL: "the Endpoint URL on the Cognito tab",
    Setting.REDIRECT_URI: "the Redirect URI of the Authorization Code tab",
    Setting.RESOURCE_SCOPE: "the Scopes of the new resource server",
}


#: Where every endpoint is given in the app.
ENDPOINT_PLACE = "the endpoint fields of the provider profile"


def app_place(setting: Setting | Endpoint, places: Mapping[Setting, str] = APP_PLACES) -> str:
    """Where in the app a setting is given: ``places`` (a tab's own fields), else
    :data:`APP_PLACES`."""
    if isinstance(setting, Endpoint):
        return ENDPOINT_PLACE
    return places.get(setting, APP_PLACES[setting])


def app_fix(fix: Fix, places: Mapping[Setting, str] = APP_PLACES) -> str:
    """`` See the endpoint fields of the provider profile.``: where a fix is given ("" for none).

    ``places`` words each setting; a tab with fields of its own passes its words on top of
    :data:`APP_PLACES`.
    """
    if not fix:
        return ""
    wording = dict.fromkeys(app_place(s, places) for s in fix)
    return f" See {' or '.join(wording)}."


def describe_error(
    exc: BaseException, secrets: Iterable[str] = (), places: Mapping[Setting, str] = APP_PLACES
) -> tuple[str, str]:
    """(title, rich-text body) for an error the core raised on purpose, ``secrets`` masked.

    The settings its message, advice and fix name are worded as the places in the app that
    give them: ``places`` (a tab with fields of its own passes its words), else
    :data:`APP_PLACES`."""
    known = frozenset(secrets)
    word = partial(app_place, places=places)

    def text(value: object) -> str:
        if isinstance(value, WorkbenchError):
            value = worded(value.phrase, word)
        return html_text(mask_text(str(value), known))

    if isinstance(exc, OAuthError):
        status = f" (HTTP {exc.status})" if exc.status else ""
        body = f"<b>{text(exc.error)}</b>{status}"
        if exc.description:
            body += f": {text(exc.description)}"
        if exc.uri:
            body += f"<br>{web_link(mask_text(exc.uri, known))}"
        if exc.advice:  # what to do (invalid_client: check the secret), in the core's words
            body += f"<br><b>What to do:</b> {text(worded(exc.advice, word))}"
        return "The server refused", body
    if isinstance(exc, TransportError):
        return "No usable answer from the server", text(exc)
    if isinstance(exc, FlowError):
        return "The flow stopped", text(exc)
    if isinstance(exc, TokenError):
        return "Not a readable token", text(exc)
    if isinstance(exc, ConfigError):
        return "Missing configuration", text(exc) + html.escape(app_fix(exc.fix, places))
    return "Error", text(exc)


class MessageBanner(QFrame):
    """A dismissible inline message; ``kind`` is ``error``, ``warning`` or ``info`` (for QSS)."""

    def __init__(
        self,
        kind: str = "error",
        parent: QWidget | None = None,
        secrets: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self._secrets = secrets  # the session's known secrets, masked in every error shown
        self.setObjectName(f"{kind}Banner")
        self.setProperty("kind", kind)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._label = QLabel(self)
        self._label.setObjectName(f"{kind}BannerText")
        self._label.setWordWrap(True)
        self._label.setOpenExternalLinks(False)  # links go through _on_link: http(s) only
        self._label.linkActivated.connect(self._on_link)
        self._label.setTextFormat(Qt.TextFormat.RichText)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self._close = QToolButton(self)
        self._close.setObjectName(f"{kind}BannerClose")
        self._close.setAccessibleName("Dismiss message")
        self._close.setText("✕")
        self._close.setAutoRaise(True)
        self._close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._close, 0, Qt.AlignmentFlag.AlignTop)
        self.open_url: UrlOpener = QDesktopServices.openUrl  # tests pass their own
        self.hide()

    def text(self) -> str:
        """The message as plain text (tests, accessibility)."""
        return QTextDocumentFragment.fromHtml(self._label.text()).toPlainText()

    def show_message(self, title: str, body_html: str) -> None:
        """``title`` is plain text; ``body_html`` is rich text whose parts were escaped."""
        self._label.setText(f"<b>{html_text(title)}</b><br>{body_html}")
        self.setAccessibleName(title)
        self.show()

    def show_error(self, exc: BaseException) -> None:
        self.show_message(*describe_error(exc, self._secrets() if self._secrets else ()))

    def _on_link(self, url: str) -> None:
        try:
            open_web_url(url, "link", self.open_url)
        except ConfigError as exc:
            self.show_error(exc)


class LegacyBanner(MessageBanner):
    """The permanent warning on deprecated grants (RFC 9700)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__("warning", parent)
        self._close.hide()
        self.show_message("Legacy grant", html.escape(text))
