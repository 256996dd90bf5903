"""The pre-token-generation trigger lab: Cognito's Lambda trigger, run by the demo server.

A Python file with ``lambda_handler(event, context)`` stands in for the Lambda function. For
each token request the demo server builds the event Amazon Cognito sends (``version``,
``triggerSource``, ``region``, ``userPoolId``, ``userName``, ``callerContext``,
``request.userAttributes``, ``request.groupConfiguration``, ``request.scopes``), calls the
handler once, and applies its answer to the tokens of that request:

* ``V1_0`` (``version: "1"``): ``response.claimsOverrideDetails`` changes the ID token only
  (``claimsToAddOrOverride``, ``claimsToSuppress``, ``groupOverrideDetails``).
* ``V2_0`` and ``V3_0`` (``version: "2"``/``"3"``): ``response.claimsAndScopeOverrideDetails``
  with ``idTokenGeneration`` and ``accessTokenGeneration`` (``claimsToAddOrOverride``,
  ``claimsToSuppress``, ``scopesToAdd``, ``scopesToSuppress`` for the access token) and
  ``groupOverrideDetails`` (``cognito:groups`` in both tokens). Only ``V3_0`` runs for client
  credentials (``TokenGeneration_ClientCredentials``).

Cognito's rules: the claims of :data:`RESERVED_CLAIMS` cannot be added, overridden or
suppressed. The lab leaves such an entry out and keeps the reason in the invocation's notes;
the token is issued without it (the developer guide says these claims cannot be modified;
whether the live service ignores the entry or fails the request is for a real pool to
confirm). A suppressed claim that is also added stays suppressed, and so does a scope. A
handler that cannot be loaded, raises, or answers something that is not the event with a
well-formed response fails that token request with OAuth ``server_error`` naming the
handler (:class:`TriggerFailed`); the server keeps serving.

Every invocation (the event, the handler's answer, the notes, the error) is kept, newest last,
in :meth:`PreTokenTrigger.invocations` for the app's exchange log. Like Cognito, the lab waits
five seconds for the handler (:attr:`PreTokenTrigger.time_limit`): a handler still running then
fails the request by name, and the request (and the server's lock) is released; the handler's
thread, which Python cannot stop, finishes on its own in the background.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from authlib.oauth2.rfc6749.errors import OAuth2Error

__all__ = [
    "RESERVED_CLAIMS",
    "TRIGGER_VERSIONS",
    "PreTokenTrigger",
    "TriggerFailed",
    "TriggerInvocation",
    "TriggerOutcome",
    "trigger_source",
]

#: The trigger versions of ``LambdaConfig.PreTokenGenerationConfig.LambdaVersion``.
TRIGGER_VERSIONS = ("V1_0", "V2_0", "V3_0")

_ISSUED = "Cognito sets it when it issues the token"
#: Claims a pre-token trigger cannot add, override or suppress, with the reason.
RESERVED_CLAIMS: Mapping[str, str] = {
    "iss": "the issuer identifies the user pool; " + _ISSUED,
    "sub": "the subject identifies the user or client; " + _ISSUED,
    "aud": "the audience names the app client; " + _ISSUED,
    "exp": "the expiry comes from the app client's token validity; " + _ISSUED,
    "iat": "the issue time: " + _ISSUED,
    "nbf": "the not-before time: " + _ISSUED,
    "auth_time": "the time the user signed in: " + _ISSUED,
    "jti": "the token's unique id: " + _ISSUED,
    "origin_jti": "ties the token to its refresh token for revocation: " + _ISSUED,
    "event_id": "the sign-in event's id: " + _ISSUED,
    "token_use": "says whether the token is an ID or access token: " + _ISSUED,
    "client_id": "the app client the token was issued to: " + _ISSUED,
    "azp": "the authorized party: " + _ISSUED,
    "username": "the user's name in the pool: " + _ISSUED,
    "cognito:username": "the user's name in the pool: " + _ISSUED,
    "identities": "the federated identities of the user: " + _ISSUED,
    "at_hash": "binds the ID token to its access token: " + _ISSUED,
    "nonce": "the client's replay protection, echoed from the request",
    "acr": "the authentication context: " + _ISSUED,
    "amr": "the authentication methods: " + _ISSUED,
    "scope": "scopes change through scopesToAdd and scopesToSuppress, not as a claim",
    "cognito:groups": "groups change through groupOverrideDetails, not as a claim",
    "version": "the access token's format version: " + _ISSUED,
}

_TRIGGER_SOURCES = {
    "authorization_code": "TokenGeneration_HostedAuth",
    "implicit": "TokenGeneration_HostedAuth",
    "device_code": "TokenGeneration_HostedAuth",
    "urn:ietf:params:oauth:grant-type:device_code": "TokenGeneration_HostedAuth",
    "password": "TokenGeneration_Authentication",
    "refresh_token": "TokenGeneration_RefreshTokens",
    "client_credentials": "TokenGeneration_ClientCredentials",
}
_MAX_RECORDED = 100
_MAX_TEXT = 64 * 1024
_REGION = "local-demo-1"
_POOL_ID = _REGION + "_TokenWorkbenchDemo"


#: Seconds the lab waits for a handler, as Cognito does for the trigger.
HANDLER_TIME_LIMIT = 5.0


def trigger_source(grant_type: str) -> str:
    """Cognito's ``triggerSource`` for a token issued by ``grant_type`` (the browser grants
    are the hosted UI's, the password grant the API door's ``InitiateAuth``)."""
    return _TRIGGER_SOURCES.get(grant_type, "TokenGeneration_Authentication")


class TriggerFailed(OAuth2Error):  # type: ignore[misc]
    """The handler could not run or answered garbage: the token request fails."""

    error = "server_error"
    status_code = 500


@dataclass
class TokenChanges:
    """What the handler asked for one token, reserved claims already taken out."""

    add: dict[str, Any] = field(default_factory=dict)
    suppress: list[str] = field(default_factory=list)
    scopes_add: list[str] = field(default_factory=list)
    scopes_suppress: list[str] = field(default_factory=list)

    def apply(self, claims: dict[str, Any]) -> dict[str, Any]:
        """``claims`` with the additions and suppressions (suppression wins)."""
        changed = {**claims, **self.add}
        for name in self.suppress:
            changed.pop(name, None)
        return changed


@dataclass
class TriggerOutcome:
    """The handler's answer for one token request, ready to apply."""

    id_token: TokenChanges = field(default_factory=TokenChanges)
    access_token: TokenChanges = field(default_factory=TokenChanges)
    #: ``None``: groups unchanged; a list (maybe empty) replaces ``cognito:groups``.
    groups: list[str] | None = None
    original_scope: str = ""

    def access_scope(self, scope: str) -> str:
        """The access token's scope after ``scopesToAdd`` and ``scopesToSuppress``."""
        changes = self.access_token
        names = [s for s in scope.split() if s not in changes.scopes_suppress]
        names += [s for s in changes.scopes_add if s not in changes.scopes_suppress]
        return " ".join(dict.fromkeys(names))

    def with_groups(self, claims: dict[str, Any]) -> dict[str, Any]:
        if self.groups is None:
            return claims
        changed = {k: v for k, v in claims.items() if k != "cognito:groups"}
        if self.groups:
            changed["cognito:groups"] = list(self.groups)
        return changed


