"""The reality check's demo-API row: the revoked token sent to both demo APIs, side by side.

The demo server has two resource servers (:mod:`workbench.demo.api`): one verifies a JWT
locally and keeps accepting a revoked token until it expires, the other asks the server's
records and refuses it at once. After a reality check on a token of the demo server, the
panel offers "Call both demo APIs"; :func:`call_demo_apis` runs in a worker (through the
session's HttpClient, so both requests land in the exchange log, masked) and
:class:`DemoApiRow` shows the two answers next to each other: one 200 beside one 401.

What an API answered is shown as plain, printable text; a call that got no answer says so in
words on its side of the row.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workbench.core.display import printable
from workbench.core.errors import WorkbenchError
from workbench.core.oauth.api_call import ApiCall, ApiResult, call_api
from workbench.core.transport.http import HttpClient
from workbench.core.transport.masking import mask_text
from workbench.demo.clients import API_NAMES, api_urls
from workbench.ui import metrics
from workbench.ui.reveal import reveal
from workbench.ui.theme import set_outcome

#: How each demo API is named in the row, by its name in :data:`API_NAMES`.
API_WORDS = {
    "local": "API that verifies locally",
    "introspected": "API that asks the server",
}
#: The path both APIs are called at: ``GET …/me`` returns the caller's claims.
ME_PATH = "/me"
#: The longest description from a server shown in the row (characters); the log has it all.
DESCRIPTION_CHARS = 200


@dataclass(frozen=True)
class DemoApiAnswer:
    """One demo API's answer to the token, or why there is none (``error``, masked)."""

    name: str
    result: ApiResult | None = None
    error: str = ""


def call_demo_apis(http: HttpClient, issuer: str, token: str) -> tuple[DemoApiAnswer, ...]:
    """``GET <api>/me`` with ``token`` as a Bearer at each demo API of ``issuer``, in order.

    Blocking (run it in a worker). A call that gets no answer (connection refused, time-out)
    is an answer too: its error, masked, so one API that is away never hides the other's.
    """
    answers = []
    urls = api_urls(issuer)
    for name in API_NAMES:
        try:
            result = call_api(http, ApiCall(urls[name] + ME_PATH, token=token))
        except WorkbenchError as exc:
            answers.append(DemoApiAnswer(name, error=mask_text(str(exc), http.log.secrets())))
        else:
            answers.append(DemoApiAnswer(name, result))
    return tuple(answers)


def describe(answer: DemoApiAnswer, revoked: bool, logged_out: bool = False) -> tuple[str, str]:
    """The outcome (``pass``, ``fail``, ``not_checked``) and the words for one API's answer.

    ``revoked``: the server no longer accepts the token, so a 200 is the caveat made visible;
    ``logged_out``: the token's session was logged out (the logout reality check).
    """
    words = API_WORDS.get(answer.name, answer.name)
    result = answer.result
    if result is None:
        return "not_checked", f"{words}: no answer — {_short(answer.error or 'no response')}"
    status = f"{result.status} {result.reason}".strip()
    if result.ok:
        accepts = "still accepts the revoked token" if revoked else "accepts the token"
        if logged_out:
            accepts = "still accepts the token after the logout"
        return "pass", f"{words}: {status} — {accepts}"
    challenge = result.challenge
    error = challenge.error if challenge is not None else None
    description = challenge.get("error_description") if challenge is not None else None
    if error:
        status = f"{result.status} {error}"
    reason = description or result.explanation
    return "fail", f"{words}: {status}" + (f" — {_short(reason)}" if reason else "")


def _short(text: str) -> str:
    text = printable(text)
    if len(text) <= DESCRIPTION_CHARS:
        return text
    return text[: DESCRIPTION_CHARS - 1] + "…"


class DemoApiRow(QFrame):
    """ "Call both demo APIs" and, once called, the two answers side by side.

    Hidden unless :meth:`offer` named a token of the demo server; :meth:`clear` (a new check)
    hides it again and forgets the answers.
    """

    sig_call = Signal()
    """The user asked to call both demo APIs with :attr:`token`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("realityDemoApis")
        self.setAccessibleName("The token at the two demo APIs")
        self.token: str | None = None
        self._revoked = False
        self._logged_out = False
        self.button = QPushButton("Call both demo APIs", self)
        self.button.setObjectName("realityCallDemoApis")
        self.button.setAccessibleName("Call both demo APIs with this token")
        self.button.setToolTip(
            "Send this token to the demo server's two APIs (GET …/me): the one that verifies"
            " JWTs locally still accepts a revoked token until it expires; the one that asks"
            " the server refuses it at once. Both requests land in the exchange log."
        )
        self.button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.button.clicked.connect(self.sig_call)
        self.answers: dict[str, QLabel] = {}
        answers = QHBoxLayout()
        answers.setSpacing(metrics.SPACING)
        for name in API_NAMES:
            label = QLabel(self)
            label.setObjectName(f"realityApi{name.capitalize()}")
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            label.hide()
            self.answers[name] = label
            answers.addWidget(label, 1)
        head = QHBoxLayout()
        head.addWidget(self.button)
        head.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(metrics.SPACING // 2)
        layout.addLayout(head)
        layout.addLayout(answers)
        self.hide()

    def offer(self, token: str | None, revoked: bool = False, *, logged_out: bool = False) -> None:
        """Offer the calls for ``token`` (a token of the demo server); None hides the row.
        ``logged_out``: after a logout, the answers say so (not "revoked")."""
        self.clear()
        self.token = token
        self._revoked = revoked
        self._logged_out = logged_out
        self.setVisible(token is not None)

    def clear(self) -> None:
        self.token = None
        for label in self.answers.values():
            label.clear()
            label.hide()
        self.hide()

    def show_calling(self) -> None:
        for name, label in self.answers.items():
            self._set(label, "checking", f"{API_WORDS[name]}: calling…")

    def show_answers(self, token: str, answers: tuple[DemoApiAnswer, ...]) -> None:
        """Both answers; ignored when the row was cleared or offered for another token since."""
        if token != self.token:
            return
        for answer in answers:
            label = self.answers.get(answer.name)
            if label is not None:
                self._set(label, *describe(answer, self._revoked, self._logged_out))
        reveal(self)

    def show_failed(self, token: str, message: str) -> None:
        """The calls could not run at all: both sides say so."""
        if token != self.token:
            return
        for name, label in self.answers.items():
            self._set(label, "not_checked", f"{API_WORDS[name]}: no answer — {_short(message)}")

    @property
    def answered(self) -> bool:
        """Both sides show an answer (or why there is none), not "calling…"."""
        outcomes = [label.property("outcome") for label in self.answers.values()]
        return all(label.isVisibleTo(self) for label in self.answers.values()) and (
            "checking" not in outcomes
        )

    def answer_texts(self) -> dict[str, str]:
        """What each side shows now, by API name (tests, accessibility)."""
        return {name: label.text() for name, label in self.answers.items() if label.isVisible()}

    @staticmethod
    def _set(label: QLabel, outcome: str, text: str) -> None:
        set_outcome(label, outcome)
        text = printable(text)
        label.setText(text)
        label.setAccessibleName(text)
        label.show()
