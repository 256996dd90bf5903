"""OAuth 2.0 Token Exchange (RFC 8693): trade a token for another one.

A client sends a *subject token* (whom the new token is about) and, for delegation, an *actor
token* (who will act on the subject's behalf), each with its token type (§3: URNs such as
``urn:ietf:params:oauth:token-type:access_token``); it may name the token type it wants
(``requested_token_type``), where the new token will be used (``audience``, ``resource``) and
a narrower ``scope``. The answer is a token response (RFC 6749 §5.1) that must also say what
kind of token it carries (``issued_token_type``, §2.2.1); its ``access_token`` member holds the
issued token whatever its type, and ``token_type`` is ``N_A`` when it is no access token.

Without an actor the new token stands for the subject alone (impersonation); with one it says
who acts through its ``act`` claim (delegation, §4.1), nested for a chain of actors:
:func:`delegation_chain` reads it, outermost (the current actor) first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbench.core.errors import ConfigError, TransportError
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.token_endpoint import build_token_request, parse_token_response
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.transport.exchange import HttpRequest, HttpResponse
from workbench.core.transport.masking import mask_token

if TYPE_CHECKING:
    from workbench.core.session import OAuthSession

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange"
TOKEN_TYPE_PREFIX = "urn:ietf:params:oauth:token-type:"
#: The token types RFC 8693 §3 registers, by the short name the faces accept.
SHORT_TOKEN_TYPES = ("access_token", "refresh_token", "id_token", "jwt", "saml1", "saml2")
#: ``token_type`` of an issued token that is no access token (§2.2.1).
NOT_APPLICABLE = "N_A"

#: How a delegation chain is read, for every face.
ACT_WORDS = (
    "act: who acts on behalf of the subject (RFC 8693 §4.1); the outermost actor is the one "
    "acting now, each nested act an earlier one"
)


def token_type_urn(value: str, what: str = "token type") -> str:
    """The token type URN of ``value``: a short name (``access_token``, ``jwt`` …) expanded,
    a URN or absolute URI as it is. ``ConfigError`` for anything else."""
    text = value.strip()
    if text in SHORT_TOKEN_TYPES:
        return TOKEN_TYPE_PREFIX + text
    if text.startswith("urn:") or "://" in text:
        return text
    raise ConfigError(
        f"Unknown {what} {value!r}: use {', '.join(SHORT_TOKEN_TYPES)} or a token type URN "
        f"({TOKEN_TYPE_PREFIX}…)."
    )


def short_token_type(urn: str | None) -> str:
    """``access_token`` for ``urn:ietf:params:oauth:token-type:access_token``; another URI as
    it is; ``""`` for none."""
    if not urn:
        return ""
    if urn.startswith(TOKEN_TYPE_PREFIX) and urn[len(TOKEN_TYPE_PREFIX) :] in SHORT_TOKEN_TYPES:
        return urn[len(TOKEN_TYPE_PREFIX) :]
    return urn


@dataclass(frozen=True)
class TokenExchange:
    """What one token exchange request asks for (RFC 8693 §2.1); types as URNs
    (:func:`token_type_urn` expands short names)."""

    subject_token: str
    subject_token_type: str
    actor_token: str | None = None
    actor_token_type: str | None = None
    requested_token_type: str | None = None
    audience: str | None = None
    resource: str | None = None
    scope: str = ""

    def __post_init__(self) -> None:
        if not self.subject_token:
            raise ConfigError("Token exchange needs a subject token (RFC 8693 §2.1).")
        if not self.subject_token_type:
            raise ConfigError("Token exchange needs the subject token's type (RFC 8693 §2.1).")
        if self.actor_token and not self.actor_token_type:
            raise ConfigError(
                "An actor token needs its type (actor_token_type is required with it, "
                "RFC 8693 §2.1)."
            )
        if self.actor_token_type and not self.actor_token:
            raise ConfigError(
                "An actor token type without an actor token: RFC 8693 §2.1 forbids sending it."
            )

    @property
    def delegation(self) -> bool:
        """With an actor: delegation; without: impersonation."""
        return bool(self.actor_token)

    def form(self) -> dict[str, str]:
        form = {
            "grant_type": GRANT_TYPE,
            "subject_token": self.subject_token,
            "subject_token_type": self.subject_token_type,
            "actor_token": self.actor_token or "",
            "actor_token_type": self.actor_token_type or "",
            "requested_token_type": self.requested_token_type or "",
            "audience": self.audience or "",
            "resource": self.resource or "",
            "scope": self.scope,
        }
        return {k: v for k, v in form.items() if v}

    def __repr__(self) -> str:  # tokens never go to a repr
        actor = mask_token(self.actor_token) if self.actor_token else None
        return (
            f"TokenExchange(subject={mask_token(self.subject_token)}, "
            f"type={short_token_type(self.subject_token_type)}, actor={actor})"
        )


def build_token_exchange_request(
    token_endpoint: str,
    client: ClientConfig,
    exchange: TokenExchange,
    extra: Mapping[str, str] | None = None,
) -> HttpRequest:
    """The POST of RFC 8693 §2.1 with client authentication applied (``subject_token`` and
    ``actor_token`` are masked in the log by name)."""
    form = {**{k: v for k, v in (extra or {}).items() if v}, **exchange.form()}
    kind = "delegation" if exchange.delegation else "impersonation"
    return build_token_request(token_endpoint, client, form, f"token (token exchange, {kind})")


def parse_token_exchange_response(resp: HttpResponse) -> TokenSet:
    """RFC 8693 §2.2.1: a token response that also says ``issued_token_type``."""
    tokens = parse_token_response(resp)
    if not tokens.issued_token_type:
        raise TransportError(
            "The token exchange response has no issued_token_type (RFC 8693 §2.2.1 requires "
            "one): what kind of token came back cannot be told.",
            kind="invalid_document",
        )
    return tokens


def exchange_token(
    session: OAuthSession, exchange: TokenExchange, extra: Mapping[str, str] | None = None
) -> TokenSet:
    """Run ``exchange`` at the session's token endpoint (the call both faces make, through
    :meth:`OAuthSession.token_exchange`); ``extra`` as for every direct grant (the caller's
    when given, else the provider's)."""
    for token in (exchange.subject_token, exchange.actor_token):
        session.log.add_secret(token)  # masked wherever a server echoes it
    request = build_token_exchange_request(
        session.metadata().require("token_endpoint"),
        session.client,
        exchange,
        session.provider.extra if extra is None else extra,
    )
    return parse_token_exchange_response(session.http.send(request))


# -- the delegation chain (§4.1) -------------------------------------------------------------
@dataclass(frozen=True)
class Actor:
    """One actor of an ``act`` claim: its ``sub`` (and ``client_id``, ``iss`` when given) and
    every other member as it came."""

    sub: str | None
    client_id: str | None
    iss: str | None
    other: Mapping[str, Any]

    def describe(self) -> str:
        name = self.sub or self.client_id or "(no sub)"
        extra = []
        if self.client_id and self.client_id != name:
            extra.append(f"client {self.client_id}")
        if self.iss:
            extra.append(f"issuer {self.iss}")
        extra += [f"{k}={v!r}" for k, v in self.other.items()]
        return f"{name} ({', '.join(extra)})" if extra else name


def delegation_chain(claims: Mapping[str, Any], limit: int = 16) -> tuple[Actor, ...]:
    """The actors of ``claims``'s ``act``, outermost (the current actor) first; ``()`` without
    one. A chain deeper than ``limit`` stops there (a hostile token cannot nest forever)."""
    chain: list[Actor] = []
    act = claims.get("act")
    while isinstance(act, Mapping) and len(chain) < limit:
        chain.append(
            Actor(
                sub=_text(act.get("sub")),
                client_id=_text(act.get("client_id")),
                iss=_text(act.get("iss")),
                other={k: v for k, v in act.items() if k not in ("sub", "client_id", "iss", "act")},
            )
        )
        act = act.get("act")
    return tuple(chain)


def describe_delegation(claims: Mapping[str, Any]) -> list[str]:
    """The delegation chain in words, one line each: who the token is about, who acts now, who
    acted before; ``may_act`` when the token names who may act. Empty for neither."""
    lines: list[str] = []
    chain = delegation_chain(claims)
    if chain:
        subject = _text(claims.get("sub")) or "(no sub)"
        lines.append(f"subject {subject}: the token is about them")
        for depth, actor in enumerate(chain):
            role = "acting now" if depth == 0 else f"acted before ({_ordinal(depth)} earlier)"
            lines.append(f"actor {depth + 1}: {actor.describe()} — {role}")
        if isinstance(claims.get("act"), Mapping) and len(chain) == 16:
            lines.append("(the chain goes deeper than 16 actors; the rest is not shown)")
    may_act = claims.get("may_act")
    if isinstance(may_act, Mapping):
        allowed = delegation_chain({"act": may_act}, limit=1)[0].describe()
        lines.append(f"may_act: {allowed} may act on the subject's behalf")
    return lines


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


__all__ = [
    "ACT_WORDS",
    "GRANT_TYPE",
    "NOT_APPLICABLE",
    "SHORT_TOKEN_TYPES",
    "TOKEN_TYPE_PREFIX",
    "Actor",
    "TokenExchange",
    "build_token_exchange_request",
    "delegation_chain",
    "describe_delegation",
    "exchange_token",
    "parse_token_exchange_response",
    "short_token_type",
    "token_type_urn",
]