@dataclass(frozen=True)
class TriggerInvocation:
    """One call of the handler (or one token it was not called for, with the reason)."""

    number: int
    at: float
    handler: str
    version: str
    trigger_source: str
    client_id: str
    event: dict[str, Any]
    response: Any
    notes: tuple[str, ...]
    error: str | None
    elapsed_ms: float


class _LambdaContext:
    """The parts of AWS Lambda's context object a handler commonly reads."""

    function_name = "pre-token-generation-lab"
    function_version = "$LATEST"
    memory_limit_in_mb = 128

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() + 5.0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class PreTokenTrigger:
    """The lab's handler file, its version, and the record of its invocations."""

    def __init__(self, path: str | None = None, version: str = "V3_0") -> None:
        self._lock = threading.Lock()
        self._handler: Callable[[Any, Any], Any] | None = None
        self._records: deque[TriggerInvocation] = deque(maxlen=_MAX_RECORDED)
        self._count = 0
        #: Seconds the lab waits for the handler: Cognito's limit for the trigger.
        self.time_limit = HANDLER_TIME_LIMIT
        self.path: str | None = None
        self.version = "V3_0"
        self.set_version(version)
        if path:
            self.load(path)

    # -- configuration ------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self._handler is not None

    @property
    def label(self) -> str:
        return f"{Path(self.path).name}:lambda_handler" if self.path else "(no handler)"

    def set_version(self, version: str) -> None:
        if version not in TRIGGER_VERSIONS:
            raise ValueError(f"trigger version must be one of {', '.join(TRIGGER_VERSIONS)}")
        self.version = version

    def load(self, path: str) -> None:
        """Load (or reload) ``lambda_handler`` from the Python file ``path``. ``ValueError``
        names the file and the reason when it cannot be loaded; the previous handler stays."""
        handler = _load_handler(path)
        with self._lock:
            self.path = str(path)
            self._handler = handler

    def reload(self) -> None:
        if self.path is None:
            raise ValueError("no pre-token trigger file was chosen")
        self.load(self.path)

    def unload(self) -> None:
        with self._lock:
            self._handler = None
            self.path = None

    def invocations(self, after: int = 0) -> list[TriggerInvocation]:
        """The recorded invocations numbered above ``after``, oldest first."""
        with self._lock:
            return [r for r in self._records if r.number > after]

    # -- invocation ---------------------------------------------------------------------
    def run(
        self,
        grant_type: str,
        client_id: str,
        user: Any,
        scope: str,
    ) -> TriggerOutcome | None:
        """Call the handler for one token request; ``None`` when no handler is loaded or
        this version does not run for the grant. ``user`` is the demo user (``None`` for
        client credentials); raises :class:`TriggerFailed`."""
        handler = self._handler
        if handler is None:
            return None
        source = trigger_source(grant_type)
        event = self._event(source, client_id, user, scope)
        if source == "TokenGeneration_ClientCredentials" and self.version != "V3_0":
            note = f"not invoked: {self.version} does not run for client credentials (V3_0 does)"
            self._record(source, client_id, event, None, [note], None, 0.0)
            return None
        started = time.perf_counter()
        try:
            answer = _call_within(handler, copy.deepcopy(event), self.time_limit)
        except _TooSlow:
            elapsed = (time.perf_counter() - started) * 1000
            error = (
                f"The pre-token trigger {self.label} did not answer within "
                f"{self.time_limit:g} s (Cognito's time limit for the trigger)"
            )
            self._record(source, client_id, event, None, [], error, elapsed)
            raise TriggerFailed(_bounded(error)) from None
        except Exception as exc:  # the handler is the user's code: any failure is its own
            elapsed = (time.perf_counter() - started) * 1000
            error = f"The pre-token trigger {self.label} raised {type(exc).__name__}: {exc}"
            self._record(source, client_id, event, None, [], error, elapsed)
            raise TriggerFailed(_bounded(error)) from exc
        elapsed = (time.perf_counter() - started) * 1000
        notes: list[str] = []
        try:
            outcome = self._outcome(answer, notes)
        except ValueError as exc:
            error = f"The pre-token trigger {self.label} returned an invalid response: {exc}"
            self._record(source, client_id, event, answer, notes, error, elapsed)
            raise TriggerFailed(_bounded(error)) from exc
        outcome.original_scope = scope
        if user is None:  # client credentials: there is no ID token
            outcome.id_token = TokenChanges()
        self._record(source, client_id, event, answer, notes, None, elapsed)
        return outcome

    def _event(self, source: str, client_id: str, user: Any, scope: str) -> dict[str, Any]:
        attributes: dict[str, str] = {}
        if user is not None:
            claims = user.claims("openid profile email")
            attributes = {k: _attribute(v) for k, v in claims.items()}
            attributes["cognito:user_status"] = "CONFIRMED"
        request: dict[str, Any] = {
            "userAttributes": attributes,
            "groupConfiguration": {
                "groupsToOverride": [],
                "iamRolesToOverride": [],
                "preferredRole": None,
            },
        }
        if self.version != "V1_0":
            request["scopes"] = scope.split()
        details = (
            "claimsOverrideDetails" if self.version == "V1_0" else "claimsAndScopeOverrideDetails"
        )
        return {
            "version": self.version[1],
            "triggerSource": source,
            "region": _REGION,
            "userPoolId": _POOL_ID,
            "userName": user.username if user is not None else None,
            "callerContext": {"awsSdkVersion": "token-workbench-demo", "clientId": client_id},
            "request": request,
            "response": {details: None},
        }

    def _outcome(self, answer: Any, notes: list[str]) -> TriggerOutcome:
        if not isinstance(answer, dict):
            raise ValueError(f"expected the event (a dict) back, got {type(answer).__name__}")
        response = answer.get("response")
        if not isinstance(response, dict):
            raise ValueError("the event has no 'response' object")
        outcome = TriggerOutcome()
        if self.version == "V1_0":
            if response.get("claimsAndScopeOverrideDetails") is not None:
                notes.append("V1_0 reads only claimsOverrideDetails; V2_0 or V3_0 is needed")
            details = _object(response.get("claimsOverrideDetails"), "claimsOverrideDetails")
            outcome.id_token = _changes(details, "claimsOverrideDetails", notes, scopes=False)
        else:
            if response.get("claimsOverrideDetails") is not None:
                notes.append(f"{self.version} reads claimsAndScopeOverrideDetails only")
            details = _object(
                response.get("claimsAndScopeOverrideDetails"), "claimsAndScopeOverrideDetails"
            )
            outcome.id_token = _changes(
                _object(details.get("idTokenGeneration"), "idTokenGeneration"),
                "idTokenGeneration",
                notes,
                scopes=False,
            )
            outcome.access_token = _changes(
                _object(details.get("accessTokenGeneration"), "accessTokenGeneration"),
                "accessTokenGeneration",
                notes,
                scopes=True,
            )
        if "groupOverrideDetails" in details:
            group_details = _object(details["groupOverrideDetails"], "groupOverrideDetails")
            outcome.groups = _strings(
                group_details.get("groupsToOverride"), "groupsToOverride", spaces=True
            )
        return outcome

    def _record(
        self,
        source: str,
        client_id: str,
        event: dict[str, Any],
        response: Any,
        notes: list[str],
        error: str | None,
        elapsed_ms: float,
    ) -> None:
        with self._lock:
            self._count += 1
            self._records.append(
                TriggerInvocation(
                    number=self._count,
                    at=time.time(),
                    handler=self.label,
                    version=self.version,
                    trigger_source=source,
                    client_id=client_id,
                    event=event,
                    response=_plain(response),
                    notes=tuple(notes),
                    error=error,
                    elapsed_ms=elapsed_ms,
                )
            )


