"""OpenID Connect RP-Initiated Logout 1.0: the end-session URL, the loopback wait, the check.

The provider's ``end_session_endpoint`` (discovery) is opened in the browser with
``id_token_hint``, ``client_id``, ``post_logout_redirect_uri`` (a loopback listener, as for the
login: :mod:`workbench.core.oauth.loopback`, on the path :data:`LOGOUT_PATH`) and ``state``
(§2). The provider ends its browser session and redirects there with the same ``state`` (§3);
the listener answers only that redirect, a wrong or missing ``state`` is refused (and the wait
goes on, like the login's), and the wait is bounded and can be cancelled.

Amazon Cognito's hosted ``/logout`` is the same action for a pool with a domain, in Cognito's
words: ``client_id`` and ``logout_uri`` (an allowed sign-out URL of the app client, matched
exactly, so the listener needs the fixed port registered there). Cognito sends no ``state``
back: its bare redirect is accepted, and the result says the state could not be checked
(:attr:`LogoutResult.state_checked`); the faces do not call that a confirmed logout.

What logout does not do is the point of the reality check that follows it in the app: tokens
already issued are not revoked, and an API that verifies JWTs locally keeps accepting them.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from workbench.core.display import require_web_url
from workbench.core.errors import ConfigError, FlowError, OAuthError
from workbench.core.oauth.loopback import LoopbackListener, RejectedCallback
from workbench.core.oauth.pkce import random_token

if TYPE_CHECKING:
    from workbench.core.session import OAuthSession

#: The loopback path the provider redirects to after logout (register
#: ``http://127.0.0.1:<port>/logged-out`` as a post-logout redirect URI).
LOGOUT_PATH = "/logged-out"
DEFAULT_LOGOUT_TIMEOUT = 300.0

NO_END_SESSION = (
    "The provider names no end_session_endpoint in its discovery document, so it offers no"
    " OpenID Connect RP-Initiated Logout 1.0 (§2.1). Give the endpoint by hand"
    " (end_session_endpoint=URL) if it has one under another name."
)


@dataclass(frozen=True)
class LogoutRequest:
    """The end-session URL and what its redirect must carry back."""

    url: str
    end_session_endpoint: str
    post_logout_redirect_uri: str
    state: str
    #: Cognito's ``/logout``: the redirect comes back without the state.
    stateless: bool = False


@dataclass
class PendingLogout:
    """A logout in progress: the request (open its URL) and the listener waiting for the
    redirect."""

    request: LogoutRequest
    listener: LoopbackListener

    @property
    def url(self) -> str:
        return self.request.url

    @property
    def rejected(self) -> tuple[RejectedCallback, ...]:
        """Redirects the listener refused (wrong or missing state), most recent last."""
        return self.listener.rejected

    def close(self) -> None:
        self.listener.close()


@dataclass(frozen=True)
class LogoutResult:
    """The checked redirect of a finished logout."""

    end_session_endpoint: str
    post_logout_redirect_uri: str
    params: Mapping[str, str]
    #: False for Cognito's bare redirect: it cannot be tied to this logout.
    state_checked: bool = True


def build_logout_request(
    end_session_endpoint: str,
    *,
    id_token_hint: str,
    client_id: str,
    post_logout_redirect_uri: str,
    state: str | None = None,
) -> LogoutRequest:
    """RP-Initiated Logout 1.0 §2: the end-session URL with its four parameters."""
    if not id_token_hint:
        raise ConfigError("Logging out needs the ID token of the session (id_token_hint).")
    state = state or random_token()
    params = {
        "id_token_hint": id_token_hint,
        "client_id": client_id,
        "post_logout_redirect_uri": post_logout_redirect_uri,
        "state": state,
    }
    params = {key: value for key, value in params.items() if value}
    sep = "&" if urlsplit(end_session_endpoint).query else "?"
    return LogoutRequest(
        url=end_session_endpoint + sep + urlencode(params),
        end_session_endpoint=end_session_endpoint,
        post_logout_redirect_uri=post_logout_redirect_uri,
        state=state,
    )


def build_cognito_logout_request(
    logout_endpoint: str, *, client_id: str, logout_uri: str, state: str | None = None
) -> LogoutRequest:
    """Cognito's hosted ``/logout`` with ``client_id`` and ``logout_uri`` (no ID token, no
    state: Cognito takes neither)."""
    query = urlencode({"client_id": client_id, "logout_uri": logout_uri})
    sep = "&" if urlsplit(logout_endpoint).query else "?"
    return LogoutRequest(
        url=logout_endpoint + sep + query,
        end_session_endpoint=logout_endpoint,
        post_logout_redirect_uri=logout_uri,
        state=state or random_token(),
        stateless=True,
    )


def check_logout_response(params: Mapping[str, str], request: LogoutRequest) -> None:
    """§3: the redirect must carry the state sent; an ``error`` in it is the provider's.
    Cognito's bare redirect (no parameters at all) is let through for a stateless request."""
    if request.stateless and not params:
        return
    if params.get("state") != request.state:
        raise FlowError(
            "The state in the post-logout redirect does not match the one sent: the redirect "
            "may be forged or belong to another logout. The logout is not confirmed.",
            kind="state_mismatch",
        )
    if "error" in params:
        raise OAuthError(params["error"], params.get("error_description"), params.get("error_uri"))


