"""What a protected resource says when it refuses a token: ``WWW-Authenticate`` (RFC 6750 §3).

:func:`parse_challenges` reads the header with the grammar of RFC 9110 §11.6.1 (several
challenges, comma separated, each a scheme with a token68 or auth-params, quoted strings with
escapes), bounded in length and in the number of parameters since the value comes from a server.
:func:`bearer_challenge` picks the challenge of the scheme the token was sent with; :func:`explain`
puts it in words and :func:`next_step` says what a tester does next: refresh, ask for the
missing scope, get a token from the authorization server the resource names (RFC 9728 §5), or
fix the request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from workbench.core.display import printable

#: The longest header value read (characters); the rest is ignored.
MAX_HEADER_CHARS = 8 * 1024
#: The most parameters kept per challenge and challenges per header.
MAX_PARAMS = 32
MAX_CHALLENGES = 16
#: The longest parameter value shown in an explanation (characters).
SHOWN_VALUE_CHARS = 300

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_SCHEME = re.compile(rf"\s*({_TOKEN})")
_PARAM = re.compile(rf'\s*({_TOKEN})\s*=\s*(?:"((?:[^"\\]|\\.)*)"|({_TOKEN}))', re.DOTALL)
_TOKEN68 = re.compile(r"\s*([A-Za-z0-9\-._~+/]+=*)\s*(?=,|$)")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_COMMA = re.compile(r"\s*,")


@dataclass(frozen=True)
class Challenge:
    """One challenge: its scheme and its auth-params (names in lower case) or token68."""

    scheme: str
    params: Mapping[str, str] = field(default_factory=dict)
    token68: str | None = None

    def get(self, name: str) -> str | None:
        value = self.params.get(name.lower())
        return value if value else None

    @property
    def error(self) -> str | None:
        return self.get("error")

    @property
    def scope(self) -> str | None:
        return self.get("scope")

    @property
    def resource_metadata(self) -> str | None:
        """The resource's metadata URL (RFC 9728 §5.1), when the challenge names one."""
        return self.get("resource_metadata")

    def to_dict(self) -> dict[str, object]:
        return {"scheme": self.scheme, "params": dict(self.params), "token68": self.token68}


def parse_challenges(value: str) -> list[Challenge]:
    """Every challenge in a ``WWW-Authenticate`` value; what does not parse ends the list."""
    text = value[:MAX_HEADER_CHARS]
    challenges: list[Challenge] = []
    pos = _skip_commas(text, 0)
    while pos < len(text) and len(challenges) < MAX_CHALLENGES:
        scheme = _SCHEME.match(text, pos)
        if scheme is None:
            break
        params, pos = _auth_params(text, scheme.end())
        token68: str | None = None
        if not params:
            t68 = _TOKEN68.match(text, scheme.end())
            if t68 is not None and t68.start(1) > scheme.end():
                token68, pos = t68.group(1), t68.end()
        challenges.append(Challenge(scheme.group(1), params, token68))
        pos = _skip_commas(text, pos)
    return challenges


def _auth_params(text: str, pos: int) -> tuple[dict[str, str], int]:
    """The auth-params from ``pos`` up to the next challenge, and where that one starts."""
    params: dict[str, str] = {}
    param = _PARAM.match(text, pos)
    while param is not None:
        if len(params) < MAX_PARAMS:
            quoted = param.group(2)
            value = _ESCAPE.sub(r"\1", quoted) if quoted is not None else param.group(3)
            params.setdefault(param.group(1).lower(), value)
        pos = param.end()
        comma = _COMMA.match(text, pos)
        if comma is None:
            break
        pos = comma.end()
        param = _PARAM.match(text, pos)
    return params, pos


