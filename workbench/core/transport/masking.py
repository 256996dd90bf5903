"""Masking of secrets in recorded exchanges.

Secrets proper (client secret, password, verifier, device code) are replaced whole; tokens keep
their first characters so a person can still tell two tokens apart.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from workbench.core.transport import bounded_json

MASK = "••••••"
TOKEN_PREFIX = 8

#: Form or JSON fields whose whole value is secret.
SECRET_FIELDS = frozenset(
    {
        "client_secret",
        "password",
        "new_password",
        "code_verifier",
        "assertion",
        "secret_hash",
        "registration_access_token",  # RFC 7591 §3.2.1, RFC 7592
        "SECRET_HASH",
        "PASSWORD",
        "NEW_PASSWORD",
        "aws_secret_access_key",
        "SecretAccessKey",
        "SessionToken",
        # Amazon Cognito API (JSON bodies of cognito-idp calls)
        "ClientSecret",
        "SecretHash",
        "Password",
        "TemporaryPassword",
        "PreviousPassword",
        "ProposedPassword",
        "ConfirmationCode",
        "SecretCode",
        "UserCode",
        "PASSWORD_CLAIM_SIGNATURE",
        "SOFTWARE_TOKEN_MFA_CODE",
        "SMS_MFA_CODE",
        "EMAIL_OTP_CODE",
    }
)

#: Fields that hold tokens or codes: shown by their first characters only.
TOKEN_FIELDS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "token",
        "code",
        "device_code",
        "id_token_hint",
        "auth_req_id",
        "login_hint_token",
        "subject_token",
        "actor_token",
        # a JWT client assertion (RFC 7523 §2.2): its header and claims are recorded decoded
        "client_assertion",
        "AccessToken",
        "RefreshToken",
        "IdToken",
        "REFRESH_TOKEN",
        "Session",
        # Amazon Cognito API: RevokeToken's Token, SRP values, challenge session blobs
        "Token",
        "SRP_A",
        "SRP_B",
        "SECRET_BLOCK",
        "PASSWORD_CLAIM_SECRET_BLOCK",
    }
)

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-amz-security-token",
        # moto's test server hands the ForgotPassword code back in a header of its own
        "x-moto-forgot-password-confirmation-code",
    }
)


def mask_token(value: str) -> str:
    """Keep the first characters of a token, hide the rest."""
    if len(value) <= TOKEN_PREFIX:
        return MASK
    return value[:TOKEN_PREFIX] + "…" + MASK


def mask_field(name: str, value: str) -> str:
    """Mask one form/JSON field by its name."""
    if name in SECRET_FIELDS:
        return MASK
    if name in TOKEN_FIELDS:
        return mask_token(value)
    return value


def mask_header(name: str, value: str) -> str:
    """Mask an HTTP header: keep the scheme of Authorization, hide the credentials."""
    if name.lower() not in SECRET_HEADERS:
        return value
    scheme, _, rest = value.partition(" ")
    if name.lower().endswith("authorization") and rest:
        if scheme.lower() == "bearer":
            return f"{scheme} {mask_token(rest)}"
        return f"{scheme} {MASK}"
    return MASK


def url_has_credentials(url: str) -> bool:
    """True when ``url`` carries userinfo (``user:password@host``)."""
    try:
        return "@" in urlsplit(url).netloc
    except ValueError:
        return False


def mask_url(url: str) -> str:
    """``url`` with its userinfo masked (``https://••••••@host/…``); other URLs unchanged."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at:
        return url
    user, colon, _password = userinfo.partition(":")
    shown = f"{user}:{MASK}" if colon else MASK
    return urlunsplit(parts._replace(netloc=f"{shown}@{host}"))


def mask_mapping(data: Mapping[str, str]) -> dict[str, str]:
    return {k: mask_field(k, v) for k, v in data.items()}


def mask_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: mask_header(k, v) for k, v in headers.items()}


def mask_json(value: Any) -> Any:
    """A masked copy of a parsed JSON value: strings in objects masked by their member name.

    Walks the value with an explicit stack, not recursion, so no nesting depth can raise
    RecursionError here (every recorded response body passes through this function).
    """
    if not isinstance(value, dict | list):
        return value
    root: dict[str, Any] | list[Any] = {} if isinstance(value, dict) else []
    stack: list[tuple[Any, Any]] = [(value, root)]
    while stack:
        source, target = stack.pop()
        pairs = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in pairs:
            copy: Any
            if isinstance(item, str) and isinstance(source, dict):
                copy = mask_field(str(key), item)
            elif isinstance(item, dict | list):
                copy = {} if isinstance(item, dict) else []
                stack.append((item, copy))
            else:
                copy = item
            if isinstance(target, dict):
                target[key] = copy
            else:
                target.append(copy)
    return root


_MASKED_NAMES = "|".join(
    re.escape(name) for name in sorted(SECRET_FIELDS | TOKEN_FIELDS, key=len, reverse=True)
)
# ``"name": "value`` in JSON text that could not be parsed (cut off, too deep, malformed). The
# value may be unterminated (a body cut off at the size cap), so it runs to a quote or the end.
_FIELD_IN_TEXT = re.compile(
    r'"(' + _MASKED_NAMES + r')"(\s*:\s*)"([^"\\]*(?:\\.[^"\\]*)*)', re.DOTALL
)


def mask_json_text(text: str) -> str:
    """Mask secret and token members in JSON text without parsing it."""
    return _FIELD_IN_TEXT.sub(
        lambda m: f'"{m.group(1)}"{m.group(2)}"{mask_field(m.group(1), m.group(3))}', text
    )


def mask_text(text: str, secrets: Iterable[str]) -> str:
    """Replace every known secret value appearing anywhere in ``text``."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def mask_value(value: Any, secrets: Iterable[str]) -> Any:
    """A parsed JSON value as it may be shown: secret members masked by name
    (:func:`mask_json`), then every known secret masked wherever it appears in a string."""
    masked = mask_json(value)
    if isinstance(masked, str):
        return mask_text(masked, secrets)
    if not isinstance(masked, dict | list):
        return masked
    return json.loads(mask_text(json.dumps(masked, ensure_ascii=False), secrets))


def mask_body(body: bytes, content_type: str, secrets: Iterable[str]) -> str:
    """A response body as masked text: JSON masked by field, any other text by known values.

    JSON that cannot be parsed (cut off, nested past :data:`bounded_json.MAX_DEPTH`, malformed)
    is shown as it came, with secret members masked in the text.
    """
    text = body.decode("utf-8", errors="replace")
    if "json" in content_type.lower() or text.lstrip().startswith(("{", "[")):
        try:
            parsed = bounded_json.loads(text)
        except ValueError:
            text = mask_json_text(text)
        else:
            text = json.dumps(mask_json(parsed), indent=2, ensure_ascii=False)
            if not text.isascii():
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:  # a lone surrogate from a "\ud800" escape
                    text = json.dumps(mask_json(parsed), indent=2)
    return mask_text(text, secrets)
