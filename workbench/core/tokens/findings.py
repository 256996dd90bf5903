"""What inspecting a token yields: one :class:`Finding` per check, gathered in an
:class:`Inspection`.

A finding is ``pass``, ``fail`` or ``not_checked`` with its reason in words, and for a check that
could not be made the settings that would let it be made (``fix``; each face words them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from workbench.core.hints import Fix
from workbench.core.tokens.claims import Expiry
from workbench.core.tokens.decode import DecodedJwt

__all__ = ["Finding", "Inspection", "Outcome", "failing", "passing", "shown", "unchecked"]


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_CHECKED = "not_checked"


@dataclass(frozen=True)
class Finding:
    """The result of one check: ``pass``, ``fail`` or ``not_checked``, with a reason in words."""

    check: str
    outcome: Outcome
    reason: str
    #: The settings that would let this check be made (a face words them after the reason).
    fix: Fix = ()

    def to_dict(self) -> dict[str, str]:
        return {"check": self.check, "outcome": self.outcome.value, "reason": self.reason}


@dataclass(frozen=True)
class Inspection:
    """A decoded token, its findings in the order of
    :data:`~workbench.core.tokens.checks.CHECK_TABLE`, and its expiry at ``now``."""

    decoded: DecodedJwt
    findings: tuple[Finding, ...]
    expiry: Expiry
    now: float
    #: Verification was asked for: every check that could not be made then failed.
    requested: bool = False

    @property
    def ok(self) -> bool:
        """No check failed. Checks not run count against it only when verification was asked
        for, and then they are already failures (see :func:`inspect_token`)."""
        return not self.failed

    @property
    def failed(self) -> list[Finding]:
        return [f for f in self.findings if f.outcome is Outcome.FAIL]

    @property
    def signature_valid(self) -> bool:
        return self.finding("signature").outcome is Outcome.PASS

    def finding(self, check: str) -> Finding:
        for item in self.findings:
            if item.check == check:
                return item
        raise KeyError(check)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.decoded.to_dict(),
            "ok": self.ok,
            "verification_requested": self.requested,
            "findings": [f.to_dict() for f in self.findings],
            "expiry": self.expiry.to_dict(),
        }


def passing(check: str, reason: str) -> Finding:
    """The check was made and the token meets it."""
    return Finding(check, Outcome.PASS, reason)


def failing(check: str, reason: str, fix: Fix = ()) -> Finding:
    """The check failed (or could not be made when verification was asked for)."""
    return Finding(check, Outcome.FAIL, reason, fix)


def unchecked(check: str, reason: str, fix: Fix = ()) -> Finding:
    """The check was not made: ``reason`` says why, ``fix`` which settings would allow it."""
    return Finding(check, Outcome.NOT_CHECKED, reason, fix)


def shown(value: Any) -> str:
    """A token's value as a reason quotes it: a string's repr, else JSON, cut at 80 characters."""
    if isinstance(value, str):
        return repr(value)
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"
