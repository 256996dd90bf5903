"""Rich authorization requests (RFC 9396): ``authorization_details``, a JSON array of objects
each naming its ``type`` (§2), sent at the authorization endpoint (in the URL, a pushed request
or a request object, §3) and at the token endpoint (§6); the details granted come back in the
token response (§7) and in a JWT access token's claims (§9.1).

The faces give the JSON as text; :func:`parse_authorization_details` checks it and says what
is wrong in words. :func:`unlisted_types` compares the types with the server's
``authorization_details_types_supported`` (§10) for a warning, and :func:`describe_details`
makes one readable block per detail for the inspector.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.core.errors import ConfigError
from workbench.core.oauth.discovery import ServerMetadata

__all__ = [
    "AUTHORIZATION_DETAILS",
    "AuthorizationDetails",
    "DetailBlock",
    "describe_details",
    "details_text",
    "granted_details",
    "parse_authorization_details",
    "unlisted_types",
]

AUTHORIZATION_DETAILS = "authorization_details"
#: The common fields (§2.2), in the order a block lists them.
_COMMON = ("actions", "locations", "datatypes", "identifier", "privileges")
_MAX_TEXT = 64 * 1024


@dataclass(frozen=True)
class AuthorizationDetails:
    """Checked details: the parsed array and its compact JSON (what is sent)."""

    details: tuple[Mapping[str, Any], ...]
    text: str

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(str(d["type"]) for d in self.details)


def parse_authorization_details(text: str) -> AuthorizationDetails:
    """``text`` as RFC 9396 authorization details, or ConfigError saying what is wrong."""
    if len(text) > _MAX_TEXT:
        raise ConfigError(f"The authorization details are over {_MAX_TEXT // 1024} KiB.")
    if not text.strip():
        raise ConfigError("The authorization details are empty: give a JSON array of objects.")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"The authorization details are not JSON: {exc.msg} at line {exc.lineno},"
            f" column {exc.colno}."
        ) from None
    if not isinstance(value, list):
        raise ConfigError(
            "The authorization details must be a JSON array of objects (RFC 9396 §2), e.g."
            ' [{"type": "account_information"}].'
        )
    if not value:
        raise ConfigError("The authorization details array is empty: give at least one object.")
    for index, item in enumerate(value):
        where = f"authorization details item {index + 1}"
        if not isinstance(item, dict):
            raise ConfigError(f"The {where} is not a JSON object.")
        kind = item.get("type")
        if not isinstance(kind, str) or not kind.strip():
            raise ConfigError(
                f"The {where} has no type: each object needs a string type (RFC 9396 §2)."
            )
        for name in ("actions", "locations", "datatypes", "privileges"):
            field = item.get(name)
            if field is not None and (
                not isinstance(field, list) or not all(isinstance(x, str) for x in field)
            ):
                raise ConfigError(f"The {where}: {name} must be an array of strings (§2.2).")
        if "identifier" in item and not isinstance(item["identifier"], str):
            raise ConfigError(f"The {where}: identifier must be a string (§2.2).")
    compact = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return AuthorizationDetails(tuple(value), compact)


def unlisted_types(meta: ServerMetadata, details: AuthorizationDetails) -> str | None:
    """A warning when the server lists ``authorization_details_types_supported`` without one
    of the types, or lists none at all (None: every type is listed)."""
    listed = meta.raw.get("authorization_details_types_supported")
    if not isinstance(listed, list):
        return (
            "this server's discovery lists no authorization_details_types_supported: it may"
            " not take authorization details (RFC 9396 §10)."
        )
    missing = [t for t in details.types if t not in listed]
    if not missing:
        return None
    offered = ", ".join(str(t) for t in listed) or "none"
    return (
        f"this server does not list the authorization details type(s)"
        f" {', '.join(missing)} (its authorization_details_types_supported: {offered})."
    )


@dataclass(frozen=True)
class DetailBlock:
    """One detail, readable: its type, then (field, value as text) lines."""

    type: str
    lines: tuple[tuple[str, str], ...]


def granted_details(
    response: Mapping[str, Any], claims: Mapping[str, Any] | None = None
) -> tuple[str, list[Mapping[str, Any]]] | None:
    """The granted details and where they came from: the token response (§7), else the
    access token's claims (§9.1); None when neither has any."""
    for source, data in (("token response", response), ("access token", claims or {})):
        value = data.get(AUTHORIZATION_DETAILS)
        if isinstance(value, list) and value:
            return source, [d for d in value if isinstance(d, Mapping)]
    return None


def describe_details(details: Sequence[Mapping[str, Any]]) -> list[DetailBlock]:
    """A block per detail: type, the common fields in their order, then the type's own."""
    blocks = []
    for detail in details:
        lines: list[tuple[str, str]] = []
        for name in _COMMON:
            if name in detail:
                lines.append((name, _text(detail[name])))
        for name, value in detail.items():
            if name != "type" and name not in _COMMON:
                lines.append((name, _text(value)))
        blocks.append(DetailBlock(str(detail.get("type", "(no type)")), tuple(lines)))
    return blocks


def details_text(source: str, details: Sequence[Mapping[str, Any]]) -> str:
    """The granted details as text, a block per detail (the inspector's tab)."""
    lines = [f"Granted authorization details ({source}, RFC 9396):"]
    for block in describe_details(details):
        lines.append("")
        lines.append(f"type: {block.type}")
        lines.extend(f"  {name}: {text}" for name, text in block.lines)
    return "\n".join(lines)


def _text(value: Any) -> str:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
