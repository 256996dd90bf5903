"""One provider, one HTTP client, every flow: the façade the CLI and the UI both call.

Each method is a blocking call (run it off the GUI thread); each builds a request with a pure
builder, sends it through :class:`HttpClient` (so it lands in the exchange log) and parses it.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from workbench.core.display import require_web_url
from workbench.core.errors import FlowError, TokenError
from workbench.core.model import Provider, RealityCheck, RefreshResult, ServerVerdict, TokenActions
from workbench.core.oauth import rp_logout
from workbench.core.oauth.client_auth import ClientConfig, prepare_for_server
from workbench.core.oauth.discovery import ServerMetadata
from workbench.core.oauth.flow_steps import (
    record_browser_opened,
    record_device_code_shown,
    record_device_decision,
    record_redirect,
)
from workbench.core.oauth.front_channel import (
    AuthorizeOptions,
    authorization_request,
    plan_front_channel,
    push,
    unwrap_response,
)
from workbench.core.oauth.hybrid import complete_hybrid, is_hybrid
from workbench.core.oauth.loopback import LoopbackListener, RejectedCallback
from workbench.core.oauth.pkce import Pkce, random_token
from workbench.core.oauth.refresh import build_refresh_request
from workbench.core.oauth.rfc6749_code import (
    AuthorizationRequest,
    build_code_token_request,
    parse_authorization_response,
)
from workbench.core.oauth.rfc6749_grants import (
    build_client_credentials_request,
    build_password_request,
    client_credentials_scope,
)
from workbench.core.oauth.rfc6749_implicit import (
    choose_implicit_response_type,
    complete_implicit,
)
from workbench.core.oauth.rfc7009_revoke import (
    TokenTypeHint,
    build_revocation_request,
    parse_revocation_response,
)
from workbench.core.oauth.rfc7662_introspect import (
    build_introspection_request,
    parse_introspection_response,
)
from workbench.core.oauth.rfc8628_device import (
    DeviceAuthorization,
    DevicePoll,
    build_device_authorization_request,
    parse_device_authorization,
    poll_device_token,
)
from workbench.core.oauth.rfc9449_dpop import DpopSigner
from workbench.core.oauth.rp_logout import LogoutResult, PendingLogout
from workbench.core.oauth.token_endpoint import parse_token_response
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.oauth.userinfo import build_userinfo_request, parse_userinfo_response
from workbench.core.reality import (
    TokenKind,
    guess_kind,
    inspect_for_provider,
    verdict_from_endpoints,
)
from workbench.core.report.checks import record_inspection
from workbench.core.session_steps import provider_http, provider_metadata
from workbench.core.single_flight import SingleFlight
from workbench.core.tokens.decode import decode_jwt
from workbench.core.tokens.findings import Inspection
from workbench.core.tokens.jwks import JwksCache
from workbench.core.transport.exchange import ExchangeLog, HttpRequest
from workbench.core.transport.http import HttpClient

DEFAULT_LOGIN_TIMEOUT = 300.0

T = TypeVar("T")


@dataclass
class PendingAuthorization:
    """A browser flow in progress: the request sent and the listener waiting for the redirect."""

    request: AuthorizationRequest
    listener: LoopbackListener

    @property
    def url(self) -> str:
        return self.request.url

    @property
    def rejected(self) -> tuple[RejectedCallback, ...]:
        """Callbacks the listener refused so far (wrong or missing state), most recent last:
        for the UI and the CLI to show. The wait went on after each of them."""
        return self.listener.rejected

    def close(self) -> None:
        self.listener.close()


@dataclass(frozen=True)
class RedirectReceived:
    """Yielded by :meth:`OAuthSession.browser_login` once the redirect reached the loopback
    listener (its parameters are checked next)."""

    params: Mapping[str, str]


class OAuthSession:
    """Runs flows for one provider. Thread-safe enough for one flow at a time per caller.

    ``door``: a provider's own API (:class:`~workbench.core.model.TokenActions`, like Cognito's)
    answering refresh, revoke, UserInfo and the server verdict in place of the OAuth endpoints.
    The provider and the door are fixed for the session's life: another one is another session.
    ``on_metadata(session, metadata)`` is called on the fetching thread each time the metadata has
    been fetched (the app shows where its values came from).
    """

    def __init__(
        self,
        provider: Provider,
        http: HttpClient | None = None,
        log: ExchangeLog | None = None,
        *,
        door: TokenActions | None = None,
        on_metadata: Callable[[OAuthSession, ServerMetadata], None] | None = None,
    ) -> None:
        self.provider = provider
        self.http = http or provider_http(provider, log)
        self.http.log.add_secret(provider.client.client_secret)
        self.jwks = JwksCache.through(self.http)
        signer = self.http.signer  # DPoP (RFC 9449): the signer of every request, if any
        self.dpop: DpopSigner | None = signer if isinstance(signer, DpopSigner) else None
        self._metadata = SingleFlight(
            lambda: provider_metadata(self.http, self.provider),
            self._announce,
            "Cancelled while waiting for the provider's discovery (another request of this"
            " provider is fetching it).",
        )
        self._on_metadata = on_metadata
        self._door = door

    @property
    def door(self) -> TokenActions | None:
        return self._door

    @property
    def log(self) -> ExchangeLog:
        return self.http.log

    @property
    def client(self) -> ClientConfig:  # made ready for this server (client_auth.py)
        return prepare_for_server(self.provider.client, self.metadata)

    # -- metadata -------------------------------------------------------------------------
    def metadata(self, refresh: bool = False) -> ServerMetadata:
        """Discovered metadata with manual endpoints applied on top (fetched once).

        Single-flight: while one caller fetches, every other caller waits for that fetch and
        shares its result or its error (one request pair, however many tabs ask); see
        :class:`~workbench.core.single_flight.SingleFlight`.
        """
        return self._metadata.get(refresh)

    def _announce(self, meta: ServerMetadata) -> None:
        if self._on_metadata is not None:
            self._on_metadata(self, meta)

    def _send(self, request: HttpRequest) -> TokenSet:
        return parse_token_response(self.http.send(request))

    def _scope(self, scope: str | None) -> str:
        return self.provider.scope if scope is None else scope

    def _extra(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        """The extra parameters to send: the caller's when given (complete), else the profile's."""
        return dict(self.provider.extra if extra is None else extra)

    # -- direct grants --------------------------------------------------------------------
    def client_credentials(
        self,
        scope: str | None = None,
        *,
        audience: str | None = None,
        resource: str | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> TokenSet:
        """RFC 6749 §4.4; without ``scope``, :func:`client_credentials_scope` of the provider's."""
        request = build_client_credentials_request(
            self.metadata().require("token_endpoint"),
            self.client,
            client_credentials_scope(self.provider.scope) if scope is None else scope,
            audience=audience,
            resource=resource,
            extra=self._extra(extra),
        )
        return self._send(request)

    def password(
        self,
        username: str,
        password: str,
        scope: str | None = None,
        *,
        audience: str | None = None,
        resource: str | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> TokenSet:
        """RFC 6749 §4.3 (legacy)."""
        self.log.add_secret(password)
        request = build_password_request(
            self.metadata().require("token_endpoint"),
            self.client,
            username,
            password,
            self._scope(scope),
            audience=audience,
            resource=resource,
            extra=self._extra(extra),
        )
        return self._send(request)

    # -- browser grants -------------------------------------------------------------------
    def begin_authorization(
        self,
        scope: str | None = None,
        *,
        response_type: str = "code",
        port: int = 0,
        path: str = "/callback",
        extra: Mapping[str, str] | None = None,
        options: AuthorizeOptions | None = None,
    ) -> PendingAuthorization:
        """Start the loopback listener and build the authorize URL (RFC 8252 §7.3); with
        PAR (``options``, or the server requiring it) the request is pushed first.

        Any response type but ``code`` must be one the server lists, or ``ConfigError`` says
        what it offers before a listener or a browser starts (so do ``options`` the server
        does not offer). One with ``id_token`` asks for the ``openid`` scope it needs (OIDC
        Core §3.2.2.1).
        """
        options = options or AuthorizeOptions()
        meta = self.metadata()
        plan = plan_front_channel(meta, response_type, options)
        # The listener answers only the callback carrying this state; it exists before the
        # request does because the request names its redirect URI.
        state = random_token()
        listener = LoopbackListener(
            port=port, path=path, mode=plan.listener_mode, state=state, jarm=plan.jarm
        ).start()
        try:
            request = authorization_request(
                meta, self.client.client_id, listener.redirect_uri, self._scope(scope),
                response_type, self._extra(extra), state, options,
                dpop_jkt=self.dpop.jkt if self.dpop else None,
            )  # fmt: skip
            if plan.push:
                request = push(self.http, meta, self.client, request)
        except BaseException:
            listener.close()
            raise
        return PendingAuthorization(request, listener)

    def finish_authorization(
        self,
        pending: PendingAuthorization,
        timeout: float = DEFAULT_LOGIN_TIMEOUT,
        cancel: threading.Event | None = None,
    ) -> TokenSet:
        """Wait for the redirect, check it, and (for code) redeem the code with the verifier."""
        return self.complete_authorization(pending, pending.listener.wait(timeout, cancel))

    def complete_authorization(
        self, pending: PendingAuthorization, params: Mapping[str, str]
    ) -> TokenSet:
        """Check the redirect's parameters and (for code) redeem the code with the verifier."""
        request = pending.request
        params = unwrap_response(params, request, self.metadata(), self.jwks, self.client, self.log)

        def inspect(token: str, nonce: str | None, access: str | None, code: str | None) -> Any:
            return self.inspect(token, kind="id", nonce=nonce, access_token=access, code=code)

        if request.response_type == "code":
            tokens = self._redeem(parse_authorization_response(params, request), request)
        elif is_hybrid(request.response_type):
            redeem: Callable[[str], TokenSet] = lambda code: self._redeem(code, request)  # noqa: E731
            tokens = complete_hybrid(params, request, inspect=inspect, redeem=redeem, log=self.log)
        else:
            tokens = complete_implicit(params, request, inspect=inspect)
        check_nonce(tokens, request.nonce)
        return tokens

    def _redeem(self, code: str, request: AuthorizationRequest) -> TokenSet:
        token_endpoint = self.metadata().require("token_endpoint")
        return self._send(build_code_token_request(token_endpoint, self.client, code, request))

    def implicit_response_type(self, requested: str | None = None) -> str:
        """The implicit response type to use with this provider (``token``, else
        ``id_token token``; ``requested`` when offered): see
        :func:`~workbench.core.oauth.rfc6749_implicit.choose_implicit_response_type`."""
        return choose_implicit_response_type(self.metadata().response_types_supported, requested)

    def browser_login(
        self,
        scope: str | None = None,
        *,
        response_type: str | None = "code",
        port: int = 0,
        extra: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_LOGIN_TIMEOUT,
        cancel: threading.Event | None = None,
        options: AuthorizeOptions | None = None,
    ) -> Generator[PendingAuthorization | RedirectReceived, None, TokenSet]:
        """The whole browser flow as a generator, the one every face runs: it yields the
        pending request (open its URL), then :class:`RedirectReceived` once the redirect came
        back, and returns the checked tokens. The listener closes when the generator ends or is
        closed.

        ``response_type`` None: the implicit one the server offers (refused before any browser
        opens when it offers none). ``options``: PAR and the response mode."""
        if response_type is None:
            response_type = self.implicit_response_type()
        pending = self.begin_authorization(
            scope, response_type=response_type, port=port, extra=extra, options=options
        )
        try:
            record_browser_opened(self.log, pending.request)
            yield pending
            params = pending.listener.wait(timeout, cancel)
            record_redirect(self.log, pending, params)
            yield RedirectReceived(params)
            return self.complete_authorization(pending, params)
        finally:
            pending.close()

    def browser_logout(
        self, id_token: str, *, port: int = 0, timeout: float = DEFAULT_LOGIN_TIMEOUT, **kw: Any
    ) -> Generator[PendingLogout, None, LogoutResult]:
        """RP-Initiated Logout, :func:`~workbench.core.oauth.rp_logout.browser_logout` (``kw``:
        ``cancel``): yields the pending logout, returns the checked redirect."""
        return rp_logout.browser_logout(self, id_token, port=port, timeout=timeout, **kw)

    # -- device ---------------------------------------------------------------------------
    def start_device(
        self,
        scope: str | None = None,
        extra: Mapping[str, str] | None = None,
        *,
        pkce: bool | None = None,
    ) -> DeviceAuthorization:
        """RFC 8628 §3.1-3.2; with ``pkce`` (default: the provider's ``device_pkce``) an S256
        challenge goes with the request and the verifier with every poll."""
        use_pkce = self.provider.device_pkce if pkce is None else pkce
        pair = Pkce.generate() if use_pkce else None
        if pair is not None:
            self.log.add_secret(pair.verifier)
        request = build_device_authorization_request(
            self.metadata().require("device_authorization_endpoint"),
            self.client,
            self._scope(scope),
            self._extra(extra),
            pair,
        )
        authorization = parse_device_authorization(self.http.send(request))
        if pair is not None:
            authorization = dataclasses.replace(authorization, pkce=pair)
        # The user is sent to these (printed, shown as a QR code, opened): web URLs only.
        require_web_url(authorization.verification_uri, "verification URI")
        if authorization.verification_uri_complete:
            require_web_url(authorization.verification_uri_complete, "verification URI")
        return authorization

    def poll_device(
        self, authorization: DeviceAuthorization, cancel: threading.Event | None = None
    ) -> Generator[DevicePoll, None, TokenSet]:
        """RFC 8628 §3.4-3.5 as a generator of poll statuses returning the tokens."""
        return poll_device_token(
            self.http.send,
            self.metadata().require("token_endpoint"),
            self.client,
            authorization,
            cancel,
        )

    def device_login(
        self,
        scope: str | None = None,
        extra: Mapping[str, str] | None = None,
        cancel: threading.Event | None = None,
        *,
        pkce: bool | None = None,
    ) -> Generator[DeviceAuthorization | DevicePoll, None, TokenSet]:
        """The whole device flow as a generator, the one every face runs: it yields the
        authorization (show its user code), then every poll status, and returns the tokens.
        ``pkce`` as for :meth:`start_device`."""
        authorization = self.start_device(scope, extra, pkce=pkce)
        record_device_code_shown(self.log, authorization)
        yield authorization
        polls = self.poll_device(authorization, cancel)
        return (yield from record_device_decision(self.log, polls))

    # -- token management -----------------------------------------------------------------
    def refresh(
        self,
        refresh_token: str,
        scope: str | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> RefreshResult:
        """RFC 6749 §6, reporting rotation; when no refresh token comes back, the one sent is
        carried over into the result's tokens. No scope asks for the originally granted one."""
        self.log.add_secret(refresh_token)
        if self._door is not None:
            return self._door.refresh(refresh_token)
        request = build_refresh_request(
            self.metadata().require("token_endpoint"),
            self.client,
            refresh_token,
            scope or "",
            self._extra(extra),
        )
        tokens = self._send(request)
        return RefreshResult.of(refresh_token, tokens)

    def revoke(self, token: str, hint: TokenTypeHint | None = None) -> None:
        """RFC 7009 (or the API door's own revocation)."""
        if self._door is not None:
            self._door.revoke(token, hint)
            return
        request = build_revocation_request(
            self.metadata().require("revocation_endpoint"), self.client, token, hint
        )
        parse_revocation_response(self.http.send(request))

    def introspect(self, token: str, hint: TokenTypeHint | None = None) -> dict[str, Any]:
        """RFC 7662."""
        request = build_introspection_request(
            self.metadata().require("introspection_endpoint"), self.client, token, hint
        )
        return parse_introspection_response(self.http.send(request))

    def userinfo(self, access_token: str) -> dict[str, Any]:
        """OIDC Core §5.3 (or the API door's own user lookup)."""
        if self._door is not None:
            return self._door.userinfo(access_token)
        request = build_userinfo_request(self.metadata().require("userinfo_endpoint"), access_token)
        return parse_userinfo_response(self.http.send(request))

    # -- inspection -----------------------------------------------------------------------
    def inspect(
        self,
        token: str,
        *,
        kind: TokenKind = "auto",
        nonce: str | None = None,
        access_token: str | None = None,
        code: str | None = None,
    ) -> Inspection:
        """Decode and verify a JWT against this provider's keys and expectations: see
        :func:`~workbench.core.reality.inspect_for_provider` (never skipped, "not verified: …"
        with the reason when the metadata or keys cannot be had), its findings kept in the log."""
        inspection = inspect_for_provider(
            token,
            self.provider,
            self.metadata,
            self.jwks,
            kind=kind,
            nonce=nonce,
            access_token=access_token,
            code=code,
            dpop_jkt=self.dpop.jkt if self.dpop else None,
        )
        named = guess_kind(token) if kind == "auto" else kind
        record_inspection(self.log, inspection, "ID token" if named == "id" else "access token")
        return inspection

    def server_verdict(self, token: str, hint: TokenTypeHint = "access_token") -> ServerVerdict:
        """Ask the server whether ``token`` is alive: the API door if set, else
        introspection, else UserInfo (:func:`~workbench.core.reality.verdict_from_endpoints`)."""
        if self._door is not None:
            return self._door.server_verdict(token, hint)
        return verdict_from_endpoints(
            self.metadata(), token, hint, introspect=self.introspect, userinfo=self.userinfo
        )

    def reality_check(self, token: str, hint: TokenTypeHint = "access_token") -> RealityCheck:
        """Local verification beside the server's verdict."""
        return RealityCheck(self.inspect(token), self.server_verdict(token, hint))

    def close(self) -> None:
        self.http.close()


def run_to_end(flow: Generator[Any, None, T]) -> T:
    """Run a flow generator to its end and return what it returns (the rest of its yields
    unread): for a face that has shown what it needed of the first ones."""
    while True:
        try:
            next(flow)
        except StopIteration as done:
            result: T = done.value
            return result


def check_nonce(tokens: TokenSet, nonce: str | None) -> None:
    """OIDC Core §3.1.3.7 step 11: the ID token's nonce must be the one we sent."""
    if not nonce or not tokens.id_token:
        return
    try:
        claims = decode_jwt(tokens.id_token).claims
    except TokenError as exc:
        raise FlowError(f"The ID token cannot be decoded: {exc}", kind="bad_id_token") from exc
    if claims.get("nonce") != nonce:
        raise FlowError(
            "The ID token's nonce does not match the one sent: possible replay. Tokens rejected.",
            kind="nonce_mismatch",
        )


__all__ = [
    "OAuthSession",
    "PendingAuthorization",
    "RedirectReceived",
    "check_nonce",
    "run_to_end",
]
