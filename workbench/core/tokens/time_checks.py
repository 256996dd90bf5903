"""The time checks: ``exp``, ``nbf`` and ``iat`` (RFC 7519 §4.1.4–4.1.6) at a moment ``now``,
with ``leeway`` seconds of allowed clock skew.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.core.tokens.claims import format_local, format_relative, parse_numeric_date
from workbench.core.tokens.findings import Finding, failing, passing, unchecked

__all__ = ["check_exp", "check_iat", "check_nbf"]


def _time_claim(claims: Mapping[str, Any], name: str, now: float) -> tuple[float, str] | Finding:
    """``(seconds from now, local time)`` of a NumericDate claim, or the finding that ends it."""
    if name not in claims:
        return unchecked(name, f"token has no {name}")
    try:
        moment = parse_numeric_date(claims[name])
    except ValueError as exc:
        return failing(name, f"{name} is not a valid time: {exc}")
    return moment - now, format_local(moment)


def check_exp(claims: Mapping[str, Any], now: float, leeway: int) -> Finding:
    check = "exp"
    found = _time_claim(claims, check, now)
    if isinstance(found, Finding):
        return found
    left, when = found
    if left <= -leeway:
        return failing(check, f"expired {format_relative(left)} ({when})")
    if left <= 0:
        return passing(
            check, f"expired {format_relative(left)} ({when}), within the {leeway} s leeway"
        )
    return passing(check, f"expires {format_relative(left)} ({when})")


def check_nbf(claims: Mapping[str, Any], now: float, leeway: int) -> Finding:
    check = "nbf"
    found = _time_claim(claims, check, now)
    if isinstance(found, Finding):
        return found
    ahead, when = found
    if ahead > leeway:
        return failing(check, f"not valid yet: valid from {when} ({format_relative(ahead)})")
    if ahead > 0:
        return passing(
            check, f"valid from {when} ({format_relative(ahead)}), within the {leeway} s leeway"
        )
    return passing(check, f"valid since {when} ({format_relative(ahead)})")


def check_iat(claims: Mapping[str, Any], now: float, leeway: int) -> Finding:
    check = "iat"
    found = _time_claim(claims, check, now)
    if isinstance(found, Finding):
        return found
    ahead, when = found
    if ahead > leeway:
        return failing(
            check,
            f"issued in the future: iat is {when} ({format_relative(ahead)}), beyond the"
            f" {leeway} s clock-skew allowance (a wrong clock at the issuer or here, or a"
            " made-up token)",
        )
    return passing(check, f"issued {format_relative(ahead)} ({when})")
