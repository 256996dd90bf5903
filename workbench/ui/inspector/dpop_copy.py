"""The inspector's "Copy as DPoP…": ``Authorization: DPoP <token>`` with a FRESH proof.

A DPoP proof is bound to one method and URL and is single-use (RFC 9449 §4.2, §11.1), so it
is made when the person asks, for the method and URL they give, with the key of the session
that holds the token; a proof is never copied from the exchange log.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from workbench.core.display import printable
from workbench.core.errors import ConfigError
from workbench.core.oauth.api_call import METHODS
from workbench.core.oauth.rfc9449_dpop import DpopSigner
from workbench.core.oauth.tokenset import TokenSet
from workbench.ui.inspector.actions import bearer_token
from workbench.ui.inspector.entries import ShownToken, TokenEntry
from workbench.ui.state import AppState

PROMPT = "Method and URL the proof is for (it is single-use and valid for about a minute):"
NO_DPOP = (
    "This token's provider does not use DPoP: turn on DPoP in its profile (Edit profile) and"
    " get new tokens."
)


def dpop_headers(signer: DpopSigner, token: str, target: str) -> str:
    """The two header lines for ``token`` and a fresh proof for ``target`` (``METHOD URL``);
    ConfigError for a target that is not a method and an http(s) URL."""
    method, _, url = target.strip().partition(" ")
    method, url = method.upper(), url.strip()
    if method not in METHODS:
        raise ConfigError(f"Start with an HTTP method ({', '.join(METHODS)}), then the URL.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"“{printable(url[:200])}” is not an http:// or https:// URL.")
    proof = signer.proof(method, url, access_token=token)
    return f"Authorization: DPoP {token}\nDPoP: {proof}"


def issued_token_type(tokens: TokenSet | None, entry: TokenEntry) -> str | None:
    """The ``token_type`` the shown access token was issued with (``DPoP``, ``Bearer``), when
    it is the current tokens' access token."""
    if tokens is None or entry.role != "access" or tokens.access_token != entry.token:
        return None
    return tokens.token_type


def copy_as_dpop(parent: QWidget, state: AppState, shown: ShownToken | None) -> str:
    """Ask for the method and URL, copy the headers for the access token with the key of the
    session that issued it; what to tell the person."""
    session = state.token_session or state.session
    token = bearer_token("access", shown, state.tokens)
    default_url = (session.provider.issuer if session is not None else None) or "https://"
    if token is None:
        return "No access token to copy."
    signer = session.dpop if session is not None else None
    if signer is None:
        return NO_DPOP
    target, ok = QInputDialog.getText(
        parent, "Copy as DPoP", PROMPT, QLineEdit.EchoMode.Normal, f"GET {default_url}"
    )
    if not ok:
        return "Nothing copied."
    try:
        text = dpop_headers(signer, token, target)
    except ConfigError as exc:
        return f"Nothing copied: {exc}"
    QGuiApplication.clipboard().setText(text)
    method, _, url = target.strip().partition(" ")
    return (
        f"Copied “Authorization: DPoP …” and a fresh DPoP proof for {method.upper()}"
        f" {printable(url.strip()[:120])} (single-use)."
    )
