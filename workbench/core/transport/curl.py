"""Render a request as a runnable curl command whose secrets are environment variables."""

from __future__ import annotations

import shlex
from collections.abc import Collection
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit, urlunsplit

from workbench.core.transport.masking import (
    SECRET_FIELDS,
    TOKEN_FIELDS,
    mask_url,
    url_has_credentials,
)

if TYPE_CHECKING:
    from workbench.core.transport.exchange import HttpRequest

#: Form fields replaced by an environment-variable reference in the command.
ENV_FOR_FIELD = {
    "client_secret": "CLIENT_SECRET",
    "password": "PASSWORD",
    "refresh_token": "REFRESH_TOKEN",
    "access_token": "ACCESS_TOKEN",
    "token": "TOKEN",
    "code": "AUTH_CODE",
    "code_verifier": "CODE_VERIFIER",
    "device_code": "DEVICE_CODE",
    "client_assertion": "CLIENT_ASSERTION",
    "id_token_hint": "ID_TOKEN",
}


def _with_env(prefix: str, env: str) -> str:
    """``"prefix${ENV}"`` for a POSIX shell: the prefix literal, the variable expanded."""
    escaped = "".join("\\" + c if c in '\\"$`' else c for c in prefix)
    return f'"{escaped}${{{env}}}"'


def _split_credentials(url: str) -> tuple[str, str | None]:
    """The URL without its userinfo, and the user name it carried (``None`` if none)."""
    if not url_has_credentials(url):
        return url, None
    parts = urlsplit(url)
    userinfo, _, host = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=host)), unquote(userinfo.partition(":")[0])


def to_curl(req: HttpRequest, secret_headers: Collection[str] = ()) -> str:
    """``req`` as a curl command; the values of ``secret_headers`` (names as in
    ``req.headers``) become environment variables named after the header."""
    parts = ["curl"]
    has_body = req.form is not None or req.content is not None
    if req.method != ("POST" if has_body else "GET"):
        parts += ["-X", req.method]
    url, url_user = _split_credentials(req.url)
    if url_user is not None and req.basic_auth is not None:
        url, url_user = mask_url(req.url), None  # two sets of credentials: show neither
    parts.append(shlex.quote(url))
    if url_user is not None:  # the URL's password becomes a variable, like every secret
        parts += ["--user", _with_env(f"{url_user}:", "URL_PASSWORD")]
    for name, value in req.headers.items():
        if name in secret_headers:
            parts += ["-H", _with_env(f"{name}: ", name.upper().replace("-", "_"))]
        elif name.lower() == "authorization" and value.lower().startswith(("bearer ", "dpop ")):
            scheme = value.split(" ", 1)[0]
            parts += ["-H", _with_env(f"Authorization: {scheme} ", "ACCESS_TOKEN")]
        elif name.lower() == "authorization":
            scheme = value.split(" ", 1)[0]
            parts += ["-H", _with_env(f"Authorization: {scheme} ", "AUTHORIZATION")]
        else:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if req.basic_auth is not None:
        parts += ["--user", _with_env(f"{req.basic_auth[0]}:", "CLIENT_SECRET")]
    if req.form is not None:
        for name, value in req.form.items():
            env = ENV_FOR_FIELD.get(name)
            if env is None and (name in SECRET_FIELDS or name in TOKEN_FIELDS):
                env = name.upper()  # whatever is masked in the log is a variable here
            if env:
                parts += ["--data-urlencode", _with_env(f"{name}=", env)]
            else:
                parts += ["--data-urlencode", shlex.quote(f"{name}={value}")]
    if req.content is not None:
        parts += ["--data-raw", shlex.quote(req.content.decode("utf-8", errors="replace"))]
    return _single_use_note(req, secret_headers) + " ".join(parts)


def _single_use_note(req: HttpRequest, secret_headers: Collection[str]) -> str:
    """A comment before a command whose request carried a DPoP proof: the proof was good for
    that one request (its ``jti`` is single-use, RFC 9449 §11.1), so it is not replayed; the
    comment says how to make a fresh one for the same method and URL."""
    if not any(name.lower() == "dpop" for name in secret_headers):
        return ""
    target = shlex.quote(mask_url(req.url))
    token = (
        " --token-env ACCESS_TOKEN"
        if any(v.lower().startswith("dpop ") for v in req.headers.values())
        else ""
    )
    return (
        "# The DPoP proof of this request was single-use (RFC 9449 §11.1): it is not replayed."
        f" Set DPOP to a fresh proof of the same key:\n# DPOP=$(workbench keys dpop-proof"
        f" --key DPOP_KEY.pem --method {req.method} --url {target}{token})\n"
    )
