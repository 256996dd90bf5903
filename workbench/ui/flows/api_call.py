"""The API tab: call a resource server with a token, the other half of every flow.

Method, URL, headers and body as a person types them; the token from the current tokens, or
the one the inspector sent here ("Call API"). The answer: status and time, the challenge of a
refusal in words (RFC 6750 §3) with the next step it calls for, the headers, the body
pretty-printed. A refusal that names the API's metadata (RFC 9728) leads, one step at a time, to
the authorization server that issues its tokens. Every request lands in the exchange log,
masked, with its curl twin.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
)

from workbench.core.display import printable
from workbench.core.errors import ConfigError
from workbench.core.oauth.api_call import (
    METHODS,
    ApiCall,
    ApiResult,
    build_api_request,
    call_api,
)
from workbench.core.oauth.rfc6750_bearer import NextStep
from workbench.core.oauth.rfc9728_resource import ResourceDiscovery, discover_resource
from workbench.core.transport.http import HttpClient
from workbench.core.transport.masking import mask_text, mask_value
from workbench.ui import metrics
from workbench.ui.flows.base import FlowTab, style_form
from workbench.ui.theme import set_outcome
from workbench.ui.widgets.json_view import JsonView
from workbench.ui.widgets.params_table import ParamsTable

#: What the next-step button says for each step of :class:`NextStep`.
NEXT_STEP_TEXT = {
    NextStep.REFRESH: "Refresh the tokens",
    NextStep.REQUEST_SCOPE: "Ask for a token with that scope",
    NextStep.GET_TOKEN: "Find the API's authorization server",
}
DEMO_PATHS = ("/api/local/me", "/api/introspected/me", "/api/local/items/write")


class ApiTab(FlowTab):
    title = "API"
    key = "api"
    run_label = "Send"
    shared_form = False

    sig_next_step = Signal(str, str)
    """The person asked for the next step (a NextStep value) with its argument: the scope to
    ask for, or the resource to get a token for. The main window routes it to a flow tab."""

    def build_body(self) -> None:
        self._inspector_token: tuple[str, str] | None = None
        self._own_http: HttpClient | None = None
        self._result: ApiResult | None = None
        self._discovery: ResourceDiscovery | None = None
        self.body_layout.addWidget(self._build_request())
        self.body_layout.addWidget(self._build_response())
        self.state.sig_tokens_changed.connect(lambda *_: self._fill_token_choice(new_tokens=True))
        self._fill_token_choice()

    # -- building -------------------------------------------------------------------------
    def _build_request(self) -> QGroupBox:
        box = QGroupBox("Request", self)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.token_choice = QComboBox(box)
        self.token_choice.setObjectName("apiTokenChoice")
        self.token_choice.setAccessibleName("Token to send")
        self.token_choice.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        form.addRow("Token", self.token_choice)
        line = QHBoxLayout()
        self.method = QComboBox(box)
        self.method.setObjectName("apiMethod")
        self.method.setAccessibleName("HTTP method")
        self.method.addItems(list(METHODS[:5]))
        self.url = QLineEdit(box)
        self.url.setObjectName("apiUrl")
        self.url.setAccessibleName("API URL")
        self.url.setPlaceholderText("https://api.example.com/items")
        self.url.returnPressed.connect(self.start)
        self._completer = QCompleter([], self.url)
        self.url.setCompleter(self._completer)
        line.addWidget(self.method)
        line.addWidget(self.url, 1)
        form.addRow("Call", line)
        self.headers = ParamsTable(
            "apiHeaders",
            box,
            name_column="Header",
            accessible_name="Request headers",
            max_rows=metrics.PARAMS_TABLE_MIN_ROWS,
        )
        form.addRow("Headers", self.headers)
        self.body = QPlainTextEdit(box)
        self.body.setObjectName("apiBody")
        self.body.setAccessibleName("Request body")
        self.body.setPlaceholderText("optional: JSON or text, sent as it is")
        self.body.setTabChangesFocus(True)
        self.body.setMaximumHeight(metrics.line_height(self.body, 3))
        form.addRow("Body", self.body)
        style_form(form)
        return box

    def _build_response(self) -> QGroupBox:
        box = QGroupBox("Response", self)
        layout = QVBoxLayout(box)
        self.status = QLabel("Nothing sent yet.", box)
        self.status.setObjectName("apiStatus")
        self.status.setAccessibleName("Response status")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.status.font()
        font.setBold(True)
        self.status.setFont(font)
        layout.addWidget(self.status)
        self.explanation = QLabel("", box)
        self.explanation.setObjectName("apiExplanation")
        self.explanation.setAccessibleName("What the refusal means")
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.explanation)
        steps = QHBoxLayout()
        self.next_button = QPushButton("", box)
        self.next_button.setObjectName("apiNextStep")
        self.next_button.setAccessibleName("Next step after the refusal")
        self.next_button.clicked.connect(self._next_step)
        self.token_button = QPushButton("Get a token for this API", box)
        self.token_button.setObjectName("apiGetToken")
        self.token_button.setAccessibleName("Get a token for this API")
        self.token_button.setToolTip(
            "Open the tab that got the current tokens with the API as the resource (RFC 8707)"
        )
        self.token_button.clicked.connect(self._get_token_for_resource)
        steps.addWidget(self.next_button)
        steps.addWidget(self.token_button)
        steps.addStretch(1)
        layout.addLayout(steps)
        self.discovery = QLabel("", box)
        self.discovery.setObjectName("apiDiscovery")
        self.discovery.setAccessibleName("How the API's authorization server was found")
        self.discovery.setTextFormat(Qt.TextFormat.PlainText)
        self.discovery.setWordWrap(True)
        self.discovery.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.discovery)
        self.response_headers = QPlainTextEdit(box)
        self.response_headers.setObjectName("apiResponseHeaders")
        self.response_headers.setAccessibleName("Response headers")
        self.response_headers.setReadOnly(True)
        self.response_headers.setMaximumHeight(metrics.line_height(self.response_headers, 4))
        layout.addWidget(self.response_headers)
        self.response_body = JsonView("apiResponseBody", "Response body", box)
        self.response_body.setMinimumHeight(metrics.line_height(self.response_body, 6))
        layout.addWidget(self.response_body, 1)
        self._clear_response()
        return box

    # -- the token ------------------------------------------------------------------------
    def use_token(self, token: str, label: str) -> None:
        """Send ``token`` (shown in the inspector as ``label``) with the next call."""
        self._inspector_token = (token, label)
        self._fill_token_choice()
        self.token_choice.setCurrentIndex(self.token_choice.findData("inspector"))
        self.url.setFocus()

    def _fill_token_choice(self, new_tokens: bool = False) -> None:
        """The choices for the tokens there are now; new tokens are chosen when nothing but
        "No token" was (a person who picked another token keeps it)."""
        chosen = self.token_choice.currentData()
        if new_tokens and chosen in (None, "none"):
            chosen = "access"
        self.token_choice.clear()
        tokens = self.state.tokens
        if tokens is not None and tokens.access_token:
            self.token_choice.addItem("Access token (the current tokens)", "access")
        if tokens is not None and tokens.id_token:
            self.token_choice.addItem("ID token (the current tokens)", "id")
        if self._inspector_token is not None:
            self.token_choice.addItem(
                f"From the inspector: {self._inspector_token[1]}", "inspector"
            )
        self.token_choice.addItem("No token", "none")
        index = self.token_choice.findData(chosen)
        self.token_choice.setCurrentIndex(max(index, 0))

    def chosen_token(self) -> str | None:
        choice, tokens = self.token_choice.currentData(), self.state.tokens
        if choice == "access" and tokens is not None:
            return tokens.access_token
        if choice == "id" and tokens is not None:
            return tokens.id_token
        if choice == "inspector" and self._inspector_token is not None:
            return self._inspector_token[0]
        return None

    # -- the provider ---------------------------------------------------------------------
    def apply_provider(self, provider: Any) -> None:
        issuer = self.state.demo_issuer
        suggestions = [issuer.rstrip("/") + path for path in DEMO_PATHS] if issuer else []
        self._completer.model().setStringList(suggestions)  # type: ignore[attr-defined]
        if not self.url.text() and suggestions:
            self.url.setPlaceholderText(f"{suggestions[0]} (a demo API)")

    def reset_results(self) -> None:
        super().reset_results()
        self._clear_response()

    # -- running --------------------------------------------------------------------------
    def start(self) -> None:
        """Send: unlike a grant, a call needs no provider (any API, any token)."""
        if self.busy:
            return
        self.error_banner.hide()
        try:
            self.run()
        except ConfigError as exc:
            self.error_banner.show_error(exc)
            self.sig_step.emit("Not sent.")

    def http(self) -> HttpClient:
        session = self.state.session
        if session is not None:
            return session.http
        if self._own_http is None:
            self._own_http = HttpClient(self.state.log)
        return self._own_http

    def current_call(self) -> ApiCall:
        body = self.body.toPlainText()
        return ApiCall(
            url=self.url.text().strip(),
            method=self.method.currentText(),
            headers=list(self.headers.params().items()),
            body=body.encode() if body else None,
            token=self.chosen_token(),
        )

    def run(self) -> None:
        call = self.current_call()
        if not call.url:
            raise ConfigError("Type the API's URL first.")
        build_api_request(call)  # what cannot be sent as typed is said now, not from a worker
        if call.token:
            self.state.log.add_secret(call.token)
        self._clear_response()
        self.status.setText("Sending…")
        self.run_in_worker(
            call_api,
            self.http(),
            call,
            step=f"{call.method} {printable(call.url)[:120]}…",
            on_returned=self.show_result,
        )

    def show_result(self, result: ApiResult) -> None:
        self._result = result
        outcome = "pass" if result.ok else "fail"
        self.status.setText(f"{result.status} {result.reason} · {result.elapsed_ms:.0f} ms")
        set_outcome(self.status, outcome)
        self.explanation.setText(self._mask(result.explanation))
        self.explanation.setVisible(bool(result.explanation))
        text = NEXT_STEP_TEXT.get(result.step, "")
        self.next_button.setText(text)
        self.next_button.setVisible(bool(text))
        headers = "\n".join(f"{k}: {v}" for k, v in result.headers.items())
        self.response_headers.setPlainText(self._mask(printable(headers, keep_newlines=True)))
        self.response_body.show_value(mask_value(result.body_value(), self.state.log.secrets()))
        self.sig_step.emit(f"Answered {result.status} {result.reason}.")
        scroll = self.findChild(QScrollArea, f"{self.key}Scroll")
        if scroll is not None:  # the answer in view, below the request
            QTimer.singleShot(0, scroll, lambda: scroll.ensureWidgetVisible(self.response_body))

    def _mask(self, text: str) -> str:
        """Every secret the log knows (the token sent above all) masked in ``text``."""
        return mask_text(text, self.state.log.secrets())

    def _clear_response(self) -> None:
        self._result = None
        self._discovery = None
        self.status.setText("Nothing sent yet.")
        set_outcome(self.status, "not_checked")
        for label in (self.explanation, self.discovery):
            label.clear()
            label.hide()
        self.next_button.hide()
        self.token_button.hide()
        self.response_headers.clear()
        self.response_body.clear()

    def prepare_screenshot(self) -> Any:
        """For ``--screenshot --tab api``: a write the demo token's scope does not allow, so
        the picture shows a refusal explained; returns when the answer is in."""
        issuer = self.state.demo_issuer
        if not issuer:
            return None
        self.method.setCurrentText("POST")
        self.url.setText(issuer.rstrip("/") + "/api/local/items/write")
        self.body.setPlainText('{"name": "widget"}')
        self.start()
        return lambda: self._result is not None

    # -- next steps -----------------------------------------------------------------------
    def _next_step(self) -> None:
        result = self._result
        if result is None:
            return
        if result.step is NextStep.GET_TOKEN:
            self._discover()
            return
        scope = (result.challenge.scope if result.challenge else None) or ""
        self.sig_next_step.emit(result.step.value, scope)

    def _discover(self) -> None:
        result, url = self._result, self.url.text().strip()
        challenge = result.challenge if result is not None else None
        self.discovery.setText("Looking for the API's metadata (RFC 9728)…")
        self.discovery.show()
        self.run_in_worker(
            discover_resource,
            self.http(),
            url,
            challenge.resource_metadata if challenge else None,
            step="Finding the API's authorization server…",
            on_returned=self._show_discovery,
        )

    def _show_discovery(self, found: ResourceDiscovery) -> None:
        self._discovery = found
        meta = found.metadata
        lines = [f"{printable(a.candidate.url)}: {printable(a.outcome)}" for a in found.attempts]
        lines.append(
            f"The API {printable(meta.resource)} takes tokens from "
            + ", ".join(printable(s) for s in meta.authorization_servers)
            + (
                f"; scopes it knows: {printable(' '.join(meta.scopes_supported))}"
                if meta.scopes_supported
                else ""
            )
            + "."
        )
        provider = self.state.provider
        issuer = provider.issuer.rstrip("/") if provider is not None and provider.issuer else ""
        if issuer and issuer in {s.rstrip("/") for s in meta.authorization_servers}:
            lines.append("That is the current provider: get a token for this API from it.")
            self.token_button.show()
        else:
            lines.append(
                "The current provider is "
                + (printable(issuer) if issuer else "none")
                + ": choose (or add) a provider for that server, then get a token for this API."
            )
        self.discovery.setText("\n".join(lines))
        self.discovery.show()
        self.sig_step.emit("Found the API's authorization server.")

    def _get_token_for_resource(self) -> None:
        if self._discovery is not None:
            self.sig_next_step.emit(NextStep.GET_TOKEN.value, self._discovery.metadata.resource)
