"""Rich authorization requests (RFC 9396) on the demo server.

``authorization_details`` is taken at the authorization endpoint (plain, pushed or in a
request object) and at the token endpoint for client credentials: a JSON array of objects,
each with a ``type`` the demo knows (:data:`TYPES`). Anything else is refused with
``invalid_authorization_details`` (§5). The consent page lists each detail; the details
granted go into the token response and the access token as ``authorization_details`` (§7,
§9.1). Authlib has no RAR support: this is the demo's own code on Authlib's errors.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from authlib.oauth2.rfc6749 import OAuth2Error
from flask import g, has_request_context

__all__ = [
    "TYPES",
    "InvalidAuthorizationDetailsError",
    "granted_details",
    "parse_details",
    "remember_details",
]

#: The detail types the demo takes, with the actions each allows and a line saying what it is.
TYPES: Final[Mapping[str, tuple[frozenset[str], str]]] = {
    "payment_initiation": (
        frozenset({"initiate", "status", "cancel"}),
        "initiate a payment (instructedAmount, creditorName, creditorAccount)",
    ),
    "account_information": (
        frozenset({"list_accounts", "read_balances", "read_transactions"}),
        "read account information",
    ),
}
#: The common data fields (§2.2) beside ``type``.
_COMMON_LISTS: Final = ("locations", "actions", "datatypes", "privileges")
_MAX_DETAILS: Final = 10


class InvalidAuthorizationDetailsError(OAuth2Error):  # type: ignore[misc]
    """RFC 9396 §5: the details are malformed, of an unknown type, or not allowed."""

    error = "invalid_authorization_details"


def parse_details(value: object) -> list[dict[str, Any]] | None:
    """The request's ``authorization_details`` (a JSON string, or an array from a request
    object), checked; None when absent. Raises :class:`InvalidAuthorizationDetailsError`."""
    if value is None or value == "":
        return None
    details = value
    if isinstance(value, str):
        try:
            details = json.loads(value)
        except ValueError:
            raise InvalidAuthorizationDetailsError("authorization_details is not JSON.") from None
    if not isinstance(details, list) or not details:
        raise InvalidAuthorizationDetailsError("authorization_details must be a non-empty array.")
    if len(details) > _MAX_DETAILS:
        raise InvalidAuthorizationDetailsError(f"At most {_MAX_DETAILS} authorization details.")
    return [_check(i, detail) for i, detail in enumerate(details)]


def _check(index: int, detail: object) -> dict[str, Any]:
    where = f"authorization_details[{index}]"
    if not isinstance(detail, dict):
        raise InvalidAuthorizationDetailsError(f"{where} is not an object.")
    kind = detail.get("type")
    if not isinstance(kind, str) or not kind:
        raise InvalidAuthorizationDetailsError(f"{where} has no string type.")
    if kind not in TYPES:
        known = ", ".join(TYPES)
        raise InvalidAuthorizationDetailsError(
            f"{where}: unknown type '{_shown(kind)}' (this server knows {known})."
        )
    for name in _COMMON_LISTS:
        items = detail.get(name)
        if items is not None and (
            not isinstance(items, list) or not all(isinstance(x, str) for x in items)
        ):
            raise InvalidAuthorizationDetailsError(f"{where}: {name} must be an array of strings.")
    allowed, _ = TYPES[kind]
    unknown = sorted(set(detail.get("actions") or ()) - allowed)
    if unknown:
        raise InvalidAuthorizationDetailsError(
            f"{where}: action '{_shown(unknown[0])}' is not one of {', '.join(sorted(allowed))}."
        )
    if kind == "payment_initiation":
        amount = detail.get("instructedAmount")
        if amount is not None and not (
            isinstance(amount, dict)
            and isinstance(amount.get("currency"), str)
            and isinstance(amount.get("amount"), str)
        ):
            raise InvalidAuthorizationDetailsError(
                f"{where}: instructedAmount needs a currency and an amount (strings)."
            )
    return dict(detail)


def _shown(text: str) -> str:
    """A value for an error description: RFC 6749 §5.2 allows no quote, backslash, control
    or non-ASCII character there (Authlib refuses one with a 500)."""
    kept = "".join(c if " " <= c <= "~" and c not in '"\\' else "?" for c in text)
    return kept[:40] + ("…" if len(kept) > 40 else "")


def remember_details(details: list[dict[str, Any]] | None) -> None:
    """Keep the details granted for this request, for the token generator."""
    g.authorization_details = details


def granted_details() -> list[dict[str, Any]] | None:
    """The details granted for the token being made in this request (None: none asked)."""
    if not has_request_context():
        return None
    details = g.get("authorization_details")
    return list(details) if details else None


def describe(detail: Mapping[str, Any]) -> str:
    """One line for the consent page: the type's words and the detail's own fields."""
    kind = str(detail.get("type"))
    words = TYPES[kind][1] if kind in TYPES else kind
    fields = [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in detail.items() if k != "type"]
    return f"{kind} — {words}" + (f" ({'; '.join(fields)})" if fields else "")