def _skip_commas(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in ", \t":
        pos += 1
    return pos


def header_values(headers: Mapping[str, str], name: str = "www-authenticate") -> list[str]:
    """Every value of one header, whatever the case of its name."""
    return [v for k, v in headers.items() if k.lower() == name]


def bearer_challenge(headers: Mapping[str, str], scheme: str = "Bearer") -> Challenge | None:
    """The challenge of ``scheme`` (``Bearer`` by default; ``DPoP`` for a DPoP-bound token)."""
    for value in header_values(headers):
        for challenge in parse_challenges(value):
            if challenge.scheme.lower() == scheme.lower():
                return challenge
    return None


def first_challenge(headers: Mapping[str, str]) -> Challenge | None:
    """The challenge to explain: the Bearer one, else the DPoP one, else the first of any."""
    for scheme in ("Bearer", "DPoP"):
        found = bearer_challenge(headers, scheme)
        if found is not None:
            return found
    for value in header_values(headers):
        challenges = parse_challenges(value)
        if challenges:
            return challenges[0]
    return None


class NextStep(StrEnum):
    """What the tester does after a refused call."""

    NONE = "none"
    GET_TOKEN = "get_token"  # no token was accepted at all: get one (the resource says where)
    REFRESH = "refresh"  # invalid_token: expired, revoked or not for this resource
    REQUEST_SCOPE = "request_scope"  # insufficient_scope: a token with the named scope
    FIX_REQUEST = "fix_request"  # invalid_request: the call itself is malformed
    OTHER_SCHEME = "other_scheme"  # the resource wants another scheme (DPoP, Basic…)


def next_step(challenge: Challenge | None, status: int) -> NextStep:
    """The one-click next step for a response (2xx and non-challenging answers: NONE)."""
    if challenge is None or status < 400:
        return NextStep.NONE
    if challenge.scheme.lower() not in ("bearer", "dpop"):
        return NextStep.OTHER_SCHEME
    steps = {
        "invalid_token": NextStep.REFRESH,
        "insufficient_scope": NextStep.REQUEST_SCOPE,
        "invalid_request": NextStep.FIX_REQUEST,
    }
    if challenge.error in steps:
        return steps[challenge.error]
    return NextStep.GET_TOKEN if status == 401 else NextStep.NONE


def _shown(value: str) -> str:
    text = printable(value)
    return text if len(text) <= SHOWN_VALUE_CHARS else text[:SHOWN_VALUE_CHARS] + "…"


def explain(challenge: Challenge | None, status: int) -> str:
    """The challenge in words (RFC 6750 §3.1 error codes), with what to do next."""
    if challenge is None:
        if status == 401:
            return (
                f"The API answered {status} without a WWW-Authenticate challenge (RFC 6750 §3 "
                "requires one): it gives no reason and no authorization server."
            )
        return ""
    scheme = _shown(challenge.scheme)
    if challenge.scheme.lower() not in ("bearer", "dpop"):
        return f"The API asks for {scheme} authentication, not a bearer token."
    sentences = [_error_sentence(challenge, status)]
    said = _shown(challenge.get("error_description") or "")
    if said:
        sentences.append(f"It says: “{said}”" + ("" if said[-1] in ".!?…" else "."))
    if challenge.resource_metadata:
        sentences.append(
            "It names its metadata (RFC 9728), which says which authorization server issues "
            f"its tokens: {_shown(challenge.resource_metadata)}"
        )
    return " ".join(s for s in sentences if s)


def _error_sentence(challenge: Challenge, status: int) -> str:
    error = challenge.error
    if error == "invalid_token":
        return (
            "invalid_token: the API does not accept this token — it is expired, revoked, "
            "malformed or meant for another resource. Refresh it or get a new one."
        )
    if error == "insufficient_scope":
        wanted = challenge.scope
        return (
            "insufficient_scope: the token is valid but lacks the scope this call needs"
            + (f" — the API wants “{_shown(wanted)}”." if wanted else ".")
            + " Request a token with that scope."
        )
    if error == "invalid_request":
        return (
            "invalid_request: the request is malformed — a missing or repeated parameter, or "
            "the token sent in more than one way."
        )
    if error:
        return f"{_shown(error)}: an error code RFC 6750 does not define."
    if status == 401:
        return "No token was accepted: the API wants one and says how to get it."
    return f"The API refused the call ({status})."
