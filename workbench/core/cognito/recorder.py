"""Every boto3 ``cognito-idp`` call in the same exchange log as the HTTP flows.

:class:`BotoExchangeRecorder` hooks botocore's event system on one client:

* ``before-parameter-build.cognito-idp.*`` notes the operation and its parameters (the JSON
  body), and ``before-call.cognito-idp.*`` the serialised request when it gets that far;
* ``before-send.cognito-idp.*`` takes the prepared, signed request of each attempt;
* ``response-received.cognito-idp.*`` records that attempt as an :class:`Exchange`
  (status, headers, body, duration, or the connection error);
* ``after-call`` / ``after-call-error`` record a call that never reached the network (answered
  by a botocore ``Stubber``), marked "(stubbed, not sent)".

Masking is the HTTP flows' (:mod:`workbench.core.transport.masking`): headers by name (the SigV4
``Authorization`` and ``X-Amz-Security-Token`` whole), JSON bodies by field (PASSWORD,
NEW_PASSWORD, SECRET_HASH, SRP values, tokens, ClientSecret ...), and every value known to be
secret wherever it appears. The request's JSON has no form, so its top-level members go into
``request_form`` (nested objects as compact masked JSON).

The curl twin posts the same JSON with secrets as environment variables. Calls signed with AWS
credentials (admin calls) cannot be replayed as they were, because a SigV4 signature covers the
date; the twin uses ``curl --aws-sigv4`` (curl 7.75 and later) with ``$AWS_ACCESS_KEY_ID`` and
``$AWS_SECRET_ACCESS_KEY`` (and ``$AWS_SESSION_TOKEN`` when the call carried one), so curl signs
it afresh. A SECRET_HASH is sent as ``$SECRET_HASH`` with a comment line showing how to compute it
with openssl from ``$CLIENT_SECRET``.
"""

from __future__ import annotations

import http
import json
import shlex
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.core.transport.exchange import (
    Exchange,
    ExchangeLog,
    issued_tokens,
    recorded_tokens,
)
from workbench.core.transport.masking import (
    SECRET_FIELDS,
    TOKEN_FIELDS,
    mask_body,
    mask_headers,
    mask_json,
    mask_text,
)

__all__ = ["ENV_FOR_FIELD", "BotoExchangeRecorder", "curl_for_json_call"]

SERVICE = "cognito-idp"
_STATE_KEY = "workbench_exchange_call"
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use sentinels around env-var names in the body

#: JSON members replaced by an environment-variable reference in the curl twin.
ENV_FOR_FIELD: dict[str, str] = {
    "PASSWORD": "PASSWORD",
    "NEW_PASSWORD": "NEW_PASSWORD",
    "SECRET_HASH": "SECRET_HASH",
    "SecretHash": "SECRET_HASH",
    "REFRESH_TOKEN": "REFRESH_TOKEN",
    "AccessToken": "ACCESS_TOKEN",
    "RefreshToken": "REFRESH_TOKEN",
    "IdToken": "ID_TOKEN",
    "Token": "REFRESH_TOKEN",
    "ClientSecret": "CLIENT_SECRET",
    "Session": "COGNITO_SESSION",
    "SOFTWARE_TOKEN_MFA_CODE": "MFA_CODE",
    "SMS_MFA_CODE": "MFA_CODE",
    "EMAIL_OTP_CODE": "MFA_CODE",
    "UserCode": "MFA_CODE",
    "Password": "PASSWORD",
    "TemporaryPassword": "PASSWORD",
    "PreviousPassword": "PASSWORD",
    "ProposedPassword": "NEW_PASSWORD",
    "ConfirmationCode": "CONFIRMATION_CODE",
    "SRP_A": "SRP_A",
    "PASSWORD_CLAIM_SIGNATURE": "PASSWORD_CLAIM_SIGNATURE",
    "PASSWORD_CLAIM_SECRET_BLOCK": "SECRET_BLOCK",
}

