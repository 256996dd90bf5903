"""What changed between two tokens' claims: added, removed, changed — and scopes apart.

Two tokens of one user before and after a refresh, a trigger change or a scope step-up differ
in a handful of claims; the time claims (``iat``, ``exp``, ``auth_time``, ``jti``) differ every
time and are reported apart so that what really changed stands out. ``scope`` (a string, RFC
8693 §4.2 / RFC 9068 §2.2.3) and Cognito's ``cognito:groups`` (a list) are compared as sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Claims that differ between any two issued tokens: shown apart as "the usual".
VOLATILE = frozenset({"iat", "exp", "nbf", "auth_time", "jti", "at_hash", "c_hash", "nonce"})


@dataclass(frozen=True)
class ClaimChange:
    name: str
    before: Any
    after: Any


@dataclass(frozen=True)
class ClaimsDiff:
    added: dict[str, Any] = field(default_factory=dict)
    removed: dict[str, Any] = field(default_factory=dict)
    changed: tuple[ClaimChange, ...] = ()
    volatile: tuple[ClaimChange, ...] = ()
    scopes_added: tuple[str, ...] = ()
    scopes_removed: tuple[str, ...] = ()

    @property
    def same(self) -> bool:
        """Nothing but the usual per-token claims differs."""
        return not (self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": {c.name: {"before": c.before, "after": c.after} for c in self.changed},
            "volatile": sorted(c.name for c in self.volatile),
            "scopes_added": list(self.scopes_added),
            "scopes_removed": list(self.scopes_removed),
        }


def _scopes(claims: Mapping[str, Any]) -> list[str]:
    value = claims.get("scope", claims.get("scp"))
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def diff_claims(before: Mapping[str, Any], after: Mapping[str, Any]) -> ClaimsDiff:
    """The difference from ``before`` to ``after``, in the order of ``after``'s claims."""
    changed: list[ClaimChange] = []
    volatile: list[ClaimChange] = []
    for name in [*before, *(n for n in after if n not in before)]:
        if name in before and name in after and before[name] != after[name]:
            change = ClaimChange(name, before[name], after[name])
            (volatile if name in VOLATILE else changed).append(change)
    old, new = _scopes(before), _scopes(after)
    return ClaimsDiff(
        added={n: v for n, v in after.items() if n not in before},
        removed={n: v for n, v in before.items() if n not in after},
        changed=tuple(changed),
        volatile=tuple(volatile),
        scopes_added=tuple(s for s in new if s not in old),
        scopes_removed=tuple(s for s in old if s not in new),
    )
