"""The token an arrow's exchange brought, when the app still holds it.

The exchange log keeps no token: only keyed digests of what each token response carried
(:meth:`~workbench.core.transport.exchange.ExchangeLog.issued_by`). Here the tokens the app
holds (the current set, then the token history, newest first) are digested the same way and
matched, so the inspector can show the very token an arrow stands for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from workbench.ui.state import AppState

#: Which of an exchange's tokens the inspector shows: the access token, else the ID token.
PREFERRED = ("access_token", "id_token", "refresh_token")
KIND_WORDS = {
    "access_token": "access token",
    "id_token": "ID token",
    "refresh_token": "refresh token",
}


@dataclass(frozen=True)
class IssuedToken:
    """What an exchange brought: ``token`` (None when the app no longer holds it), a label for
    the inspector's picker, and a sentence for the status bar."""

    token: str | None
    label: str
    message: str


def issued_token(state: AppState, exchange_id: int) -> IssuedToken | None:
    """The token exchange ``exchange_id`` brought (None: it brought none)."""
    issued = state.log.issued_by(exchange_id)
    if not issued:
        return None
    for held in _held_sets(state):
        for kind in PREFERRED:
            value = getattr(held, kind, None)
            if kind in issued and value and state.log.token_digest(value) == issued[kind]:
                words = KIND_WORDS[kind]
                return IssuedToken(
                    value,
                    f"Exchange #{exchange_id}: {words}",
                    f"The inspector shows the {words} exchange #{exchange_id} brought.",
                )
    return IssuedToken(
        None,
        "",
        f"The tokens exchange #{exchange_id} brought are no longer held by the app "
        "(replaced, or removed from the token history).",
    )


def _held_sets(state: AppState) -> Iterator[object]:
    """Every token set the app holds: the current one, then the token history's."""
    if state.tokens is not None:
        yield state.tokens
    yield from state.history.entries()


__all__ = ["IssuedToken", "issued_token"]
