"""Application state shared by the window's parts: provider, session, tokens, exchange log.

Widgets read the state and listen to its signals; only :mod:`workbench.ui.workers` runs the
session's blocking calls. The exchange log's listener runs on whichever thread sent the
request; re-emitting it as a Qt signal delivers it to the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from workbench.core.history import TokenHistory
from workbench.core.model import Provider, TokenActions
from workbench.core.oauth.rfc9449_dpop import signer_for
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.profiles import ProfileStore
from workbench.core.secrets import SecretStore
from workbench.core.session import OAuthSession
from workbench.core.transport.exchange import ExchangeLog
from workbench.core.transport.http import HttpClient


@dataclass(frozen=True)
class TokenContext:
    """Where the current tokens came from, and what checking them needs."""

    origin: str  # "authorization_code", "client_credentials", "pasted", …
    nonce: str | None = None
    rotation: str | None = None  # after a refresh: rotated / unchanged / not_returned
    refreshed_from: str | None = None  # after a refresh: the refresh token that was sent
    extra: dict[str, Any] = field(default_factory=dict)


class AppState(QObject):
    """One per window."""

    sig_provider_changed = Signal(object)
    """A new Provider is active (a new OAuthSession was opened for it), or None: there is no
    provider any more (its profile was deleted)."""
    sig_tokens_changed = Signal(object, object)
    """New current TokenSet and its TokenContext."""
    sig_exchange = Signal(object)
    """An Exchange was recorded (delivered on the GUI thread)."""
    sig_inspect_token = Signal(str)
    """Show this token (pasted or picked) in the inspector."""
    sig_busy_changed = Signal(bool)
    """A flow started (True) or ended (False)."""
    sig_reality_check = Signal(str)
    """Run the inspector's revocation reality check on this token (after a sign-out)."""
    sig_metadata = Signal(object, object)
    """An OAuthSession fetched its ServerMetadata (session, metadata), on the GUI thread."""
    sig_history_changed = Signal()
    """The token history changed: a set recorded, marked, cleared."""

    def __init__(
        self,
        profiles: ProfileStore | None = None,
        secrets: SecretStore | None = None,
        parent: QObject | None = None,
        *,
        history: TokenHistory | None = None,
    ) -> None:
        super().__init__(parent)
        self.profiles = profiles or ProfileStore()
        self.secrets = secrets or SecretStore()
        self.history = history or TokenHistory(self.secrets)
        """Every token set obtained (recorded by :meth:`set_tokens`), in the keyring if any."""
        self.history.on_change = self.sig_history_changed.emit
        self.log = ExchangeLog()
        self._unsubscribe = self.log.subscribe(self.sig_exchange.emit)
        self.provider: Provider | None = None
        self.session: OAuthSession | None = None
        self.provider_by = ""
        """Which flow tab chose the provider (its title); empty when the provider bar did."""
        self.tokens: TokenSet | None = None
        self.context: TokenContext | None = None
        self.token_session: OAuthSession | None = None
        """The session of the provider that issued the current tokens: their checks and the
        actions on them go there, whichever provider is chosen since."""
        self.demo_issuer: str | None = None
        # Sessions given up while a flow ran (it may be using one): closed once none runs.
        self._retired: list[OAuthSession] = []
        self._flows_running = 0
        self.sig_busy_changed.connect(self._on_busy_changed)

    def set_provider(
        self, provider: Provider, door: TokenActions | None = None, *, by: str = ""
    ) -> OAuthSession:
        """Open a session for ``provider`` (closing the previous one) and announce it; ``door``
        is the provider's own API for refresh, revoke and the server check (Cognito's); ``by``
        is the title of the flow tab that chose it (empty: the provider bar).

        The previous session stays open while the current tokens belong to it.
        """
        self._retire(self.session, keep=self.token_session)
        signer = signer_for(provider.dpop_key)  # DPoP proofs when the provider has a key
        http = HttpClient(self.log, verify_tls=provider.verify_tls, signer=signer)
        self.provider = provider
        self.provider_by = by
        self.session = OAuthSession(provider, http, door=door, on_metadata=self.sig_metadata.emit)
        self.sig_provider_changed.emit(provider)
        return self.session

    def clear_provider(self) -> None:
        """No provider any more (its profile was deleted): announced as ``None``."""
        self._retire(self.session, keep=self.token_session)
        self.provider = None
        self.provider_by = ""
        self.session = None
        self.sig_provider_changed.emit(None)

    def require_session(self) -> OAuthSession:
        if self.session is None:
            from workbench.core.errors import ConfigError

            raise ConfigError("Choose a provider first (the profile picker at the top).")
        return self.session

    def set_tokens(
        self, tokens: TokenSet, context: TokenContext, session: OAuthSession | None = None
    ) -> None:
        """New current tokens, issued through ``session`` (by default the current one)."""
        issuer = session or self.session
        if issuer is not self.token_session:
            self._retire(self.token_session, keep=self.session)
            self.token_session = issuer
        self.tokens = tokens
        self.context = context
        for value in (tokens.access_token, tokens.refresh_token, tokens.id_token):
            self.log.add_secret(value)
        provider = issuer.provider if issuer is not None else None
        self.history.record(
            tokens,
            context.origin,
            provider.name if provider is not None else "",
            (provider.issuer or "") if provider is not None else "",
        )
        self.sig_tokens_changed.emit(tokens, context)

    def mark_tokens(self, token: str, status: str) -> None:
        """The token set(s) holding ``token`` were revoked or logged out (the history's
        status: ``revoked``, ``logged out``)."""
        self.history.mark(token, status)

    def session_for(self, token: str) -> OAuthSession | None:
        """The session of the provider that issued ``token`` when it is one of the current
        tokens (or the refresh token they were refreshed with); else the current session."""
        tokens, context = self.tokens, self.context
        if tokens is not None and self.token_session is not None:
            own = {tokens.access_token, tokens.refresh_token, tokens.id_token}
            if context is not None:
                own.add(context.refreshed_from)
            if token in own - {None}:
                return self.token_session
        return self.session

    def session_for_issuer(self, issuer: object) -> OAuthSession | None:
        """The session whose provider has ``issuer`` (the current one first), or None."""
        if not isinstance(issuer, str) or not issuer:
            return None
        for session in (self.session, self.token_session):
            if session is not None and session.provider.issuer == issuer:
                return session
        return None

    def _retire(self, session: OAuthSession | None, keep: OAuthSession | None) -> None:
        """Close ``session`` unless it is ``keep``; while a flow runs, once none does."""
        if session is None or session is keep:
            return
        if self._flows_running:
            self._retired.append(session)
        else:
            session.close()

    def _on_busy_changed(self, running: bool) -> None:
        self._flows_running = max(0, self._flows_running + (1 if running else -1))
        if not self._flows_running:
            retired, self._retired = self._retired, []
            for session in retired:
                if session is not self.session and session is not self.token_session:
                    session.close()

    def close(self) -> None:
        self._unsubscribe()
        self._flows_running = 0
        for session in self._retired:
            session.close()
        self._retired = []
        self._retire(self.token_session, keep=self.session)
        self.token_session = None
        if self.session is not None:
            self.session.close()
            self.session = None