_SENSITIVE = SECRET_FIELDS | TOKEN_FIELDS


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _headers(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    return {_text(k): _text(v) for k, v in raw.items()}


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return ""


def _json_body(body: Any) -> Any:
    if body is None or body == b"" or body == "":
        return None
    try:
        return json.loads(body)
    except (TypeError, ValueError):
        return None


def sensitive_values(value: Any) -> set[str]:
    """Every string held by a secret or token member anywhere in a JSON value."""
    found: set[str] = set()
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, item in node.items():
                if key in _SENSITIVE and isinstance(item, str) and len(item) >= 4:
                    found.add(item)
                elif isinstance(item, dict | list):
                    stack.append(item)
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _form(body: Any) -> dict[str, str] | None:
    """The masked request JSON as ``request_form``: top-level members, nested ones as JSON."""
    if not isinstance(body, dict):
        return None
    masked = mask_json(body)
    return {
        str(k): v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True)
        for k, v in masked.items()
    }


def _with_env_refs(value: Any) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(item, str) and key in _SENSITIVE:
                env = ENV_FOR_FIELD.get(key) or key.upper()
                out[key] = f"{_OPEN}{env}{_CLOSE}"
            else:
                out[key] = _with_env_refs(item)
        return out
    if isinstance(value, list):
        return [_with_env_refs(v) for v in value]
    return value


def _double_quoted(text: str) -> str:
    """``text`` inside a POSIX double-quoted string, sentinel names turned into ``${NAME}``."""
    escaped = "".join("\\" + c if c in '\\"$`' else c for c in text)
    return '"' + escaped.replace(_OPEN, "${").replace(_CLOSE, "}") + '"'


def _secret_hash_note(body: Any) -> str | None:
    """How to compute $SECRET_HASH for the curl twin (the message is user name + client id)."""
    if not isinstance(body, dict):
        return None
    params: dict[str, Any] = {}
    for name in ("AuthParameters", "ChallengeResponses"):
        if isinstance(body.get(name), dict):
            params = body[name]
    if "SecretHash" in body:  # the sign-up and password-reset calls carry it at the top
        params = {"SECRET_HASH": body["SecretHash"], "USERNAME": body.get("Username")}
    if "SECRET_HASH" not in params:
        return None
    user = params.get("USERNAME")
    client = body.get("ClientId", "")
    if not isinstance(user, str):
        user = "<cognito username>"
    message = shlex.quote(f"{user}{client}")
    return (
        f"# SECRET_HASH=$(printf '%s' {message} | openssl dgst -sha256 -hmac "
        '"$CLIENT_SECRET" -binary | base64)'
    )


def curl_for_json_call(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: Any,
    *,
    signed: bool,
    region: str,
    session_token: bool = False,
) -> str:
    """A runnable curl for one cognito-idp JSON call, secrets as environment variables."""
    notes: list[str] = []
    note = _secret_hash_note(body)
    if note:
        notes.append(note)
    if isinstance(body, dict):
        srp = {**(body.get("AuthParameters") or {}), **(body.get("ChallengeResponses") or {})}
        if "SRP_A" in srp or "PASSWORD_CLAIM_SIGNATURE" in srp:
            notes.append(
                "# USER_SRP_AUTH values are one-time: a replay needs a fresh SRP computation"
            )
    parts = ["curl"]
    if method.upper() != "POST":
        parts += ["-X", method.upper()]
    parts.append(shlex.quote(url))
    for name in ("Content-Type", "X-Amz-Target"):
        value = _header(headers, name)
        if value:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if signed:
        notes.append(
            "# signed call: curl signs it again (SigV4) from $AWS_ACCESS_KEY_ID and "
            "$AWS_SECRET_ACCESS_KEY (curl 7.75 or later)"
        )
        parts += [
            "--aws-sigv4",
            shlex.quote(f"aws:amz:{region}:{SERVICE}"),
            "--user",
            '"${AWS_ACCESS_KEY_ID}:${AWS_SECRET_ACCESS_KEY}"',
        ]
        if session_token:
            parts += ["-H", '"X-Amz-Security-Token: ${AWS_SESSION_TOKEN}"']
    if body is not None:
        text = json.dumps(_with_env_refs(body), ensure_ascii=False, separators=(",", ":"))
        parts += ["--data-raw", _double_quoted(text)]
    return "\n".join([*notes, " ".join(parts)])


