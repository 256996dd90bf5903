"""The pre-token trigger lab: Cognito's pre-token-generation trigger, run by the demo provider.

View ▸ Pre-token trigger lab (only while the app runs the demo provider) opens
:class:`TriggerLabDialog`: pick a Python file with ``lambda_handler(event, context)`` (or start
from the shipped example), edit it, load or reload it with a trigger version, get a token (the
password grant as the demo user, through the app's exchange log, shown in the inspector), and
see what changed against the token before (:func:`~workbench.core.tokens.diff.diff_claims`,
access and ID token apart). Every handler invocation the demo server records
(:mod:`workbench.demo.trigger`) becomes a "pre-token trigger" entry of the exchange log: the
event as the request, the handler's answer (or its error) as the response, masked.
"""

from __future__ import annotations

import json
import shutil
from importlib.resources import files
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.tokens.decode import decode_jwt
from workbench.core.tokens.diff import ClaimsDiff, diff_claims
from workbench.core.transport.exchange import Exchange, ExchangeLog
from workbench.core.transport.masking import mask_value
from workbench.ui import metrics, workers
from workbench.ui.demo_host import DemoHost
from workbench.ui.state import AppState, TokenContext
from workbench.ui.theme import insight_stylesheet, set_property

__all__ = ["TriggerLabDialog", "diff_text", "invocation_exchange"]

PURPOSE = "pre-token trigger"
LAB_SCOPE = "openid profile email"
POLL_MS = 500
_VERSIONS = (
    ("V3_0", "V3_0: ID and access tokens, scopes, also client credentials"),
    ("V2_0", "V2_0: ID and access tokens, scopes (not client credentials)"),
    ("V1_0", "V1_0: ID token claims only"),
)


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=repr)


def invocation_exchange(record: Any, log: ExchangeLog) -> Exchange:
    """One recorded trigger invocation as an exchange of the log, masked."""
    secrets = log.secrets()
    if record.error:
        status, reason = 500, "handler failed"
        answer: Any = {"error": record.error, "notes": list(record.notes)}
    else:
        status, reason = 200, "OK" if record.response is not None else "not invoked"
        answer = {"returned": record.response, "notes": list(record.notes)}
    return Exchange(
        id=log.next_id(),
        started_at=record.at,
        purpose=PURPOSE,
        method="INVOKE",
        url=f"{record.handler} ({record.version}, {record.trigger_source})",
        request_headers={},
        request_form=None,
        status=status,
        reason=reason,
        response_headers={},
        response_body=_json(mask_value(answer, secrets)),
        duration_ms=record.elapsed_ms,
        error=None,
        curl="# no HTTP: the demo provider called lambda_handler in-process",
        request_body=_json(mask_value(record.event, secrets)),
    )


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=repr)


def diff_text(title: str, diff: ClaimsDiff) -> list[str]:
    """``diff`` in lines: ``+`` added, ``-`` removed, ``~`` changed, then the scopes."""
    lines = [f"{title}:"]
    lines += [f"  + {name}: {_value(value)}" for name, value in diff.added.items()]
    lines += [f"  - {name}: {_value(value)}" for name, value in diff.removed.items()]
    lines += [f"  ~ {c.name}: {_value(c.before)} → {_value(c.after)}" for c in diff.changed]
    if diff.scopes_added:
        lines.append(f"  scopes added: {' '.join(diff.scopes_added)}")
    if diff.scopes_removed:
        lines.append(f"  scopes removed: {' '.join(diff.scopes_removed)}")
    if diff.same and not (diff.scopes_added or diff.scopes_removed):
        lines.append("  no change")
    if diff.volatile:
        names = ", ".join(c.name for c in diff.volatile)
        verb = "differs" if len(diff.volatile) == 1 else "differ"
        lines.append(f"  ({names} {verb} in every token)")
    return lines


def _claims(token: str | None) -> dict[str, Any] | None:
    return decode_jwt(token).claims if token else None


def _get_tokens(session: Any, username: str, password: str) -> Any:
    return session.password(username, password, LAB_SCOPE)


