"""The token response (RFC 6749 §5.1) as a value."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TokenSet:
    access_token: str | None = None
    token_type: str | None = None
    expires_in: float | None = None
    refresh_token: str | None = None
    id_token: str | None = None
    scope: str | None = None
    received_at: float = field(default_factory=time.time)
    raw: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_response(cls, data: Mapping[str, Any], received_at: float | None = None) -> TokenSet:
        expires: float | None
        try:
            expires = float(data["expires_in"]) if data.get("expires_in") is not None else None
        except (TypeError, ValueError, OverflowError):  # OverflowError: a 400-digit integer
            expires = None
        if expires is not None and not math.isfinite(expires):  # NaN, Infinity from the server
            expires = None
        return cls(
            access_token=_str(data.get("access_token")),
            token_type=_str(data.get("token_type")),
            expires_in=expires,
            refresh_token=_str(data.get("refresh_token")),
            id_token=_str(data.get("id_token")),
            scope=_str(data.get("scope")),
            received_at=received_at if received_at is not None else time.time(),
            raw=dict(data),
        )

    @property
    def issued_token_type(self) -> str | None:
        """What kind of token ``access_token`` holds, when the server says (RFC 8693 §2.2.1)."""
        return _str(self.raw.get("issued_token_type"))

    @property
    def expires_at(self) -> float | None:
        return self.received_at + self.expires_in if self.expires_in is not None else None

    def to_dict(self) -> dict[str, Any]:
        """The server's response, as received."""
        return dict(self.raw)

    def __repr__(self) -> str:  # tokens never go to a repr
        present = [n for n in ("access_token", "refresh_token", "id_token") if getattr(self, n)]
        return f"TokenSet({', '.join(present)}, expires_in={self.expires_in})"


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