def end_session_endpoint(session: OAuthSession) -> str:
    """The provider's end-session endpoint (a web URL), or a ConfigError naming it."""
    endpoint = session.metadata().end_session_endpoint
    if not endpoint:
        raise ConfigError(NO_END_SESSION)
    return require_web_url(endpoint, "end_session_endpoint")


def begin_logout(session: OAuthSession, id_token: str, *, port: int = 0) -> PendingLogout:
    """Start the loopback listener and build the end-session URL for it."""
    endpoint = end_session_endpoint(session)
    session.log.add_secret(id_token)
    cognito = session.provider.end_session_style == "cognito"
    if cognito and not port:
        raise ConfigError(
            "Cognito's /logout redirects only to an allowed sign-out URL of the app client,"
            f" matched exactly: register http://127.0.0.1:PORT{LOGOUT_PATH} there and give that"
            " port."
        )
    state = random_token()
    listener = LoopbackListener(port=port, path=LOGOUT_PATH, state=state, stateless=cognito).start()
    try:
        if cognito:
            request = build_cognito_logout_request(
                endpoint,
                client_id=session.client.client_id,
                logout_uri=listener.redirect_uri,
                state=state,
            )
        else:
            request = build_logout_request(
                endpoint,
                id_token_hint=id_token,
                client_id=session.client.client_id,
                post_logout_redirect_uri=listener.redirect_uri,
                state=state,
            )
    except BaseException:
        listener.close()
        raise
    return PendingLogout(request, listener)


def wait_for_logout(
    pending: PendingLogout,
    timeout: float = DEFAULT_LOGOUT_TIMEOUT,
    cancel: threading.Event | None = None,
) -> Mapping[str, str]:
    """The post-logout redirect's parameters, checked; FlowError on timeout or cancel."""
    try:
        params = pending.listener.wait(timeout, cancel)
    except FlowError as exc:
        if exc.kind == "cancelled":
            raise FlowError("Logout cancelled.", kind="cancelled") from exc
        if exc.kind == "timeout":
            refused = len(pending.rejected)
            note = ""
            if refused:
                note = f" {refused} redirect(s) with a wrong or missing state were refused."
            raise FlowError(
                f"No post-logout redirect arrived within {timeout:g} s. Was the logout finished"
                f" in the browser?{note} The logout is not confirmed.",
                kind="timeout",
            ) from exc
        raise
    check_logout_response(params, pending.request)
    return params


def browser_logout(
    session: OAuthSession,
    id_token: str,
    *,
    port: int = 0,
    timeout: float = DEFAULT_LOGOUT_TIMEOUT,
    cancel: threading.Event | None = None,
) -> Generator[PendingLogout, None, LogoutResult]:
    """The whole logout as a generator, the one every face runs: it yields the pending logout
    (open its URL), waits for the redirect and returns the checked result. The listener
    closes when the generator ends or is closed."""
    pending = begin_logout(session, id_token, port=port)
    try:
        yield pending
        params = wait_for_logout(pending, timeout, cancel)
        request = pending.request
        return LogoutResult(
            request.end_session_endpoint,
            request.post_logout_redirect_uri,
            params,
            state_checked=not (request.stateless and not params),
        )
    finally:
        pending.close()


__all__ = [
    "DEFAULT_LOGOUT_TIMEOUT",
    "LOGOUT_PATH",
    "LogoutRequest",
    "LogoutResult",
    "PendingLogout",
    "begin_logout",
    "browser_logout",
    "build_cognito_logout_request",
    "build_logout_request",
    "check_logout_response",
    "end_session_endpoint",
    "wait_for_logout",
]