@dataclass
class _Call:
    operation: str
    method: str
    url: str
    headers: dict[str, str]
    body: Any
    started_at: float
    t0: float
    attempts: int = 0
    extra_secrets: set[str] = field(default_factory=set)


class BotoExchangeRecorder:
    """Records the calls of one botocore client in ``log`` (install it once per client)."""

    def __init__(self, log: ExchangeLog, region: str) -> None:
        self.log = log
        self.region = region
        self.endpoint_url = ""
        self._local = threading.local()

    def install(self, client: Any) -> None:
        self.endpoint_url = str(client.meta.endpoint_url).rstrip("/") + "/"
        events = client.meta.events
        uid = f"workbench-recorder-{id(self)}"
        events.register(
            f"before-parameter-build.{SERVICE}", self._before_build, unique_id=uid + "bp"
        )
        events.register_first(f"before-call.{SERVICE}", self._before_call, unique_id=uid + "bc")
        events.register_last(f"before-send.{SERVICE}", self._before_send, unique_id=uid + "bs")
        events.register(f"response-received.{SERVICE}", self._received, unique_id=uid + "rr")
        events.register(f"after-call.{SERVICE}", self._after_call, unique_id=uid + "ac")
        events.register(f"after-call-error.{SERVICE}", self._after_error, unique_id=uid + "ae")

    # -- handlers (all run on the thread making the call) --------------------------------------
    def _before_build(
        self, model: Any, params: Mapping[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        # The API parameters are the JSON body of a cognito-idp call. Noted here because a
        # Stubber's before-call handler may answer before ours runs.
        body = json.loads(json.dumps(dict(params), default=str))
        prefix = model.service_model.metadata.get("targetPrefix", "")
        headers = {"Content-Type": "application/x-amz-json-1.1"}
        if prefix:
            headers["X-Amz-Target"] = f"{prefix}.{model.name}"
        context[_STATE_KEY] = _Call(
            operation=str(model.name),
            method="POST",
            url=self.endpoint_url,
            headers=headers,
            body=body,
            started_at=time.time(),
            t0=time.perf_counter(),
            extra_secrets=sensitive_values(body),
        )

    def _before_call(
        self, model: Any, params: Mapping[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        call: _Call | None = context.get(_STATE_KEY)
        if call is None:
            return
        body = _json_body(params.get("body"))
        if body is not None:
            call.body = body
            call.extra_secrets |= sensitive_values(body)
        call.url = str(params.get("url") or call.url)
        call.headers = _headers(params.get("headers")) or call.headers

    def _before_send(self, request: Any, **_: Any) -> None:
        self._local.pending = (request, time.time(), time.perf_counter())

    def _received(
        self,
        response_dict: Mapping[str, Any] | None,
        parsed_response: Mapping[str, Any] | None,
        context: Mapping[str, Any],
        exception: BaseException | None,
        **_: Any,
    ) -> None:
        call: _Call | None = context.get(_STATE_KEY)
        pending = getattr(self._local, "pending", None)
        self._local.pending = None
        if call is None or pending is None:
            return
        request, started, t0 = pending
        call.attempts += 1
        duration = (time.perf_counter() - t0) * 1000.0
        headers = _headers(request.headers)
        body = _json_body(request.body)
        status: int | None = None
        resp_headers: dict[str, str] = {}
        resp_body = b""
        if response_dict is not None:
            status = int(response_dict.get("status_code") or 0)
            resp_headers = _headers(response_dict.get("headers"))
            raw = response_dict.get("body")
            resp_body = raw if isinstance(raw, bytes) else _text(raw or "").encode("utf-8")
        error = None if exception is None else f"{type(exception).__name__}: {exception}"
        self._record(
            call,
            method=str(request.method),
            url=str(request.url),
            headers=headers,
            body=body if body is not None else call.body,
            status=status,
            response_headers=resp_headers,
            response_body=resp_body,
            started=started,
            duration=duration,
            error=error,
        )

    def _after_call(
        self,
        http_response: Any,
        parsed: Mapping[str, Any],
        context: dict[str, Any],
        **_: Any,
    ) -> None:
        call: _Call | None = context.pop(_STATE_KEY, None)
        if call is None or call.attempts:
            return
        shown = {k: v for k, v in (parsed or {}).items() if k != "ResponseMetadata"}
        self._record(
            call,
            method=call.method,
            url=call.url,
            headers=call.headers,
            body=call.body,
            status=int(getattr(http_response, "status_code", 0) or 0) or None,
            response_headers={"Content-Type": "application/x-amz-json-1.1"},
            response_body=json.dumps(shown, default=str).encode("utf-8"),
            started=call.started_at,
            duration=(time.perf_counter() - call.t0) * 1000.0,
            error=None,
            stubbed=True,
        )

    def _after_error(self, exception: BaseException, context: dict[str, Any], **_: Any) -> None:
        call: _Call | None = context.pop(_STATE_KEY, None)
        if call is None or call.attempts:
            return
        self._record(
            call,
            method=call.method,
            url=call.url,
            headers=call.headers,
            body=call.body,
            status=None,
            response_headers={},
            response_body=b"",
            started=call.started_at,
            duration=(time.perf_counter() - call.t0) * 1000.0,
            error=f"{type(exception).__name__}: {exception}",
        )

    # -- the record ----------------------------------------------------------------------------
    def _record(
        self,
        call: _Call,
        *,
        method: str,
        url: str,
        headers: dict[str, str],
        body: Any,
        status: int | None,
        response_headers: dict[str, str],
        response_body: bytes,
        started: float,
        duration: float,
        error: str | None,
        stubbed: bool = False,
    ) -> None:
        secrets: Iterable[str] = self.log.secrets() | call.extra_secrets
        # "cognito-idp InitiateAuth" reads better in the log than the X-Amz-Target header
        # (AWSCognitoIdentityProviderService.InitiateAuth), which stays in the headers.
        target = _header(headers, "X-Amz-Target").rpartition(".")[2] or call.operation
        purpose = (
            f"cognito-idp {target}" + _detail(body) + (" (stubbed, not sent)" if stubbed else "")
        )
        signed = _header(headers, "Authorization").startswith("AWS4-")
        curl = curl_for_json_call(
            method,
            url,
            headers,
            body,
            signed=signed,
            region=self.region,
            session_token=bool(_header(headers, "X-Amz-Security-Token")),
        )
        ctype = _header(response_headers, "Content-Type") or "application/json"
        exchange = Exchange(
            id=self.log.next_id(),
            started_at=started,
            purpose=purpose,
            method=method,
            url=mask_text(url, secrets),
            request_headers=mask_headers(headers),
            request_form=_form(body),
            status=status,
            reason=_reason(status),
            response_headers=mask_headers(response_headers),
            response_body=mask_body(response_body, ctype, secrets) if response_body else "",
            duration_ms=duration,
            error=mask_text(error, secrets) if error else None,
            curl=curl,
            tokens=recorded_tokens(response_body, ctype, secrets) if response_body else {},
        )
        self.log.append(exchange)
        if response_body:
            self.log.note_issued(exchange.id, issued_tokens(response_body, ctype))


def _detail(body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    for key in ("AuthFlow", "ChallengeName"):
        if isinstance(body.get(key), str):
            return f" ({body[key]})"
    return ""


def _reason(status: int | None) -> str:
    if status is None:
        return ""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""
