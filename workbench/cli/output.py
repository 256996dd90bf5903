"""What the command line prints: exit codes, the printers, and how an error is worded.

stdout carries only the result (with ``--json``, only the server's JSON); progress, the authorize
URL, the device user code and its QR code go to stderr. Exit codes: 0 success, 1 the flow failed
(OAuth error or a failed client-side check), 2 usage or configuration, 3 transport, 4 ``inspect``
found a failing check, a check it was asked for and could not make, or an undecodable token,
130 interrupted.

Everything human-readable is passed through :func:`printable` (a claim or an error description
cannot move the cursor or fake a line), and error lines are masked with every secret the run
knew or sent. ``--json`` output is exact JSON (``json.dumps`` escapes control characters).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TextIO

from workbench.core.display import is_web_url, printable
from workbench.core.errors import (
    FlowError,
    OAuthError,
    TokenError,
    TransportError,
    WorkbenchError,
)
from workbench.core.hints import Endpoint, Fix, Phrase, Setting, worded
from workbench.core.oauth.rfc8693_exchange import describe_delegation
from workbench.core.oauth.rfc9396_rar import describe_details, granted_details
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.tokens.claims import claim_rows, expiry
from workbench.core.tokens.decode import decode_jwt, token_kind
from workbench.core.tokens.findings import Finding, Inspection
from workbench.core.transport import bounded_json
from workbench.core.transport.exchange import Exchange, ExchangeLog
from workbench.core.transport.masking import mask_text

EXIT_OK, EXIT_OAUTH, EXIT_USAGE, EXIT_TRANSPORT, EXIT_CHECK, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130


class Out:
    """Where text goes: ``result`` is stdout, ``info`` is stderr.

    Both show control characters as visible escapes (line breaks stay). ``mask`` hides every
    secret this run was given or sent, for the lines that echo what a server said.
    """

    def __init__(self, stdout: TextIO, stderr: TextIO) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self._secrets: set[str] = set()
        self._logs: list[ExchangeLog] = []
        #: ``--log-full``: print response bodies whole instead of collapsing long ones.
        self.log_full = False

    def result(self, text: str = "") -> None:
        print(printable(text, keep_newlines=True), file=self.stdout, flush=True)

    def info(self, text: str = "") -> None:
        print(printable(text, keep_newlines=True), file=self.stderr, flush=True)

    def secret(self, value: str | None) -> str | None:
        """Remember ``value`` as a secret of this run (returned unchanged)."""
        if value:
            self._secrets.add(value)
        return value

    def watch(self, log: ExchangeLog) -> ExchangeLog:
        """Mask, in error lines, every secret that requests through ``log`` carried."""
        self._logs.append(log)
        return log

    def logs(self) -> list[ExchangeLog]:
        """The exchange logs of this run (each once)."""
        return list({id(log): log for log in self._logs}.values())

    def secrets(self) -> set[str]:
        """Every secret this run was given or sent."""
        secrets = set(self._secrets)
        for log in self._logs:
            secrets |= log.secrets()
        return secrets

    def mask(self, text: str) -> str:
        return mask_text(text, self.secrets())


#: What runs a command: its parsed arguments and where to print, to an exit code.
Handler = Callable[[argparse.Namespace, Out], int]


# -- the exchange log (--log) ----------------------------------------------------------------
def print_exchange(out: Out, ex: Exchange) -> None:
    status = f"{ex.status} {ex.reason}" if ex.status is not None else f"failed: {ex.error}"
    out.info(
        f"--- #{ex.id} {ex.purpose or ex.method}: {ex.method} {ex.url} -> {status} "
        f"({ex.duration_ms:.0f} ms)"
    )
    if ex.client_certificate:
        out.info("    client certificate: " + ex.client_certificate)
    if ex.request_form:
        out.info("    form: " + json.dumps(dict(ex.request_form)))
    for member, decoded in ex.request_tokens.items():
        shown = json.dumps(decoded, ensure_ascii=False)
        out.info(f"    {member} decoded (signature left out): {shown}")
    if ex.request_body:
        body = ex.request_body if out.log_full else collapse_body(ex.request_body)
        out.info("    body: " + printable(body, keep_newlines=True).replace("\n", "\n    "))
    if ex.response_body:
        body = ex.response_body if out.log_full else collapse_body(ex.response_body)
        out.info("    " + printable(body, keep_newlines=True).replace("\n", "\n    "))
    out.info("    " + ex.curl)


#: ``--log`` shows a response body whole up to this many characters; past it, a JSON object
#: shows its first keys (each value cut to :data:`LOG_VALUE_CHARS`) and any other body its
#: start, with a line saying how much was left out. ``--log-full`` shows everything.
LOG_BODY_CHARS = 1200
LOG_MAX_KEYS = 10
LOG_VALUE_CHARS = 100
_LOG_FULL_HINT = "--log-full shows it all"


def _size(text: str) -> int:
    return len(text.encode("utf-8", "replace"))


def collapse_body(body: str) -> str:
    """A long response body made short for ``--log``, saying how many keys or bytes it left
    out; a body of at most :data:`LOG_BODY_CHARS` characters comes back unchanged."""
    if len(body) <= LOG_BODY_CHARS:
        return body
    try:
        doc = bounded_json.loads(body)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        head = body[:LOG_BODY_CHARS]
        return f"{head}\n… {_size(body) - _size(head):,} more bytes left out ({_LOG_FULL_HINT})"
    lines = ["{"]
    used = 0
    shown = 0
    cut = 0
    for key, value in doc.items():
        if shown >= LOG_MAX_KEYS or used >= LOG_BODY_CHARS:
            break
        text = json.dumps(value, ensure_ascii=False)
        if len(text) > LOG_VALUE_CHARS:
            kept = text[:LOG_VALUE_CHARS]
            cut += _size(text) - _size(kept)
            text = f"{kept}… [{_size(text) - _size(kept):,} more bytes]"
        line = f"  {json.dumps(key, ensure_ascii=False)}: {text},"
        lines.append(line)
        used += len(line)
        shown += 1
    rest = {k: doc[k] for k in list(doc)[shown:]}
    left: list[str] = []
    if rest:
        noun = "key" if len(rest) == 1 else "keys"
        size = _size(json.dumps(rest, ensure_ascii=False)) - 2
        left.append(f"{len(rest)} more {noun} of {len(doc)} ({size:,} bytes)")
    if cut:
        left.append(f"{cut:,} bytes of long values")
    if left:
        lines.append(f"  … left out: {' and '.join(left)} ({_LOG_FULL_HINT})")
    else:
        lines[-1] = lines[-1].removesuffix(",")
    lines.append("}")
    return "\n".join(lines)


# -- tokens and inspections ------------------------------------------------------------------
def print_tokens(args: argparse.Namespace, out: Out, tokens: TokenSet) -> None:
    """The token response: exact JSON with ``--json``, else a summary with decoded claims."""
    if args.json:
        out.result(json.dumps(tokens.to_dict(), indent=2))
    else:
        print_token_summary(out, tokens)


def print_token_summary(out: Out, tokens: TokenSet) -> None:
    scope = f", scope: {tokens.scope}" if tokens.scope else ""
    lifetime = f", expires in {tokens.expires_in:g} s" if tokens.expires_in is not None else ""
    out.result(f"token_type: {tokens.token_type or '?'}{lifetime}{scope}")
    if tokens.issued_token_type:  # RFC 8693 §2.2.1: what access_token holds
        out.result(f"issued_token_type: {printable(tokens.issued_token_type)}")
    for name in ("access_token", "id_token", "refresh_token"):
        value = getattr(tokens, name)
        if not value:
            continue
        out.result("")
        out.result(f"{name}: {value}")
        if token_kind(value) == "jwt":
            print_claims(out, value)
        else:
            out.result("  (opaque: not a JWT; ask the server with `workbench introspect`)")


def print_claims(out: Out, token: str) -> None:
    try:
        decoded = decode_jwt(token)
    except TokenError as exc:
        out.result(f"  (cannot decode: {exc})")
        return
    out.result("  header: " + json.dumps(decoded.header))
    now = time.time()
    rows = claim_rows(decoded.claims, now)
    width = max((len(r.name) for r in rows), default=0)
    for row in rows:
        out.result(f"  {printable(row.name):<{width}}  {printable(row.display)}")
    ex = expiry(decoded.claims, now)
    if ex.expires_at is not None:
        out.result(f"  -> {ex.describe()}")
    for line in describe_delegation(decoded.claims):  # act / may_act (RFC 8693 §4.1, §4.4)
        out.result(f"  delegation: {printable(line)}")


# -- which option would fix it -------------------------------------------------------------

#: The command-line option that gives each setting (:mod:`workbench.core.hints`).
CLI_OPTIONS: dict[Setting, str] = {
    Setting.ISSUER: "--issuer",
    Setting.JWKS_URI: "--jwks-uri",
    Setting.AUDIENCE: "--audience",
    Setting.CLIENT_ID: "--client-id",
    Setting.REGION: "--region",
    Setting.USER_POOL_ID: "--user-pool-id",
    Setting.USERNAME: "--username",
    Setting.AWS_PROFILE: "--aws-profile",
    Setting.CLIENT_SECRET: "--client-secret-env VAR",
    Setting.ENDPOINT_URL: "--endpoint-url",
    Setting.REDIRECT_URI: "--redirect-uri",
    Setting.RESOURCE_SCOPE: "--scope NAME[=description]",
}


def cli_option(setting: Setting | Endpoint) -> str:
    """The option that gives a setting: ``--issuer``, ``--endpoint revocation_endpoint=URL``."""
    if isinstance(setting, Endpoint):
        return f"--endpoint {setting.name}=URL"
    return CLI_OPTIONS[setting]


def cli_words(text: Phrase) -> str:
    """A core phrase (an error's message or advice) with its settings named as options."""
    return worded(text, cli_option)


def cli_fix(fix: Fix) -> str:
    """``pass --issuer or --jwks-uri``: the options that would fix a problem ("" for none)."""
    return "pass " + " or ".join(cli_option(s) for s in fix) if fix else ""


def cli_reason(finding: Finding) -> str:
    """A finding's reason with the options that would let the check be made."""
    return f"{finding.reason}: {cli_fix(finding.fix)}" if finding.fix else finding.reason


def cli_findings(inspection: Inspection) -> Inspection:
    """The inspection with each reason worded for the command line (text and ``--json``)."""
    findings = tuple(replace(f, reason=cli_reason(f)) for f in inspection.findings)
    return replace(inspection, findings=findings)


def print_inspection(out: Out, inspection: Inspection) -> None:
    print_claims(out, inspection.decoded.raw)
    out.result("")
    out.result("checks:")
    for f in inspection.findings:
        mark = {"pass": "PASS", "fail": "FAIL", "not_checked": "----"}[f.outcome.value]
        out.result(f"  {mark}  {f.check:<10} {printable(f.reason)}")


def report_inspection(args: argparse.Namespace, out: Out, inspection: Inspection) -> int:
    """Print an inspection (JSON or text) and return its exit code."""
    inspection = cli_findings(inspection)
    if args.json:
        doc = inspection.to_dict()
        keys = ("header", "claims", "ok", "verification_requested", "findings")
        out.result(json.dumps({k: doc[k] for k in keys}, indent=2))
    else:
        print_inspection(out, inspection)
    return EXIT_OK if inspection.ok else EXIT_CHECK


def print_qr(out: Out, data: str) -> None:
    import qrcode

    qr = qrcode.QRCode(border=1)
    qr.add_data(data)
    qr.make(fit=True)
    qr.print_ascii(out=out.stderr, invert=True)


# -- errors ----------------------------------------------------------------------------------
def report_error(out: Out, exc: WorkbenchError) -> int:
    """Print ``error: <code>: <description>`` and return the exit code for the error.

    When the error names the settings that would fix it, a line names their options
    (``  see --region or --user-pool-id``).
    """
    code = _report_error(out, exc)
    if exc.fix:
        out.info("  see " + " or ".join(cli_option(s) for s in exc.fix))
    return code


def _report_error(out: Out, exc: WorkbenchError) -> int:
    """Print the error line (and a server's ``error_uri`` and advice); return the exit code.

    What a server said is echoed, so it is masked with every secret of the run (a server that
    echoes the client secret or a refresh token in its error must not print it) and shown
    with control characters escaped.
    """

    def say(text: str) -> None:
        out.info(printable(out.mask(text)))

    if isinstance(exc, OAuthError):
        say(f"error: {exc.error}: {exc.description}" if exc.description else f"error: {exc}")
        if exc.uri:
            if is_web_url(exc.uri):
                say(f"  see {exc.uri}")
            else:
                say(f"  error_uri (not an http(s) URL, not shown as a link): {exc.uri!r}")
        if exc.advice:  # what to do: the error code's (invalid_client) or a CognitoError's
            say(f"  advice: {cli_words(exc.advice)}")
        return EXIT_OAUTH
    message = cli_words(exc.phrase)
    if isinstance(exc, TransportError):
        say(f"error: {exc.kind}: {message}")
        return EXIT_TRANSPORT
    if isinstance(exc, FlowError):
        say(f"error: {exc.kind}: {message}")
        return EXIT_OAUTH
    if isinstance(exc, TokenError):
        say(f"error: token: {message}")
        return EXIT_CHECK
    say(f"error: {message}")
    return EXIT_USAGE


def print_authorization_details(out: Out, tokens: TokenSet) -> None:
    """The authorization details granted (RFC 9396 §7, §9.1), a block per detail."""
    try:
        claims = decode_jwt(tokens.access_token).claims if tokens.access_token else None
    except TokenError:
        claims = None  # an opaque access token: only the response can say
    found = granted_details(tokens.raw, claims)
    if found is None:
        return
    source, details = found
    out.info(f"Authorization details granted ({source}, RFC 9396):")
    for block in describe_details(details):
        out.info(f"  type: {printable(block.type)}")
        for name, text in block.lines:
            out.info(f"    {name}: {printable(text)}")