class TriggerLabDialog(QDialog):
    """Non-modal: the handler file, its version, a token, and the claim diff."""

    def __init__(self, state: AppState, host: DemoHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("triggerLab")
        self.setWindowTitle("Pre-token trigger lab (demo provider)")
        self.setModal(False)
        self.state, self.host = state, host
        self.previous: dict[str, dict[str, Any] | None] | None = None
        self.last_number = 0
        self.busy = False

        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("triggerLabPath")
        self.path_edit.setAccessibleName("Handler file")
        self.path_edit.setPlaceholderText("a .py file with lambda_handler(event, context)")
        self.choose_button = self._button("triggerLabChoose", "&Choose…", self.choose_file)
        self.example_button = self._button("triggerLabExample", "E&xample", self.copy_example)
        self.example_button.setToolTip("Start from a copy of the shipped example handler")
        self.edit_button = self._button("triggerLabEdit", "&Edit", self.edit_file)
        self.edit_button.setToolTip("Open the handler file in the system's editor")
        self.version_combo = QComboBox(self)
        self.version_combo.setObjectName("triggerLabVersion")
        self.version_combo.setAccessibleName("Trigger version")
        for key, text in _VERSIONS:
            self.version_combo.addItem(text, key)
        self.load_button = self._button("triggerLabLoad", "&Load / reload", self.load)
        self.token_button = self._button("triggerLabToken", "Get a &token", self.get_token)
        self.token_button.setToolTip(
            "The password grant as the demo user, scope openid profile email; the token goes "
            "to the inspector and its claims are compared with the token before"
        )
        self.status = QLabel("", self)
        self.status.setObjectName("triggerLabStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.diff_view = QPlainTextEdit(self)
        self.diff_view.setObjectName("triggerLabDiff")
        self.diff_view.setAccessibleName("Claims changed against the token before")
        self.diff_view.setReadOnly(True)
        self.diff_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.diff_view.setPlaceholderText("Get a token: its claims are compared with the last one.")

        file_row = QHBoxLayout()
        for widget in (self.path_edit, self.choose_button, self.example_button, self.edit_button):
            file_row.addWidget(widget)
        form = QFormLayout()
        form.addRow("Handler file", file_row)
        form.addRow("Trigger version", self.version_combo)
        actions = QHBoxLayout()
        actions.addWidget(self.load_button)
        actions.addWidget(self.token_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setSpacing(metrics.SPACING)
        layout.addLayout(form)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        layout.addWidget(self.diff_view, 1)
        font = self.fontMetrics()
        width, lines = metrics.TRIGGER_LAB_SIZE
        self.resize(font.averageCharWidth() * width, font.lineSpacing() * lines)
        self.setStyleSheet(insight_stylesheet())  # the status's severity colours

        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll_invocations)
        self.timer.start()
        host.sig_started.connect(self._on_server_started)
        self._sync()

    def _button(self, name: str, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    # -- the trigger on the running demo server ------------------------------------------------
    @property
    def trigger(self) -> Any:
        server = self.host.server
        return server.authority.trigger if server is not None else None

    def _say(self, text: str, severity: str = "") -> None:
        self.status.setText(text)
        set_property(self.status, "severity", severity)

    def _sync(self) -> None:
        trigger = self.trigger
        running = trigger is not None and not self.busy
        for button in (self.load_button, self.token_button):
            button.setEnabled(running)
        if trigger is None:
            self._say("The demo provider is not running.", "warning")
        elif trigger.active and not self.status.text():
            self._say(f"Loaded {trigger.label} ({trigger.version}).")
            self.path_edit.setText(trigger.path or "")

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Pre-token trigger handler", self.path_edit.text(), "Python (*.py)"
        )
        if path:
            self.path_edit.setText(path)

    def copy_example(self, target: str | None = None) -> Path:
        """Copy the shipped example to ``target`` (by default the app's data folder), keeping
        a file that is already there, and choose it."""
        if not target:
            folder = QStandardPaths.writableLocation(
                QStandardPaths.StandardLocation.AppDataLocation
            )
            target = str(Path(folder) / "pre_token_trigger.py")
        path = Path(target)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            source = files("workbench") / "resources" / "pre_token_trigger_example.py"
            with source.open("rb") as src, path.open("wb") as dst:
                shutil.copyfileobj(src, dst)
        self.path_edit.setText(str(path))
        self._say(f"The example is at {path}: edit it, then Load / reload.")
        return path

    def edit_file(self) -> None:
        if self.path_edit.text():
            QDesktopServices.openUrl(QUrl.fromLocalFile(self.path_edit.text()))

    def use_handler(self, path: str) -> None:
        """Choose ``path`` and load it (``--pre-token-trigger`` of the app)."""
        self.path_edit.setText(path)
        self.load()

    def load(self) -> None:
        """Load (or reload) the handler into the running demo server, in a worker."""
        trigger, path = self.trigger, self.path_edit.text().strip()
        if trigger is None or not path:
            self._say("Choose a handler file first.", "warning")
            return
        version = str(self.version_combo.currentData())

        def load(trigger: Any, path: str, version: str) -> str:
            trigger.set_version(version)
            trigger.load(path)
            return str(trigger.label)

        self._run(load, trigger, path, version, on_returned=self._on_loaded)

    def _on_loaded(self, label: str) -> None:
        version = self.version_combo.currentData()
        self._say(f"Loaded {label} ({version}): every token the demo provider issues runs it.")

    def _on_server_started(self, _issuer: str, _exposed: bool) -> None:
        """A restarted demo server starts without the lab's handler: load it again."""
        self.last_number = 0
        self.status.clear()
        self._sync()
        if self.path_edit.text().strip():
            self.load()

    def get_token(self) -> None:
        server = self.host.server
        if server is None:
            return
        from workbench.core.session import OAuthSession
        from workbench.core.transport.http import HttpClient
        from workbench.demo.clients import DEMO_PASSWORD, DEMO_USERNAME, demo_provider

        provider = demo_provider(str(server.issuer), scope=LAB_SCOPE, name="Demo (trigger lab)")
        session = OAuthSession(provider, HttpClient(self.state.log))
        self._say("Getting a token (password grant as the demo user)…")

        def done(tokens: Any) -> None:
            self.state.set_tokens(tokens, TokenContext("password"), session)
            self.show_tokens(tokens.access_token, tokens.id_token)

        def failed(exc: BaseException) -> None:
            session.close()
            self._say(f"No token: {exc}", "error")
            self.poll_invocations()

        self._run(
            _get_tokens, session, DEMO_USERNAME, DEMO_PASSWORD, on_returned=done, on_failed=failed
        )

    def show_tokens(self, access: str | None, id_token: str | None) -> None:
        """Compare these tokens' claims with the last ones shown and keep them."""
        current = {"Access token": _claims(access), "ID token": _claims(id_token)}
        previous, self.previous = self.previous, current
        lines: list[str] = []
        for title, claims in current.items():
            before = previous.get(title) if previous else None
            if claims is None:
                lines.append(f"{title}: none issued")
            elif before is None:
                names = ", ".join(claims)
                lines.append(f"{title}: the first one, nothing to compare yet. Claims: {names}")
            else:
                lines += diff_text(
                    f"{title}, against the token before", diff_claims(before, claims)
                )
            lines.append("")
        notes = [note for record in self.poll_invocations() for note in record.notes]
        if notes:
            lines += ["The trigger's notes:", *(f"  {note}" for note in notes)]
        self.diff_view.setPlainText("\n".join(lines).rstrip())
        self._say("Token received: the inspector shows it, the claim diff is below.")

    def poll_invocations(self) -> list[Any]:
        """New trigger invocations into the exchange log; returns them."""
        trigger = self.trigger
        if trigger is None:
            return []
        records = trigger.invocations(self.last_number)
        for record in records:
            self.last_number = record.number
            self.state.log.append(invocation_exchange(record, self.state.log))
        return list(records)

    def _run(self, fn: Any, *args: Any, on_returned: Any, on_failed: Any = None) -> None:
        self.busy = True
        self._sync()

        def errored(exc: BaseException) -> None:
            if on_failed is not None:
                on_failed(exc)
            else:
                self._say(str(exc), "error")

        def finished() -> None:
            self.busy = False
            self._sync()

        workers.start(
            fn,
            *args,
            on_returned=on_returned,
            on_errored=errored,
            on_finished=finished,
            owner=self,
        )