class _TooSlow(Exception):
    """The handler did not answer within the time limit."""


def _call_within(handler: Callable[[Any, Any], Any], event: Any, limit: float) -> Any:
    """``handler(event, context)`` on a thread of its own, waited for ``limit`` seconds: its
    answer, its exception, or :class:`_TooSlow` (the thread is a daemon and ends by itself)."""
    result: list[Any] = []
    failure: list[BaseException] = []

    def call() -> None:
        try:
            result.append(handler(event, _LambdaContext()))
        except BaseException as exc:  # handed to the request that waits
            failure.append(exc)

    thread = threading.Thread(target=call, name="demo-trigger-handler", daemon=True)
    thread.start()
    thread.join(limit)
    if thread.is_alive():
        raise _TooSlow
    if failure:
        raise failure[0]
    return result[0]


def _load_handler(path: str) -> Callable[[Any, Any], Any]:
    file = Path(path)
    name = f"{file.name}:lambda_handler"
    if not file.is_file():
        raise ValueError(f"pre-token trigger {name}: no such file")
    spec = importlib.util.spec_from_file_location(f"_pre_token_trigger_{uuid.uuid4().hex}", file)
    if spec is None or spec.loader is None:
        raise ValueError(f"pre-token trigger {name}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the user's module: any failure to load is reported
        raise ValueError(
            f"pre-token trigger {name} could not be loaded: {type(exc).__name__}: {exc}"
        ) from exc
    handler = getattr(module, "lambda_handler", None)
    if not callable(handler):
        raise ValueError(f"pre-token trigger {file.name} defines no lambda_handler(event, context)")
    return handler  # type: ignore[no-any-return]


def _changes(
    details: dict[str, Any], where: str, notes: list[str], *, scopes: bool
) -> TokenChanges:
    changes = TokenChanges()
    added = _object(details.get("claimsToAddOrOverride"), f"{where}.claimsToAddOrOverride")
    for name, value in added.items():
        if name in RESERVED_CLAIMS:
            notes.append(f"{where}: claim {name!r} refused: {RESERVED_CLAIMS[name]}")
            continue
        try:
            json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where}.claimsToAddOrOverride[{name!r}] is not JSON") from exc
        changes.add[name] = value
    for name in _strings(details.get("claimsToSuppress"), f"{where}.claimsToSuppress", spaces=True):
        if name in RESERVED_CLAIMS:
            notes.append(f"{where}: suppressing {name!r} refused: {RESERVED_CLAIMS[name]}")
        else:
            changes.suppress.append(name)
    if scopes:
        changes.scopes_add = _strings(details.get("scopesToAdd"), f"{where}.scopesToAdd")
        changes.scopes_suppress = _strings(
            details.get("scopesToSuppress"), f"{where}.scopesToSuppress"
        )
    else:
        for key in ("scopesToAdd", "scopesToSuppress"):
            if details.get(key):
                notes.append(f"{where}.{key} ignored: scopes are the access token's")
    return changes


def _object(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ValueError(f"{where} must be an object")
    return value


def _strings(value: Any, where: str, *, spaces: bool = False) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{where} must be a list of strings")
    if not spaces and any(" " in v for v in value):
        raise ValueError(f"{where}: a scope has no spaces")
    return list(value)


def _attribute(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _plain(value: Any) -> Any:
    """A JSON-safe copy of the handler's answer (its ``repr`` where it is not JSON)."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        return _bounded(repr(value), _MAX_TEXT)
    if len(text) > _MAX_TEXT:
        return _bounded(text, _MAX_TEXT)
    return json.loads(text)


def _bounded(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
