"""Syntax of OAuth request parameters (RFC 6749 Appendix A) checked before Authlib sees them.

Why: Authlib copies some parameter values (``response_type``, ``redirect_uri``) into the
``error_description`` of the error it raises, and its ``OAuth2Error`` refuses (with a
``ValueError``, so an HTTP 500) any description holding a character RFC 6749 §5.2 forbids
there: ``"``, ``\\``, control characters, non-ASCII. Checking every standard parameter
against its Appendix A grammar first turns all such input into a proper
``invalid_request`` and keeps odd bytes out of everything downstream.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

__all__ = ["bad_parameter"]

# RFC 6749 Appendix A.
_VSCHAR: Final = r"\x20-\x7e"
_NQCHAR: Final = r"\x21\x23-\x5b\x5d-\x7e"
_NAME: Final = r"[A-Za-z0-9_]+"
# RFC 3986 characters (unreserved, reserved, percent): a URI-reference has nothing else.
_URI: Final = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_NQ_TOKENS: Final = re.compile(rf"[{_NQCHAR}]+( [{_NQCHAR}]+)*")
_VS: Final = re.compile(rf"[{_VSCHAR}]*")
_VS1: Final = re.compile(rf"[{_VSCHAR}]+")
_NQ1: Final = re.compile(rf"[{_NQCHAR}]+")

#: Parameter name -> the grammar its value must match in full.
_GRAMMAR: Final[Mapping[str, re.Pattern[str]]] = {
    "response_type": re.compile(rf"{_NAME}( {_NAME})*"),  # A.3
    "client_id": _VS,  # A.1
    "client_secret": _VS,  # A.2
    "redirect_uri": _URI,  # A.6
    "scope": _NQ_TOKENS,  # A.4
    "state": _VS1,  # A.5
    "code": _VS1,  # A.11
    "grant_type": _NQ1,  # A.10 (a name or a URI)
    "refresh_token": _VS1,  # A.17
    "device_code": _VS1,  # RFC 8628 §3.2
    "code_verifier": _VS1,  # RFC 7636 §4.1 (its finer grammar is Authlib's to check)
    "code_challenge": _VS1,  # RFC 7636 §4.2
    "code_challenge_method": _NQ1,
    "token": _VS1,  # RFC 7009 / RFC 7662
    "token_type_hint": _NQ1,
    "response_mode": _NQ1,  # OAuth 2.0 Multiple Response Types §2.1
    "prompt": _NQ_TOKENS,  # OIDC Core §3.1.2.1
    "nonce": _VS1,
    "auth_req_id": _VS1,  # OpenID CIBA Core §7.3
    "requested_expiry": re.compile(r"[0-9]{1,9}"),  # CIBA Core §7.1
}
#: Parameters whose value is free text (Unicode allowed, RFC 6749 A.15-A.16) on one line.
_ONE_LINE: Final = frozenset({"username", "password", "login_hint", "binding_message"})
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")


def bad_parameter(params: Mapping[str, str], names: Iterable[str] | None = None) -> str | None:
    """The name of the first parameter in ``params`` (limited to ``names`` when given) whose
    value does not follow its grammar, or None when all do."""
    for name, value in params.items():
        if names is not None and name not in names:
            continue
        if name in _ONE_LINE:
            if _CONTROL.search(value):
                return name
            continue
        grammar = _GRAMMAR.get(name)
        if grammar is not None and not grammar.fullmatch(value):
            return name
    return None
